//! `POST /v1/posts/{id}/retry` over real HTTP: only the failed targets publish again, every
//! other status is `POST_NOT_RETRYABLE`, the checks of a start refuse without touching the post,
//! and an idempotency key replays the first answer.

use crate::common::{assert_error, send, TestServer};
use crate::posts_support::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn retry(ts: &TestServer, id: &str) -> (StatusCode, Value) {
    send(ts.api(Method::POST, &format!("/v1/posts/{id}/retry"))).await
}

/// A tiktok + instagram cross-post whose instagram target failed: `partially_published`.
async fn partial_cross_post(ts: &TestServer) -> Value {
    let tiktok = ts.profile("tiktok", "standard").await;
    let instagram = ts.profile("instagram", "standard").await;
    let media_key = tiktok_video(ts).await;
    let rule = json!({ "platform": "instagram", "outcome": "failed", "times": 1 });
    let (status, body) = ts.admin_post("/_mock/outcomes", rule).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let body = json!({
        "profileIds": [tiktok, instagram],
        "content": { "text": "Cross-post" },
        "mediaKeys": [media_key],
    });
    let post = created(ts, body).await;
    ts.advance(2.0).await;
    let post = get_post(ts, post["id"].as_str().unwrap()).await;
    assert_eq!(post["status"], "partially_published", "{post}");
    assert_eq!(post["results"][0]["status"], "published", "{post}");
    assert_eq!(post["results"][1]["status"], "failed", "{post}");
    post
}

/// A webhook at a closed port: its deliveries list every post event, in the order raised.
async fn event_log(ts: &TestServer) -> String {
    let events = json!(["post.publishing", "post.published", "post.failed"]);
    let body = json!({ "url": "http://127.0.0.1:1/hook", "events": events });
    let (status, hook) = ts.post("/v1/webhooks", body).await;
    assert_eq!(status, StatusCode::CREATED, "{hook}");
    format!("/v1/webhooks/{}/deliveries?limit=100", hook["id"].as_str().unwrap())
}

/// The event types delivered (or tried) so far, oldest first.
async fn events(ts: &TestServer, log: &str) -> Vec<String> {
    let (status, page) = ts.get(log).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let mut types: Vec<String> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["eventType"].as_str().unwrap().to_owned())
        .collect();
    types.reverse();
    types
}

#[tokio::test]
async fn a_retry_publishes_only_the_failed_target() {
    let ts = TestServer::start().await;
    let log = event_log(&ts).await;
    let post = partial_cross_post(&ts).await;
    let id = post["id"].as_str().unwrap();
    let tiktok_before = post["results"][0].clone();
    assert_eq!(post["results"][1]["error"]["code"], "PLATFORM_ERROR");

    let (status, retried) = retry(&ts, id).await;
    assert_eq!(status, StatusCode::OK, "{retried}");
    assert_eq!(retried["status"], "publishing");
    assert_eq!(retried["results"][0], tiktok_before, "a published target is left alone");
    let instagram = &retried["results"][1];
    assert_eq!(instagram["status"], "publishing", "{retried}");
    assert_eq!(instagram["attempts"], 1, "a new publish run: {retried}");
    for field in ["error", "platformPostId", "url", "publishedAt"] {
        assert!(instagram.get(field).is_none_or(Value::is_null), "{field}: {retried}");
    }

    ts.advance(2.0).await;
    let post = get_post(&ts, id).await;
    assert_eq!(post["status"], "published", "{post}");
    assert_eq!(post["results"][0], tiktok_before, "the tiktok post was not made again");
    assert_eq!(post["results"][1]["status"], "published");
    assert!(post["results"][1]["url"].as_str().unwrap().contains("instagram.com"));
    let live = |platform: &'static str| {
        let path = format!("/platforms/{platform}/publish");
        move |e: &&Value| e["method"] == "PUBLISH" && e["path"] == path && e["status"] == 200
    };
    let journal = ts.journal().await;
    assert_eq!(journal.iter().filter(live("tiktok")).count(), 1, "tiktok published once");
    assert_eq!(journal.iter().filter(live("instagram")).count(), 1, "instagram once, by the retry");
    assert!(post.get("error").is_none_or(Value::is_null), "{post}");
    assert_eq!(
        events(&ts, &log).await,
        ["post.publishing", "post.failed", "post.publishing", "post.published"]
    );
}

#[tokio::test]
async fn an_all_failed_post_is_retried_to_published() {
    let ts = TestServer::start().await;
    let profile = ts.profile("linkedin", "standard").await;
    let rule = json!({ "platform": "linkedin", "outcome": "failed", "times": 1 });
    ts.admin_post("/_mock/outcomes", rule).await;
    let post = created(&ts, text_post(&profile, "again")).await;
    let id = post["id"].as_str().unwrap();
    ts.advance(2.0).await;
    let post = get_post(&ts, id).await;
    assert_eq!(
        (&post["status"], &post["error"]["code"]),
        (&json!("failed"), &json!("PLATFORM_ERROR"))
    );

    let (status, retried) = retry(&ts, id).await;
    assert_eq!(status, StatusCode::OK, "{retried}");
    assert_eq!(retried["status"], "publishing");
    assert!(retried.get("error").is_none_or(Value::is_null), "{retried}");
    ts.advance(2.0).await;
    assert_eq!(get_post(&ts, id).await["status"], "published");
}

#[tokio::test]
async fn only_failed_and_partially_published_posts_can_be_retried() {
    let ts = TestServer::start().await;
    let profile = ts.profile("linkedin", "standard").await;
    let refused = |status: StatusCode, body: Value, what: &str| {
        let error = assert_error(status, &body, 409, "POST_NOT_RETRYABLE");
        assert_eq!(error["details"]["status"], what, "{body}");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(&format!("is {what}")), "{message}");
        assert!(message.contains("failed or partially_published"), "{message}");
    };

    let publishing = created(&ts, text_post(&profile, "now")).await;
    let id = publishing["id"].as_str().unwrap().to_owned();
    let (status, body) = retry(&ts, &id).await;
    refused(status, body, "publishing");
    ts.advance(2.0).await;
    let (status, body) = retry(&ts, &id).await;
    refused(status, body, "published");

    let mut draft = text_post(&profile, "draft");
    draft["draft"] = json!(true);
    let draft = created(&ts, draft).await;
    let (status, body) = retry(&ts, draft["id"].as_str().unwrap()).await;
    refused(status, body, "draft");

    let mut scheduled = text_post(&profile, "later");
    let at = now(&ts).await.checked_add(jiff::SignedDuration::from_hours(1)).unwrap();
    scheduled["scheduledFor"] = json!(at.to_string());
    let scheduled = created(&ts, scheduled).await;
    let scheduled_id = scheduled["id"].as_str().unwrap();
    let (status, body) = retry(&ts, scheduled_id).await;
    refused(status, body, "scheduled");
    ts.delete(&format!("/v1/posts/{scheduled_id}")).await;
    let (status, body) = retry(&ts, scheduled_id).await;
    refused(status, body, "cancelled");

    let (status, body) = retry(&ts, "post_nope").await;
    assert_eq!(assert_error(status, &body, 404, "NOT_FOUND")["details"]["resource"], "post");
}

#[tokio::test]
async fn a_retry_while_the_first_is_publishing_is_refused_and_a_replay_restarts_nothing() {
    let ts = TestServer::start().await;
    let log = event_log(&ts).await;
    let post = partial_cross_post(&ts).await;
    let id = post["id"].as_str().unwrap();
    let path = format!("/v1/posts/{id}/retry");
    let keyed = || ts.api(Method::POST, &path).header("idempotency-key", "retry-once");

    let first = keyed().send().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let first: Value = first.json().await.unwrap();
    let replay = keyed().send().await.unwrap();
    assert_eq!(replay.status(), StatusCode::OK);
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    assert_eq!(replay.json::<Value>().await.unwrap(), first);

    // A new request (another key) while the retry publishes: the post is `publishing`.
    let (status, body) = retry(&ts, id).await;
    let error = assert_error(status, &body, 409, "POST_NOT_RETRYABLE");
    assert_eq!(error["details"]["status"], "publishing");
    ts.advance(2.0).await;
    assert_eq!(get_post(&ts, id).await["status"], "published");
    let publishing = events(&ts, &log).await.iter().filter(|e| *e == "post.publishing").count();
    assert_eq!(publishing, 2, "the create and one retry");
}

#[tokio::test]
async fn a_retry_that_cannot_start_leaves_the_post_as_it_was() {
    let ts = TestServer::start().await;
    let post = partial_cross_post(&ts).await;
    let id = post["id"].as_str().unwrap();
    let instagram = post["profileIds"][1].as_str().unwrap();
    let (status, body) = ts.delete(&format!("/v1/profiles/{instagram}")).await;
    assert!(status.is_success(), "{body}");

    let (status, body) = retry(&ts, id).await;
    let error = assert_error(status, &body, 409, "PROFILE_DISCONNECTED");
    assert_eq!(
        (&error["field"], &error["platform"]),
        (&json!("profileIds[1]"), &json!("instagram"))
    );
    assert_eq!(get_post(&ts, id).await, post, "nothing changed");
}

#[tokio::test]
async fn a_retry_counts_against_the_daily_quota_like_any_publish() {
    let ts = TestServer::start().await;
    start_of_next_utc_day(&ts).await;
    let profile = ts.profile("tiktok", "standard").await;
    let media_key = tiktok_video(&ts).await;
    let first = created(&ts, tiktok_post(&profile, &media_key)).await;
    let id = first["id"].as_str().unwrap();
    ts.admin_post(&format!("/_mock/posts/{id}/outcome"), json!({ "outcome": "failed" })).await;
    // TikTok allows 10 posts a day: the failed one counted, nine more use the rest.
    for _ in 0..9 {
        created(&ts, tiktok_post(&profile, &media_key)).await;
    }
    ts.advance(2.0).await;
    let failed = get_post(&ts, id).await;
    assert_eq!(failed["status"], "failed");

    let (status, body) = retry(&ts, id).await;
    let error = assert_error(status, &body, 429, "POST_LIMIT_REACHED");
    assert_eq!((&error["field"], &error["platform"]), (&json!("profileIds[0]"), &json!("tiktok")));
    assert!(error["details"]["resetAt"].is_string(), "{body}");
    assert_eq!(get_post(&ts, id).await, failed, "nothing changed");
}

#[tokio::test]
async fn a_target_that_ran_out_of_server_retries_starts_a_new_run_with_its_attempts_reset() {
    let ts = TestServer::start().await;
    let profile = ts.profile("linkedin", "standard").await;
    let rule = json!({ "platform": "linkedin", "transientFailures": 6, "times": 1 });
    let (status, body) = ts.admin_post("/_mock/outcomes", rule).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let post = created(&ts, text_post(&profile, "flaky platform")).await;
    let id = post["id"].as_str().unwrap();
    // An hour passes every backoff (30 s … 8 min): six transient failures, then failed.
    ts.advance(3600.0).await;
    let failed = get_post(&ts, id).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert_eq!(failed["results"][0]["attempts"], 6, "{failed}");

    let (status, retried) = retry(&ts, id).await;
    assert_eq!(status, StatusCode::OK, "{retried}");
    let result = &retried["results"][0];
    assert_eq!((&result["status"], &result["attempts"]), (&json!("publishing"), &json!(1)));
    assert!(result.get("nextAttemptAt").is_none_or(Value::is_null), "{retried}");
    ts.advance(2.0).await;
    let done = get_post(&ts, id).await;
    assert_eq!(done["status"], "published", "{done}");
    assert_eq!(done["results"][0]["attempts"], 1, "{done}");
}
