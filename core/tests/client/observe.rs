//! Log lines and hooks (`transport/observe.rs`) against the emulator: what each level writes,
//! that no secret reaches any line, the hooks' order under an injected 503, a failing hook.

use std::sync::{Arc, Mutex};

use aether::model::{CreateConnectLinkRequest, CreateWebhookRequest, Platform, WebhookEventType};
use aether::{AttemptEvent, LogLevel};
use serde_json::json;

use crate::client_common::{text_post, Emulator};

type Lines = Arc<Mutex<Vec<(LogLevel, String)>>>;

/// Runs calls that make a line at every level and returns the lines and the secrets they must
/// not show: a retried 503, a 404, a webhook's secret, a connect link's state, a panicking hook.
async fn lines_at(level: LogLevel) -> (Vec<(LogLevel, String)>, Vec<String>) {
    let emulator = Emulator::start().await;
    let profile = emulator.profile("linkedin").await;
    let lines: Lines = Arc::default();
    let seen = lines.clone();
    let client = emulator
        .builder()
        .log_level(level)
        .log_sink(move |level, line| seen.lock().unwrap().push((level, line.to_owned())))
        .on_retry(|_| panic!("a hook that panics"))
        .build()
        .unwrap();
    let state = "st_canary_4f1d".to_owned();
    client
        .connect_links()
        .create(&CreateConnectLinkRequest {
            platform: Platform::Tiktok,
            redirect_url: "https://example.com/back".into(),
            state: Some(state.clone()),
        })
        .await
        .unwrap();
    let webhook = client
        .webhooks()
        .create(&CreateWebhookRequest {
            url: "http://127.0.0.1:9/hooks".into(),
            events: vec![WebhookEventType::PostPublished],
        })
        .await
        .unwrap();
    let secret = webhook.secret.clone().expect("create returns the secret");
    let post = client.posts().create(&text_post(&profile, "observed")).await.unwrap();
    emulator
        .fault(json!({"method": "GET", "path": "/v1/posts/*", "times": 1,
                      "action": {"type": "status", "status": 503}}))
        .await;
    client.posts().get(&post.id).await.unwrap();
    client.posts().get("post_missing").await.unwrap_err();
    let lines = lines.lock().unwrap().clone();
    (lines, vec![emulator.server.api_key().to_owned(), secret, state])
}

#[tokio::test]
async fn every_level_writes_its_lines_and_never_a_secret() {
    for level in LogLevel::ALL {
        let (lines, secrets) = lines_at(level).await;
        for (at, line) in &lines {
            assert!(*at <= level, "a {at:?} line at {level:?}: {line}");
            for secret in &secrets {
                assert!(!line.contains(secret.as_str()), "{secret} in a {at:?} line: {line}");
            }
            if *at < LogLevel::Trace {
                assert!(!line.contains("body"), "a body below trace: {line}");
            }
        }
        for expected in LogLevel::ALL.into_iter().filter(|l| *l <= level) {
            assert!(lines.iter().any(|(at, _)| *at == expected), "no {expected:?} line: {lines:?}");
        }
        let has = |text: &str| lines.iter().any(|(_, line)| line.contains(text));
        assert!(has("GET /v1/posts/post_missing failed after 1 attempt (404 NOT_FOUND)"));
        if level >= LogLevel::Warn {
            assert!(has("on_retry hook failed") && has("a hook that panics"), "{lines:?}");
        }
        if level >= LogLevel::Info {
            assert!(has("attempt 1 failed (503 SERVICE_UNAVAILABLE); retrying in"), "{lines:?}");
        }
        if level >= LogLevel::Debug {
            assert!(has("-> 503 SERVICE_UNAVAILABLE (attempt 1,"), "{lines:?}");
            assert!(has("-> 200 (attempt 2,"), "{lines:?}");
            assert!(has("request_id=req_") && has("client_request_id=creq_"), "{lines:?}");
        }
        if level == LogLevel::Trace {
            assert!(has("\"secret\":\"[redacted]\""), "the webhook body, redacted: {lines:?}");
            assert!(has("\"state\":\"[redacted]\""), "the link's body, redacted: {lines:?}");
            assert!(has("\"text\":\"observed\""), "bodies are shown at trace: {lines:?}");
        }
    }
}

#[tokio::test]
async fn hooks_fire_in_order_with_attempt_numbers_and_a_panicking_hook_changes_nothing() {
    let emulator = Emulator::start().await;
    let profile = emulator.profile("linkedin").await;
    let events: Arc<Mutex<Vec<(&'static str, AttemptEvent)>>> = Arc::default();
    let (on_request, on_response, on_retry) = (events.clone(), events.clone(), events.clone());
    let lines: Lines = Arc::default();
    let seen = lines.clone();
    let client = emulator
        .builder()
        .log_level(LogLevel::Warn)
        .log_sink(move |level, line| seen.lock().unwrap().push((level, line.to_owned())))
        .on_request(move |e| on_request.lock().unwrap().push(("request", e.clone())))
        .on_response(move |e| {
            on_response.lock().unwrap().push(("response", e.clone()));
            panic!("this hook always panics");
        })
        .on_retry(move |e| on_retry.lock().unwrap().push(("retry", e.clone())))
        .build()
        .unwrap();
    emulator
        .fault(json!({"method": "POST", "path": "/v1/posts", "times": 1,
                      "action": {"type": "status", "status": 503}}))
        .await;

    let post = client.posts().create(&text_post(&profile, "hooked")).await.unwrap();

    let events = events.lock().unwrap();
    let order: Vec<(&str, u32)> = events.iter().map(|(kind, e)| (*kind, e.attempt)).collect();
    assert_eq!(
        order,
        [("request", 1), ("response", 1), ("retry", 1), ("request", 2), ("response", 2)]
    );
    let (_, failed) = &events[1];
    assert_eq!(
        (failed.status, failed.error_code.as_deref()),
        (Some(503), Some("SERVICE_UNAVAILABLE"))
    );
    let (_, retry) = &events[2];
    assert!(retry.next_delay_ms.is_some_and(|ms| ms <= 50.0), "{retry:?}");
    let (_, done) = &events[4];
    assert_eq!((done.status, done.error_code.as_deref()), (Some(201), None));
    assert!(done.request_id.as_deref().is_some_and(|id| id.starts_with("req_")));
    assert!(done.elapsed_ms >= retry.elapsed_ms);
    let key = events[0].1.idempotency_key.clone().expect("a POST has a key");
    let call = events[0].1.client_request_id.clone();
    for (_, event) in events.iter() {
        assert_eq!((event.method.as_str(), event.path.as_str()), ("POST", "/v1/posts"));
        assert_eq!(event.idempotency_key.as_deref(), Some(key.as_str()), "one key per call");
        assert_eq!(event.client_request_id, call);
    }
    let wire = serde_json::to_value(&events[2].1).unwrap();
    for name in [
        "method",
        "path",
        "attempt",
        "status",
        "errorCode",
        "requestId",
        "clientRequestId",
        "idempotencyKey",
        "elapsedMs",
        "nextDelayMs",
    ] {
        assert!(wire.get(name).is_some(), "{name} missing from {wire}");
    }
    assert!(!post.id.is_empty());
    let lines = lines.lock().unwrap();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines.iter().all(|(level, line)| *level == LogLevel::Warn
        && line.contains("on_response hook failed for POST /v1/posts")
        && line.contains("this hook always panics")));
}

#[tokio::test]
async fn the_level_comes_from_the_option_else_aether_log_and_a_bad_one_is_refused() {
    let emulator = Emulator::start().await;
    let options = aether::ClientOptions { log_level: Some("loud".into()), ..Default::default() };
    let error = aether::ClientBuilder::from_options(options.spelled(aether::Spelling::Python))
        .api_key("sk_test_x")
        .build()
        .unwrap_err();
    assert!(error.message().contains("log_level="), "{error}");
    assert!(error.message().contains("error, warn, info, debug, trace"), "{error}");
    let client = emulator.builder().log_level(LogLevel::Debug).build().unwrap();
    assert_eq!(client.effective_options().log_level.as_deref(), Some("debug"));
}
