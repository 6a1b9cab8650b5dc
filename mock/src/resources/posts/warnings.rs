//! The warnings a post's answer carries (`Post::warnings`): advice, never an error. The codes
//! are the core's (`aether::model::WarningCode`), and the hashtag advice comes from the same
//! rules table the SDKs validate with, so server and client agree.
//! - `HASHTAGS_ABOVE_RECOMMENDED`: per platform of the targets, when the text has more hashtags
//!   than the platform recommends (TikTok: 3–5). Fewer than recommended is not flagged here.
//! - `TIMEZONE_IGNORED`: `scheduledFor` has an offset and `timezone` names a zone whose offset
//!   at that instant differs; the offset wins (the vendor's scheduling guide: the stored
//!   instant is never reinterpreted).
//! - `PLATFORM_OPTIONS_UNUSED`: see `shape::unused_options`.

use aether::model::{Platform, PostContent, PostWarning, WarningCode};
use aether::platforms::{validate, PostDraft};
use jiff::Timestamp;

use super::checks::TargetInfo;
use super::schedule;

/// `HASHTAGS_ABOVE_RECOMMENDED`, once per platform among `targets`.
pub fn hashtags(targets: &[TargetInfo], content: &PostContent) -> Vec<PostWarning> {
    let mut seen: Vec<Platform> = Vec::new();
    let mut warnings = Vec::new();
    for target in targets {
        if seen.contains(&target.platform) {
            continue;
        }
        seen.push(target.platform.clone());
        let draft = PostDraft::new(target.platform.clone(), content.text.clone())
            .with_tier(target.tier.clone());
        let found = validate(&draft).warnings.into_iter();
        warnings.extend(found.filter(|w| w.code == WarningCode::HashtagsAboveRecommended).map(
            |w| PostWarning {
                code: w.code,
                message: format!("{}; the post goes out as it is", w.message),
                field: Some(w.field),
                platform: Some(w.platform),
            },
        ));
    }
    warnings
}

/// `TIMEZONE_IGNORED` when `scheduled_for` carries an offset that `timezone` does not have at
/// that instant. Nothing for a local time, a missing or invalid zone (the schedule check
/// answers those), or a zone that agrees.
pub fn timezone_ignored(
    scheduled_for: Option<&str>,
    timezone: Option<&str>,
) -> Option<PostWarning> {
    let (at, name) = (scheduled_for?, timezone?);
    let instant: Timestamp = at.parse().ok()?;
    let given = offset_seconds(at)?;
    let zone = schedule::zone(name).ok()?;
    let zone_offset = zone.to_offset(instant).seconds();
    if zone_offset == given {
        return None;
    }
    Some(PostWarning {
        code: WarningCode::TimezoneIgnored,
        message: format!(
            "scheduledFor {at:?} carries its own offset, which wins: the post publishes at that \
             instant; timezone {name:?} (offset {} there) was kept but not used to read it",
            describe(zone_offset)
        ),
        field: Some("timezone".into()),
        platform: None,
    })
}

/// The offset written at the end of an RFC 3339 instant (`Z`, `+02:00`, `-05:00`), in seconds.
fn offset_seconds(at: &str) -> Option<i32> {
    if at.ends_with(['Z', 'z']) {
        return Some(0);
    }
    let tail = at.get(at.len().checked_sub(6)?..)?;
    let sign = match tail.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let hours: i32 = tail.get(1..3)?.parse().ok()?;
    let minutes: i32 = tail.get(4..6)?.parse().ok()?;
    Some(sign * (hours * 3600 + minutes * 60))
}

fn describe(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let abs = seconds.abs();
    format!("{sign}{:02}:{:02}", abs / 3600, (abs % 3600) / 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offset_that_the_zone_does_not_have_is_flagged() {
        let winter = Some("2026-01-15T14:00:00Z");
        assert!(timezone_ignored(winter, Some("America/New_York")).is_some());
        assert!(timezone_ignored(winter, Some("UTC")).is_none());
        assert!(
            timezone_ignored(Some("2026-01-15T09:00:00-05:00"), Some("America/New_York")).is_none()
        );
        assert!(timezone_ignored(Some("2026-01-15T09:00:00"), Some("America/New_York")).is_none());
        assert!(timezone_ignored(winter, None).is_none());
    }
}
