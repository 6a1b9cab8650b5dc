//! Server retries of transient platform failures over real HTTP: the outcome rules'
//! `transientFailures`, `attempts` and `nextAttemptAt` on the target, the backoff (30 s, 1, 2,
//! 4, 8 min on the virtual clock), the journal's platform publishes, and `post.failed` once.

use crate::common::{assert_error, TestServer};
use crate::posts_support::*;
use jiff::{SignedDuration, Timestamp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The emulator's default processing time of one publish attempt, in seconds.
const PROCESSING: f64 = 1.5;

async fn rule(ts: &TestServer, rule: Value) {
    let (status, body) = ts.admin_post("/_mock/outcomes", rule).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// The journal's platform publishes (`PUBLISH /platforms/…/publish`), oldest first.
async fn publishes(ts: &TestServer) -> Vec<Value> {
    ts.journal().await.into_iter().filter(|e| e["method"] == "PUBLISH").collect()
}

fn at(value: &Value) -> Timestamp {
    value.as_str().unwrap_or_else(|| panic!("a timestamp: {value}")).parse().unwrap()
}

async fn linkedin_post(ts: &TestServer) -> (String, String) {
    let profile = ts.profile("linkedin", "standard").await;
    let post = created(ts, text_post(&profile, "retried")).await;
    (post["id"].as_str().unwrap().to_owned(), profile)
}

#[tokio::test]
async fn two_transient_failures_then_published_shows_each_attempt() {
    let ts = TestServer::start().await;
    rule(&ts, json!({ "platform": "linkedin", "transientFailures": 2, "times": 1 })).await;
    let (id, _) = linkedin_post(&ts).await;
    let post = get_post(&ts, &id).await;
    assert_eq!(post["results"][0]["attempts"], 1, "{post}");
    assert!(post["results"][0].get("nextAttemptAt").is_none(), "{post}");

    // The first attempt fails transiently: still publishing, the retry due 30 s later.
    ts.advance(PROCESSING + 0.1).await;
    let post = get_post(&ts, &id).await;
    assert_eq!(post["status"], "publishing", "{post}");
    let result = &post["results"][0];
    assert_eq!(
        (result["status"].clone(), result["attempts"].clone()),
        (json!("publishing"), json!(1))
    );
    assert!(result.get("error").is_none(), "no error while a retry is pending: {post}");
    let first = publishes(&ts).await;
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0]["status"], 503);
    assert_eq!(first[0]["path"], "/platforms/linkedin/publish");
    assert_eq!(first[0]["postId"], json!(id));
    assert!(first[0]["created"].is_null(), "{first:?}");
    let next = at(&result["nextAttemptAt"]);
    assert_eq!(next.duration_since(at(&first[0]["at"])), SignedDuration::from_secs(30));
    // The post changed when the attempt failed: a client reads the wait off the post alone.
    assert_eq!(next.duration_since(at(&post["updatedAt"])), SignedDuration::from_secs(30));
    // A poll while the retry waits is not told to wait for it: the clock is the test's.
    let response = ts.api(Method::GET, &format!("/v1/posts/{id}")).send().await.unwrap();
    assert_eq!(response.headers()["retry-after"], "1");

    // The retry starts when it is due: attempt 2 under way, no next attempt yet.
    ts.advance(30.0).await;
    let post = get_post(&ts, &id).await;
    assert_eq!(post["results"][0]["attempts"], 2, "{post}");
    assert!(post["results"][0].get("nextAttemptAt").is_none(), "{post}");

    ts.advance(PROCESSING).await;
    let post = get_post(&ts, &id).await;
    let second = &publishes(&ts).await[1];
    let next = at(&post["results"][0]["nextAttemptAt"]);
    assert_eq!(next.duration_since(at(&second["at"])), SignedDuration::from_secs(60), "{post}");

    ts.advance(60.0 + PROCESSING).await;
    let post = get_post(&ts, &id).await;
    assert_eq!(post["status"], "published", "{post}");
    let result = &post["results"][0];
    assert_eq!(result["attempts"], 3);
    assert!(result.get("nextAttemptAt").is_none(), "{post}");
    let all = publishes(&ts).await;
    let statuses: Vec<&Value> = all.iter().map(|e| &e["status"]).collect();
    assert_eq!(statuses, [&json!(503), &json!(503), &json!(200)]);
    assert_eq!(all[2]["created"], result["platformPostId"]);
    assert_eq!(at(&all[2]["at"]), at(&result["publishedAt"]));
}

#[tokio::test]
async fn the_backoff_is_30s_then_1_2_4_8_minutes_and_the_sixth_failure_fails_once() {
    let ts = TestServer::start().await;
    let (status, webhook) = ts
        .post(
            "/v1/webhooks",
            json!({ "url": "http://127.0.0.1:9/hook", "events": ["post.failed"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{webhook}");
    rule(&ts, json!({ "platform": "linkedin", "transientFailures": 6, "times": 1 })).await;
    let (id, _) = linkedin_post(&ts).await;

    let mut waits = Vec::new();
    for attempt in 1..=5 {
        ts.advance(PROCESSING + 0.1).await;
        let post = get_post(&ts, &id).await;
        assert_eq!(post["status"], "publishing", "attempt {attempt}: {post}");
        assert_eq!(post["results"][0]["attempts"], attempt, "{post}");
        let failed_at = at(&publishes(&ts).await.last().unwrap()["at"]);
        let next = at(&post["results"][0]["nextAttemptAt"]);
        waits.push(next.duration_since(failed_at).as_secs());
        ts.advance(next.duration_since(failed_at).as_secs_f64()).await;
    }
    assert_eq!(waits, [30, 60, 120, 240, 480]);

    ts.advance(PROCESSING + 0.1).await;
    let post = get_post(&ts, &id).await;
    assert_eq!(post["status"], "failed", "{post}");
    let result = &post["results"][0];
    assert_eq!(result["attempts"], 6);
    assert!(result.get("nextAttemptAt").is_none(), "{post}");
    assert_eq!(result["error"]["code"], "PLATFORM_ERROR");
    assert_eq!(result["error"]["details"]["transient"], true, "{post}");
    assert_eq!(result["error"]["details"]["attempts"], 6, "{post}");
    let message = result["error"]["message"].as_str().unwrap();
    assert!(message.contains("6 publish attempts"), "{message}");
    assert_eq!(post["error"]["code"], "PLATFORM_ERROR");
    let all = publishes(&ts).await;
    assert_eq!(all.len(), 6);
    assert!(all.iter().all(|e| e["status"] == 503), "{all:?}");

    // Much later, nothing more was tried and the event was raised once.
    ts.advance(3600.0).await;
    assert_eq!(publishes(&ts).await.len(), 6);
    let deliveries = ts.admin.webhook_deliveries(webhook["id"].as_str()).await.unwrap();
    let failed: Vec<&Value> =
        deliveries.iter().filter(|d| d["type"] == "post.failed" && d["postId"] == id).collect();
    assert_eq!(failed.len(), 1, "{deliveries:?}");
}

#[tokio::test]
async fn a_clock_moved_past_every_retry_plays_each_attempt_in_order() {
    let ts = TestServer::start().await;
    rule(&ts, json!({ "transientFailures": 2 })).await;
    let (id, _) = linkedin_post(&ts).await;
    ts.advance(3600.0).await;
    let post = get_post(&ts, &id).await;
    assert_eq!(post["status"], "published", "{post}");
    assert_eq!(post["results"][0]["attempts"], 3);
    let times: Vec<Timestamp> = publishes(&ts).await.iter().map(|e| at(&e["at"])).collect();
    let gaps: Vec<i64> =
        times.windows(2).map(|w| w[1].duration_since(w[0]).as_millis() as i64).collect();
    // Each gap is the backoff plus the next attempt's processing time.
    assert_eq!(gaps, [31_500, 61_500]);
}

#[tokio::test]
async fn permanent_failures_are_not_retried() {
    let ts = TestServer::start().await;
    rule(&ts, json!({ "platform": "linkedin", "outcome": "failed", "times": 1 })).await;
    let (id, profile) = linkedin_post(&ts).await;
    ts.advance(PROCESSING + 0.1).await;
    let post = get_post(&ts, &id).await;
    assert_eq!(post["status"], "failed", "{post}");
    assert_eq!(post["results"][0]["attempts"], 1);
    let all = publishes(&ts).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["status"], 502, "PLATFORM_ERROR's status");

    // A forced failure through the admin API is final too, with its own code's status.
    let post = created(&ts, text_post(&profile, "forced")).await;
    let id = post["id"].as_str().unwrap();
    let forced = json!({ "outcome": "failed", "code": "PROFILE_DISCONNECTED" });
    let (status, body) = ts.admin_post(&format!("/_mock/posts/{id}/outcome"), forced).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    ts.advance(3600.0).await;
    let post = get_post(&ts, id).await;
    assert_eq!(post["results"][0]["attempts"], 1, "{post}");
    let last = publishes(&ts).await;
    assert_eq!(last.len(), 2, "{last:?}");
    assert_eq!(last[1]["status"], 409);
}

#[tokio::test]
async fn transient_failures_then_a_permanent_outcome() {
    let ts = TestServer::start().await;
    let scripted = json!({ "transientFailures": 1, "outcome": "failed", "code": "PLATFORM_ERROR" });
    rule(&ts, scripted).await;
    let (id, _) = linkedin_post(&ts).await;
    ts.advance(600.0).await;
    let post = get_post(&ts, &id).await;
    assert_eq!(post["status"], "failed", "{post}");
    assert_eq!(post["results"][0]["attempts"], 2);
    assert!(post["results"][0]["error"]["details"].get("transient").is_none(), "{post}");
    let statuses: Vec<Value> = publishes(&ts).await.iter().map(|e| e["status"].clone()).collect();
    assert_eq!(statuses, [json!(503), json!(502)]);
}

#[tokio::test]
async fn a_profile_disconnected_while_waiting_fails_at_the_retry() {
    let ts = TestServer::start().await;
    rule(&ts, json!({ "transientFailures": 3 })).await;
    let (id, profile) = linkedin_post(&ts).await;
    ts.advance(PROCESSING + 0.1).await;
    let (status, body) = ts.delete(&format!("/v1/profiles/{profile}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    ts.advance(31.0).await;
    let post = get_post(&ts, &id).await;
    assert_eq!(post["status"], "failed", "{post}");
    assert_eq!(post["results"][0]["error"]["code"], "PROFILE_DISCONNECTED");
    assert_eq!(publishes(&ts).await.len(), 1, "no attempt for a disconnected profile");
}

#[tokio::test]
async fn an_outcome_rule_needs_an_outcome_or_transient_failures() {
    let ts = TestServer::start().await;
    let (status, body) = ts.admin_post("/_mock/outcomes", json!({ "platform": "tiktok" })).await;
    let error = assert_error(status, &body, 400, "INVALID_REQUEST");
    assert!(error["message"].as_str().unwrap().contains("transientFailures"), "{error}");
    rule(&ts, json!({ "platform": "tiktok", "transientFailures": 2 })).await;
    let (_, rules) = ts.admin_get("/_mock/outcomes").await;
    assert_eq!(rules["data"][0]["transientFailures"], 2, "{rules}");
    assert!(rules["data"][0].get("outcome").is_none(), "{rules}");
}
