//! Per-account capabilities over real HTTP: the figures (table, tier, quota, admin settings)
//! and the create checks that enforce them.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{assert_error, send, TestServer};
use crate::posts_support::{create, created, tiktok_post, tiktok_video, upload};

async fn set(ts: &TestServer, id: &str, body: Value) -> (StatusCode, Value) {
    send(ts.admin(Method::PUT, &format!("/_mock/profiles/{id}/capabilities")).json(&body)).await
}

#[tokio::test]
async fn capabilities_follow_the_table_the_tier_and_the_quota() {
    let ts = TestServer::start().await;
    let standard = ts.profile("tiktok", "standard").await;
    let (status, caps) = ts.get(&format!("/v1/profiles/{standard}/capabilities")).await;
    assert_eq!(status, StatusCode::OK, "{caps}");
    assert_eq!(caps["profileId"], standard.as_str());
    assert_eq!(
        (caps["platform"].as_str(), caps["tier"].as_str()),
        (Some("tiktok"), Some("standard"))
    );
    assert_eq!(
        (caps["maxVideoDurationSec"].as_u64(), caps["minVideoDurationSec"].as_u64()),
        (Some(60), Some(15))
    );
    assert_eq!(
        caps["privacyLevelOptions"],
        json!(["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"])
    );
    assert_eq!(
        (caps["canPost"].as_bool(), caps["postsRemainingToday"].as_u64()),
        (Some(true), Some(10))
    );
    assert_eq!(caps["commentDisabled"], false);
    assert!(caps["quotaResetAt"].as_str().unwrap().ends_with("T00:00:00.000Z"), "{caps}");

    let creator = ts.profile("tiktok", "creator").await;
    let (_, caps) = ts.get(&format!("/v1/profiles/{creator}/capabilities")).await;
    assert_eq!(caps["maxVideoDurationSec"], 600);

    // A post that publishes now uses one of today's posts.
    let key = tiktok_video(&ts).await;
    created(&ts, tiktok_post(&standard, &key)).await;
    let (_, caps) = ts.get(&format!("/v1/profiles/{standard}/capabilities")).await;
    assert_eq!(caps["postsRemainingToday"], 9);

    // Other platforms: no TikTok fields.
    let linkedin = ts.profile("linkedin", "standard").await;
    let (_, caps) = ts.get(&format!("/v1/profiles/{linkedin}/capabilities")).await;
    assert!(
        caps.get("privacyLevelOptions").is_none() && caps.get("commentDisabled").is_none(),
        "{caps}"
    );
    assert!(caps["maxVideoDurationSec"].as_u64().unwrap() > 0);

    // Disconnected: cannot post.
    ts.admin_post(&format!("/_mock/profiles/{standard}/revoke"), json!({})).await;
    let (_, caps) = ts.get(&format!("/v1/profiles/{standard}/capabilities")).await;
    assert_eq!(
        (caps["canPost"].as_bool(), caps["postsRemainingToday"].as_u64()),
        (Some(false), Some(0))
    );

    let (status, body) = ts.get("/v1/profiles/tiktok_nope/capabilities").await;
    let error = assert_error(status, &body, 404, "NOT_FOUND");
    assert_eq!(error["details"]["resource"], "profile");
}

#[tokio::test]
async fn admin_settings_are_merged_and_checked() {
    let ts = TestServer::start().await;
    let id = ts.profile("tiktok", "standard").await;
    let (status, caps) =
        set(&ts, &id, json!({ "privacyLevelOptions": ["SELF_ONLY"], "maxVideoDurationSec": 30 }))
            .await;
    assert_eq!(status, StatusCode::OK, "{caps}");
    assert_eq!(
        (caps["privacyLevelOptions"].clone(), caps["maxVideoDurationSec"].clone()),
        (json!(["SELF_ONLY"]), json!(30))
    );
    let (_, caps) = set(&ts, &id, json!({ "commentDisabled": true, "canPost": false })).await;
    assert_eq!(caps["privacyLevelOptions"], json!(["SELF_ONLY"]), "kept: {caps}");
    assert_eq!(
        (caps["commentDisabled"].as_bool(), caps["canPost"].as_bool()),
        (Some(true), Some(false))
    );
    let (_, fetched) = ts.get(&format!("/v1/profiles/{id}/capabilities")).await;
    assert_eq!(fetched, caps);

    let (status, body) = set(&ts, &id, json!({ "privacyLevelOptions": ["EVERYONE"] })).await;
    let error = assert_error(status, &body, 400, "INVALID_REQUEST");
    assert!(error["message"].as_str().unwrap().contains("SELF_ONLY"), "{error}");
    let (status, body) = set(&ts, &id, json!({ "maxVideoSec": 3 })).await;
    assert_error(status, &body, 400, "INVALID_REQUEST");
    let linkedin = ts.profile("linkedin", "standard").await;
    let (status, body) = set(&ts, &linkedin, json!({ "commentDisabled": true })).await;
    assert_error(status, &body, 400, "INVALID_REQUEST");
    let (status, body) = set(&ts, "tiktok_nope", json!({ "canPost": false })).await;
    assert_error(status, &body, 404, "NOT_FOUND");
}

#[tokio::test]
async fn a_post_asking_what_the_account_forbids_is_refused_with_its_figures() {
    let ts = TestServer::start().await;
    let id = ts.profile("tiktok", "standard").await;
    set(&ts, &id, json!({ "privacyLevelOptions": ["SELF_ONLY"], "commentDisabled": true })).await;
    let key = tiktok_video(&ts).await;

    let mut body = tiktok_post(&id, &key);
    body["platforms"]["tiktok"] = json!({ "privacyLevel": "PUBLIC_TO_EVERYONE" });
    let (status, answer) = create(&ts, body.clone()).await;
    let error = assert_error(status, &answer, 422, "INVALID_PLATFORM_OPTION");
    assert_eq!(error["field"], "platforms.tiktok.privacyLevel");
    assert_eq!(error["details"]["allowed"], json!(["SELF_ONLY"]));
    assert!(error["message"].as_str().unwrap().contains("SELF_ONLY"), "{error}");

    body["platforms"]["tiktok"] = json!({ "privacyLevel": "SELF_ONLY", "disableComment": false });
    let (status, answer) = create(&ts, body.clone()).await;
    let error = assert_error(status, &answer, 422, "INVALID_PLATFORM_OPTION");
    assert_eq!(error["field"], "platforms.tiktok.disableComment");

    body["platforms"]["tiktok"] = json!({ "privacyLevel": "SELF_ONLY" });
    created(&ts, body).await;
    assert_eq!(crate::posts_support::creations(&ts).await.len(), 1);
}

#[tokio::test]
async fn a_video_longer_than_the_account_allows_is_video_too_long() {
    let ts = TestServer::start().await;
    let id = ts.profile("tiktok", "standard").await;
    set(&ts, &id, json!({ "maxVideoDurationSec": 30 })).await;
    let key = upload(&ts, "h264_60s.mp4", "video/mp4").await;
    let (status, answer) = create(&ts, tiktok_post(&id, &key)).await;
    let error = assert_error(status, &answer, 422, "VIDEO_TOO_LONG");
    assert_eq!(error["field"], "mediaKeys[0]");
    assert_eq!(error["details"]["accountMaxSec"], 30);
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("at most 30 s; the video is 60 s"), "{message}");
    // Within the account's limit: accepted.
    let short = tiktok_video(&ts).await;
    created(&ts, tiktok_post(&id, &short)).await;
}
