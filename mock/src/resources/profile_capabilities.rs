//! `GET /v1/profiles/{id}/capabilities` and its admin twin `PUT /_mock/profiles/{id}/capabilities`.
//! Apart from `resources/profiles/capabilities.rs` (the settings and the figures) because the
//! figures include the daily quota, which lives with the posts, and the posts' checks read
//! that file: kept here, nothing imports back.

use aether::model::{ProfileCapabilities, ProfileStatus};
use axum::extract::{Path, State};
use axum::routing::{get, put};
use axum::{Json, Router};

use crate::api_error::{ApiError, ApiResult};
use crate::clock::rfc3339;
use crate::json::ApiJson;
use crate::resources::posts::{remaining_today, Posts};
use crate::resources::profiles::capabilities::{
    capabilities_of, AccountSettings, CapabilitySettings,
};
use crate::resources::profiles::Profiles;
use crate::state::SharedState;

pub fn routes() -> Router<SharedState> {
    Router::new().route("/v1/profiles/{id}/capabilities", get(get_capabilities))
}

pub fn admin_routes() -> Router<SharedState> {
    Router::new().route("/_mock/profiles/{id}/capabilities", put(set_capabilities))
}

/// The capabilities of profile `id` now; `None` for an unknown profile.
fn capabilities(state: &SharedState, id: &str) -> Option<ProfileCapabilities> {
    let now = state.clock.now();
    let mut store = state.store();
    let (profiles, posts, settings) = store.parts::<(Profiles, Posts, AccountSettings)>();
    let profile = profiles.get(id)?;
    let (remaining, reset) = remaining_today(posts, id, &profile.platform, now);
    // A disconnected profile has nothing left to post until it is reconnected.
    let remaining = if profile.status == ProfileStatus::Active { remaining } else { 0 };
    Some(capabilities_of(profile, settings.get(id), remaining, rfc3339(reset)))
}

/// `GET /v1/profiles/{id}/capabilities` → 200 ProfileCapabilities; unknown id: 404.
async fn get_capabilities(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> ApiResult<Json<ProfileCapabilities>> {
    capabilities(&state, &id).map(Json).ok_or_else(|| ApiError::not_found("profile", &id))
}

/// `PUT /_mock/profiles/{id}/capabilities {maxVideoDurationSec?, privacyLevelOptions?,
/// commentDisabled?, duetDisabled?, stitchDisabled?, canPost?}` → 200 the capabilities now.
async fn set_capabilities(
    State(state): State<SharedState>,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<CapabilitySettings>,
) -> ApiResult<Json<ProfileCapabilities>> {
    if patch.max_video_duration_sec == Some(0) {
        return Err(ApiError::invalid(
            "maxVideoDurationSec",
            "maxVideoDurationSec must be at least 1 (seconds)",
        ));
    }
    if let Some(levels) = &patch.privacy_level_options {
        if levels.is_empty() {
            return Err(ApiError::invalid(
                "privacyLevelOptions",
                "privacyLevelOptions must name at least one level",
            ));
        }
        if let Some(unknown) = levels.iter().find(|level| level.is_unknown()) {
            return Err(ApiError::invalid(
                "privacyLevelOptions",
                format!(
                    "privacyLevelOptions names {:?}; use {}",
                    unknown.as_str(),
                    aether::platforms::TIKTOK_PRIVACY_LEVELS.join(", ")
                ),
            ));
        }
    }
    {
        let mut store = state.store();
        let (profiles, settings) = store.parts::<(Profiles, AccountSettings)>();
        let profile = profiles.get(&id).ok_or_else(|| ApiError::not_found("profile", &id))?;
        let tiktok_only = patch.privacy_level_options.is_some()
            || patch.comment_disabled.is_some()
            || patch.duet_disabled.is_some()
            || patch.stitch_disabled.is_some();
        if tiktok_only && profile.platform != aether::model::Platform::Tiktok {
            return Err(ApiError::invalid(
                "privacyLevelOptions",
                format!(
                    "profile {id} is on {}: privacyLevelOptions and the comment/duet/stitch \
                     switches are TikTok's; set maxVideoDurationSec or canPost",
                    profile.platform
                ),
            ));
        }
        settings.merge(&id, patch);
    }
    capabilities(&state, &id).map(Json).ok_or_else(|| ApiError::not_found("profile", &id))
}
