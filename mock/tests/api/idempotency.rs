//! `Idempotency-Key` on `POST /v1/posts`: replays, reuse, keys in flight, connections that die
//! after the server processed the request, and what is (not) stored.

use std::time::Duration;

use crate::common::{assert_error, send, TestServer};
use crate::posts_support::*;
use aether_mock::MockConfig;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

fn keyed(ts: &TestServer, key: &str, body: &Value) -> reqwest::RequestBuilder {
    ts.api(Method::POST, "/v1/posts").header("idempotency-key", key).json(body)
}

#[tokio::test]
async fn the_same_key_and_body_replays_the_first_answer() {
    let ts = TestServer::start().await;
    let profile = ts.profile("linkedin", "standard").await;
    let body = text_post(&profile, "once");

    let first = keyed(&ts, "key-1", &body).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(!first.headers().contains_key("idempotent-replayed"));
    let first_bytes = first.bytes().await.unwrap();

    let second = keyed(&ts, "key-1", &body).send().await.unwrap();
    assert_eq!(second.status(), StatusCode::CREATED);
    assert_eq!(second.headers()["idempotent-replayed"], "true");
    assert!(second.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let second_bytes = second.bytes().await.unwrap();
    assert_eq!(first_bytes, second_bytes, "the replay is the first answer byte for byte");

    assert_eq!(creations(&ts).await.len(), 1);
    assert_eq!(all_posts(&ts).await.len(), 1);
    let journal = ts.journal().await;
    let replayed: Vec<&Value> = journal.iter().filter(|e| e["replayed"] == true).collect();
    assert_eq!(replayed.len(), 1);
    assert_eq!(replayed[0]["idempotencyKey"], "key-1");
}

#[tokio::test]
async fn the_same_key_with_another_body_is_refused() {
    let ts = TestServer::start().await;
    let profile = ts.profile("linkedin", "standard").await;
    let (status, _) = send(keyed(&ts, "key-2", &text_post(&profile, "one"))).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, error) = send(keyed(&ts, "key-2", &text_post(&profile, "two"))).await;
    let error = assert_error(status, &error, 409, "IDEMPOTENCY_KEY_REUSED");
    assert_eq!(error["field"], "Idempotency-Key");
    assert_eq!(all_posts(&ts).await.len(), 1);
}

#[tokio::test]
async fn a_key_still_in_flight_is_in_use() {
    let ts = TestServer::start().await;
    let profile = ts.profile("linkedin", "standard").await;
    add_fault(
        &ts,
        json!({ "method": "POST", "path": "/v1/posts", "times": 1, "action": { "type": "delay", "ms": 500 } }),
    )
    .await;
    let body = text_post(&profile, "slow");
    let slow = tokio::spawn(send(keyed(&ts, "key-3", &body)));
    tokio::time::sleep(Duration::from_millis(150)).await;

    let response = keyed(&ts, "key-3", &body).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(response.headers().contains_key("retry-after"));
    let error: Value = response.json().await.unwrap();
    assert_error(StatusCode::CONFLICT, &error, 409, "IDEMPOTENCY_KEY_IN_USE");

    let (status, first) = slow.await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, again) = send(keyed(&ts, "key-3", &body)).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(again["id"], first["id"]);
    assert_eq!(creations(&ts).await.len(), 1);
}

#[tokio::test]
async fn a_connection_reset_after_processing_then_a_retry_makes_one_post() {
    let ts = TestServer::start().await;
    let profile = ts.profile("linkedin", "standard").await;
    add_fault(
        &ts,
        json!({ "method": "POST", "path": "/v1/posts", "times": 1, "action": { "type": "reset_after_body" } }),
    )
    .await;
    let body = text_post(&profile, "exactly once");
    let lost = keyed(&ts, "key-4", &body).send().await;
    assert!(lost.is_err(), "the first answer is lost: {lost:?}");

    let retry = keyed(&ts, "key-4", &body).send().await.unwrap();
    assert_eq!(retry.status(), StatusCode::CREATED);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    let post: Value = retry.json().await.unwrap();

    let posts = all_posts(&ts).await;
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0]["id"], post["id"]);
    let created = creations(&ts).await;
    assert_eq!(created.len(), 1, "{created:?}");
    assert_eq!(created[0]["created"], post["id"]);
    assert!(created[0]["status"].is_null(), "the creating request's answer never left");
}

#[tokio::test]
async fn validation_errors_are_stored_and_replayed() {
    let ts = TestServer::start().await;
    let profile = ts.profile("tiktok", "standard").await;
    let body = text_post(&profile, "no video");
    let first = keyed(&ts, "key-5", &body).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let first: Value = first.json().await.unwrap();
    assert_error(StatusCode::UNPROCESSABLE_ENTITY, &first, 422, "MEDIA_REQUIRED");
    let second = keyed(&ts, "key-5", &body).send().await.unwrap();
    assert_eq!(second.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(second.headers()["idempotent-replayed"], "true");
    let second: Value = second.json().await.unwrap();
    assert_eq!(first, second);
}

#[tokio::test]
async fn server_errors_are_not_stored_so_a_retry_runs_again() {
    let ts = TestServer::start().await;
    let profile = ts.profile("linkedin", "standard").await;
    add_fault(
        &ts,
        json!({ "method": "POST", "path": "/v1/posts", "times": 1, "action": { "type": "status", "status": 503 } }),
    )
    .await;
    let body = text_post(&profile, "after an outage");
    let (status, error) = send(keyed(&ts, "key-6", &body)).await;
    assert_error(status, &error, 503, "SERVICE_UNAVAILABLE");
    let retry = keyed(&ts, "key-6", &body).send().await.unwrap();
    assert_eq!(retry.status(), StatusCode::CREATED);
    assert!(!retry.headers().contains_key("idempotent-replayed"));
    assert_eq!(all_posts(&ts).await.len(), 1);
}

#[tokio::test]
async fn keys_longer_than_255_characters_are_refused() {
    let ts = TestServer::start().await;
    let profile = ts.profile("linkedin", "standard").await;
    let body = text_post(&profile, "x");
    let (status, error) = send(keyed(&ts, &"k".repeat(256), &body)).await;
    let error = assert_error(status, &error, 400, "INVALID_REQUEST");
    assert_eq!(error["field"], "Idempotency-Key");
    let (status, _) = send(keyed(&ts, &"k".repeat(255), &body)).await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn keys_are_scoped_to_the_api_key() {
    let config = MockConfig {
        api_keys: vec!["sk_test_one".into(), "sk_test_two".into()],
        ..MockConfig::default()
    };
    let ts = TestServer::with_config(config).await;
    let profile = ts.profile("linkedin", "standard").await;
    let body = text_post(&profile, "same key, two accounts");
    let as_key = |api_key: &str| {
        ts.http
            .post(ts.url("/v1/posts"))
            .bearer_auth(api_key)
            .header("idempotency-key", "shared")
            .json(&body)
    };
    let (status, one) = send(as_key("sk_test_one")).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, two) = send(as_key("sk_test_two")).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_ne!(one["id"], two["id"]);
}

#[tokio::test]
async fn keys_expire_after_24_hours_of_the_virtual_clock() {
    let ts = TestServer::start().await;
    let profile = ts.profile("linkedin", "standard").await;
    let body = text_post(&profile, "daily");
    let (_, first) = send(keyed(&ts, "key-7", &body)).await;
    ts.advance(23.0 * 3600.0).await;
    let (_, replay) = send(keyed(&ts, "key-7", &body)).await;
    assert_eq!(replay["id"], first["id"]);
    ts.advance(3600.0 + 1.0).await;
    let (status, fresh) = send(keyed(&ts, "key-7", &body)).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_ne!(fresh["id"], first["id"]);
}

#[tokio::test]
async fn requests_without_a_key_are_not_deduplicated() {
    let ts = TestServer::start().await;
    let profile = ts.profile("linkedin", "standard").await;
    let body = text_post(&profile, "twice");
    created(&ts, body.clone()).await;
    created(&ts, body).await;
    assert_eq!(all_posts(&ts).await.len(), 2);
}
