//! The publishing simulation on the virtual clock, the daily quota, and forced outcomes.
//!
//! A post starts publishing at once (no `scheduledFor`) or at `publishAt`. Starting, each target
//! is checked again: its profile must still be connected (else `PROFILE_DISCONNECTED`), and its
//! profile must have quota left for that UTC day (else `POST_LIMIT_REACHED`; a start counts
//! against the quota, a refused one does not). A target whose media is still being verified
//! waits (`pending`); once every media item is verified the target is checked against the media
//! rules and either starts (`publishing`) or fails with the rule's code (`VIDEO_TOO_SHORT`…).
//! `settings.processingMs` after it starts, a target ends `published` (with `platformPostId`,
//! `url`, `publishedAt`) or, when an outcome was forced, `failed` with `{ code, message }`.
//! The post's status follows once every target is done.

use std::collections::HashMap;

use aether::model::{
    Platform, Post, PostStatus, ProfileStatus, ResultError, TargetResult, TargetStatus,
    WebhookEventType,
};
use aether::platforms::rules;
use aether::ErrorCode;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::checks::{self, TargetInfo};
use super::{OutcomeRule, PostRecord, Posts};
use crate::api_error::{ApiError, ApiResult};
use crate::clock::rfc3339;
use crate::ids::random_token;
use crate::resources::profiles::Profiles;
use crate::state::{SharedState, Store};
use crate::stored_media::{MediaStore, MediaVerdict};

/// Webhook events produced by a change, sent once the change is stored.
pub type Events = Vec<(WebhookEventType, Post)>;

/// What a target ends as, when forced through the admin API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    Published,
    Failed,
}

/// A forced outcome: `failed` carries a code (default `PLATFORM_ERROR`) and a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    pub outcome: OutcomeKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<ErrorCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Publishes counted per profile per UTC day.
#[derive(Debug, Default)]
pub struct Quota {
    used: HashMap<(String, Date), u32>,
}

impl Quota {
    fn used(&self, profile_id: &str, day: Date) -> u32 {
        self.used.get(&(profile_id.to_owned(), day)).copied().unwrap_or(0)
    }

    fn count(&mut self, profile_id: &str, day: Date) {
        *self.used.entry((profile_id.to_owned(), day)).or_insert(0) += 1;
    }
}

/// The daily publish limit of a platform (the rules table's posts per day).
pub fn daily_limit(platform: &Platform) -> u32 {
    rules(platform).map(|r| r.daily_posts).unwrap_or(u32::MAX)
}

/// The posts `profile_id` may still publish this UTC day, and when the quota resets: the
/// figures of `GET /v1/profiles/{id}/capabilities`.
pub fn remaining_today(
    posts: &Posts,
    profile_id: &str,
    platform: &Platform,
    now: Timestamp,
) -> (u32, Timestamp) {
    let used = posts.quota.used(profile_id, utc_day(now));
    (daily_limit(platform).saturating_sub(used), next_reset(now))
}

fn utc_day(at: Timestamp) -> Date {
    TimeZone::UTC.to_datetime(at).date()
}

/// The next 00:00 UTC after `at`: when the quota resets.
pub fn next_reset(at: Timestamp) -> Timestamp {
    utc_day(at)
        .tomorrow()
        .ok()
        .and_then(|day| TimeZone::UTC.to_timestamp(day.at(0, 0, 0, 0)).ok())
        .unwrap_or(Timestamp::MAX)
}

fn quota_message(target_profile: &str, platform: &Platform, limit: u32, at: Timestamp) -> String {
    format!(
        "profile {target_profile} has used its {platform} quota of {limit} posts for {} (UTC); \
         it resets at {}",
        utc_day(at),
        rfc3339(next_reset(at))
    )
}

/// Refuses a post that would publish now to a profile whose quota for today is used.
pub fn check_quota(quota: &Quota, targets: &[TargetInfo], now: Timestamp) -> ApiResult<()> {
    let day = utc_day(now);
    for target in targets {
        let limit = daily_limit(&target.platform);
        if quota.used(&target.profile_id, day) >= limit {
            let reset = next_reset(now);
            let wait = reset.duration_since(now).as_secs_f64().ceil().max(1.0) as u64;
            return Err(ApiError::new(
                ErrorCode::PostLimitReached,
                quota_message(&target.profile_id, &target.platform, limit, now),
            )
            .field(target.field.clone())
            .platform(target.platform.as_str())
            .retry_after(wait)
            .details(json!({ "resetAt": rfc3339(reset), "limit": limit, "profileId": target.profile_id })));
        }
    }
    Ok(())
}

/// What the publishing steps read and write besides the post itself.
pub struct World<'a> {
    pub profiles: &'a Profiles,
    pub media: &'a MediaStore,
    pub quota: &'a mut Quota,
    pub processing: SignedDuration,
    pub now: Timestamp,
}

/// Moves every due post forward: scheduled posts whose `publishAt` has come start, publishing
/// targets whose media became ready start, and targets whose processing time is over finish.
/// Called by the scheduler every tick and right after the admin API advances the clock.
pub fn advance(state: &SharedState, now: Timestamp) {
    let processing = processing_time(state);
    let mut guard = state.store();
    let store = &mut *guard;
    let mut events = Events::new();
    {
        let (posts, profiles, media) = store.parts::<(Posts, Profiles, MediaStore)>();
        let Posts { records, quota, outcome_rules, .. } = posts;
        let mut world = World { profiles, media, quota, processing, now };
        for record in records.iter_mut() {
            let due = record.publish_at.is_some_and(|at| at <= now);
            if record.post.status == PostStatus::Scheduled && due {
                start(record, &mut world, &mut events);
            } else if record.post.status == PostStatus::Scheduled {
                fail_on_fetch_failure(record, &world, &mut events);
            }
            if record.post.status == PostStatus::Publishing {
                progress(record, &mut world, outcome_rules, &mut events);
            }
        }
    }
    send(store, now, events);
}

pub fn processing_time(state: &SharedState) -> SignedDuration {
    SignedDuration::from_millis(i64::try_from(state.settings().processing_ms).unwrap_or(i64::MAX))
}

/// Queues the webhook deliveries of `events`.
pub fn send(store: &mut Store, now: Timestamp, events: Events) {
    for (event, post) in events {
        crate::resources::webhooks::enqueue(store, now, event, &post);
    }
}

/// Starts publishing: at `publishAt` for a scheduled post, else now.
pub fn start(record: &mut PostRecord, world: &mut World<'_>, events: &mut Events) {
    let at = record.publish_at.filter(|at| *at <= world.now).unwrap_or(world.now);
    let day = utc_day(at);
    let media = media_state(world.media, &record.post.media_keys);
    for index in 0..record.post.results.len() {
        let (profile_id, platform) = {
            let result = &record.post.results[index];
            (result.profile_id.clone(), result.platform.clone())
        };
        let connected =
            world.profiles.get(&profile_id).is_some_and(|p| p.status == ProfileStatus::Active);
        if !connected {
            let message = format!(
                "profile {profile_id} was disconnected before the post started publishing; \
                 reconnect it and post again"
            );
            fail(&mut record.post.results[index], ErrorCode::ProfileDisconnected, message, None);
            continue;
        }
        let limit = daily_limit(&platform);
        if world.quota.used(&profile_id, day) >= limit {
            let message = quota_message(&profile_id, &platform, limit, at);
            let details = json!({ "resetAt": rfc3339(next_reset(at)), "limit": limit });
            fail(
                &mut record.post.results[index],
                ErrorCode::PostLimitReached,
                message,
                Some(details),
            );
            continue;
        }
        world.quota.count(&profile_id, day);
        gate(record, index, &media, at, world.processing);
    }
    record.post.status = PostStatus::Publishing;
    record.post.updated_at = rfc3339(world.now);
    events.push((WebhookEventType::PostPublishing, record.post.clone()));
    if record.post.results.iter().all(|r| r.status.is_terminal()) {
        settle(record, world.now, events);
    }
}

/// Targets waiting for media start once it is verified; targets whose processing is over finish.
fn progress(
    record: &mut PostRecord,
    world: &mut World<'_>,
    rules: &mut Vec<OutcomeRule>,
    events: &mut Events,
) {
    let now = world.now;
    let mut changed = false;
    if record.post.results.iter().any(|r| r.status == TargetStatus::Pending) {
        let media = media_state(world.media, &record.post.media_keys);
        if !matches!(media, MediaState::Waiting) {
            for index in 0..record.post.results.len() {
                if record.post.results[index].status == TargetStatus::Pending {
                    gate(record, index, &media, now, world.processing);
                    changed = true;
                }
            }
        }
    }
    for index in 0..record.post.results.len() {
        let due = record.targets[index].finish_at.is_some_and(|at| at <= now);
        if record.post.results[index].status == TargetStatus::Publishing && due {
            finish(record, index, rules);
            changed = true;
        }
    }
    if changed {
        record.post.updated_at = rfc3339(now);
        if record.post.results.iter().all(|r| r.status.is_terminal()) {
            settle(record, now, events);
        }
    }
}

/// The media of a post, as far as publishing is concerned.
enum MediaState {
    /// Every item is verified; these are the facts.
    Ready(Vec<Option<aether::probe::MediaFacts>>),
    /// Some item is still being fetched (URL media) or verified.
    Waiting,
    /// Some item failed verification, could not be fetched, or is gone.
    Broken(ErrorCode, String, Option<Value>),
}

fn media_state(media: &MediaStore, keys: &[String]) -> MediaState {
    let mut facts = Vec::new();
    let mut waiting = false;
    for key in keys {
        match media.verdict(key) {
            MediaVerdict::Missing => {
                let message = format!("media {key} was deleted before the post was published");
                return MediaState::Broken(ErrorCode::NotFound, message, None);
            }
            MediaVerdict::Ready(found) => facts.push(Some(*found)),
            // A URL that could not be fetched keeps its code and its details (url, reason).
            MediaVerdict::Failed(error) if error.code == ErrorCode::MediaFetchFailed => {
                let message = format!("media {key} could not be fetched: {}", error.message);
                return MediaState::Broken(error.code, message, error.details);
            }
            MediaVerdict::Failed(error) => {
                let message = format!("media {key} failed verification: {}", error.message);
                return MediaState::Broken(ErrorCode::UnsupportedMediaType, message, None);
            }
            MediaVerdict::Processing => waiting = true,
        }
    }
    if waiting {
        MediaState::Waiting
    } else {
        MediaState::Ready(facts)
    }
}

/// A scheduled post whose URL media could not be fetched fails at once (`post.failed`), not at
/// its time: nothing can publish it any more, and its owner learns it while there is time.
fn fail_on_fetch_failure(record: &mut PostRecord, world: &World<'_>, events: &mut Events) {
    let MediaState::Broken(code, message, details) =
        media_state(world.media, &record.post.media_keys)
    else {
        return;
    };
    if code != ErrorCode::MediaFetchFailed {
        return;
    }
    for result in record.post.results.iter_mut() {
        fail(result, code.clone(), message.clone(), details.clone());
    }
    settle(record, world.now, events);
}

/// One target's media gate: start it, keep it waiting, or fail it with the rule it breaks.
fn gate(
    record: &mut PostRecord,
    index: usize,
    media: &MediaState,
    at: Timestamp,
    processing: SignedDuration,
) {
    let facts = match media {
        MediaState::Waiting => {
            record.post.results[index].status = TargetStatus::Pending;
            return;
        }
        MediaState::Broken(code, message, details) => {
            let (code, message, details) = (code.clone(), message.clone(), details.clone());
            fail(&mut record.post.results[index], code, message, details);
            return;
        }
        MediaState::Ready(facts) => facts,
    };
    let result = &record.post.results[index];
    let target = &record.targets[index];
    let info = TargetInfo {
        field: String::new(),
        profile_id: result.profile_id.clone(),
        platform: result.platform.clone(),
        tier: target.tier.clone(),
        username: target.username.clone(),
    };
    let platforms = checks::platforms_json(&record.post.platforms);
    let options = checks::options_for(&platforms, &info.platform);
    let found = checks::violations(&info, &record.post.content, options, facts);
    if let Some(first) = found.into_iter().next() {
        let details = Value::Object(first.details());
        let result = &mut record.post.results[index];
        fail(result, first.code, first.message, Some(details).filter(|d| d != &json!({})));
        return;
    }
    record.post.results[index].status = TargetStatus::Publishing;
    record.targets[index].finish_at = Some(at.checked_add(processing).unwrap_or(Timestamp::MAX));
}

fn finish(record: &mut PostRecord, index: usize, rules: &mut Vec<OutcomeRule>) {
    let finished_at = record.targets[index].finish_at.unwrap_or(Timestamp::UNIX_EPOCH);
    let (profile_id, platform) = {
        let result = &record.post.results[index];
        (result.profile_id.clone(), result.platform.clone())
    };
    let outcome =
        record.targets[index].forced.take().or_else(|| take_rule(rules, &profile_id, &platform));
    match outcome {
        Some(Outcome { outcome: OutcomeKind::Failed, code, message }) => {
            let code = code.unwrap_or(ErrorCode::PlatformError);
            let message = message.unwrap_or_else(|| {
                format!(
                    "{platform} refused the post (outcome forced through the emulator's admin API)"
                )
            });
            let details = (code == ErrorCode::PlatformError)
                .then(|| json!({ "platformCode": "mock_forced_failure" }));
            fail(&mut record.post.results[index], code, message, details);
        }
        _ => {
            let subreddit = record
                .post
                .platforms
                .reddit
                .as_ref()
                .and_then(|r| r.subreddit.clone())
                .unwrap_or_else(|| "test".to_owned());
            let (post_id, url) =
                published_at(&platform, &record.targets[index].username, &subreddit);
            let result = &mut record.post.results[index];
            result.status = TargetStatus::Published;
            result.platform_post_id = Some(post_id);
            result.url = Some(url);
            result.published_at = Some(rfc3339(finished_at));
        }
    }
    record.targets[index].finish_at = None;
}

fn take_rule(
    rules: &mut Vec<OutcomeRule>,
    profile_id: &str,
    platform: &Platform,
) -> Option<Outcome> {
    let index = rules.iter().position(|rule| {
        rule.profile_id.as_deref().is_none_or(|p| p == profile_id)
            && rule.platform.as_ref().is_none_or(|p| p == platform)
    })?;
    let rule = &mut rules[index];
    let outcome =
        Outcome { outcome: rule.outcome, code: rule.code.clone(), message: rule.message.clone() };
    if let Some(times) = rule.times.as_mut() {
        *times = times.saturating_sub(1);
        if *times == 0 {
            rules.remove(index);
        }
    }
    Some(outcome)
}

fn fail(result: &mut TargetResult, code: ErrorCode, message: String, details: Option<Value>) {
    result.status = TargetStatus::Failed;
    result.error = Some(ResultError { code, message, details });
}

/// Every target is done: the post is `published` (all published), `failed` (all failed) or
/// `partially_published`. Events: `post.published` only for a full publish; `post.failed` for
/// `failed` and for `partially_published` (something needs the user's attention; the post in
/// the event says which targets failed).
fn settle(record: &mut PostRecord, now: Timestamp, events: &mut Events) {
    let results = &record.post.results;
    let published = results.iter().filter(|r| r.status == TargetStatus::Published).count();
    let failed = results.iter().filter(|r| r.status == TargetStatus::Failed).count();
    let (status, event) = if published == results.len() {
        (PostStatus::Published, WebhookEventType::PostPublished)
    } else if failed == results.len() {
        (PostStatus::Failed, WebhookEventType::PostFailed)
    } else {
        (PostStatus::PartiallyPublished, WebhookEventType::PostFailed)
    };
    if status == PostStatus::Failed {
        record.post.error = results.iter().find_map(|r| r.error.clone());
    }
    record.post.status = status;
    record.post.updated_at = rfc3339(now);
    events.push((event, record.post.clone()));
}

/// A platform post id and public URL in the platform's own shape.
fn published_at(platform: &Platform, username: &str, subreddit: &str) -> (String, String) {
    let mut rng = rand::rng();
    let mut digits = |n: usize| -> String {
        let mut s = rng.random_range(1..=9u8).to_string();
        s.extend((1..n).map(|_| char::from(b'0' + rng.random_range(0..10u8))));
        s
    };
    match platform {
        Platform::Tiktok => {
            let id = digits(19);
            let url = format!("https://www.tiktok.com/@{username}/video/{id}");
            (id, url)
        }
        Platform::Instagram => {
            let code = random_token(11);
            (digits(17), format!("https://www.instagram.com/p/{code}/"))
        }
        Platform::Linkedin => {
            let id = format!("urn:li:share:{}", digits(19));
            let url = format!("https://www.linkedin.com/feed/update/{id}/");
            (id, url)
        }
        Platform::Facebook => {
            let id = format!("{}_{}", digits(15), digits(16));
            let url = format!("https://www.facebook.com/{id}");
            (id, url)
        }
        Platform::Youtube => {
            let id = random_token(11);
            let url = format!("https://www.youtube.com/watch?v={id}");
            (id, url)
        }
        Platform::Threads => {
            let code = random_token(11);
            (digits(18), format!("https://www.threads.net/@{username}/post/{code}"))
        }
        Platform::Reddit => {
            let id = random_token(7).to_lowercase();
            let url = format!("https://www.reddit.com/r/{subreddit}/comments/{id}/");
            (format!("t3_{id}"), url)
        }
        Platform::Unknown(name) => {
            let id = digits(16);
            let url = format!("https://{name}.example.invalid/{username}/{id}");
            (id, url)
        }
    }
}
