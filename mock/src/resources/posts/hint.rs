//! The poll hint of a publishing post (PROTOCOL.md, second edition): `Retry-After-Ms` is the
//! time until the emulator's next scheduled change of that post (the earliest end of a
//! target's processing, or start of its next attempt after a transient failure), at least
//! 1 ms; `Retry-After` is the same rounded up to whole seconds (at least 1) for clients that
//! read only that. The estimate is at most 1 s, and 1 s when nothing is scheduled (targets
//! waiting for their media): the admin API can move the emulator's clock, which a client
//! cannot see, so it is told to look again within a second (as with the fixed hint of 1 s
//! before the estimate). Settings `pollHintMs` / `pollHintSecs`, when set, replace the
//! estimate (tests that want a fixed hint).
//!
//! `GET /v1/posts/{id}` sends both headers; the create (`POST /v1/posts`) and retry answers of
//! a post that starts publishing send `Retry-After-Ms` only, so that a client can schedule its
//! first poll without a GET that could only say "publishing" (a replay of the create, which
//! repeats `Retry-After` but not `Retry-After-Ms`, carries no stale hint).

use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use jiff::Timestamp;

use aether::model::{Post, PostStatus, TargetStatus};

use super::{PostRecord, Posts};
use crate::api_error::{ApiError, ApiResult};
use crate::config::Settings;
use crate::state::SharedState;

/// The longest hint, and the hint when nothing about the post is scheduled.
const LONGEST_MS: u64 = 1_000;

/// When the record's next change is due: the earliest pending step of a publishing target.
pub(super) fn next_change(record: &PostRecord) -> Option<Timestamp> {
    record
        .targets
        .iter()
        .zip(&record.post.results)
        .filter(|(_, result)| result.status == TargetStatus::Publishing)
        .filter_map(|(target, _)| target.finish_at.or(target.retry_at))
        .min()
}

/// Post `id` as a GET answers it, with its poll hint in milliseconds while it is publishing.
/// A step already due (one the scheduler's next tick would play) is played first, so a client
/// that polls at the hinted time sees the change rather than a hint of 1 ms.
pub(super) fn current(state: &SharedState, id: &str) -> ApiResult<(Post, Option<u64>)> {
    let settings = state.settings();
    let now = state.clock.now();
    let mut played = false;
    loop {
        let mut guard = state.store();
        let posts = guard.part::<Posts>();
        let record = posts
            .records
            .iter()
            .find(|r| r.post.id == id)
            .ok_or_else(|| ApiError::not_found("post", id))?;
        let publishing = record.post.status == PostStatus::Publishing;
        let next = if publishing { next_change(record) } else { None };
        if !played && next.is_some_and(|at| at <= now) {
            drop(guard);
            super::publish::advance(state, now);
            played = true;
            continue;
        }
        let hint = publishing.then(|| estimate(&settings, next, now));
        return Ok((record.post.clone(), hint));
    }
}

/// The hint in milliseconds for post `id` when it is publishing (create and retry answers).
pub(super) fn hint_ms(state: &SharedState, id: &str) -> Option<u64> {
    let settings = state.settings();
    let now = state.clock.now();
    let mut guard = state.store();
    let record = guard.part::<Posts>().records.iter().find(|r| r.post.id == id)?;
    if record.post.status != PostStatus::Publishing {
        return None;
    }
    Some(estimate(&settings, next_change(record), now))
}

/// The configured hint when one is set, else the time from `now` to `next`, from 1 ms to 1 s.
fn estimate(settings: &Settings, next: Option<Timestamp>, now: Timestamp) -> u64 {
    if let Some(ms) = settings.poll_hint_ms {
        return ms;
    }
    if let Some(secs) = settings.poll_hint_secs {
        return secs.saturating_mul(1000);
    }
    match next {
        Some(at) => {
            // Rounded up: a client that polls at the hinted time must not arrive just before
            // the change.
            let until = at.duration_since(now).as_micros().div_euclid(1000)
                + i128::from(at.duration_since(now).as_micros().rem_euclid(1000) > 0);
            u64::try_from(until.clamp(1, i128::from(LONGEST_MS))).unwrap_or(LONGEST_MS)
        }
        None => LONGEST_MS,
    }
}

/// `Retry-After-Ms: ms` and `Retry-After` in whole seconds (rounded up, at least 1).
pub(super) fn both(response: &mut Response, ms: u64) {
    let headers: &mut HeaderMap = response.headers_mut();
    headers.insert("retry-after", HeaderValue::from(ms.div_ceil(1000).max(1)));
    headers.insert("retry-after-ms", HeaderValue::from(ms));
}

/// `Retry-After-Ms: ms` alone (create and retry answers).
pub(super) fn millis_only(response: &mut Response, ms: u64) {
    response.headers_mut().insert("retry-after-ms", HeaderValue::from(ms));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_millisecond(ms).unwrap()
    }

    #[test]
    fn the_estimate_is_the_time_to_the_next_change_and_at_least_one_ms() {
        let settings = Settings::default();
        assert_eq!(estimate(&settings, Some(at(1_250)), at(1_000)), 250);
        assert_eq!(estimate(&settings, Some(at(1_000)), at(1_000)), 1);
        let early = Timestamp::from_microsecond(999_600).unwrap();
        assert_eq!(estimate(&settings, Some(at(1_100)), early), 101, "rounded up");
        assert_eq!(estimate(&settings, Some(at(900)), at(1_000)), 1);
        assert_eq!(estimate(&settings, Some(at(61_000)), at(1_000)), 1_000, "at most 1 s");
        assert_eq!(estimate(&settings, None, at(1_000)), 1_000);
    }

    #[test]
    fn a_configured_hint_replaces_the_estimate() {
        let secs = Settings { poll_hint_secs: Some(5), ..Settings::default() };
        assert_eq!(estimate(&secs, Some(at(1_250)), at(1_000)), 5_000);
        let ms = Settings { poll_hint_ms: Some(150), ..secs };
        assert_eq!(estimate(&ms, Some(at(1_250)), at(1_000)), 150);
    }
}
