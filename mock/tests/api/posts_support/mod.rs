//! Helpers shared by the posts, idempotency, quota and schedule tests.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{fixture, send, TestServer};

/// Uploads a fixture with the single-shot endpoint and waits until verification is done;
/// returns the media key.
pub async fn upload(ts: &TestServer, name: &str, mime: &str) -> String {
    let data = std::fs::read(fixture(name)).expect("fixture");
    let request = ts
        .api(Method::POST, "/v1/media")
        .header("content-type", mime)
        .header("x-file-name", name)
        .body(data);
    let (status, media) = send(request).await;
    assert_eq!(status, StatusCode::CREATED, "{name}: {media}");
    let key = media["mediaKey"].as_str().expect("mediaKey").to_owned();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, media) = ts.get(&format!("/v1/media/{}", key.replace('/', "%2F"))).await;
        assert_eq!(status, StatusCode::OK, "{media}");
        if media["status"] != "processing" {
            return key;
        }
        assert!(Instant::now() < deadline, "still processing: {media}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A valid 15 s H.264 MP4 for TikTok.
pub async fn tiktok_video(ts: &TestServer) -> String {
    upload(ts, "h264_15s.mp4", "video/mp4").await
}

/// A text-only LinkedIn post body (LinkedIn takes posts without media).
pub fn text_post(profile_id: &str, text: &str) -> Value {
    json!({ "profileId": profile_id, "content": { "text": text } })
}

/// The tutorial's TikTok post body.
pub fn tiktok_post(profile_id: &str, media_key: &str) -> Value {
    json!({
        "profileId": profile_id,
        "content": { "text": "My first TikTok via API! #coding #developer" },
        "mediaKeys": [media_key],
        "platforms": { "tiktok": {} },
    })
}

pub async fn create(ts: &TestServer, body: Value) -> (StatusCode, Value) {
    ts.post("/v1/posts", body).await
}

/// Creates a post that must be accepted; returns it.
pub async fn created(ts: &TestServer, body: Value) -> Value {
    let (status, post) = create(ts, body).await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    post
}

pub async fn get_post(ts: &TestServer, id: &str) -> Value {
    let (status, post) = ts.get(&format!("/v1/posts/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{post}");
    post
}

/// The emulator's virtual now.
pub async fn now(ts: &TestServer) -> jiff::Timestamp {
    let (_, body) = ts.admin_get("/_mock/clock").await;
    body["now"].as_str().expect("now").parse().expect("RFC 3339")
}

/// Moves the clock to a minute after the next 00:00 UTC, so a test that needs one UTC day has
/// (almost) all of it.
pub async fn start_of_next_utc_day(ts: &TestServer) {
    let now = now(ts).await;
    let today = jiff::tz::TimeZone::UTC.to_datetime(now).date();
    let midnight =
        jiff::tz::TimeZone::UTC.to_timestamp(today.tomorrow().unwrap().at(0, 0, 0, 0)).unwrap();
    let seconds = midnight.duration_since(now).as_secs_f64() + 60.0;
    ts.advance(seconds).await;
}

/// POST /v1/posts entries of the journal that created something.
pub async fn creations(ts: &TestServer) -> Vec<Value> {
    ts.journal()
        .await
        .into_iter()
        .filter(|e| e["method"] == "POST" && e["path"] == "/v1/posts" && !e["created"].is_null())
        .collect()
}

/// Every post, newest first (up to 100).
pub async fn all_posts(ts: &TestServer) -> Vec<Value> {
    let (status, page) = ts.get("/v1/posts?limit=100").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["data"].as_array().cloned().unwrap_or_default()
}

pub async fn add_fault(ts: &TestServer, rule: Value) {
    let (status, body) = ts.admin_post("/_mock/faults", rule).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}
