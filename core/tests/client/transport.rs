//! The transport against the emulator with injected faults: what is retried, what is not, with
//! which idempotency key, how long it waits, and what the errors carry.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::client_common::{text_post, Emulator};
use aether::transport::ApiRequest;
use aether::{ErrorCode, RequestOptions};
use aether_mock::MockConfig;
use serde_json::json;

#[tokio::test]
async fn a_create_reset_after_the_server_processed_it_exists_once() {
    let emulator = Emulator::start().await;
    let profile = emulator.profile("linkedin").await;
    emulator
        .fault(json!({"method": "POST", "path": "/v1/posts", "times": 1,
                      "action": {"type": "reset_after_body"}}))
        .await;
    let client = emulator.client();

    let post = client.posts().create(&text_post(&profile, "hello once")).await.unwrap();

    let attempts = emulator.journal_for("POST", "/v1/posts").await;
    assert_eq!(attempts.len(), 2, "{attempts:#?}");
    assert_eq!(attempts[0]["fault"], "reset_after_body");
    let key = attempts[0]["idempotencyKey"].as_str().expect("an idempotency key is sent");
    assert_eq!(key.len(), 32);
    assert_eq!(attempts[1]["idempotencyKey"], key, "the retry reuses the key");
    assert_eq!(attempts[1]["replayed"], true, "{attempts:#?}");
    let created: HashSet<&str> = attempts.iter().filter_map(|e| e["created"].as_str()).collect();
    assert!(created.len() <= 1, "{attempts:#?}");
    let listed = client.posts().list_page(&Default::default()).await.unwrap();
    assert_eq!(listed.data.len(), 1, "exactly one post exists");
    assert_eq!(listed.data[0].id, post.id);
}

#[tokio::test]
async fn a_create_reset_before_the_server_read_it_is_sent_again_with_the_same_key() {
    let emulator = Emulator::start().await;
    let profile = emulator.profile("linkedin").await;
    emulator
        .fault(json!({"method": "POST", "path": "/v1/posts", "times": 1,
                      "action": {"type": "reset_before_body"}}))
        .await;
    let client = emulator.client();

    let post = client.posts().create(&text_post(&profile, "hello again")).await.unwrap();

    let attempts = emulator.journal_for("POST", "/v1/posts").await;
    assert_eq!(attempts.len(), 2, "{attempts:#?}");
    assert_eq!(attempts[0]["status"], serde_json::Value::Null);
    assert_eq!(attempts[0]["idempotencyKey"], attempts[1]["idempotencyKey"]);
    assert_eq!(attempts[1]["created"], post.id.as_str());
    let listed = client.posts().list_page(&Default::default()).await.unwrap();
    assert_eq!(listed.data.len(), 1);
}

#[tokio::test]
async fn a_create_dropped_while_sending_its_body_is_sent_again() {
    let emulator = Emulator::start().await;
    let profile = emulator.profile("linkedin").await;
    emulator
        .fault(json!({"method": "POST", "path": "/v1/posts", "times": 1,
                      "action": {"type": "drop_after_request_bytes", "bytes": 10}}))
        .await;
    let client = emulator.client();

    client.posts().create(&text_post(&profile, "a body cut in half")).await.unwrap();

    let attempts = emulator.journal_for("POST", "/v1/posts").await;
    assert_eq!(attempts.len(), 2, "{attempts:#?}");
    assert_eq!(attempts[0]["idempotencyKey"], attempts[1]["idempotencyKey"]);
    assert_eq!(client.posts().list_page(&Default::default()).await.unwrap().data.len(), 1);
}

#[tokio::test]
async fn a_caller_supplied_idempotency_key_is_sent_and_replays() {
    let emulator = Emulator::start().await;
    let profile = emulator.profile("linkedin").await;
    let client = emulator.client();
    let posts = client.posts().with_options(RequestOptions::new().idempotency_key("order-1234"));

    let first = posts.create(&text_post(&profile, "same request")).await.unwrap();
    let second = posts.create(&text_post(&profile, "same request")).await.unwrap();

    assert_eq!(first.id, second.id, "the second create is a replay");
    let attempts = emulator.journal_for("POST", "/v1/posts").await;
    assert!(attempts.iter().all(|e| e["idempotencyKey"] == "order-1234"), "{attempts:#?}");
    assert_eq!(attempts[1]["replayed"], true);
}

#[tokio::test]
async fn get_requests_carry_no_idempotency_key_and_each_post_gets_its_own() {
    let emulator = Emulator::start().await;
    let profile = emulator.profile("linkedin").await;
    let client = emulator.client();
    client.posts().create(&text_post(&profile, "one")).await.unwrap();
    client.posts().create(&text_post(&profile, "two")).await.unwrap();
    client.platforms().try_fetch().await.unwrap();

    let journal = emulator.journal().await;
    let gets: Vec<_> = journal.iter().filter(|e| e["method"] == "GET").collect();
    assert!(gets.iter().all(|e| e["idempotencyKey"].is_null()), "{gets:#?}");
    let keys: HashSet<&str> = journal
        .iter()
        .filter(|e| e["method"] == "POST")
        .filter_map(|e| e["idempotencyKey"].as_str())
        .collect();
    assert_eq!(keys.len(), 2);
}

#[tokio::test]
async fn service_unavailable_is_retried_after_its_retry_after() {
    let emulator = Emulator::start().await;
    emulator
        .fault(json!({"method": "GET", "path": "/v1/platforms", "times": 1,
                      "action": {"type": "status", "status": 503, "retryAfter": 1}}))
        .await;
    let client = emulator.client();

    let started = Instant::now();
    let rules = client.platforms().try_fetch().await.unwrap();

    assert!(started.elapsed() >= Duration::from_millis(950), "waited {:?}", started.elapsed());
    assert!(!rules.platforms.is_empty());
    assert_eq!(emulator.journal_for("GET", "/v1/platforms").await.len(), 2);
}

#[tokio::test]
async fn a_retry_after_past_the_deadline_returns_the_error_at_once() {
    let emulator = Emulator::start().await;
    emulator
        .fault(json!({"method": "GET", "path": "/v1/platforms", "times": 1,
                      "action": {"type": "status", "status": 503, "retryAfter": 5}}))
        .await;
    let client = emulator.builder().request_timeout(Duration::from_secs(2)).build().unwrap();

    let started = Instant::now();
    let error = client.platforms().try_fetch().await.unwrap_err();

    assert!(started.elapsed() < Duration::from_secs(1), "took {:?}", started.elapsed());
    assert_eq!(error.code(), &ErrorCode::ServiceUnavailable);
    assert_eq!(error.status(), Some(503));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(5)));
    assert!(error.request_id().is_some_and(|r| r.starts_with("req_")));
    assert!(error.is_retryable());
}

#[tokio::test]
async fn rate_limited_is_retried() {
    let emulator = Emulator::start().await;
    emulator
        .fault(json!({"method": "GET", "path": "/v1/platforms", "times": 1,
                      "action": {"type": "status", "status": 429, "code": "RATE_LIMITED",
                                 "retryAfter": 0}}))
        .await;
    emulator.client().platforms().try_fetch().await.unwrap();
    assert_eq!(emulator.journal_for("GET", "/v1/platforms").await.len(), 2);
}

#[tokio::test]
async fn idempotency_key_in_use_is_retried() {
    let emulator = Emulator::start().await;
    emulator
        .fault(json!({"method": "GET", "path": "/v1/platforms", "times": 1,
                      "action": {"type": "status", "status": 409,
                                 "code": "IDEMPOTENCY_KEY_IN_USE"}}))
        .await;
    emulator.client().platforms().try_fetch().await.unwrap();
    assert_eq!(emulator.journal_for("GET", "/v1/platforms").await.len(), 2);
}

#[tokio::test]
async fn post_limit_reached_is_a_quota_and_is_not_retried() {
    let emulator = Emulator::start().await;
    let profile = emulator.profile("linkedin").await;
    emulator
        .fault(json!({"method": "POST", "path": "/v1/posts", "times": 1,
                      "action": {"type": "status", "status": 429, "code": "POST_LIMIT_REACHED",
                                 "retryAfter": 3600}}))
        .await;

    let error = emulator.client().posts().create(&text_post(&profile, "x")).await.unwrap_err();

    assert_eq!(error.code(), &ErrorCode::PostLimitReached);
    assert_eq!(error.code().as_str(), "POST_LIMIT_REACHED");
    assert_eq!(error.status(), Some(429));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(3600)));
    assert!(!error.is_retryable());
    assert_eq!(emulator.journal_for("POST", "/v1/posts").await.len(), 1);
}

#[tokio::test]
async fn platform_error_is_not_retried() {
    let emulator = Emulator::start().await;
    emulator
        .fault(json!({"method": "GET", "path": "/v1/platforms", "times": 1,
                      "action": {"type": "status", "status": 502}}))
        .await;
    let error = emulator.client().platforms().try_fetch().await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::PlatformError);
    assert_eq!(emulator.journal_for("GET", "/v1/platforms").await.len(), 1);
}

#[tokio::test]
async fn server_errors_are_retried_up_to_max_retries() {
    let emulator = Emulator::start().await;
    emulator
        .fault(json!({"method": "GET", "path": "/v1/platforms",
                      "action": {"type": "status", "status": 500}}))
        .await;

    let error = emulator.client().platforms().try_fetch().await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::InternalError);
    assert_eq!(emulator.journal_for("GET", "/v1/platforms").await.len(), 3, "3 attempts");

    let once = emulator.client().platforms().with_options(RequestOptions::new().max_retries(0));
    once.try_fetch().await.unwrap_err();
    assert_eq!(emulator.journal_for("GET", "/v1/platforms").await.len(), 4);
}

#[tokio::test]
async fn the_retry_budget_is_shared_by_the_calls_of_a_client() {
    let emulator = Emulator::start().await;
    emulator
        .fault(json!({"method": "GET", "path": "/v1/platforms",
                      "action": {"type": "status", "status": 503}}))
        .await;
    let client = emulator.builder().retry_budget(2).max_retries(5).build().unwrap();

    client.platforms().try_fetch().await.unwrap_err();
    assert_eq!(emulator.journal_for("GET", "/v1/platforms").await.len(), 3, "2 retries");
    assert!(client.transport().retry_budget() < 1.0);

    let error = client.clone().platforms().try_fetch().await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::ServiceUnavailable);
    assert_eq!(emulator.journal_for("GET", "/v1/platforms").await.len(), 4, "no retry left");

    // Successes refill it, a tenth of a retry each.
    emulator.admin.reset(None).await.unwrap();
    for _ in 0..10 {
        client.platforms().try_fetch().await.unwrap();
    }
    assert!(client.transport().retry_budget() >= 1.0);
}

#[tokio::test]
async fn a_malformed_body_is_a_protocol_error_and_is_not_retried() {
    let emulator = Emulator::start().await;
    emulator
        .fault(json!({"method": "GET", "path": "/v1/platforms", "times": 1,
                      "action": {"type": "malformed_body"}}))
        .await;
    let client = emulator.client();

    let error = client.platforms().try_fetch().await.unwrap_err();

    assert_eq!(error.code(), &ErrorCode::ProtocolError);
    assert_eq!(error.status(), Some(200));
    assert!(error.request_id().is_some());
    assert!(error.message().contains("post_<html>oops"), "{error}");
    assert_eq!(emulator.journal_for("GET", "/v1/platforms").await.len(), 1);

    // fetch() falls back to the built-in table.
    emulator
        .fault(json!({"method": "GET", "path": "/v1/platforms", "times": 1,
                      "action": {"type": "malformed_body"}}))
        .await;
    let rules = client.platforms().fetch().await;
    assert_eq!(&rules, aether::platforms::RulesDocument::builtin());
}

#[tokio::test]
async fn an_undecodable_response_that_carries_a_secret_is_not_quoted() {
    let emulator = Emulator::start().await;
    emulator
        .fault(json!({"method": "POST", "path": "/v1/webhooks", "times": 1,
                      "action": {"type": "incomplete_json"}}))
        .await;
    let request = aether::model::CreateWebhookRequest {
        url: "http://127.0.0.1:9/hooks".into(),
        events: vec![aether::model::WebhookEventType::PostPublished],
    };

    let error = emulator.client().webhooks().create(&request).await.unwrap_err();

    assert_eq!(error.code(), &ErrorCode::ProtocolError);
    assert!(error.request_id().is_some());
    assert!(error.message().contains("not shown"), "{error}");
    // The server made the webhook, so the body it cut held the new secret.
    let made = emulator.journal_for("POST", "/v1/webhooks").await;
    assert_eq!(made.len(), 1);
    assert_eq!(made[0]["status"], 201, "{made:?}");
    for shown in [error.to_string(), format!("{error:?}"), error.to_json().to_string()] {
        assert!(!shown.contains("whsec_"), "{shown}");
    }
}

#[tokio::test]
async fn broken_response_bodies_are_retried() {
    for action in ["truncated_body", "close_mid_response"] {
        let emulator = Emulator::start().await;
        emulator
            .fault(json!({"method": "GET", "path": "/v1/platforms", "times": 1,
                          "action": {"type": action}}))
            .await;
        emulator.client().platforms().try_fetch().await.unwrap();
        assert_eq!(emulator.journal_for("GET", "/v1/platforms").await.len(), 2, "{action}");
    }
}

#[tokio::test]
async fn a_connection_that_cannot_be_made_is_a_network_error() {
    // Bind and drop a listener to find a port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = aether::Client::builder()
        .api_key("sk_test_nobody")
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .build()
        .unwrap();
    let error = client.platforms().try_fetch().await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::NetworkError, "{error}");
    assert!(error.is_retryable());
    assert!(std::error::Error::source(&error).is_some());
    assert!(error.message().contains("GET /v1/platforms"), "{error}");
}

#[tokio::test]
async fn a_response_over_the_size_limit_is_refused() {
    let emulator = Emulator::start().await;
    let client = emulator.builder().max_response_bytes(64).build().unwrap();
    let error = client.platforms().try_fetch().await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::ProtocolError);
    assert!(error.message().contains("64 bytes"), "{error}");
    assert_eq!(emulator.journal_for("GET", "/v1/platforms").await.len(), 1);
}

#[tokio::test]
async fn a_call_that_outlives_its_timeout_fails_with_timeout() {
    let emulator = Emulator::start().await;
    emulator
        .fault(json!({"method": "GET", "path": "/v1/platforms",
                      "action": {"type": "delay", "ms": 1500}}))
        .await;
    let client = emulator.client();
    let platforms =
        client.platforms().with_options(RequestOptions::new().timeout(Duration::from_millis(300)));

    let started = Instant::now();
    let error = platforms.try_fetch().await.unwrap_err();

    assert_eq!(error.code(), &ErrorCode::Timeout, "{error}");
    assert!(started.elapsed() < Duration::from_millis(1200), "took {:?}", started.elapsed());
}

#[tokio::test]
async fn rate_limit_headers_are_exposed_on_results_and_errors() {
    let emulator = Emulator::start().await;
    let client = emulator.client();
    assert_eq!(client.last_rate_limit(), None);

    client.platforms().try_fetch().await.unwrap();
    let after_one = client.last_rate_limit().expect("rate limit headers");
    assert_eq!(after_one.limit, 100_000);
    assert_eq!(after_one.remaining, 99_999);
    assert!(after_one.reset > 1_700_000_000);

    let error = client.posts().get("post_does_not_exist").await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::NotFound);
    assert_eq!(error.rate_limit().map(|r| r.remaining), Some(99_998));
}

#[tokio::test]
async fn rate_limited_with_a_long_retry_after_is_returned_with_it() {
    let emulator = Emulator::start().await;
    emulator.settings(json!({"rateLimit": 1, "rateLimitWindowSecs": 86400})).await;
    let client = emulator.client();
    client.platforms().try_fetch().await.unwrap();

    let started = Instant::now();
    let error = client.platforms().try_fetch().await.unwrap_err();

    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(error.code(), &ErrorCode::RateLimited);
    assert!(error.retry_after().is_some_and(|r| r > Duration::from_secs(30)), "{error:?}");
    assert_eq!(error.rate_limit().map(|r| r.remaining), Some(0));
}

#[tokio::test]
async fn the_api_key_never_appears_in_debug_output_or_errors() {
    let emulator = Emulator::start().await;
    let secret = "sk_test_very_secret_wrong_key_12345";
    let client = emulator.builder().api_key(secret).build().unwrap();

    let error = client.platforms().try_fetch().await.unwrap_err();

    assert_eq!(error.code(), &ErrorCode::Unauthorized);
    assert_eq!(error.status(), Some(401));
    assert!(!error.is_retryable());
    assert_eq!(emulator.journal_for("GET", "/v1/platforms").await.len(), 1);
    let builder = emulator.builder().api_key(secret);
    let options = RequestOptions::new().idempotency_key("k").timeout(Duration::from_secs(1));
    for text in [
        format!("{error:?}"),
        format!("{error}"),
        format!("{client:?}"),
        format!("{builder:?}"),
        format!("{options:?}"),
        format!("{:?}", client.posts()),
        format!("{:?}", client.transport()),
    ] {
        assert!(!text.contains(secret), "key leaked in {text}");
        assert!(!text.contains("very_secret"), "key leaked in {text}");
    }
    assert!(format!("{client:?}").contains("sk_…[redacted]"));
}

#[tokio::test]
async fn two_clients_with_two_keys_do_not_mix_them() {
    let config = MockConfig {
        api_keys: vec!["sk_test_alpha".to_owned(), "sk_test_beta".to_owned()],
        ..MockConfig::default()
    };
    let emulator = Emulator::with_config(config).await;
    let alpha = emulator.builder().api_key("sk_test_alpha").build().unwrap();
    let beta = emulator.builder().api_key("sk_test_beta").build().unwrap();
    let wrong = emulator.builder().api_key("sk_test_gamma").build().unwrap();

    let alpha_calls = async {
        for _ in 0..3 {
            alpha.platforms().try_fetch().await.unwrap();
        }
    };
    let beta_call = async { beta.platforms().try_fetch().await.unwrap() };
    let wrong_call = async { wrong.platforms().try_fetch().await.unwrap_err() };
    let ((), _, error) = tokio::join!(alpha_calls, beta_call, wrong_call);

    // The emulator counts calls per key: each client's own calls, nobody else's.
    assert_eq!(alpha.last_rate_limit().unwrap().remaining, 100_000 - 3);
    assert_eq!(beta.last_rate_limit().unwrap().remaining, 100_000 - 1);
    assert_eq!(error.code(), &ErrorCode::Unauthorized);
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let emulator = Emulator::start().await;
    let client = emulator.client();
    let link = client
        .connect_links()
        .create(&aether::model::CreateConnectLinkRequest {
            platform: aether::model::Platform::Linkedin,
            redirect_url: "https://yourapp.example/callback".into(),
            state: Some("s".into()),
        })
        .await
        .unwrap();

    let request = ApiRequest::get(format!("/connect/{}", link.id)).query("approve", "1");
    let error = client.transport().send(request).await.unwrap_err();

    assert_eq!(error.code(), &ErrorCode::ProtocolError);
    assert_eq!(error.status(), Some(302));
    assert!(error.message().contains("redirect"), "{error}");
}

/// A server that answers every request on its connections with `body` as JSON; its base URL.
async fn answering(body: &'static [u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while let Ok(n @ 1..) = socket.read(&mut buf).await {
                    head.extend_from_slice(&buf[..n]);
                    if !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        continue;
                    }
                    head.clear();
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                         content-length: {}\r\nx-request-id: req_raw\r\n\r\n",
                        body.len()
                    );
                    let sent = socket.write_all(answer.as_bytes()).await;
                    if sent.is_err() || socket.write_all(body).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    url
}

#[tokio::test]
async fn a_body_is_decoded_as_utf_8_and_one_that_is_not_is_a_protocol_error() {
    let client = |url: String| {
        aether::Client::builder().api_key("sk_test_raw").base_url(url).build().unwrap()
    };
    let post = |text: &str| {
        format!(
            r#"{{"id":"post_1","status":"draft","profileIds":["li_1"],"content":{{"text":"{text}"}},"platforms":{{}},"createdAt":"2026-12-01T00:00:00Z","updatedAt":"2026-12-01T00:00:00Z","results":[]}}"#
        )
    };
    // Multi-byte characters, an escaped one and an astral one arrive as sent.
    let good: &'static str = Box::leak(post(r"Grüße — 日本 \u00e9 🎬").into_boxed_str());
    let got = client(answering(good.as_bytes()).await).posts().get("post_1").await.unwrap();
    assert_eq!(got.content.text, "Grüße — 日本 é 🎬");

    // A byte that is not UTF-8 inside a string: refused, with where it is.
    let mut bad = post("caf\u{e9}").into_bytes();
    let at = bad.windows(2).position(|w| w == "é".as_bytes()).unwrap();
    bad.splice(at..at + 2, [0xe9]);
    let bad: &'static [u8] = Box::leak(bad.into_boxed_slice());
    let error = client(answering(bad).await).posts().get("post_1").await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::ProtocolError, "{error}");
    assert!(error.message().contains("not the expected JSON"), "{error}");
    assert!(error.message().contains("invalid unicode code point at line 1 column"), "{error}");
    assert_eq!(error.request_id(), Some("req_raw"));
}
