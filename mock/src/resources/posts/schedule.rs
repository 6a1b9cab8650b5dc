//! `scheduledFor` + `timezone` → the UTC instant publishing starts (`publishAt`).
//!
//! - An instant with an offset (`2026-06-15T13:00:00Z`, `…-04:00`) is taken as it is; a
//!   `timezone` given with it must still be a valid IANA name but does not move it.
//! - A local date-time without an offset (`2026-06-15T09:00:00`) needs `timezone`; without one
//!   it is 400 `INVALID_REQUEST` (field `timezone`, as `spec/openapi.yaml` chose): the server
//!   will not guess a zone. A name that is not an IANA zone is 422 `INVALID_TIMEZONE`.
//! - A local time in a DST gap is shifted forward by the gap's length (`02:30` on the spring-
//!   forward night in New York is `03:30` EDT): `scheduleResolution: "shifted_forward"`. A local
//!   time in an overlap takes the earlier instant (the first `01:30`, still EDT):
//!   `"earlier_instant"`.
//! - Zone names come from the system's tz database when it has them, else from the copy
//!   bundled into the binary (so a machine without `/usr/share/zoneinfo` behaves the same).

use aether::model::ScheduleResolution;
use aether::platforms::{rules, DEFAULT_SCHEDULE_HORIZON_DAYS};
use aether::ErrorCode;
use jiff::civil::DateTime;
use jiff::tz::{AmbiguousOffset, TimeZone, TimeZoneDatabase};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

use super::checks::TargetInfo;
use crate::api_error::{ApiError, ApiResult};
use crate::clock::rfc3339;

/// Where `scheduledFor` lands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub publish_at: Timestamp,
    pub resolution: Option<ScheduleResolution>,
}

/// Looks up an IANA zone name, or answers 422 `INVALID_TIMEZONE`.
pub fn zone(name: &str) -> ApiResult<TimeZone> {
    let found = if name.trim().is_empty() {
        None
    } else {
        jiff::tz::db().get(name).ok().or_else(|| TimeZoneDatabase::bundled().get(name).ok())
    };
    found.ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidTimezone,
            format!(
                "timezone {name:?} is not an IANA time zone name; use one such as \
                 America/New_York, Europe/Berlin or UTC"
            ),
        )
        .field("timezone")
    })
}

/// Converts `scheduled_for` (with `timezone` for a local date-time) to an instant.
pub fn resolve(scheduled_for: &str, timezone: Option<&str>) -> ApiResult<Resolved> {
    let zone = timezone.map(zone).transpose()?;
    if let Ok(instant) = scheduled_for.parse::<Timestamp>() {
        return Ok(Resolved { publish_at: instant, resolution: None });
    }
    let Ok(local) = scheduled_for.parse::<DateTime>() else {
        return Err(ApiError::invalid(
            "scheduledFor",
            format!(
                "scheduledFor {scheduled_for:?} is neither an RFC 3339 instant with an offset \
                 (2026-06-15T13:00:00Z) nor a local date-time (2026-06-15T09:00:00) with timezone"
            ),
        ));
    };
    let Some(zone) = zone else {
        return Err(ApiError::invalid(
            "timezone",
            format!(
                "scheduledFor {scheduled_for:?} has no offset, so timezone is required (an IANA \
                 name such as America/New_York); or give scheduledFor with an offset"
            ),
        ));
    };
    let ambiguous = zone.to_ambiguous_timestamp(local);
    let (instant, resolution) = match ambiguous.offset() {
        AmbiguousOffset::Unambiguous { .. } => (ambiguous.compatible(), None),
        // `compatible` reads a gap time with the offset before the gap: shifted forward.
        AmbiguousOffset::Gap { .. } => {
            (ambiguous.compatible(), Some(ScheduleResolution::ShiftedForward))
        }
        AmbiguousOffset::Fold { .. } => {
            (ambiguous.earlier(), Some(ScheduleResolution::EarlierInstant))
        }
    };
    let publish_at = instant.map_err(|_| {
        ApiError::invalid("scheduledFor", format!("scheduledFor {scheduled_for:?} is out of range"))
    })?;
    Ok(Resolved { publish_at, resolution })
}

/// [`resolve`], then refuses an instant before `now` (`SCHEDULE_IN_PAST`) or beyond the
/// strictest target's horizon (`SCHEDULE_TOO_FAR`: TikTok 10 days, else 365).
pub fn resolve_within(
    scheduled_for: &str,
    timezone: Option<&str>,
    targets: &[TargetInfo],
    now: Timestamp,
) -> ApiResult<Resolved> {
    let resolved = resolve(scheduled_for, timezone)?;
    let publish_at = resolved.publish_at;
    if publish_at < now {
        return Err(ApiError::new(
            ErrorCode::ScheduleInPast,
            format!(
                "scheduledFor {scheduled_for:?} is {} UTC, which is in the past (now is {}); \
                 schedule a later time, or leave scheduledFor out to publish now",
                rfc3339(publish_at),
                rfc3339(now)
            ),
        )
        .field("scheduledFor")
        .details(json!({ "publishAt": rfc3339(publish_at), "now": rfc3339(now) })));
    }
    let strictest = targets
        .iter()
        .map(|t| {
            let days = rules(&t.platform)
                .map(|r| r.schedule_horizon_days)
                .unwrap_or(DEFAULT_SCHEDULE_HORIZON_DAYS);
            (days, t)
        })
        .min_by_key(|(days, _)| *days);
    if let Some((days, target)) = strictest {
        let horizon = SignedDuration::from_hours(24 * i64::from(days));
        let latest = now.checked_add(horizon).unwrap_or(Timestamp::MAX);
        if publish_at > latest {
            return Err(ApiError::new(
                ErrorCode::ScheduleTooFar,
                format!(
                    "scheduledFor {scheduled_for:?} is {} UTC; {} posts can be scheduled at most \
                     {days} days ahead (until {})",
                    rfc3339(publish_at),
                    target.platform,
                    rfc3339(latest)
                ),
            )
            .field("scheduledFor")
            .platform(target.platform.as_str())
            .details(json!({
                "publishAt": rfc3339(publish_at),
                "latest": rfc3339(latest),
                "horizonDays": days,
            })));
        }
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn an_instant_with_an_offset_is_kept() {
        let r = resolve("2026-06-15T13:00:00Z", None).unwrap();
        assert_eq!(r, Resolved { publish_at: at("2026-06-15T13:00:00Z"), resolution: None });
        let r = resolve("2026-06-15T09:00:00-04:00", Some("Europe/Berlin")).unwrap();
        assert_eq!(r.publish_at, at("2026-06-15T13:00:00Z"));
    }

    #[test]
    fn a_local_time_is_converted_with_its_zone() {
        let r = resolve("2026-06-15T09:00:00", Some("America/New_York")).unwrap();
        assert_eq!(r, Resolved { publish_at: at("2026-06-15T13:00:00Z"), resolution: None });
    }

    #[test]
    fn a_gap_is_shifted_forward_and_an_overlap_takes_the_earlier_instant() {
        let gap = resolve("2026-03-08T02:30:00", Some("America/New_York")).unwrap();
        assert_eq!(gap.publish_at, at("2026-03-08T07:30:00Z")); // 03:30 EDT
        assert_eq!(gap.resolution, Some(ScheduleResolution::ShiftedForward));
        let fold = resolve("2026-11-01T01:30:00", Some("America/New_York")).unwrap();
        assert_eq!(fold.publish_at, at("2026-11-01T05:30:00Z")); // the first 01:30, EDT
        assert_eq!(fold.resolution, Some(ScheduleResolution::EarlierInstant));
    }

    #[test]
    fn bad_zones_are_invalid_timezone_and_missing_zones_invalid_requests() {
        let e = resolve("2026-06-15T09:00:00", Some("Mars/Olympus_Mons")).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidTimezone);
        let e = resolve("2026-06-15T09:00:00", None).unwrap_err();
        assert_eq!((e.code, e.field.as_deref()), (ErrorCode::InvalidRequest, Some("timezone")));
        let e = resolve("next tuesday", Some("UTC")).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest);
    }

    #[test]
    fn the_bundled_database_knows_new_york() {
        let tz = TimeZoneDatabase::bundled().get("America/New_York").unwrap();
        assert_eq!(tz.iana_name(), Some("America/New_York"));
    }
}
