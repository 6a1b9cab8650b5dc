//! The poll hint of a publishing post (PROTOCOL.md, second edition): `Retry-After-Ms` is the
//! time until the post's next scheduled change (at most 1 s), `Retry-After` the same in whole
//! seconds; the create answer carries `Retry-After-Ms` so the first poll can wait for it;
//! settings `pollHintMs` / `pollHintSecs` replace the estimate.

use crate::common::{send, TestServer};
use crate::posts_support::*;
use reqwest::{Method, Response};
use serde_json::json;

async fn settings(ts: &TestServer, body: serde_json::Value) {
    let (status, body) = send(ts.admin(Method::PATCH, "/_mock/settings").json(&body)).await;
    assert!(status.is_success(), "{body}");
}

fn header(response: &Response, name: &str) -> Option<u64> {
    response.headers().get(name).map(|v| v.to_str().unwrap().parse().unwrap())
}

/// A linkedin post created after `settings`: the create answer's hints
/// (`Retry-After-Ms`, `Retry-After`) and the post's id.
async fn publishing_post(ts: &TestServer, body: serde_json::Value) -> (Hints, String) {
    settings(ts, body).await;
    let profile = ts.profile("linkedin", "standard").await;
    let created =
        ts.api(Method::POST, "/v1/posts").json(&text_post(&profile, "hint")).send().await.unwrap();
    assert_eq!(created.status(), 201);
    let hints = hints(&created);
    let id = created.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    (hints, id)
}

/// `(Retry-After-Ms, Retry-After)` of an answer.
type Hints = (Option<u64>, Option<u64>);

fn hints(response: &Response) -> Hints {
    (header(response, "retry-after-ms"), header(response, "retry-after"))
}

async fn get_hints(ts: &TestServer, id: &str) -> (Hints, serde_json::Value) {
    let response = ts.api(Method::GET, &format!("/v1/posts/{id}")).send().await.unwrap();
    let hints = hints(&response);
    (hints, response.json().await.unwrap())
}

#[tokio::test]
async fn a_publishing_post_hints_the_time_until_it_changes() {
    let ts = TestServer::start().await;
    let ((on_create, seconds), id) = publishing_post(&ts, json!({ "processingMs": 600 })).await;
    let on_create = on_create.expect("the create answer hints");
    assert!((1..=600).contains(&on_create), "{on_create}");
    assert_eq!(seconds, None, "a replay must not repeat a stale hint");

    let ((ms, seconds), _) = get_hints(&ts, &id).await;
    let ms = ms.expect("a publishing post hints the poll");
    assert!((1..=on_create).contains(&ms), "{ms} after {on_create} on create");
    assert_eq!(seconds, Some(1), "whole seconds, rounded up");

    // Past the hinted time the post has changed, and a settled post hints nothing.
    ts.advance(0.6).await;
    let ((ms, _), post) = get_hints(&ts, &id).await;
    assert_eq!(ms, None);
    assert_eq!(post["status"], "published");
}

#[tokio::test]
async fn the_estimate_is_at_most_a_second_as_the_clock_can_be_moved() {
    let ts = TestServer::start().await;
    let ((on_create, _), id) = publishing_post(&ts, json!({ "processingMs": 60_000 })).await;
    assert_eq!(on_create, Some(1000));
    assert_eq!(get_hints(&ts, &id).await.0, (Some(1000), Some(1)));
}

#[tokio::test]
async fn a_configured_hint_replaces_the_estimate() {
    let ts = TestServer::start().await;
    let body = json!({ "processingMs": 60_000, "pollHintSecs": 3 });
    let ((on_create, _), id) = publishing_post(&ts, body).await;
    assert_eq!(on_create, Some(3000));
    assert_eq!(get_hints(&ts, &id).await.0, (Some(3000), Some(3)));

    settings(&ts, json!({ "pollHintMs": 1500 })).await;
    assert_eq!(get_hints(&ts, &id).await.0, (Some(1500), Some(2)));
}
