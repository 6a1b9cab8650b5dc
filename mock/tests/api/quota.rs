//! The daily publish quota per profile: TikTok's 10 posts per UTC day on the virtual clock.

use crate::common::{assert_error, TestServer};
use crate::posts_support::*;
use aether::platforms::TIKTOK_DAILY_POSTS;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn the_eleventh_tiktok_post_of_a_day_waits_for_midnight_utc() {
    let ts = TestServer::start().await;
    start_of_next_utc_day(&ts).await;
    let profile = ts.profile("tiktok", "standard").await;
    let media_key = tiktok_video(&ts).await;
    for _ in 0..TIKTOK_DAILY_POSTS {
        created(&ts, tiktok_post(&profile, &media_key)).await;
    }

    let response = ts
        .api(Method::POST, "/v1/posts")
        .json(&tiktok_post(&profile, &media_key))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let header_retry: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    let body: serde_json::Value = response.json().await.unwrap();
    let error = assert_error(StatusCode::TOO_MANY_REQUESTS, &body, 429, "POST_LIMIT_REACHED");
    assert_eq!(error["field"], "profileId");
    assert_eq!(error["platform"], "tiktok");
    let retry_after = error["retryAfter"].as_u64().unwrap();
    assert_eq!(retry_after, header_retry);
    let reset_at: jiff::Timestamp = error["details"]["resetAt"].as_str().unwrap().parse().unwrap();
    let now = now(&ts).await;
    let until_reset = reset_at.duration_since(now).as_secs();
    assert!(until_reset.abs_diff(retry_after as i64) <= 2, "{retry_after} vs {until_reset}");
    assert_eq!(jiff::tz::TimeZone::UTC.to_datetime(reset_at).time(), jiff::civil::time(0, 0, 0, 0));
    assert!(retry_after > 20 * 3600, "the day has just begun: {retry_after}");

    // Drafts do not count and are not refused.
    let mut draft = tiktok_post(&profile, &media_key);
    draft["draft"] = json!(true);
    assert_eq!(created(&ts, draft).await["status"], "draft");
    // Another profile has its own quota.
    let other = ts.profile("tiktok", "standard").await;
    created(&ts, tiktok_post(&other, &media_key)).await;

    ts.advance(retry_after as f64 + 1.0).await;
    let post = created(&ts, tiktok_post(&profile, &media_key)).await;
    assert_eq!(post["status"], "publishing");
}

#[tokio::test]
async fn a_scheduled_post_over_the_limit_fails_when_it_starts() {
    let ts = TestServer::start().await;
    start_of_next_utc_day(&ts).await;
    let profile = ts.profile("tiktok", "standard").await;
    let media_key = tiktok_video(&ts).await;
    let at = now(&ts).await.checked_add(jiff::SignedDuration::from_hours(1)).unwrap();
    let mut scheduled = tiktok_post(&profile, &media_key);
    scheduled["scheduledFor"] = json!(at.to_string());
    let scheduled = created(&ts, scheduled).await;
    assert_eq!(scheduled["status"], "scheduled");
    // Scheduled posts count only once they start: the day's 10 are still free.
    for _ in 0..TIKTOK_DAILY_POSTS {
        created(&ts, tiktok_post(&profile, &media_key)).await;
    }
    ts.advance(3600.0 + 5.0).await;
    let post = get_post(&ts, scheduled["id"].as_str().unwrap()).await;
    assert_eq!(post["status"], "failed", "{post}");
    let error = &post["results"][0]["error"];
    assert_eq!(error["code"], "POST_LIMIT_REACHED");
    assert!(error["details"]["resetAt"].as_str().is_some(), "{post}");
}

#[tokio::test]
async fn a_scheduled_post_counts_against_the_day_it_starts() {
    let ts = TestServer::start().await;
    start_of_next_utc_day(&ts).await;
    let profile = ts.profile("tiktok", "standard").await;
    let media_key = tiktok_video(&ts).await;
    let at = now(&ts).await.checked_add(jiff::SignedDuration::from_mins(10)).unwrap();
    let mut scheduled = tiktok_post(&profile, &media_key);
    scheduled["scheduledFor"] = json!(at.to_string());
    let scheduled = created(&ts, scheduled).await;
    ts.advance(600.0 + 2.0).await;
    assert_eq!(get_post(&ts, scheduled["id"].as_str().unwrap()).await["status"], "published");
    for _ in 1..TIKTOK_DAILY_POSTS {
        created(&ts, tiktok_post(&profile, &media_key)).await;
    }
    let (status, error) = create(&ts, tiktok_post(&profile, &media_key)).await;
    assert_error(status, &error, 429, "POST_LIMIT_REACHED");
}
