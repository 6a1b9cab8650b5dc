//! Profiles: connected accounts, listed newest first with cursor pagination, disconnected on
//! DELETE (idempotent, 200 with the profile). Admin helpers create a profile without OAuth and
//! revoke one (the platform token "expired": posts to it then get `PROFILE_DISCONNECTED`).
//!
//! This module also holds the list helpers (`?limit=&cursor=`, opaque cursors) that the other
//! list endpoints share.

use aether::model::{Page, Platform, Profile, ProfileStatus, Tier};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::api_error::{ApiError, ApiResult};
use crate::clock::rfc3339;
use crate::context::Created;
use crate::ids::new_id;
use crate::json::ApiJson;
use crate::state::SharedState;

/// Profiles in the order they were connected (lists page through them newest first).
#[derive(Debug, Default)]
pub struct Profiles {
    profiles: Vec<Profile>,
}

impl Profiles {
    pub fn get(&self, id: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.id == id)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Profile> {
        self.profiles.iter_mut().find(|p| p.id == id)
    }

    pub fn all(&self) -> &[Profile] {
        &self.profiles
    }

    /// Connects a new, active profile.
    pub fn create(
        &mut self,
        platform: Platform,
        tier: Tier,
        username: Option<String>,
        now: Timestamp,
    ) -> Profile {
        let id = new_id("prof");
        let username = username.unwrap_or_else(|| format!("{}_{}", platform.as_str(), &id[5..11]));
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
    let store = state.store();
    let newest_first = store
        .profiles
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
    let store = state.store();
    let profile = store.profiles.get(&id).ok_or_else(|| ApiError::not_found("profile", &id))?;
    Ok(Json(profile.clone()))
}

/// `DELETE /v1/profiles/{id}`: 200 with the profile, now `disconnected`; repeating it answers
/// the same.
async fn disconnect(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Profile>> {
    let profile = state.store().profiles.disconnect(&id);
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

    pub fn tier(mut self, tier: Tier) -> NewProfile {
        self.tier = Some(tier);
        self
    }

    pub fn username(mut self, username: impl Into<String>) -> NewProfile {
        self.username = Some(username.into());
        self
    }

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
        if store.profiles.get(id).is_some() {
            return Err(ApiError::invalid("id", format!("a profile with id {id} exists")));
        }
    }
    let mut profile = store.profiles.create(platform, tier, body.username, now);
    if let Some(id) = body.id {
        if let Some(stored) = store.profiles.get_mut(&profile.id) {
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
    let profile = state.store().profiles.disconnect(&id);
    profile.map(Json).ok_or_else(|| ApiError::not_found("profile", &id))
}

// ---------------------------------------------------------------------------------------------
// Validation shared by the resources
// ---------------------------------------------------------------------------------------------

fn allowed<T>(all: &[T], as_str: impl Fn(&T) -> &str) -> Vec<String> {
    all.iter().map(|v| as_str(v).to_owned()).collect()
}

/// The platform of a request body, which must be present and known.
pub fn required_platform(platform: Option<Platform>) -> ApiResult<Platform> {
    match platform {
        Some(platform) => known_platform(platform, "platform"),
        None => Err(ApiError::invalid(
            "platform",
            format!(
                "platform is required; one of {}",
                allowed(Platform::ALL, Platform::as_str).join(", ")
            ),
        )),
    }
}

/// Refuses a platform this emulator does not know, listing the allowed ones.
pub fn known_platform(platform: Platform, field: &str) -> ApiResult<Platform> {
    if !platform.is_unknown() {
        return Ok(platform);
    }
    let allowed = allowed(Platform::ALL, Platform::as_str);
    Err(ApiError::invalid(
        field,
        format!(
            "{field} {:?} is not supported; use one of {}",
            platform.as_str(),
            allowed.join(", ")
        ),
    )
    .details(json!({ "allowed": allowed })))
}

/// Refuses a tier other than `standard` or `creator`.
pub fn known_tier(tier: Tier, field: &str) -> ApiResult<Tier> {
    if !tier.is_unknown() {
        return Ok(tier);
    }
    let allowed = allowed(Tier::ALL, Tier::as_str);
    Err(ApiError::invalid(
        field,
        format!("{field} {:?} is not a tier; use one of {}", tier.as_str(), allowed.join(", ")),
    )
    .details(json!({ "allowed": allowed })))
}

// ---------------------------------------------------------------------------------------------
// Lists: `?limit=` (1–100, default 20) and `?cursor=`, newest first
// ---------------------------------------------------------------------------------------------

/// The cursor kind of the profile list; a cursor of another list is refused.
const PROFILE_CURSOR: &str = "prof";

pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 100;

/// The validated query of a list endpoint.
#[derive(Debug, Clone)]
pub struct ListParams {
    pub limit: usize,
    /// Only items with a sequence number below this one (the last item of the previous page).
    pub before: Option<u64>,
    kind: &'static str,
    extra: Vec<(String, String)>,
}

impl ListParams {
    /// Reads `limit` and `cursor` and the endpoint's own filters (`extra_names`); any other
    /// parameter, a repeated one, a limit outside 1–100 or a cursor this list did not hand out
    /// is 400 `INVALID_REQUEST` naming the parameter.
    pub fn parse(
        query: &[(String, String)],
        kind: &'static str,
        extra_names: &[&str],
    ) -> ApiResult<ListParams> {
        let mut params = ListParams { limit: DEFAULT_LIMIT, before: None, kind, extra: Vec::new() };
        let mut seen: Vec<&str> = Vec::new();
        for (name, value) in query {
            if seen.contains(&name.as_str()) {
                return Err(ApiError::invalid(
                    name.clone(),
                    format!("query parameter {name:?} is given twice; give it once"),
                ));
            }
            seen.push(name);
            match name.as_str() {
                "limit" => params.limit = parse_limit(value)?,
                "cursor" => params.before = Some(decode_cursor(kind, value)?),
                other if extra_names.contains(&other) => {
                    params.extra.push((name.clone(), value.clone()));
                }
                other => {
                    let mut known = vec!["limit", "cursor"];
                    known.extend_from_slice(extra_names);
                    return Err(ApiError::invalid(
                        other,
                        format!(
                            "unknown query parameter {other:?}; this list takes {}",
                            known.join(", ")
                        ),
                    ));
                }
            }
        }
        Ok(params)
    }

    /// The value of one of the endpoint's own filters.
    pub fn extra(&self, name: &str) -> Option<&str> {
        self.extra.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// One page of `newest_first`, whose items carry a sequence number that only grows with
    /// creation (so a cursor survives deletions).
    pub fn page<T>(&self, newest_first: impl Iterator<Item = (u64, T)>) -> Page<T> {
        let mut data = Vec::new();
        let mut last_seq = 0;
        let mut next_cursor = None;
        for (seq, item) in newest_first.filter(|(seq, _)| self.before.is_none_or(|b| *seq < b)) {
            if data.len() == self.limit {
                next_cursor = Some(encode_cursor(self.kind, last_seq));
                break;
            }
            last_seq = seq;
            data.push(item);
        }
        Page { data, next_cursor }
    }
}

fn parse_limit(value: &str) -> ApiResult<usize> {
    match value.parse::<usize>() {
        Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => Ok(limit),
        _ => Err(ApiError::invalid(
            "limit",
            format!("limit must be an integer from 1 to {MAX_LIMIT}; got {value:?}"),
        )),
    }
}

/// An opaque cursor: the list's kind and the sequence number of the last item handed out.
pub fn encode_cursor(kind: &str, seq: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}:{seq}"))
}

fn decode_cursor(kind: &str, cursor: &str) -> ApiResult<u64> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| {
            let (k, seq) = text.split_once(':')?;
            (k == kind).then(|| seq.parse::<u64>().ok()).flatten()
        })
        .ok_or_else(|| {
            ApiError::invalid(
                "cursor",
                "cursor is not a nextCursor of this list; pass the nextCursor of the previous \
                 page, or leave cursor out to start from the first page",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn pages_walk_every_item_once_newest_first() {
        let items: Vec<(u64, u64)> = (1..=45).rev().map(|seq| (seq, seq)).collect();
        let mut params = ListParams::parse(&query(&[]), "t", &[]).unwrap();
        let mut seen = Vec::new();
        loop {
            let page = params.page(items.iter().copied());
            seen.extend(page.data);
            match page.next_cursor {
                Some(cursor) => {
                    params = ListParams::parse(&query(&[("cursor", &cursor)]), "t", &[]).unwrap()
                }
                None => break,
            }
        }
        assert_eq!(seen, (1..=45).rev().collect::<Vec<_>>());
    }

    #[test]
    fn an_exactly_full_last_page_has_no_next_cursor() {
        let params = ListParams::parse(&query(&[("limit", "3")]), "t", &[]).unwrap();
        let page = params.page([(3, 'c'), (2, 'b'), (1, 'a')].into_iter());
        assert_eq!(page.data, vec!['c', 'b', 'a']);
        assert_eq!(page.next_cursor, None);
    }

    #[test]
    fn cursors_of_another_list_and_bad_limits_are_refused() {
        let cursor = encode_cursor("other", 5);
        let error = ListParams::parse(&query(&[("cursor", &cursor)]), "t", &[]).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("cursor"));
        for limit in ["0", "101", "-1", "ten", ""] {
            let error = ListParams::parse(&query(&[("limit", limit)]), "t", &[]).unwrap_err();
            assert_eq!(error.field.as_deref(), Some("limit"), "{limit}");
        }
        let error = ListParams::parse(&query(&[("limt", "5")]), "t", &[]).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("limt"));
    }
}
