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

async fn create_raw(ts: &TestServer, profile: &str) -> Response {
    let response =
        ts.api(Method::POST, "/v1/posts").json(&text_post(profile, "hint")).send().await.unwrap();
    assert_eq!(response.status(), 201);
    response
}

#[tokio::test]
async fn a_publishing_post_hints_the_time_until_it_changes() {
    let ts = TestServer::start().await;
    settings(&ts, json!({ "processingMs": 600 })).await;
    let profile = ts.profile("linkedin", "standard").await;

    let created = create_raw(&ts, &profile).await;
    let on_create = header(&created, "retry-after-ms").expect("the create answer hints");
    assert!((1..=600).contains(&on_create), "{on_create}");
    assert_eq!(header(&created, "retry-after"), None, "a replay must not repeat a stale hint");
    let id = created.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_owned();

    let response = ts.api(Method::GET, &format!("/v1/posts/{id}")).send().await.unwrap();
    let ms = header(&response, "retry-after-ms").expect("a publishing post hints the poll");
    assert!((1..=on_create).contains(&ms), "{ms} after {on_create} on create");
    assert_eq!(header(&response, "retry-after"), Some(1), "whole seconds, rounded up");

    // Past the hinted time the post has changed, and a settled post hints nothing.
    ts.advance(0.6).await;
    let response = ts.api(Method::GET, &format!("/v1/posts/{id}")).send().await.unwrap();
    assert_eq!(header(&response, "retry-after-ms"), None);
    assert_eq!(response.json::<serde_json::Value>().await.unwrap()["status"], "published");
}

#[tokio::test]
async fn the_estimate_is_at_most_a_second_as_the_clock_can_be_moved() {
    let ts = TestServer::start().await;
    settings(&ts, json!({ "processingMs": 60_000 })).await;
    let profile = ts.profile("linkedin", "standard").await;
    let created = create_raw(&ts, &profile).await;
    assert_eq!(header(&created, "retry-after-ms"), Some(1000));
    let id = created.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let response = ts.api(Method::GET, &format!("/v1/posts/{id}")).send().await.unwrap();
    assert_eq!(header(&response, "retry-after-ms"), Some(1000));
    assert_eq!(header(&response, "retry-after"), Some(1));
}

#[tokio::test]
async fn a_configured_hint_replaces_the_estimate() {
    let ts = TestServer::start().await;
    settings(&ts, json!({ "processingMs": 60_000, "pollHintSecs": 3 })).await;
    let profile = ts.profile("linkedin", "standard").await;
    let created = create_raw(&ts, &profile).await;
    assert_eq!(header(&created, "retry-after-ms"), Some(3000));
    let id = created.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/posts/{id}");
    let response = ts.api(Method::GET, &path).send().await.unwrap();
    assert_eq!(
        (header(&response, "retry-after"), header(&response, "retry-after-ms")),
        (Some(3), Some(3000))
    );

    settings(&ts, json!({ "pollHintMs": 1500 })).await;
    let response = ts.api(Method::GET, &path).send().await.unwrap();
    assert_eq!(
        (header(&response, "retry-after"), header(&response, "retry-after-ms")),
        (Some(2), Some(1500))
    );
}
