//! Unit tests of the create handler: media still processing when a post is created.
use std::path::PathBuf;

use aether::model::{Media, MediaStatus};
use aether::probe::{Container, MediaFacts, MediaKind, VideoCodec};

use super::*;
use crate::config::MockConfig;
use crate::state::AppState;
use crate::stored_media::StoredMedia;

fn state() -> SharedState {
    let config = MockConfig::default();
    std::sync::Arc::new(AppState::new(
        &config,
        "adm".into(),
        "http://127.0.0.1:1".into(),
        std::env::temp_dir(),
    ))
}

fn processing_media(key: &str) -> StoredMedia {
    StoredMedia {
        media: Media {
            media_key: key.into(),
            file_name: "clip.mp4".into(),
            mime_type: "video/mp4".into(),
            size: 5_556,
            crc32c: None,
            sha256: None,
            status: MediaStatus::Processing,
            kind: MediaKind::Video,
            duration_ms: None,
            width: None,
            height: None,
            video_codec: None,
            audio_codec: None,
            container: None,
            error: None,
            source_url: None,
        },
        facts: None,
        path: PathBuf::from("/nonexistent"),
    }
}

fn verify(state: &SharedState, key: &str, duration_ms: u64) {
    let mut store = state.store();
    let stored = store.part::<MediaStore>().get_mut(key).unwrap();
    stored.media.status = MediaStatus::Ready;
    stored.facts = Some(MediaFacts {
        container: Container::Mp4,
        kind: MediaKind::Video,
        size: 5_556,
        duration_ms: Some(duration_ms),
        width: Some(64),
        height: Some(112),
        video_codec: Some(VideoCodec::H264),
        audio_codec: None,
    });
}

async fn create_tiktok_post(state: &SharedState, key: &str) -> Post {
    let now = state.clock.now();
    let profile =
        state.store().part::<Profiles>().create(Platform::Tiktok, Tier::Standard, None, now);
    state.store().part::<MediaStore>().insert(processing_media(key));
    let body = json!({ "profileId": profile.id, "content": { "text": "hi" }, "mediaKeys": [key] });
    let response = create(State(state.clone()), ApiJson(body)).await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn media_still_processing_is_checked_when_it_is_ready() {
    let state = state();
    let post = create_tiktok_post(&state, "org_mock/short.mp4").await;
    assert_eq!(post.status, PostStatus::Publishing);
    assert_eq!(post.results[0].status, TargetStatus::Pending);

    let later = state.clock.now().checked_add(jiff::SignedDuration::from_secs(10)).unwrap();
    advance(&state, later);
    assert_eq!(
        state.store().part::<Posts>().get(&post.id).unwrap().results[0].status,
        TargetStatus::Pending
    );

    verify(&state, "org_mock/short.mp4", 14_900);
    advance(&state, later);
    let post = state.store().part::<Posts>().get(&post.id).unwrap().clone();
    assert_eq!(post.status, PostStatus::Failed);
    let error = post.results[0].error.as_ref().unwrap();
    assert_eq!(error.code, ErrorCode::VideoTooShort);
    assert_eq!(error.details.as_ref().unwrap()["measured"], 14_900);
}

#[tokio::test]
async fn media_that_becomes_ready_and_fits_publishes() {
    let state = state();
    let post = create_tiktok_post(&state, "org_mock/fine.mp4").await;
    verify(&state, "org_mock/fine.mp4", 20_000);
    let now = state.clock.now();
    advance(&state, now);
    let current = state.store().part::<Posts>().get(&post.id).unwrap().clone();
    assert_eq!(current.results[0].status, TargetStatus::Publishing);
    advance(&state, now.checked_add(jiff::SignedDuration::from_secs(5)).unwrap());
    assert_eq!(state.store().part::<Posts>().get(&post.id).unwrap().status, PostStatus::Published);
}
