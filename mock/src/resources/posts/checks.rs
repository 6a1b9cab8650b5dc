//! What `POST /v1/posts` and `PATCH /v1/posts/{id}` check before they store anything, in this
//! order (the first failure is the answer):
//! 1. the body's shape (400 `INVALID_REQUEST`): one form of each thing (`shape.rs`), exactly one
//!    of `profileId` / `profileIds`;
//!    `platforms` an object keyed by known platform names, each naming a target's platform;
//! 2. the targets: each profile exists (404 `NOT_FOUND`, `details.resource: "profile"`) and is
//!    connected (409 `PROFILE_DISCONNECTED`);
//! 3. the schedule (see `schedule.rs`);
//! 4. the media: each key exists (404, `details.resource: "media"`) and did not fail
//!    verification (422 `UNSUPPORTED_MEDIA_TYPE`); media still processing is accepted;
//! 5. the rules table, per target (`aether::platforms::validate`): the first violation is the
//!    answer (its code, field, platform, measured/allowed), and `details.violations` lists all
//!    of them, every target included;
//! 6. the daily quota, for a post that publishes now (429 `POST_LIMIT_REACHED`).

use aether::model::params::suggest;
use aether::model::{
    CreatePostRequest, Platform, PlatformOptionsMap, PostContent, ProfileStatus, Tier,
};
use aether::platforms::{rules, validate, PostDraft, Violation};
use aether::probe::MediaFacts;
use aether::ErrorCode;
use serde_json::{json, Map, Value};

use super::shape::{self, MediaItem};
use crate::api_error::{ApiError, ApiResult};
use crate::resources::profiles::capabilities::{check_target, AccountSettings};
use crate::resources::profiles::Profiles;
use crate::stored_media::MediaStore;

/// A target profile, as the checks found it.
#[derive(Debug, Clone)]
pub struct TargetInfo {
    /// Where the id is in the request (`profileId`, `profileIds[1]`).
    pub field: String,
    pub profile_id: String,
    pub platform: Platform,
    pub tier: Tier,
    pub username: String,
}

/// A create body, normalized (`shape.rs`): the request, its content, its media items, and
/// `platforms` as raw JSON (so option types are judged by the rules table, as
/// `INVALID_PLATFORM_OPTION`, rather than by the JSON parser).
#[derive(Debug)]
pub struct CreateInput {
    pub request: CreatePostRequest,
    pub content: PostContent,
    /// The media, whichever form named them.
    pub media: Vec<MediaItem>,
    /// What the options were called (`platforms` or `overrides`), for warnings.
    pub options_alias: &'static str,
    pub platforms: Map<String, Value>,
    /// (field, profile id) of each target, in request order.
    pub targets: Vec<(String, String)>,
}

/// The fields of `content`.
const CONTENT_FIELDS: &[&str] = &["text", "title"];

/// Refuses a field not in `known`, naming it (`prefix` + name), so a typo such as
/// `scheduledfor` never silently publishes at once.
pub fn known_fields(fields: &Map<String, Value>, known: &[&str], prefix: &str) -> ApiResult<()> {
    match fields.keys().find(|name| !known.contains(&name.as_str())) {
        None => Ok(()),
        Some(name) => {
            let hint = match suggest(name, known) {
                Some(near) => format!("did you mean {prefix}{near}? "),
                None => String::new(),
            };
            Err(ApiError::invalid(
                format!("{prefix}{name}"),
                format!("unknown field {prefix}{name}; {hint}allowed here: {}", known.join(", ")),
            ))
        }
    }
}

/// Checks `content`'s fields and gives `text` its default (`""`).
pub fn normalize_content(content: Option<&mut Value>) -> ApiResult<()> {
    if let Some(Value::Object(content)) = content {
        known_fields(content, CONTENT_FIELDS, "content.")?;
        content.entry("text").or_insert_with(|| Value::from(""));
    }
    Ok(())
}

pub fn parse_create(body: Value) -> ApiResult<CreateInput> {
    let Value::Object(mut fields) = body else {
        return Err(ApiError::invalid("body", "the body must be a JSON object"));
    };
    // Any field but the SDK's own list is 400 `INVALID_REQUEST` naming it.
    known_fields(&fields, aether::model::CREATE_POST_FIELDS, "")?;
    let options_alias = if fields.contains_key("overrides") { "overrides" } else { "platforms" };
    let media = shape::normalize(&mut fields)?;
    let platforms = raw_platforms(fields.remove("platforms"), options_alias)?;
    if fields.get("content").is_none_or(Value::is_null) {
        return Err(ApiError::invalid(
            "content",
            "the post needs its text: \"text\": \"…\" (or content: { \"text\": \"…\", \"title\": \"…\" })",
        ));
    }
    normalize_content(fields.get_mut("content"))?;
    let bytes = serde_json::to_vec(&Value::Object(fields)).unwrap_or_default();
    let request: CreatePostRequest = crate::json::parse_json(&bytes)?;
    let content = request.content.clone().unwrap_or_default();
    let targets = match (&request.profile_id, &request.profile_ids) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "profileIds",
                "give profileId (one profile) or profileIds (several), not both",
            ))
        }
        (None, None) => {
            return Err(ApiError::invalid(
                "profileId",
                "profileId is required (or profileIds to cross-post to several profiles)",
            ))
        }
        (Some(id), None) => vec![("profileId".to_owned(), id.clone())],
        (None, Some(ids)) => {
            if ids.is_empty() {
                return Err(ApiError::invalid(
                    "profileIds",
                    "profileIds must name at least one profile",
                ));
            }
            let mut targets: Vec<(String, String)> = Vec::new();
            for (index, id) in ids.iter().enumerate() {
                if let Some((first, _)) = targets.iter().find(|(_, seen)| seen == id) {
                    return Err(ApiError::invalid(
                        format!("profileIds[{index}]"),
                        format!(
                            "profileIds[{index}] repeats {id:?} (already {first}); name each \
                             profile once"
                        ),
                    ));
                }
                targets.push((format!("profileIds[{index}]"), id.clone()));
            }
            targets
        }
    };
    Ok(CreateInput { request, content, media, options_alias, platforms, targets })
}

fn raw_platforms(value: Option<Value>, alias: &str) -> ApiResult<Map<String, Value>> {
    match value {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(map)) => Ok(map),
        Some(_) => Err(ApiError::invalid(
            alias,
            format!(
                "{alias} must be an object of options keyed by platform, e.g. {{\"tiktok\": {{}}}}"
            ),
        )),
    }
}

/// The stored options of a post as raw JSON again, for re-checking on edit.
pub fn platforms_json(options: &PlatformOptionsMap) -> Map<String, Value> {
    match serde_json::to_value(options) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// The options, typed, once the rules table accepted them.
pub fn typed_platforms(platforms: &Map<String, Value>) -> ApiResult<PlatformOptionsMap> {
    serde_json::from_value(Value::Object(platforms.clone())).map_err(|error| {
        ApiError::new(ErrorCode::InvalidPlatformOption, format!("platforms: {error}"))
            .field("platforms")
    })
}

/// Every target exists and is connected.
pub fn check_targets(
    profiles: &Profiles,
    targets: &[(String, String)],
) -> ApiResult<Vec<TargetInfo>> {
    targets
        .iter()
        .map(|(field, id)| {
            let Some(profile) = profiles.get(id) else {
                return Err(ApiError::not_found("profile", id).field(field.clone()));
            };
            if profile.status != ProfileStatus::Active {
                return Err(ApiError::new(
                    ErrorCode::ProfileDisconnected,
                    format!(
                        "profile {id} ({} @{}) is disconnected: its token was revoked or expired; \
                         reconnect it with a connect link",
                        profile.platform, profile.username
                    ),
                )
                .field(field.clone())
                .platform(profile.platform.as_str())
                .details(json!({ "profileId": id })));
            }
            Ok(TargetInfo {
                field: field.clone(),
                profile_id: id.clone(),
                platform: profile.platform.clone(),
                tier: profile.tier.clone(),
                username: profile.username.clone(),
            })
        })
        .collect()
}

/// Each key of `platforms` is a known platform with an object as its options (else 400
/// `INVALID_REQUEST`). A target whose platform is not named takes that platform's defaults
/// (`{}`); options for a platform no target is on are ignored (dropped from the post), as
/// `spec/openapi.yaml` says.
/// Returns the names of the platforms whose options were dropped.
pub fn check_platforms(
    platforms: &mut Map<String, Value>,
    targets: &[TargetInfo],
) -> ApiResult<Vec<String>> {
    for (name, value) in platforms.iter() {
        let field = format!("platforms.{name}");
        let platform = Platform::parse(name);
        if platform.is_unknown() {
            let known: Vec<&str> = Platform::ALL.iter().map(Platform::as_str).collect();
            return Err(ApiError::invalid(
                field,
                format!("unknown platform {name:?} in platforms; use one of {}", known.join(", ")),
            )
            .details(json!({ "allowed": known })));
        }
        if !value.is_object() {
            return Err(ApiError::invalid(
                field.clone(),
                format!("{field} must be an object of options ({{}} for the defaults)"),
            )
            .platform(name.as_str()));
        }
    }
    let unused = |name: &String| !targets.iter().any(|t| t.platform.as_str() == name);
    let dropped: Vec<String> = platforms.keys().filter(|n| unused(n)).cloned().collect();
    platforms.retain(|name, _| !unused(name));
    Ok(dropped)
}

/// The facts of each media key, `None` for media still being verified.
pub fn check_media(media: &MediaStore, keys: &[String]) -> ApiResult<Vec<Option<MediaFacts>>> {
    let named: Vec<(String, String)> =
        keys.iter().enumerate().map(|(i, key)| (format!("mediaKeys[{i}]"), key.clone())).collect();
    check_media_at(media, &named)
}

/// [`check_media`] for `(field, key)` pairs, each error naming its field.
pub fn check_media_at(
    media: &MediaStore,
    keys: &[(String, String)],
) -> ApiResult<Vec<Option<MediaFacts>>> {
    keys.iter()
        .map(|(field, key)| {
            let field = field.clone();
            let Some(stored) = media.get(key) else {
                return Err(ApiError::not_found("media", key).field(field));
            };
            if let Some(error) = stored.media.error.as_ref().filter(|_| stored.facts.is_none()) {
                // A URL that could not be fetched keeps its own code (media by URL).
                let (code, what) = match error.code {
                    ErrorCode::MediaFetchFailed => {
                        (ErrorCode::MediaFetchFailed, "could not be fetched")
                    }
                    _ => (ErrorCode::UnsupportedMediaType, "failed verification"),
                };
                return Err(ApiError::new(code, format!("media {key} {what}: {}", error.message))
                    .field(field)
                    .details(json!({ "mediaKey": key, "mediaError": error })));
            }
            if stored.media.status == aether::model::MediaStatus::Failed {
                return Err(ApiError::new(
                    ErrorCode::UnsupportedMediaType,
                    format!("media {key} failed verification"),
                )
                .field(field)
                .details(json!({ "mediaKey": key })));
            }
            Ok(stored.facts.clone())
        })
        .collect()
}

/// The `platforms.<platform>` object of one target (`{}` when not named).
pub fn options_for(platforms: &Map<String, Value>, platform: &Platform) -> Map<String, Value> {
    platforms.get(platform.as_str()).and_then(Value::as_object).cloned().unwrap_or_default()
}

/// Every rule one target breaks. Media still processing (`None`) is judged later: the item
/// checks run on the verified items only, and the count/layout checks wait until all are.
pub fn violations(
    target: &TargetInfo,
    content: &PostContent,
    options: Map<String, Value>,
    media: &[Option<MediaFacts>],
) -> Vec<Violation> {
    let mut draft = PostDraft::new(target.platform.clone(), content.text.clone())
        .with_tier(target.tier.clone());
    draft.title = content.title.clone();
    draft.options = options;
    if media.iter().all(Option::is_some) {
        draft.media = media.iter().flatten().cloned().collect();
        return validate(&draft).violations;
    }
    let Some(table) = rules(&target.platform) else { return validate(&draft).violations };
    let mut found: Vec<Violation> =
        table.validate(&draft).violations.into_iter().filter(|v| v.field != "mediaKeys").collect();
    for (index, facts) in media.iter().enumerate() {
        if let Some(facts) = facts {
            found.extend(table.check_media_item(&target.tier, &draft.options, index, facts));
        }
    }
    found
}

/// Every target against the rules table; the first violation is the error.
pub fn check_rules(
    targets: &[TargetInfo],
    content: &PostContent,
    platforms: &Map<String, Value>,
    media: &[Option<MediaFacts>],
) -> ApiResult<()> {
    let all: Vec<Violation> = targets
        .iter()
        .flat_map(|t| violations(t, content, options_for(platforms, &t.platform), media))
        .collect();
    match all.is_empty() {
        true => Ok(()),
        false => Err(violations_error(all)),
    }
}

/// The API error for a list of violations: the first one, with all of them in
/// `details.violations`.
pub fn violations_error(violations: Vec<Violation>) -> ApiError {
    let first = violations[0].clone();
    let mut details = first.details();
    details.insert("violations".into(), serde_json::to_value(&violations).unwrap_or_default());
    let mut message = first.message.clone();
    match violations.len() {
        1 => {}
        2 => message.push_str(" (and 1 more problem: see details.violations)"),
        n => message.push_str(&format!(" (and {} more problems: see details.violations)", n - 1)),
    }
    ApiError::new(first.code, message)
        .field(first.field)
        .platform(first.platform.as_str())
        .details(Value::Object(details))
}

/// Each target against its account's capabilities (`GET /v1/profiles/{id}/capabilities`):
/// a privacy level the account does not offer, a switch it turned off asked on, a video
/// longer than it may post: 422 with the account's figures in `details`.
/// `media` is `check_media_at`'s answer for the `named` `(field, key)` pairs.
pub fn check_capabilities(
    store: &mut crate::state::Store,
    targets: &[TargetInfo],
    platforms: &Map<String, Value>,
    named: &[(String, String)],
    media: &[Option<MediaFacts>],
) -> ApiResult<()> {
    let (profiles, settings) = store.parts::<(Profiles, AccountSettings)>();
    let media: Vec<(String, Option<MediaFacts>)> =
        named.iter().map(|(field, _)| field.clone()).zip(media.iter().cloned()).collect();
    for target in targets {
        let Some(profile) = profiles.get(&target.profile_id) else { continue };
        let options = options_for(platforms, &target.platform);
        if let Some(found) = check_target(settings, profile, &options, &media) {
            return Err(ApiError::new(found.code, found.message)
                .field(found.field)
                .platform(found.platform.as_str())
                .details(Value::Object(found.details)));
        }
    }
    Ok(())
}
