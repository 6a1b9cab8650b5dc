//! Retries the server can steer (`Retry-After-Ms`, `X-Should-Retry`), the retry count each
//! retry carries, and the W3C `traceparent` a call sends: all seen in the emulator's journal.

use std::time::{Duration, Instant};

use crate::client_common::{text_post, Emulator};
use aether::posts::WaitOptions;
use aether::{ErrorCode, RequestOptions};
use serde_json::json;

const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

async fn fault_profiles(emulator: &Emulator, times: u32, action: serde_json::Value) {
    emulator
        .fault(json!({"method": "GET", "path": "/v1/profiles/*", "times": times, "action": action}))
        .await;
}

/// The journal's entries of `GET /v1/profiles/{id}`, oldest first.
async fn profile_gets(emulator: &Emulator) -> Vec<serde_json::Value> {
    let mut entries = emulator.journal().await;
    entries.retain(|e| {
        e["method"] == "GET" && e["path"].as_str().is_some_and(|p| p.starts_with("/v1/profiles/"))
    });
    entries
}

#[tokio::test]
async fn should_retry_false_on_a_503_stops_the_retries() {
    let emulator = Emulator::start().await;
    let profile = emulator.profile("linkedin").await;
    fault_profiles(&emulator, 5, json!({"type": "status", "status": 503, "shouldRetry": false}))
        .await;

    let error = emulator.client().profiles().get(&profile).await.unwrap_err();

    assert_eq!(error.status(), Some(503), "{error}");
    assert_eq!(error.server_should_retry(), Some(false));
    assert!(!error.is_retryable(), "the server said not to");
    assert_eq!(profile_gets(&emulator).await.len(), 1, "one attempt");
}

#[tokio::test]
async fn should_retry_true_retries_an_error_the_client_would_not() {
    let emulator = Emulator::start().await;
    let profile = emulator.profile("linkedin").await;
    fault_profiles(
        &emulator,
        1,
        json!({"type": "status", "status": 400, "code": "VALIDATION_ERROR", "shouldRetry": true}),
    )
    .await;

    let got = emulator.client().profiles().get(&profile).await.unwrap();

    assert_eq!(got.id, profile);
    let attempts = profile_gets(&emulator).await;
    let counts: Vec<_> = attempts.iter().map(|e| e["retryCount"].clone()).collect();
    assert_eq!(counts, [json!(0), json!(1)], "{attempts:#?}");
    assert_eq!(attempts[0]["status"], 400);
}

#[tokio::test]
async fn should_retry_true_still_obeys_max_retries() {
    let emulator = Emulator::start().await;
    let profile = emulator.profile("linkedin").await;
    fault_profiles(&emulator, 9, json!({"type": "status", "status": 400, "shouldRetry": true}))
        .await;

    let client = emulator.client();
    let error = client
        .profiles()
        .with_options(RequestOptions::new().max_retries(1))
        .get(&profile)
        .await
        .unwrap_err();

    assert_eq!(error.status(), Some(400));
    assert_eq!(profile_gets(&emulator).await.len(), 2);
}

#[tokio::test]
async fn retry_after_ms_wins_over_a_retry_after_too_long_to_wait() {
    let emulator = Emulator::start().await;
    let profile = emulator.profile("linkedin").await;
    let client = emulator.client();

    // Retry-After: 40 alone is longer than the transport waits: the error comes back.
    fault_profiles(&emulator, 1, json!({"type": "status", "status": 503, "retryAfter": 40})).await;
    let error = client.profiles().get(&profile).await.unwrap_err();
    assert_eq!(error.retry_after(), Some(Duration::from_secs(40)));
    assert_eq!(profile_gets(&emulator).await.len(), 1);

    // With Retry-After-Ms: 150 the client waits 150 ms and retries.
    emulator.admin.clear_journal().await.unwrap();
    fault_profiles(
        &emulator,
        1,
        json!({"type": "status", "status": 503, "retryAfter": 40, "retryAfterMs": 150}),
    )
    .await;
    let started = Instant::now();
    client.profiles().get(&profile).await.unwrap();
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(150), "waited the server's 150 ms: {took:?}");
    assert!(took < Duration::from_secs(10), "not the 40 s: {took:?}");
    assert_eq!(profile_gets(&emulator).await.len(), 2);
}

#[tokio::test]
async fn each_retry_carries_its_number() {
    let emulator = Emulator::start().await;
    let profile = emulator.profile("linkedin").await;
    fault_profiles(&emulator, 2, json!({"type": "status", "status": 503})).await;

    emulator.client().profiles().get(&profile).await.unwrap();

    let attempts = profile_gets(&emulator).await;
    let counts: Vec<_> = attempts.iter().map(|e| e["retryCount"].clone()).collect();
    assert_eq!(counts, [json!(0), json!(1), json!(2)], "{attempts:#?}");
}

#[tokio::test]
async fn a_call_s_traceparent_reaches_the_journal_on_every_attempt() {
    let emulator = Emulator::start().await;
    let profile = emulator.profile("linkedin").await;
    fault_profiles(&emulator, 1, json!({"type": "status", "status": 503})).await;
    let client = emulator.client();

    let traced = client.profiles().with_options(RequestOptions::new().traceparent(TRACEPARENT));
    traced.get(&profile).await.unwrap();
    client.profiles().get(&profile).await.unwrap();

    let attempts = profile_gets(&emulator).await;
    let sent: Vec<_> = attempts.iter().map(|e| e["traceparent"].clone()).collect();
    assert_eq!(sent, [json!(TRACEPARENT), json!(TRACEPARENT), json!(null)], "{attempts:#?}");
}

#[tokio::test]
async fn a_client_s_traceparent_is_sent_unless_the_call_gives_one() {
    let emulator = Emulator::start().await;
    let profile = emulator.profile("linkedin").await;
    let client = emulator.builder().traceparent(TRACEPARENT).build().unwrap();
    let own = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";

    client.profiles().get(&profile).await.unwrap();
    client
        .profiles()
        .with_options(RequestOptions::new().traceparent(own))
        .get(&profile)
        .await
        .unwrap();

    let sent: Vec<_> = emulator
        .journal()
        .await
        .into_iter()
        .filter(|e| e["path"].as_str().is_some_and(|p| p.starts_with("/v1/profiles/")))
        .collect::<Vec<_>>()
        .iter()
        .map(|e| e["traceparent"].clone())
        .collect();
    assert_eq!(sent, [json!(TRACEPARENT), json!(own)]);
    assert_eq!(client.effective_options().traceparent.as_deref(), Some(TRACEPARENT));
}

#[tokio::test]
async fn a_malformed_traceparent_is_refused_before_anything_is_sent() {
    let emulator = Emulator::start().await;
    let profile = emulator.profile("linkedin").await;
    let client = emulator.client();

    let error = client
        .profiles()
        .with_options(RequestOptions::new().traceparent("00-abc-def-01"))
        .get(&profile)
        .await
        .unwrap_err();

    assert_eq!(error.code(), &ErrorCode::InvalidArgument);
    assert!(error.message().contains("00-<32 hex trace id>-<16 hex parent id>"), "{error}");
    assert!(profile_gets(&emulator).await.is_empty());
    let error = emulator.builder().traceparent("nope").build().unwrap_err();
    assert_eq!(error.code(), &ErrorCode::InvalidArgument);
    assert!(error.message().contains("RequestOptions::traceparent"), "{error}");
}

#[tokio::test]
async fn wait_follows_the_retry_after_ms_poll_hint() {
    let emulator = Emulator::start().await;
    emulator.settings(json!({"processingMs": 1500, "pollHintSecs": 5, "pollHintMs": 150})).await;
    let profile = emulator.profile("linkedin").await;
    let posts = emulator.client().posts();
    let post = posts.create(&text_post(&profile, "poll me")).await.unwrap();

    let options = WaitOptions::default().timeout(Duration::from_secs(20));
    let started = Instant::now();
    posts.wait(&post.id, options).await.unwrap();

    // Every 150 ms, not every 5 s (Retry-After) nor every 3 s (the default interval).
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    let polls = emulator
        .journal()
        .await
        .iter()
        .filter(|e| e["method"] == "GET" && e["path"] == format!("/v1/posts/{}", post.id))
        .count();
    assert!(polls >= 5, "about ten polls 150 ms apart, got {polls}");
}
