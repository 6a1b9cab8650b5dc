//! Profiles: connected accounts, listed newest first with cursor pagination, disconnected on
//! DELETE (idempotent, 200 with the profile). Admin helpers create a profile without OAuth and
//! revoke one (the platform token "expired": posts to it then get `PROFILE_DISCONNECTED`).

use aether::model::{Page, Platform, Profile, ProfileStatus, Tier};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::api_error::{ApiError, ApiResult};
use crate::clock::rfc3339;
use crate::context::Created;
use crate::ids::new_id;
use crate::json::ApiJson;
use crate::pagination::ListParams;
use crate::state::{Part, SharedState};
use crate::validation::{known_platform, known_tier, required_platform};

pub mod capabilities;

/// Profiles in the order they were connected (lists page through them newest first).
#[derive(Debug, Default)]
pub struct Profiles {
    profiles: Vec<Profile>,
}

impl Part for Profiles {}

impl Profiles {
    pub fn get(&self, id: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.id == id)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Profile> {
        self.profiles.iter_mut().find(|p| p.id == id)
    }

    /// Connects a new, active profile.
    pub fn create(
        &mut self,
        platform: Platform,
        tier: Tier,
        username: Option<String>,
        now: Timestamp,
    ) -> Profile {
        let prefix = id_prefix(&platform);
        let id = new_id(prefix);
        let token = &id[prefix.len() + 1..];
        let username = username.unwrap_or_else(|| format!("{}_{}", platform.as_str(), &token[..6]));
        let profile = Profile {
            id,
            platform,
            display_name: username.clone(),
            username,
            tier,
            status: ProfileStatus::Active,
            connected_at: rfc3339(now),
        };
        self.profiles.push(profile.clone());
        profile
    }

    /// Marks a profile disconnected (idempotent) and returns it; `None` for an unknown id.
    pub fn disconnect(&mut self, id: &str) -> Option<Profile> {
        let profile = self.get_mut(id)?;
        profile.status = ProfileStatus::Disconnected;
        Some(profile.clone())
    }
}

/// The prefix of a profile id the emulator issues, the vendor's (`tiktok_…`, `ig_…`, `li_…`):
/// profile ids are opaque, so nothing may rely on it, and tests see the ids users will see.
fn id_prefix(platform: &Platform) -> &'static str {
    match platform {
        Platform::Tiktok => "tiktok",
        Platform::Instagram => "ig",
        Platform::Linkedin => "li",
        Platform::Facebook => "fb",
        Platform::Youtube => "yt",
        Platform::Threads => "th",
        Platform::Reddit => "rd",
        Platform::Unknown(_) => "prof",
    }
}

/// The cursor kind of the profile list; a cursor of another list is refused.
const PROFILE_CURSOR: &str = "prof";

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/v1/profiles", get(list))
        .route("/v1/profiles/{id}", get(get_one).delete(disconnect))
}

pub fn admin_routes() -> Router<SharedState> {
    Router::new()
        .route("/_mock/profiles", post(admin_create))
        .route("/_mock/profiles/{id}/revoke", post(admin_revoke))
}

async fn list(
    State(state): State<SharedState>,
    Query(query): Query<Vec<(String, String)>>,
) -> ApiResult<Json<Page<Profile>>> {
    let params = ListParams::parse(&query, PROFILE_CURSOR, &["platform"])?;
    let platform = match params.extra("platform") {
        Some(name) => Some(known_platform(Platform::parse(name), "platform")?),
        None => None,
    };
    let mut store = state.store();
    let newest_first = store
        .part::<Profiles>()
        .profiles
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, p)| platform.as_ref().is_none_or(|wanted| p.platform == *wanted))
        .map(|(index, p)| (index as u64 + 1, p.clone()));
    Ok(Json(params.page(newest_first)))
}

async fn get_one(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Profile>> {
    let mut store = state.store();
    let profile =
        store.part::<Profiles>().get(&id).ok_or_else(|| ApiError::not_found("profile", &id))?;
    Ok(Json(profile.clone()))
}

/// `DELETE /v1/profiles/{id}`: 200 with the profile, now `disconnected`; repeating it answers
/// the same.
async fn disconnect(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Profile>> {
    let profile = state.store().part::<Profiles>().disconnect(&id);
    profile.map(Json).ok_or_else(|| ApiError::not_found("profile", &id))
}

/// The body of `POST /_mock/profiles`, shared with [`crate::Admin::create_profile`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewProfile {
    /// Required; optional here so that a missing one gets the emulator's message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// `standard` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<Tier>,
    /// The platform username; a generated one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// A chosen id (e.g. the placeholder `tiktok_profile_id` of a tutorial) instead of a random one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

impl NewProfile {
    /// A profile on `platform`, every other field the emulator's default.
    pub fn new(platform: Platform) -> NewProfile {
        NewProfile { platform: Some(platform), ..NewProfile::default() }
    }

    /// Sets the account tier (TikTok creator accounts may post longer videos).
    pub fn tier(mut self, tier: Tier) -> NewProfile {
        self.tier = Some(tier);
        self
    }

    /// Sets the platform username.
    pub fn username(mut self, username: impl Into<String>) -> NewProfile {
        self.username = Some(username.into());
        self
    }

    /// Chooses the profile's id instead of a random one.
    pub fn id(mut self, id: impl Into<String>) -> NewProfile {
        self.id = Some(id.into());
        self
    }
}

/// `POST /_mock/profiles {platform, tier?, username?, id?}` → 201 Profile, connected at once.
async fn admin_create(
    State(state): State<SharedState>,
    ApiJson(body): ApiJson<NewProfile>,
) -> ApiResult<(StatusCode, Extension<Created>, Json<Profile>)> {
    let platform = required_platform(body.platform)?;
    let tier = match body.tier {
        Some(tier) => known_tier(tier, "tier")?,
        None => Tier::Standard,
    };
    if let Some(username) = &body.username {
        if username.trim().is_empty() || username.chars().count() > 100 {
            return Err(ApiError::invalid("username", "username must be 1 to 100 characters"));
        }
    }
    if let Some(id) = &body.id {
        let valid = !id.is_empty()
            && id.len() <= 100
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !valid {
            return Err(ApiError::invalid("id", "id must be 1 to 100 letters, digits, _ or -"));
        }
    }
    let now = state.clock.now();
    let mut store = state.store();
    if let Some(id) = &body.id {
        if store.part::<Profiles>().get(id).is_some() {
            return Err(ApiError::invalid("id", format!("a profile with id {id} exists")));
        }
    }
    let mut profile = store.part::<Profiles>().create(platform, tier, body.username, now);
    if let Some(id) = body.id {
        if let Some(stored) = store.part::<Profiles>().get_mut(&profile.id) {
            stored.id = id.clone();
        }
        profile.id = id;
    }
    Ok((StatusCode::CREATED, Extension(Created(profile.id.clone())), Json(profile)))
}

/// `POST /_mock/profiles/{id}/revoke`: the platform revoked the token; the profile is
/// `disconnected` from now on.
async fn admin_revoke(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Profile>> {
    let profile = state.store().part::<Profiles>().disconnect(&id);
    profile.map(Json).ok_or_else(|| ApiError::not_found("profile", &id))
}
