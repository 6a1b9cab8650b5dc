//! Posts: create (checked against the rules table, published at once or scheduled), get, list,
//! edit, cancel and retry (`posts/retry.rs`); publishing simulated on the virtual clock with a daily quota per profile;
//! admin helpers that force how targets end.
//!
//! Choices where PROTOCOL.md is silent (those of `spec/openapi.yaml` followed, the others
//! listed here so the spec can take them over):
//! - Bodies refuse unknown fields (400 `INVALID_REQUEST` naming the field, `content.*` too);
//!   `content.text` defaults to `""`.
//! - `profileId` or `profileIds`, exactly one of them (400 `INVALID_REQUEST` otherwise; a
//!   repeated id in `profileIds` is 400 too).
//! - `platforms`: a target whose platform is not named takes that platform's defaults (`{}`);
//!   options for a platform no target is on are ignored and dropped from the post (spec); a
//!   name that is not a platform, or options that are not an object, are 400
//!   `INVALID_REQUEST` (field `platforms.<name>`). Unknown option fields, wrong option types and
//!   values outside an option's enum are 422 `INVALID_PLATFORM_OPTION`
//!   (field `platforms.<platform>.<option>`).
//! - Validation answers the first problem found (order in `posts/checks.rs`); for the rules
//!   table the first violation is the answer and `details.violations` lists all of them.
//! - `scheduledFor` without an offset needs `timezone` (400 `INVALID_REQUEST`, field `timezone`,
//!   per the spec); a bad zone name is 422 `INVALID_TIMEZONE`. See `posts/schedule.rs`.
//! - `draft: true` stores the post as `draft` (targets `pending`), never counted against the
//!   quota; a `scheduledFor` given with it is checked and kept. PATCH `draft: false` releases a
//!   draft: `scheduled` when it has `scheduledFor` (checked again), else `publishing` now (quota
//!   checked); PATCH `draft: true` turns a scheduled post back into a draft (spec choices).
//! - PATCH re-checks everything (targets still connected, media, rules; the schedule when
//!   `scheduledFor` or `timezone` changes or a draft is released) with the codes of create;
//!   `timezone` alone re-reads the stored local `scheduledFor` in the new zone. Moving a
//!   scheduled post keeps it `scheduled` and emits no event.
//! - The quota: publishes per profile per UTC day (virtual clock), limit = the rules table's
//!   posts per day. A post that would publish now is refused with 429 `POST_LIMIT_REACHED`
//!   (`retryAfter` = seconds to 00:00 UTC, `details.resetAt`, field `profileId`/`profileIds[i]`,
//!   `platform`) when any target's quota is used up. Scheduled posts are counted when they start
//!   (on the UTC day of `publishAt`); a target over the limit then fails with
//!   `POST_LIMIT_REACHED`. A publish that later fails still counts.
//! - Events: `post.scheduled` (created scheduled, or a draft released to a schedule),
//!   `post.publishing`, `post.published` (every target published), `post.failed` (every target
//!   failed, and also `partially_published`: a target needs attention, and `data.post` says
//!   which), `post.cancelled`. Drafts emit none.
//! - While a post is publishing, `GET /v1/posts/{id}` sends `Retry-After-Ms`, the time until
//!   its next scheduled change, and `Retry-After` (whole seconds); create and retry answers send
//!   `Retry-After-Ms` (`posts/hint.rs`, which says when settings replace the estimate).
//! - `GET /v1/posts`: newest first; filters `status` and `profileId` (an unknown profile gives
//!   an empty list); unknown parameters, a bad `limit` or a foreign `cursor` are 400.
//! - Admin: `POST /_mock/posts/{id}/outcome` `{ outcome: "published"|"failed", code?, message?,
//!   profileId? }` decides how the post's unfinished targets (or the one named) end when their
//!   processing does (drafts and scheduled posts included); a finished post or target is 409
//!   `POST_NOT_EDITABLE`. `POST /_mock/outcomes` `{ outcome?, code?, message?,
//!   transientFailures?, profileId?, platform?, times? }` adds a rule for targets that finish
//!   later without a forced outcome (first match wins, consulted once per target when its first
//!   attempt ends; `times` makes it expire; `outcome` or `transientFailures` required);
//!   `GET`/`DELETE /_mock/outcomes` list/clear.
//! - Publish retries (`posts/publish.rs`): a transient failure (a rule's `transientFailures`) is
//!   retried up to 5 times, 30 s, 1, 2, 4, 8 min after each failure; the target stays
//!   `publishing` with `attempts` and `nextAttemptAt`; after the sixth attempt it fails
//!   `PLATFORM_ERROR` (`details.transient`, `details.attempts`). Every attempt is a journal
//!   entry `PUBLISH /platforms/{platform}/publish` (200, 503 or the error's status).

mod bulk;
mod checks;
mod hint;
mod publish;
mod retry;
mod schedule;
mod shape;
mod warnings;

/// The quota figures of `GET /v1/profiles/{id}/capabilities`.
pub use publish::remaining_today;

use aether::model::{
    Platform, Post, PostStatus, TargetResult, TargetStatus, Tier, WebhookEventType,
};
use aether::ErrorCode;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::api_error::{ApiError, ApiResult};
use crate::clock::rfc3339;
use crate::context::Created;
use crate::ids::new_id;
use crate::json::ApiJson;
use crate::pagination::ListParams;
use crate::resources::idempotency::idempotent;
use crate::resources::profiles::Profiles;
use crate::state::{Part, SharedState, Store};
use crate::stored_media::MediaStore;

pub use publish::{advance, Outcome, OutcomeKind};

/// Every post, in creation order, with the state publishing needs.
#[derive(Debug, Default)]
pub struct Posts {
    records: Vec<PostRecord>,
    next_seq: u64,
    quota: publish::Quota,
    outcome_rules: Vec<OutcomeRule>,
}

impl Part for Posts {}

impl Posts {
    pub fn get(&self, id: &str) -> Option<&Post> {
        self.records.iter().find(|r| r.post.id == id).map(|r| &r.post)
    }

    fn record_mut(&mut self, id: &str) -> ApiResult<&mut PostRecord> {
        self.records
            .iter_mut()
            .find(|r| r.post.id == id)
            .ok_or_else(|| ApiError::not_found("post", id))
    }
}

/// A post and what the simulation keeps beside it.
#[derive(Debug, Clone)]
struct PostRecord {
    /// Creation order, for cursors.
    seq: u64,
    post: Post,
    publish_at: Option<Timestamp>,
    /// One per `post.results` entry, same order.
    targets: Vec<Target>,
}

#[derive(Debug, Clone)]
struct Target {
    tier: Tier,
    username: String,
    /// When this target's processing ends, while it is publishing.
    finish_at: Option<Timestamp>,
    /// How it ends, when forced through the admin API.
    forced: Option<Outcome>,
    /// Transient failures still to come from the outcome rule that matched this target; `None`
    /// until its first attempt of a publish run ends (rules are consulted once per run).
    transient_left: Option<u32>,
    /// How the rule that matched says the target ends once its transient failures are over.
    then: Option<Outcome>,
    /// When the next attempt starts, while a transient failure waits for its retry.
    retry_at: Option<Timestamp>,
}

/// A pre-set outcome for targets that finish later (`POST /_mock/outcomes`), shared with
/// [`crate::Admin::add_outcome_rule`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OutcomeRule {
    /// Given by the emulator; empty in a request.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Only targets of this profile; every target when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_id: Option<String>,
    /// Only targets on this platform; every platform when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// How the target ends (after its transient failures, if any); absent: `published`. A rule
    /// needs `outcome` or `transientFailures`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<OutcomeKind>,
    /// The error code a `failed` outcome ends with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<ErrorCode>,
    /// The error message a `failed` outcome ends with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The target's first N publish attempts fail transiently (the server retries them), then
    /// it ends as `outcome`: "2 transient failures, then success" is `{transientFailures: 2}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transient_failures: Option<u32>,
    /// Apply to the next N targets, then disappear; absent: always.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
}

impl OutcomeRule {
    /// Every target that finishes from now on ends as `outcome`.
    pub fn new(outcome: OutcomeKind) -> OutcomeRule {
        OutcomeRule {
            id: String::new(),
            profile_id: None,
            platform: None,
            outcome: Some(outcome),
            code: None,
            message: None,
            transient_failures: None,
            times: None,
        }
    }

    /// Every target that publishes from now on fails transiently `count` times (each attempt
    /// retried by the server), then publishes.
    pub fn transient(count: u32) -> OutcomeRule {
        OutcomeRule {
            outcome: None,
            transient_failures: Some(count),
            ..OutcomeRule::new(OutcomeKind::Published)
        }
    }
}

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/v1/posts", idempotent(post(create)).get(list))
        .route("/v1/posts/bulk", bulk::route())
        .route("/v1/posts/{id}", get(get_one).patch(update).delete(cancel))
        .route("/v1/posts/{id}/retry", idempotent(post(retry::retry)))
}

pub fn admin_routes() -> Router<SharedState> {
    Router::new()
        .route("/_mock/posts/{id}/outcome", post(force_outcome))
        .route("/_mock/outcomes", post(add_rule).get(list_rules).delete(clear_rules))
}

fn status_of_targets(status: &PostStatus) -> TargetStatus {
    match status {
        PostStatus::Scheduled => TargetStatus::Scheduled,
        PostStatus::Cancelled => TargetStatus::Cancelled,
        _ => TargetStatus::Pending,
    }
}

async fn create(
    State(state): State<SharedState>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Response> {
    let post = create_post(&state, body, false)?
        .ok_or_else(|| ApiError::new(ErrorCode::InternalError, "the post was not created"))?;
    let mut response = (StatusCode::CREATED, Json(post.clone())).into_response();
    if let Some(ms) = hint::hint_ms(&state, &post.id) {
        hint::millis_only(&mut response, ms);
    }
    response.extensions_mut().insert(Created(post.id));
    Ok(response)
}

/// The create path of `POST /v1/posts`, shared with bulk rows (`posts/bulk.rs`): every check
/// in order, then (unless `dry_run`) the post stored, started and announced. A dry run answers
/// `None` once every check passed.
pub(crate) fn create_post(
    state: &SharedState,
    body: Value,
    dry_run: bool,
) -> ApiResult<Option<Post>> {
    let mut input = checks::parse_create(body)?;
    // URL media are fetched and stored at once (before the lock, which the ingest takes).
    let keyed = shape::ingest(state, &input.media)?;
    input.request.media_keys = keyed.iter().map(|(_, key, _)| key.clone()).collect();
    let now = state.clock.now();
    let processing = publish::processing_time(state);
    let mut guard = state.store();
    let store: &mut Store = &mut guard;

    let targets = checks::check_targets(store.part::<Profiles>(), &input.targets)?;
    let dropped = checks::check_platforms(&mut input.platforms, &targets)?;
    let request = &input.request;
    let schedule = resolve_schedule(
        request.scheduled_for.as_deref(),
        request.timezone.as_deref(),
        &targets,
        now,
    )?;
    let named: Vec<(String, String)> =
        keyed.iter().map(|(f, k, _)| (f.clone(), k.clone())).collect();
    let media = checks::check_media_at(store.part::<MediaStore>(), &named)?;
    checks::check_rules(&targets, &input.content, &input.platforms, &media)?;
    checks::check_capabilities(store, &targets, &input.platforms, &named, &media)?;
    let draft = request.draft.unwrap_or(false);
    let publish_now = !draft && schedule.is_none();
    if publish_now {
        publish::check_quota(&store.part::<Posts>().quota, &targets, now)?;
    }
    let platforms = checks::typed_platforms(&input.platforms)?;
    if dry_run {
        return Ok(None);
    }

    let status = match (draft, &schedule) {
        (true, _) => PostStatus::Draft,
        (false, Some(_)) => PostStatus::Scheduled,
        (false, None) => PostStatus::Publishing,
    };
    store.part::<Posts>().next_seq += 1;
    let seq = store.part::<Posts>().next_seq;
    let mut record = new_record(seq, request, &targets, platforms, status.clone(), schedule, now);
    record.post.content = input.content.clone();
    record.post.media = shape::post_media(store.part::<MediaStore>(), &keyed, &input.media);
    record.post.warnings = warnings::hashtags(&targets, &input.content);
    record.post.warnings.extend(warnings::timezone_ignored(
        request.scheduled_for.as_deref(),
        request.timezone.as_deref(),
    ));
    record.post.warnings.extend(shape::unused_options(&dropped, input.options_alias));
    let mut events = publish::Events::new();
    match status {
        PostStatus::Scheduled => {
            events.push((WebhookEventType::PostScheduled, record.post.clone()));
        }
        PostStatus::Publishing => {
            let (posts, profiles, media) = store.parts::<(Posts, Profiles, MediaStore)>();
            let mut world =
                publish::World { profiles, media, quota: &mut posts.quota, processing, now };
            publish::start(&mut record, &mut world, &mut events);
        }
        _ => {}
    }
    let post = record.post.clone();
    store.part::<Posts>().records.push(record);
    publish::send(store, now, events);
    Ok(Some(post))
}

/// The record of a new post: its view (`status` for every target) and its targets' state.
fn new_record(
    seq: u64,
    request: &aether::model::CreatePostRequest,
    targets: &[checks::TargetInfo],
    platforms: aether::model::PlatformOptionsMap,
    status: PostStatus,
    schedule: Option<schedule::Resolved>,
    now: Timestamp,
) -> PostRecord {
    let results = targets
        .iter()
        .map(|t| TargetResult {
            profile_id: t.profile_id.clone(),
            platform: t.platform.clone(),
            status: status_of_targets(&status),
            platform_post_id: None,
            url: None,
            error: None,
            published_at: None,
            attempts: 0,
            next_attempt_at: None,
        })
        .collect();
    let post = Post {
        id: new_id("post"),
        status: status.clone(),
        profile_ids: targets.iter().map(|t| t.profile_id.clone()).collect(),
        content: request.content.clone().unwrap_or_default(),
        media_keys: request.media_keys.clone(),
        media: Vec::new(),
        platforms,
        scheduled_for: request.scheduled_for.clone(),
        timezone: request.timezone.clone(),
        publish_at: schedule.as_ref().map(|s| rfc3339(s.publish_at)),
        schedule_resolution: schedule.as_ref().and_then(|s| s.resolution.clone()),
        created_at: rfc3339(now),
        updated_at: rfc3339(now),
        results,
        error: None,
        warnings: Vec::new(),
    };
    PostRecord {
        seq,
        targets: targets
            .iter()
            .map(|t| Target {
                tier: t.tier.clone(),
                username: t.username.clone(),
                finish_at: None,
                forced: None,
                transient_left: None,
                then: None,
                retry_at: None,
            })
            .collect(),
        publish_at: schedule.as_ref().map(|s| s.publish_at),
        post,
    }
}

/// When a post with `scheduled_for` publishes, checked against its targets; without a time only
/// the zone (when given) is checked.
fn resolve_schedule(
    scheduled_for: Option<&str>,
    timezone: Option<&str>,
    targets: &[checks::TargetInfo],
    now: Timestamp,
) -> ApiResult<Option<schedule::Resolved>> {
    match scheduled_for {
        Some(at) => Ok(Some(schedule::resolve_within(at, timezone, targets, now)?)),
        None => {
            if let Some(zone) = timezone {
                schedule::zone(zone)?;
            }
            Ok(None)
        }
    }
}

async fn get_one(State(state): State<SharedState>, Path(id): Path<String>) -> ApiResult<Response> {
    let (post, hint) = hint::current(&state, &id)?;
    let mut response = Json(&post).into_response();
    if let Some(ms) = hint {
        hint::both(&mut response, ms);
    }
    Ok(response)
}

async fn list(
    State(state): State<SharedState>,
    Query(query): Query<Vec<(String, String)>>,
) -> ApiResult<Json<aether::model::Page<Post>>> {
    let params = ListParams::parse(&query, "post", &["status", "profileId"])?;
    let status = match params.extra("status") {
        None => None,
        Some(value) => {
            let status = PostStatus::parse(value);
            if status.is_unknown() {
                let allowed: Vec<&str> = PostStatus::ALL.iter().map(PostStatus::as_str).collect();
                return Err(ApiError::invalid(
                    "status",
                    format!(
                        "status {value:?} is not a post status; use one of {}",
                        allowed.join(", ")
                    ),
                )
                .details(json!({ "allowed": allowed })));
            }
            Some(status)
        }
    };
    let profile_id = params.extra("profileId").map(str::to_owned);
    let mut store = state.store();
    let newest_first = store
        .part::<Posts>()
        .records
        .iter()
        .rev()
        .filter(|r| status.as_ref().is_none_or(|s| &r.post.status == s))
        .filter(|r| profile_id.as_ref().is_none_or(|p| r.post.profile_ids.contains(p)))
        .map(|r| (r.seq, r.post.clone()));
    Ok(Json(params.page(newest_first)))
}

fn not_editable(post: &Post, doing: &str) -> ApiError {
    ApiError::new(
        ErrorCode::PostNotEditable,
        format!(
            "post {} is {}; only draft or scheduled posts can be {doing}",
            post.id, post.status
        ),
    )
    .details(json!({ "status": post.status }))
}

/// `PATCH /v1/posts/{id}` body (the contract's `UpdatePostRequest`, with its `draft` choice).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PatchBody {
    #[serde(default)]
    scheduled_for: Option<String>,
    #[serde(default)]
    timezone: Option<String>,
    #[serde(default)]
    content: Option<aether::model::PostContent>,
    #[serde(default)]
    draft: Option<bool>,
}

const PATCH_FIELDS: &[&str] = &["scheduledFor", "timezone", "content", "draft"];

async fn update(
    State(state): State<SharedState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Json<Post>> {
    let Value::Object(mut fields) = body else {
        return Err(ApiError::invalid("body", "the body must be a JSON object"));
    };
    checks::known_fields(&fields, PATCH_FIELDS, "")?;
    checks::normalize_content(fields.get_mut("content"))?;
    let bytes = serde_json::to_vec(&Value::Object(fields)).unwrap_or_default();
    let patch: PatchBody = crate::json::parse_json(&bytes)?;

    let now = state.clock.now();
    let processing = publish::processing_time(&state);
    let mut guard = state.store();
    let store: &mut Store = &mut guard;
    let current = store.part::<Posts>().record_mut(&id)?.post.clone();
    if !current.status.is_editable() {
        return Err(not_editable(&current, "edited"));
    }
    let fields: Vec<(String, String)> = current
        .profile_ids
        .iter()
        .enumerate()
        .map(|(i, id)| (format!("profileIds[{i}]"), id.clone()))
        .collect();
    let targets = checks::check_targets(store.part::<Profiles>(), &fields)?;
    let timezone = patch.timezone.clone().or(current.timezone.clone());
    let scheduled_for = patch.scheduled_for.clone().or(current.scheduled_for.clone());
    let was_draft = current.status == PostStatus::Draft;
    let status = match (was_draft, patch.draft) {
        (true, Some(false)) if scheduled_for.is_some() => PostStatus::Scheduled,
        (true, Some(false)) => PostStatus::Publishing,
        (false, Some(true)) => PostStatus::Draft,
        _ => current.status.clone(),
    };
    // The schedule is checked again when it changes, and when a draft is released with it.
    let released = was_draft && status != PostStatus::Draft;
    let reschedule = patch.scheduled_for.is_some() || patch.timezone.is_some() || released;
    let schedule = if reschedule {
        resolve_schedule(scheduled_for.as_deref(), timezone.as_deref(), &targets, now)?
    } else {
        None
    };
    let content = patch.content.clone().unwrap_or_else(|| current.content.clone());
    let platforms = checks::platforms_json(&current.platforms);
    let media = checks::check_media(store.part::<MediaStore>(), &current.media_keys)?;
    checks::check_rules(&targets, &content, &platforms, &media)?;
    if status == PostStatus::Publishing {
        publish::check_quota(&store.part::<Posts>().quota, &targets, now)?;
    }

    let (posts, profiles, media) = store.parts::<(Posts, Profiles, MediaStore)>();
    let record = posts.record_mut(&id)?;
    // Warnings describe the post as it now is (the options stay as stored).
    record.post.warnings = warnings::hashtags(&targets, &content);
    record
        .post
        .warnings
        .extend(warnings::timezone_ignored(scheduled_for.as_deref(), timezone.as_deref()));
    record.post.content = content;
    record.post.timezone = timezone;
    record.post.scheduled_for = scheduled_for;
    if let Some(schedule) = schedule {
        record.publish_at = Some(schedule.publish_at);
        record.post.publish_at = Some(rfc3339(schedule.publish_at));
        record.post.schedule_resolution = schedule.resolution;
    }
    record.post.updated_at = rfc3339(now);
    let mut events = publish::Events::new();
    if status != record.post.status {
        record.post.status = status.clone();
        for result in &mut record.post.results {
            result.status = status_of_targets(&status);
        }
        match status {
            PostStatus::Scheduled => {
                events.push((WebhookEventType::PostScheduled, record.post.clone()));
            }
            PostStatus::Publishing => {
                let mut world =
                    publish::World { profiles, media, quota: &mut posts.quota, processing, now };
                let record = posts.records.iter_mut().find(|r| r.post.id == id);
                if let Some(record) = record {
                    publish::start(record, &mut world, &mut events);
                }
            }
            _ => {}
        }
    }
    let post =
        store.part::<Posts>().get(&id).cloned().ok_or_else(|| ApiError::not_found("post", &id))?;
    publish::send(store, now, events);
    Ok(Json(post))
}

async fn cancel(State(state): State<SharedState>, Path(id): Path<String>) -> ApiResult<Json<Post>> {
    let now = state.clock.now();
    let mut guard = state.store();
    let store: &mut Store = &mut guard;
    let record = store.part::<Posts>().record_mut(&id)?;
    if !record.post.status.is_editable() {
        return Err(not_editable(&record.post, "cancelled"));
    }
    record.post.status = PostStatus::Cancelled;
    for result in &mut record.post.results {
        result.status = TargetStatus::Cancelled;
    }
    record.post.updated_at = rfc3339(now);
    let post = record.post.clone();
    publish::send(store, now, vec![(WebhookEventType::PostCancelled, post.clone())]);
    Ok(Json(post))
}

// ---------------------------------------------------------------------------------------------
// Admin
// ---------------------------------------------------------------------------------------------

/// The body of `POST /_mock/posts/{id}/outcome`, shared with [`crate::Admin::force_outcome`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ForcedOutcome {
    /// Whether the targets publish or fail.
    pub outcome: OutcomeKind,
    /// For `failed`: the platform's error code (`PLATFORM_ERROR` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<ErrorCode>,
    /// The error message of a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Only this target; every unfinished one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_id: Option<String>,
}

impl ForcedOutcome {
    /// Every unfinished target ends as `outcome`.
    pub fn new(outcome: OutcomeKind) -> ForcedOutcome {
        ForcedOutcome { outcome, code: None, message: None, profile_id: None }
    }
}

async fn force_outcome(
    State(state): State<SharedState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ForcedOutcome>,
) -> ApiResult<Json<Post>> {
    let mut store = state.store();
    let record = store.part::<Posts>().record_mut(&id)?;
    if record.post.status.is_terminal() {
        return Err(ApiError::new(
            ErrorCode::PostNotEditable,
            format!(
                "post {id} is already {}; an outcome can only be forced before its targets finish",
                record.post.status
            ),
        ));
    }
    let mut chosen = Vec::new();
    for (index, result) in record.post.results.iter().enumerate() {
        if body.profile_id.as_ref().is_some_and(|p| p != &result.profile_id) {
            continue;
        }
        if result.status.is_terminal() {
            if body.profile_id.is_some() {
                return Err(ApiError::new(
                    ErrorCode::PostNotEditable,
                    format!(
                        "the target {} of post {id} is already {}",
                        result.profile_id, result.status
                    ),
                ));
            }
            continue;
        }
        chosen.push(index);
    }
    if let (Some(profile_id), true) = (&body.profile_id, chosen.is_empty()) {
        return Err(ApiError::invalid(
            "profileId",
            format!("profile {profile_id} is not a target of post {id}"),
        ));
    }
    let outcome = Outcome { outcome: body.outcome, code: body.code, message: body.message };
    for index in chosen {
        record.targets[index].forced = Some(outcome.clone());
    }
    Ok(Json(record.post.clone()))
}

async fn add_rule(
    State(state): State<SharedState>,
    ApiJson(mut rule): ApiJson<OutcomeRule>,
) -> ApiResult<(StatusCode, Json<OutcomeRule>)> {
    if rule.times == Some(0) {
        return Err(ApiError::invalid("times", "times must be at least 1 (or absent for always)"));
    }
    if rule.outcome.is_none() && rule.transient_failures.is_none() {
        return Err(ApiError::invalid(
            "outcome",
            "a rule needs outcome (published or failed), transientFailures (a count), or both",
        ));
    }
    if rule.platform.as_ref().is_some_and(Platform::is_unknown) {
        return Err(ApiError::invalid("platform", "platform is not a known platform"));
    }
    rule.id = new_id("outcome");
    state.store().part::<Posts>().outcome_rules.push(rule.clone());
    Ok((StatusCode::CREATED, Json(rule)))
}

async fn list_rules(State(state): State<SharedState>) -> Json<Value> {
    Json(json!({ "data": state.store().part::<Posts>().outcome_rules }))
}

async fn clear_rules(State(state): State<SharedState>) -> StatusCode {
    state.store().part::<Posts>().outcome_rules.clear();
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests;
