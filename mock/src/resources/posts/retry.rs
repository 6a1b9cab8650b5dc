//! `POST /v1/posts/{id}/retry`: re-publish the failed targets of a `failed` or
//! `partially_published` post, and only those (PROTOCOL.md, second edition, "Publishing that
//! users can trust").
//!
//! Choices where the contract is silent:
//! - The failed targets go through the checks of a post that publishes now (as `POST
//!   /v1/posts` and a released draft do), and a refusal leaves the post untouched: each failed
//!   target's profile exists and is connected (404 / 409 `PROFILE_DISCONNECTED`), the post's
//!   media is still there and did not fail (404 / 422), each failed target's profile has quota
//!   left today (429 `POST_LIMIT_REACHED`). The media gate and the rules apply again when the
//!   targets start (`publish::start_at`), as for any start.
//! - A restarted target loses its `error`, `platformPostId`, `url` and `publishedAt`, and its
//!   `attempts` count from 1 again (a new publish run, retried on transient failures as any);
//!   the post loses its `error`. A target that published is never sent again.
//! - Any other status is 409 `POST_NOT_RETRYABLE` with `details.status`, including
//!   `publishing`: a second retry while the first is still publishing is refused (the targets
//!   are already on their way; wait for the post to settle, then retry what failed again).
//! - The route takes an `Idempotency-Key` like every POST: a retried request replays the first
//!   answer instead of restarting the targets a second time. A body, if any, is ignored.

use aether::model::{Post, PostStatus, TargetStatus};
use aether::ErrorCode;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::{checks, publish, Posts};
use crate::api_error::{ApiError, ApiResult};
use crate::resources::profiles::Profiles;
use crate::state::{SharedState, Store};
use crate::stored_media::MediaStore;

/// The statuses a retry accepts.
const RETRYABLE: [PostStatus; 2] = [PostStatus::Failed, PostStatus::PartiallyPublished];

pub(super) async fn retry(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let now = state.clock.now();
    let processing = publish::processing_time(&state);
    let mut guard = state.store();
    let store: &mut Store = &mut guard;
    let current = store.part::<Posts>().record_mut(&id)?.post.clone();
    if !RETRYABLE.contains(&current.status) {
        return Err(not_retryable(&current));
    }
    // The failed targets, named as in a PATCH (`profileIds[i]`), checked as a start now would.
    let failed: Vec<(String, String)> = current
        .results
        .iter()
        .enumerate()
        .filter(|(_, r)| r.status == TargetStatus::Failed)
        .map(|(i, r)| (format!("profileIds[{i}]"), r.profile_id.clone()))
        .collect();
    let targets = checks::check_targets(store.part::<Profiles>(), &failed)?;
    checks::check_media(store.part::<MediaStore>(), &current.media_keys)?;
    publish::check_quota(&store.part::<Posts>().quota, &targets, now)?;

    let mut events = publish::Events::new();
    {
        let (posts, profiles, media) = store.parts::<(Posts, Profiles, MediaStore)>();
        let Posts { records, quota, .. } = posts;
        let record = records
            .iter_mut()
            .find(|r| r.post.id == id)
            .ok_or_else(|| ApiError::not_found("post", &id))?;
        for (result, target) in record.post.results.iter_mut().zip(record.targets.iter_mut()) {
            if result.status != TargetStatus::Failed {
                continue;
            }
            // As a target that never started: its attempts count again from the start (the
            // media gate sets 1 when it publishes), with nothing left of the failed run.
            result.status = TargetStatus::Pending;
            result.attempts = 0;
            result.next_attempt_at = None;
            result.error = None;
            result.platform_post_id = None;
            result.url = None;
            result.published_at = None;
            target.finish_at = None;
            target.forced = None;
            target.transient_left = None;
            target.then = None;
            target.retry_at = None;
        }
        record.post.error = None;
        let mut world = publish::World { profiles, media, quota, processing, now };
        publish::start_at(record, &mut world, now, &mut events);
    }
    let post =
        store.part::<Posts>().get(&id).cloned().ok_or_else(|| ApiError::not_found("post", &id))?;
    publish::send(store, now, events);
    drop(guard);
    // The restarted targets' first change is due after their processing: the first poll's time.
    let mut response = Json(post).into_response();
    if let Some(ms) = super::hint::hint_ms(&state, &id) {
        super::hint::millis_only(&mut response, ms);
    }
    Ok(response)
}

/// 409 `POST_NOT_RETRYABLE`: what the post is and what a retry needs.
fn not_retryable(post: &Post) -> ApiError {
    let advice = match post.status {
        PostStatus::Publishing => "; wait until it settles, then retry what failed",
        PostStatus::Published => ": every target published, so nothing is left to retry",
        PostStatus::Draft | PostStatus::Scheduled => {
            ": it has not been published yet (release or cancel it instead)"
        }
        _ => "",
    };
    ApiError::new(
        ErrorCode::PostNotRetryable,
        format!(
            "post {} is {}{advice}; only a failed or partially_published post can be retried \
             (its failed targets publish again)",
            post.id, post.status
        ),
    )
    .details(json!({ "status": post.status, "retryable": RETRYABLE }))
}
