//! `client.profiles().capabilities()` and the preflight that reads them: a post or an upload
//! that an account's capabilities forbid fails before anything is sent, with the account's
//! figures; the capabilities are asked once per profile within the cache window.

use crate::client_common::Emulator;
use aether::model::{
    CreatePostRequest, PlatformOptionsMap, PostContent, Tier, TikTokOptions, TikTokPrivacyLevel,
};
use aether::upload::{UploadOptions, UploadSource};
use aether::ErrorCode;
use aether_mock::CapabilitySettings;
use serde_json::json;

fn fixture(name: &str) -> UploadSource {
    UploadSource::path(crate::client_common::media_fixture(name))
}

fn tiktok_post(
    profile_id: &str,
    media_key: &str,
    privacy: TikTokPrivacyLevel,
) -> CreatePostRequest {
    CreatePostRequest {
        profile_id: Some(profile_id.to_owned()),
        content: Some(PostContent::new("a clip #one #two #three")),
        media_keys: vec![media_key.to_owned()],
        platforms: PlatformOptionsMap {
            tiktok: Some(TikTokOptions { privacy_level: Some(privacy), ..Default::default() }),
            ..Default::default()
        },
        ..Default::default()
    }
}

#[tokio::test]
async fn capabilities_read_back_as_the_admin_set_them() {
    let emulator = Emulator::start().await;
    let id = emulator.profile("tiktok").await;
    let settings = CapabilitySettings::new()
        .privacy_level_options(&["SELF_ONLY", "FOLLOWER_OF_CREATOR"])
        .max_video_duration_sec(45)
        .duet_disabled(true);
    emulator.admin.set_capabilities(&id, &settings).await.unwrap();
    let caps = emulator.client().profiles().capabilities(&id).await.unwrap();
    assert_eq!(caps.profile_id, id);
    assert_eq!(caps.tier, Tier::Standard);
    assert_eq!(caps.max_video_duration_sec, 45);
    assert_eq!(caps.min_video_duration_sec, 15);
    assert_eq!(
        caps.privacy_level_options,
        Some(vec![TikTokPrivacyLevel::SelfOnly, TikTokPrivacyLevel::FollowerOfCreator])
    );
    assert_eq!((caps.duet_disabled, caps.comment_disabled), (Some(true), Some(false)));
    assert!(caps.can_post);
    assert_eq!(caps.posts_remaining_today, 10);

    let error = emulator.client().profiles().capabilities("tiktok_missing").await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::NotFound);
}

#[tokio::test]
async fn a_privacy_level_the_account_does_not_offer_fails_before_sending_and_is_asked_once() {
    let emulator = Emulator::start().await;
    let id = emulator.profile("tiktok").await;
    let settings = CapabilitySettings::new().privacy_level_options(&["SELF_ONLY"]);
    emulator.admin.set_capabilities(&id, &settings).await.unwrap();
    let client = emulator.client();
    let media = client.media().upload(fixture("h264_15s.mp4"), UploadOptions::new()).await.unwrap();

    let public = tiktok_post(&id, &media.media_key, TikTokPrivacyLevel::PublicToEveryone);
    let error = client.posts().create(&public).await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::InvalidPlatformOption);
    assert_eq!(error.field(), Some("platforms.tiktok.privacyLevel"));
    assert!(error.message().contains("SELF_ONLY"), "{error}");
    assert_eq!(error.details().unwrap()["allowed"], json!(["SELF_ONLY"]));
    assert!(emulator.journal_for("POST", "/v1/posts").await.is_empty(), "nothing was sent");

    // A clone shares the cache: the second create within the minute asks nothing again.
    let private = tiktok_post(&id, &media.media_key, TikTokPrivacyLevel::SelfOnly);
    client.clone().posts().create(&private).await.unwrap();
    let path = format!("/v1/profiles/{id}/capabilities");
    assert_eq!(emulator.journal_for("GET", &path).await.len(), 1);
    assert_eq!(emulator.journal_for("POST", "/v1/posts").await.len(), 1);

    // Bypassing the client's check, the server refuses the same.
    let other = emulator.client();
    let error = other.posts().create(&public).await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::InvalidPlatformOption);
}

#[tokio::test]
async fn a_video_longer_than_the_account_allows_fails_before_a_byte_is_uploaded() {
    let emulator = Emulator::start().await;
    let id = emulator.profile("tiktok").await;
    let settings = CapabilitySettings::new().max_video_duration_sec(30);
    emulator.admin.set_capabilities(&id, &settings).await.unwrap();
    let client = emulator.client();
    let options = UploadOptions::new().profile(id.clone());
    let error = client.media().upload(fixture("h264_60s.mp4"), options.clone()).await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::VideoTooLong);
    assert!(error.message().contains("at most 30 s; the video is 60 s"), "{error}");
    assert_eq!(error.details().unwrap()["accountMaxSec"], 30);
    let uploads = emulator.journal().await;
    assert!(
        !uploads.iter().any(|e| e["path"].as_str().unwrap_or("").starts_with("/v1/media")),
        "no request to the upload endpoints"
    );
    // A video within the account's limit uploads.
    client.media().upload(fixture("h264_15s.mp4"), options).await.unwrap();

    // An unknown profile is NOT_FOUND, naming the option.
    let options = UploadOptions::new().profile("tiktok_missing");
    let error = client.media().upload(fixture("h264_15s.mp4"), options).await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::NotFound);
    assert_eq!(error.field(), Some("profile_ids[0]"));
}

#[tokio::test]
async fn capabilities_that_cannot_be_read_do_not_fail_the_upload() {
    let emulator = Emulator::start().await;
    let id = emulator.profile("tiktok").await;
    emulator
        .fault(json!({ "path": "/v1/profiles/*/capabilities", "action": { "type": "status", "status": 503 } }))
        .await;
    let client = emulator.builder().max_retries(0).build().unwrap();
    let options = UploadOptions::new().profile(id);
    let media = client.media().upload(fixture("h264_15s.mp4"), options).await.unwrap();
    assert!(media.media_key.len() > 3);
}
