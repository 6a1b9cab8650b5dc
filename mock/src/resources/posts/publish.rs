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
//!
//! Each publish attempt (the platform's answer, `settings.processingMs` after it starts) is a
//! journal entry. A transient failure (an outcome rule's `transientFailures`) is retried after
//! the backoff of `PUBLISH_RETRY_BACKOFF_SECS`, up to `MAX_PUBLISH_ATTEMPTS` in all; the target
//! stays `publishing` with `attempts` and `nextAttemptAt` meanwhile; a retry does not count
//! against the quota again. Every time is the virtual time the step was due, so a clock moved
//! hours ahead plays each attempt in order. A target started by `gate` begins a new publish run
//! (attempts from 1, the outcome rules consulted afresh when its first attempt ends).

use std::collections::HashMap;

use aether::model::{
    Platform, Post, PostStatus, ProfileStatus, ResultError, TargetResult, TargetStatus,
    WebhookEventType, MAX_PUBLISH_ATTEMPTS, PUBLISH_RETRY_BACKOFF_SECS,
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
use crate::ids::{new_id, random_token};
use crate::journal::JournalEntry;
use crate::resources::profiles::Profiles;
use crate::state::{SharedState, Store};
use crate::stored_media::{MediaStore, MediaVerdict};

/// Webhook events produced by a change, sent once the change is stored.
pub type Events = Vec<(WebhookEventType, Post)>;

/// What a target ends as, when forced through the admin API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    /// The target went live.
    Published,
    /// The target failed, permanently (not retried by the server).
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
        let mut publishes = Vec::new();
        for record in records.iter_mut() {
            let due = record.publish_at.is_some_and(|at| at <= now);
            if record.post.status == PostStatus::Scheduled && due {
                start(record, &mut world, &mut events);
            } else if record.post.status == PostStatus::Scheduled {
                fail_on_fetch_failure(record, &world, &mut events);
            }
            if record.post.status == PostStatus::Publishing {
                progress(record, &mut world, outcome_rules, &mut events, &mut publishes);
            }
        }
        // Recorded while the store is still locked (the journal's lock is only ever taken
        // after the store's), so a test that sees the post changed also sees the attempt.
        let mut journal = state.journal();
        for entry in publishes {
            journal.record(entry);
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
    start_at(record, world, at, events);
}

/// Starts every target that has not published, at `at`. A retry (`retry.rs`) starts a post's
/// failed targets this way, now: a target that published is never sent again.
pub(super) fn start_at(
    record: &mut PostRecord,
    world: &mut World<'_>,
    at: Timestamp,
    events: &mut Events,
) {
    let day = utc_day(at);
    let media = media_state(world.media, &record.post.media_keys);
    for index in 0..record.post.results.len() {
        if record.post.results[index].status == TargetStatus::Published {
            continue;
        }
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
    publishes: &mut Vec<JournalEntry>,
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
    // A clock moved far ahead can pass several attempts of a target: each is played at the
    // virtual time it was due, in order, until nothing more is due.
    // The post's `updatedAt` is then the virtual time of its last step, so that a client can
    // tell how long a retry waits from `nextAttemptAt - updatedAt` whenever it polls.
    let mut stepped_at = None;
    loop {
        let mut moved = false;
        for index in 0..record.post.results.len() {
            if record.post.results[index].status != TargetStatus::Publishing {
                continue;
            }
            let target = &record.targets[index];
            if let Some(at) = target.finish_at.filter(|at| *at <= now) {
                publishes.push(finish(record, index, rules));
                stepped_at = stepped_at.max(Some(at));
                moved = true;
            } else if let Some(at) = target.retry_at.filter(|at| *at <= now) {
                next_attempt(record, index, world);
                stepped_at = stepped_at.max(Some(at));
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    if changed {
        record.post.updated_at = rfc3339(now);
    } else if let Some(at) = stepped_at {
        let before = record.post.updated_at.parse::<Timestamp>().ok();
        record.post.updated_at = rfc3339(before.map_or(at, |b| b.max(at)));
    }
    let done = record.post.results.iter().all(|r| r.status.is_terminal());
    if (changed || stepped_at.is_some()) && done {
        settle(record, now, events);
    }
}

/// The media of a post, as far as publishing is concerned.
pub(super) enum MediaState {
    /// Every item is verified; these are the facts.
    Ready(Vec<Option<aether::probe::MediaFacts>>),
    /// Some item is still being fetched (URL media) or verified.
    Waiting,
    /// Some item failed verification, could not be fetched, or is gone.
    Broken(ErrorCode, String, Option<Value>),
}

pub(super) fn media_state(media: &MediaStore, keys: &[String]) -> MediaState {
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
pub(super) fn gate(
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
    // A publish run starts: its first attempt, with the outcome rules consulted afresh when it
    // ends (a restarted target counts its attempts from 1 again).
    let result = &mut record.post.results[index];
    result.status = TargetStatus::Publishing;
    result.attempts = 1;
    result.next_attempt_at = None;
    let target = &mut record.targets[index];
    target.transient_left = None;
    target.then = None;
    target.retry_at = None;
    target.finish_at = Some(at.checked_add(processing).unwrap_or(Timestamp::MAX));
}

/// How one publish attempt went, as the journal records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Attempt {
    Published,
    /// A transient platform failure (the platform's 503): retried while attempts are left.
    Transient,
    /// A permanent failure, answered with its code's HTTP status.
    Failed,
}

/// The platform answers a publish attempt: the target ends as its forced outcome, or as the
/// outcome rule that matched it says (its transient failures first, each retried after its
/// backoff while attempts are left), or published. Answers the journal's entry for the attempt.
fn finish(record: &mut PostRecord, index: usize, rules: &mut Vec<OutcomeRule>) -> JournalEntry {
    let finished_at = record.targets[index].finish_at.take().unwrap_or(Timestamp::UNIX_EPOCH);
    let (profile_id, platform) = {
        let result = &record.post.results[index];
        (result.profile_id.clone(), result.platform.clone())
    };
    let target = &mut record.targets[index];
    let mut outcome = target.forced.take();
    if outcome.is_none() && target.transient_left.is_none() {
        let (transient, then) = take_rule(rules, &profile_id, &platform);
        target.transient_left = Some(transient);
        target.then = then;
    }
    let transient = match target.transient_left.as_mut() {
        Some(left) if *left > 0 && outcome.is_none() => {
            *left -= 1;
            true
        }
        _ => false,
    };
    if outcome.is_none() && !transient {
        outcome = target.then.take();
    }
    let attempt = if transient {
        transient_failure(record, index, finished_at)
    } else if let Some(Outcome { outcome: OutcomeKind::Failed, code, message }) = outcome {
        let code = code.unwrap_or(ErrorCode::PlatformError);
        let message = message.unwrap_or_else(|| {
            format!("{platform} refused the post (outcome forced through the emulator's admin API)")
        });
        let details = (code == ErrorCode::PlatformError)
            .then(|| json!({ "platformCode": "mock_forced_failure" }));
        fail(&mut record.post.results[index], code, message, details);
        Attempt::Failed
    } else {
        let subreddit = record
            .post
            .platforms
            .reddit
            .as_ref()
            .and_then(|r| r.subreddit.clone())
            .unwrap_or_else(|| "test".to_owned());
        let (post_id, url) = published_at(&platform, &record.targets[index].username, &subreddit);
        let result = &mut record.post.results[index];
        result.status = TargetStatus::Published;
        result.platform_post_id = Some(post_id);
        result.url = Some(url);
        result.published_at = Some(rfc3339(finished_at));
        Attempt::Published
    };
    platform_publish(&record.post, index, attempt, finished_at)
}

/// A transient failure at `at`: the next attempt is due after its backoff, or, when this was
/// the last attempt, the target fails with `PLATFORM_ERROR` saying so.
fn transient_failure(record: &mut PostRecord, index: usize, at: Timestamp) -> Attempt {
    let result = &mut record.post.results[index];
    let attempts = result.attempts.max(1);
    let backoff = usize::try_from(attempts - 1)
        .ok()
        .and_then(|i| PUBLISH_RETRY_BACKOFF_SECS.get(i))
        .filter(|_| attempts < MAX_PUBLISH_ATTEMPTS);
    match backoff {
        Some(secs) => {
            let next = at
                .checked_add(SignedDuration::from_secs(i64::try_from(*secs).unwrap_or(i64::MAX)))
                .unwrap_or(Timestamp::MAX);
            result.next_attempt_at = Some(rfc3339(next));
            record.targets[index].retry_at = Some(next);
        }
        None => {
            let platform = result.platform.clone();
            let message = format!(
                "{platform} failed transiently on each of {attempts} publish attempts (the last \
                 at {}); Aether stopped retrying. Retry the post later",
                rfc3339(at)
            );
            let details = json!({
                "transient": true,
                "attempts": attempts,
                "platformCode": "mock_transient_failure",
            });
            fail(result, ErrorCode::PlatformError, message, Some(details));
        }
    }
    Attempt::Transient
}

/// A transient failure's retry is due: the next attempt starts at the time it was due, if the
/// profile is still connected (a disconnected one fails the target: retrying cannot help).
fn next_attempt(record: &mut PostRecord, index: usize, world: &World<'_>) {
    let at = record.targets[index].retry_at.take().unwrap_or(world.now);
    let result = &mut record.post.results[index];
    result.next_attempt_at = None;
    let profile_id = result.profile_id.clone();
    let connected =
        world.profiles.get(&profile_id).is_some_and(|p| p.status == ProfileStatus::Active);
    if !connected {
        let message = format!(
            "profile {profile_id} was disconnected while the post waited to retry a transient \
             failure; reconnect it and post again"
        );
        fail(result, ErrorCode::ProfileDisconnected, message, None);
        return;
    }
    result.attempts += 1;
    record.targets[index].finish_at =
        Some(at.checked_add(world.processing).unwrap_or(Timestamp::MAX));
}

/// The journal's entry for one publish attempt to a platform: `PUBLISH
/// /platforms/{platform}/publish`, status 200 with the platform's post id as `created` when it
/// went live, 503 for a transient failure, else the HTTP status of the error's code.
fn platform_publish(post: &Post, index: usize, attempt: Attempt, at: Timestamp) -> JournalEntry {
    let result = &post.results[index];
    let status = match (attempt, &result.error) {
        (Attempt::Published, _) => 200,
        (Attempt::Transient, _) => 503,
        (Attempt::Failed, Some(error)) => error.code.http_status().unwrap_or(502),
        (Attempt::Failed, None) => 502,
    };
    JournalEntry {
        seq: 0,
        at: rfc3339(at),
        request_id: new_id("req"),
        method: "PUBLISH".to_owned(),
        path: format!("/platforms/{}/publish", result.platform.as_str()),
        connection: None,
        idempotency_key: None,
        status: Some(status),
        replayed: false,
        fault: None,
        created: result.platform_post_id.clone().filter(|_| attempt == Attempt::Published),
        post_id: Some(post.id.clone()),
        // Not a client's request: no client request id.
        client_request_id: None,
        query: None,
        headers: Default::default(),
        traceparent: None,
        retry_count: 0,
        chaos: false,
    }
}

/// The first rule matching the target: how many transient failures it scripts and how the
/// target ends after them (`None`: published). No rule: none and `None`.
fn take_rule(
    rules: &mut Vec<OutcomeRule>,
    profile_id: &str,
    platform: &Platform,
) -> (u32, Option<Outcome>) {
    let Some(index) = rules.iter().position(|rule| {
        rule.profile_id.as_deref().is_none_or(|p| p == profile_id)
            && rule.platform.as_ref().is_none_or(|p| p == platform)
    }) else {
        return (0, None);
    };
    let rule = &mut rules[index];
    let outcome = rule.outcome.map(|outcome| Outcome {
        outcome,
        code: rule.code.clone(),
        message: rule.message.clone(),
    });
    let transient = rule.transient_failures.unwrap_or(0);
    if let Some(times) = rule.times.as_mut() {
        *times = times.saturating_sub(1);
        if *times == 0 {
            rules.remove(index);
        }
    }
    (transient, outcome)
}

pub(super) fn fail(
    result: &mut TargetResult,
    code: ErrorCode,
    message: String,
    details: Option<Value>,
) {
    result.status = TargetStatus::Failed;
    result.error = Some(ResultError { code, message, details });
}

/// Every target is done: the post is `published` (all published), `failed` (all failed) or
/// `partially_published`. Events: `post.published` only for a full publish; `post.failed` for
/// `failed` and for `partially_published` (something needs the user's attention; the post in
/// the event says which targets failed).
pub(super) fn settle(record: &mut PostRecord, now: Timestamp, events: &mut Events) {
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
