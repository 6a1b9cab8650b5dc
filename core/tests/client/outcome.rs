//! Unknown outcomes and the ids of a call: a write whose answers are all lost ends with
//! `OUTCOME_UNKNOWN` and the key to repeat it with; every call sends one `X-Client-Request-Id`
//! on all its attempts, which the emulator echoes and journals, and every error carries it.

use std::collections::HashSet;
use std::time::Duration;

use crate::client_common::{media_fixture, text_post, Emulator};
use aether::transport::ApiRequest;
use aether::upload::{UploadOptions, UploadSource};
use aether::{Error, ErrorCode, ErrorFamily, RequestOptions};
use serde_json::json;

async fn lose_every_create_answer(emulator: &Emulator) {
    emulator
        .fault(json!({"method": "POST", "path": "/v1/posts",
                      "action": {"type": "reset_after_body"}}))
        .await;
}

#[tokio::test]
async fn a_create_whose_every_answer_is_lost_has_an_unknown_outcome_and_is_made_once() {
    let emulator = Emulator::start().await;
    let profile = emulator.profile("linkedin").await;
    lose_every_create_answer(&emulator).await;
    let client = emulator.client();
    let request = text_post(&profile, "maybe made");

    let error = client.posts().create(&request).await.unwrap_err();

    assert_eq!(error.code(), &ErrorCode::OutcomeUnknown, "{error}");
    assert_eq!(error.code().family(), ErrorFamily::OutcomeUnknown);
    assert!(error.is_retryable(), "the same call with the same key is safe to repeat");
    assert!(error.message().contains("outcome is unknown"), "{error}");
    let key = error.idempotency_key().expect("the key to repeat the call with").to_owned();
    assert!(error.message().contains(&key), "the message names the key: {error}");
    assert_eq!(error.details().unwrap()["cause"], "NETWORK_ERROR");
    assert_eq!(error.details().unwrap()["idempotencyKey"], key.as_str());
    assert_eq!(error.details().unwrap()["attempts"], 3);
    let cause = std::error::Error::source(&error).and_then(|s| s.downcast_ref::<Error>());
    assert_eq!(cause.map(Error::code), Some(&ErrorCode::NetworkError));
    assert_eq!(error.to_json()["idempotencyKey"], key.as_str());
    let client_request_id = error.client_request_id().expect("the call's id").to_owned();
    assert!(client_request_id.starts_with("creq_"), "{client_request_id}");
    assert_eq!(error.to_json()["clientRequestId"], client_request_id.as_str());

    let attempts = emulator.journal_for("POST", "/v1/posts").await;
    assert_eq!(attempts.len(), 3, "1 attempt + 2 retries: {attempts:#?}");
    assert!(attempts.iter().all(|e| e["idempotencyKey"] == key.as_str()), "{attempts:#?}");
    assert!(attempts.iter().all(|e| e["clientRequestId"] == client_request_id.as_str()));
    let created: HashSet<&str> = attempts.iter().filter_map(|e| e["created"].as_str()).collect();
    assert_eq!(created.len(), 1, "the first attempt made it, the others replayed it");

    // The network recovers; the same call with the same key returns the post, not a second one.
    emulator.admin.clear_faults().await.unwrap();
    let again = client.posts().with_options(RequestOptions::new().idempotency_key(&key));
    let post = again.create(&request).await.unwrap();
    assert!(created.contains(post.id.as_str()));
    let listed = client.posts().list_page(&Default::default()).await.unwrap();
    assert_eq!(listed.data.len(), 1, "exactly one post exists");
}

#[tokio::test]
async fn a_create_that_never_reached_the_server_is_made_once_by_the_same_key() {
    // The create is refused before the handler (reset before the body): it was not made, and
    // repeating it with the key makes it once.
    let emulator = Emulator::start().await;
    let profile = emulator.profile("linkedin").await;
    emulator
        .fault(json!({"method": "POST", "path": "/v1/posts", "times": 3,
                      "action": {"type": "reset_before_body"}}))
        .await;
    let client = emulator.client();
    let options = RequestOptions::new().idempotency_key("my-own-key-1");
    let posts = client.posts().with_options(options);
    let request = text_post(&profile, "not made yet");

    let error = posts.create(&request).await.unwrap_err();
    // The client cannot tell a reset before the handler from one after it.
    assert_eq!(error.code(), &ErrorCode::OutcomeUnknown, "{error}");
    assert_eq!(error.idempotency_key(), Some("my-own-key-1"), "the caller's key is reported");

    let post = posts.create(&request).await.unwrap();
    let attempts = emulator.journal_for("POST", "/v1/posts").await;
    let created: Vec<&str> = attempts.iter().filter_map(|e| e["created"].as_str()).collect();
    assert_eq!(created, [post.id.as_str()]);
}

#[tokio::test]
async fn a_read_whose_answers_are_lost_stays_a_network_error() {
    let emulator = Emulator::start().await;
    emulator
        .fault(json!({"method": "GET", "path": "/v1/posts",
                      "action": {"type": "reset_after_body"}}))
        .await;
    let error = emulator.client().posts().list_page(&Default::default()).await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::NetworkError, "{error}");
    assert!(error.client_request_id().is_some_and(|id| id.starts_with("creq_")));
    assert_eq!(error.idempotency_key(), None, "a GET sends no key");
}

#[tokio::test]
async fn a_create_that_times_out_has_an_unknown_outcome_caused_by_the_timeout() {
    let emulator = Emulator::start().await;
    let profile = emulator.profile("linkedin").await;
    emulator
        .fault(json!({"method": "POST", "path": "/v1/posts",
                      "action": {"type": "delay", "ms": 2000}}))
        .await;
    let options = RequestOptions::new().timeout(Duration::from_millis(300));
    let posts = emulator.client().posts().with_options(options);
    let error = posts.create(&text_post(&profile, "slow")).await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::OutcomeUnknown, "{error}");
    assert_eq!(error.details().unwrap()["cause"], "TIMEOUT");
    assert!(error.idempotency_key().is_some());
}

#[tokio::test]
async fn a_create_that_could_not_connect_is_a_network_error_with_a_known_outcome() {
    // Nothing listens on the port: no byte left the client, so nothing was done.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = aether::Client::builder()
        .api_key("sk_test_nobody")
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .build()
        .unwrap();
    let error = client.posts().create(&text_post("li_x", "never sent")).await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::NetworkError, "{error}");
    assert!(error.idempotency_key().is_some(), "the key is still reported");
    assert!(error.client_request_id().is_some());
}

#[tokio::test]
async fn the_client_request_id_is_one_per_call_the_same_on_retries_and_echoed() {
    let emulator = Emulator::start().await;
    emulator
        .fault(json!({"method": "GET", "path": "/v1/platforms", "times": 2,
                      "action": {"type": "status", "status": 503}}))
        .await;
    let client = emulator.client();
    let response = client.transport().send(ApiRequest::get("/v1/platforms")).await.unwrap();
    client.platforms().try_fetch().await.unwrap();

    let journal = emulator.journal_for("GET", "/v1/platforms").await;
    assert_eq!(journal.len(), 4, "3 attempts of the first call, 1 of the second");
    let ids: Vec<&str> = journal.iter().map(|e| e["clientRequestId"].as_str().unwrap()).collect();
    assert!(ids[0].starts_with("creq_") && ids[0].len() == 29, "{ids:?}");
    assert_eq!(ids[0], ids[1], "the same id on every retry");
    assert_eq!(ids[1], ids[2]);
    assert_ne!(ids[2], ids[3], "another call, another id");
    assert_eq!(response.client_request_id, ids[0]);

    // The emulator echoes the header.
    let echoed = emulator
        .http
        .get(format!("{}/v1/platforms", emulator.server.url()))
        .bearer_auth(emulator.server.api_key())
        .header("x-client-request-id", "creq_mine")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-client-request-id"], "creq_mine");
}

#[tokio::test]
async fn a_server_error_carries_both_ids() {
    let emulator = Emulator::start().await;
    let error = emulator.client().posts().get("post_nope").await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::NotFound);
    assert!(error.request_id().is_some_and(|id| id.starts_with("req_")));
    let client_request_id = error.client_request_id().expect("the client's id");
    let journal = emulator.journal_for("GET", "/v1/posts/post_nope").await;
    assert_eq!(journal[0]["clientRequestId"], client_request_id);
    assert_eq!(journal[0]["requestId"], error.request_id().unwrap());
}

#[tokio::test]
async fn a_delete_whose_answer_is_lost_succeeds_when_its_retry_finds_nothing_to_delete() {
    let emulator = Emulator::start().await;
    let client = emulator.client();
    let clip = std::fs::read(media_fixture("h264_15s.mp4")).expect("fixture");
    let source = UploadSource::bytes(clip);
    let options = UploadOptions::new().file_name("clip.mp4");
    let media = client.media().upload(source, options).await.unwrap();
    // Media keys hold a `/`, which travels percent-encoded: the rule matches any media.
    let path = "/v1/media/**";
    emulator
        .fault(json!({"method": "DELETE", "path": path, "times": 1,
                      "action": {"type": "reset_after_body"}}))
        .await;

    client
        .media()
        .delete(&media.media_key)
        .await
        .expect("deleted by the attempt that lost its answer");

    let journal = emulator.journal().await;
    let attempts: Vec<_> = journal.iter().filter(|e| e["method"] == "DELETE").collect();
    let statuses: Vec<_> = attempts.iter().map(|e| e["status"].clone()).collect();
    assert_eq!(statuses, [json!(null), json!(404)], "{attempts:#?}");
    let error = client.media().get(&media.media_key).await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::NotFound, "the media is gone: {error}");
    // With no answer lost, deleting what is gone is the caller's mistake, as before.
    let error = client.media().delete(&media.media_key).await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::NotFound, "{error}");
}
