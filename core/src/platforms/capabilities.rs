//! Per-account capabilities ([`ProfileCapabilities`]): their defaults from the rules table and
//! the account's tier, and the checks a post must pass against them. Shared by the SDK's
//! preflight and the emulator, so both refuse the same post with the same words.
//!
//! What is checked, per target:
//! - `platforms.tiktok.privacyLevel` must be one of `privacyLevelOptions`
//!   (`INVALID_PLATFORM_OPTION`, `details.allowed`);
//! - `disableComment` / `disableDuet` / `disableStitch` set to `false` (asking to allow it) on
//!   an account that turned it off is refused (`INVALID_PLATFORM_OPTION`): the platform would
//!   publish with it off anyway, and a post that silently differs from what was asked is the
//!   surprise this check exists to prevent. Leaving the option out (or `true`) is fine;
//! - a video longer than `maxVideoDurationSec` is `VIDEO_TOO_LONG` with `details.accountMaxSec`.
//!
//! `canPost` is reported, not checked here: a disconnected profile and a used quota have their
//! own codes (`PROFILE_DISCONNECTED`, `POST_LIMIT_REACHED`), checked where a post starts.

use serde_json::{json, Map, Value};

use super::table::{rules, TIKTOK_PRIVACY_LEVELS};
use crate::error::{Error, ErrorCode};
use crate::model::{Platform, ProfileCapabilities, Tier, TikTokPrivacyLevel};

/// The account facts the rules table implies for `platform` and `tier`, before any account
/// setting narrows them: `(minVideoDurationSec, maxVideoDurationSec, privacyLevelOptions)`.
pub fn default_capabilities(
    platform: &Platform,
    tier: &Tier,
) -> (u64, u64, Option<Vec<TikTokPrivacyLevel>>) {
    let range = rules(platform).and_then(|r| r.video.as_ref()).map(|v| v.duration_for(tier, None));
    let (min, max) = range.map(|r| (r.min_ms.div_ceil(1000), r.max_ms / 1000)).unwrap_or((0, 0));
    let privacy = (*platform == Platform::Tiktok)
        .then(|| TIKTOK_PRIVACY_LEVELS.iter().map(|v| TikTokPrivacyLevel::parse(v)).collect());
    (min, max, privacy)
}

/// One thing a post asks that an account's capabilities forbid.
#[derive(Debug, Clone, PartialEq)]
pub struct CapabilityViolation {
    /// `INVALID_PLATFORM_OPTION` or `VIDEO_TOO_LONG`.
    pub code: ErrorCode,
    /// Where in the request (`platforms.tiktok.privacyLevel`, `mediaKeys[0]`, `file`).
    pub field: String,
    /// The account's platform.
    pub platform: Platform,
    /// Names the account's own figures and what was asked.
    pub message: String,
    /// The account's figures (`allowed`, `accountMaxSec`, …), `profileId` and what was asked.
    pub details: Map<String, Value>,
}

impl CapabilityViolation {
    /// The error a client raises for it.
    pub fn into_error(self) -> Error {
        Error::new(self.code, self.message)
            .with_field(self.field)
            .with_platform(self.platform)
            .with_details(Value::Object(self.details))
    }
}

/// The options a post gives `caps.platform` (the `platforms.<platform>` object) checked
/// against the account's capabilities.
pub fn check_options(
    caps: &ProfileCapabilities,
    options: &Map<String, Value>,
) -> Option<CapabilityViolation> {
    let prefix = format!("platforms.{}", caps.platform);
    if let (Some(allowed), Some(asked)) =
        (&caps.privacy_level_options, options.get("privacyLevel").and_then(Value::as_str))
    {
        // A value that is no privacy level at all is the rules table's to refuse (the
        // server's message lists every level); here only the account's narrowing is judged.
        let known = !TikTokPrivacyLevel::parse(asked).is_unknown();
        if known && !allowed.iter().any(|level| level.as_str() == asked) {
            let names: Vec<&str> = allowed.iter().map(TikTokPrivacyLevel::as_str).collect();
            return Some(violation(
                caps,
                ErrorCode::InvalidPlatformOption,
                format!("{prefix}.privacyLevel"),
                format!(
                    "profile {} allows privacyLevel {} only; {asked} was asked for",
                    caps.profile_id,
                    names.join(", ")
                ),
                json!({ "allowed": names, "requested": asked }),
            ));
        }
    }
    let switches = [
        ("disableComment", caps.comment_disabled, "comments"),
        ("disableDuet", caps.duet_disabled, "duets"),
        ("disableStitch", caps.stitch_disabled, "stitches"),
    ];
    for (option, disabled, what) in switches {
        let asks_on = options.get(option).and_then(Value::as_bool) == Some(false);
        if disabled == Some(true) && asks_on {
            return Some(violation(
                caps,
                ErrorCode::InvalidPlatformOption,
                format!("{prefix}.{option}"),
                format!(
                    "profile {} has {what} turned off, so {prefix}.{option} cannot be false; \
                     leave it out or set it to true",
                    caps.profile_id
                ),
                json!({ "allowed": [true], "requested": false }),
            ));
        }
    }
    None
}

/// A video of `duration_ms` checked against the account's longest video; `field` names it.
pub fn check_duration(
    caps: &ProfileCapabilities,
    field: &str,
    duration_ms: u64,
) -> Option<CapabilityViolation> {
    if duration_ms <= caps.max_video_duration_sec.saturating_mul(1000) {
        return None;
    }
    Some(violation(
        caps,
        ErrorCode::VideoTooLong,
        field.to_owned(),
        format!(
            "profile {} ({}) allows at most {} s; the video is {} s",
            caps.profile_id,
            caps.platform,
            caps.max_video_duration_sec,
            seconds(duration_ms)
        ),
        json!({ "accountMaxSec": caps.max_video_duration_sec, "measuredMs": duration_ms }),
    ))
}

fn violation(
    caps: &ProfileCapabilities,
    code: ErrorCode,
    field: String,
    message: String,
    extra: Value,
) -> CapabilityViolation {
    let mut details = Map::new();
    details.insert("profileId".into(), Value::from(caps.profile_id.as_str()));
    if let Value::Object(extra) = extra {
        details.extend(extra);
    }
    CapabilityViolation { code, field, platform: caps.platform.clone(), message, details }
}

/// `70`, `60.1`: seconds as people write them.
fn seconds(ms: u64) -> String {
    if ms.is_multiple_of(1000) {
        return (ms / 1000).to_string();
    }
    let text = format!("{:.3}", ms as f64 / 1000.0);
    text.trim_end_matches('0').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps() -> ProfileCapabilities {
        ProfileCapabilities {
            profile_id: "tiktok_1".into(),
            platform: Platform::Tiktok,
            tier: Tier::Standard,
            can_post: true,
            posts_remaining_today: 10,
            quota_reset_at: "2026-01-02T00:00:00Z".into(),
            max_video_duration_sec: 60,
            min_video_duration_sec: 15,
            privacy_level_options: Some(vec![TikTokPrivacyLevel::SelfOnly]),
            comment_disabled: Some(true),
            duet_disabled: Some(false),
            stitch_disabled: None,
        }
    }

    #[test]
    fn privacy_outside_the_accounts_options_names_them() {
        let options = json!({ "privacyLevel": "PUBLIC_TO_EVERYONE" });
        let found = check_options(&caps(), options.as_object().unwrap()).unwrap();
        assert_eq!(found.code, ErrorCode::InvalidPlatformOption);
        assert_eq!(found.field, "platforms.tiktok.privacyLevel");
        assert!(found.message.contains("SELF_ONLY"), "{}", found.message);
        assert_eq!(found.details["allowed"], json!(["SELF_ONLY"]));
        let unknown = json!({ "privacyLevel": "EVERYONE" });
        assert_eq!(
            check_options(&caps(), unknown.as_object().unwrap()),
            None,
            "the table's to judge"
        );
        let fine = json!({ "privacyLevel": "SELF_ONLY", "disableComment": true });
        assert_eq!(check_options(&caps(), fine.as_object().unwrap()), None);
    }

    #[test]
    fn allowing_what_the_account_turned_off_is_refused() {
        let options = json!({ "privacyLevel": "SELF_ONLY", "disableComment": false });
        let found = check_options(&caps(), options.as_object().unwrap()).unwrap();
        assert_eq!(found.field, "platforms.tiktok.disableComment");
        let duet = json!({ "disableDuet": false });
        assert_eq!(check_options(&caps(), duet.as_object().unwrap()), None);
    }

    #[test]
    fn a_longer_video_names_both_figures() {
        let found = check_duration(&caps(), "file", 70_000).unwrap();
        assert_eq!(found.code, ErrorCode::VideoTooLong);
        assert!(found.message.contains("at most 60 s; the video is 70 s"), "{}", found.message);
        assert_eq!(found.details["accountMaxSec"], json!(60));
        assert_eq!(check_duration(&caps(), "file", 60_000), None);
        assert!(check_duration(&caps(), "file", 60_100).unwrap().message.contains("60.1 s"));
    }

    #[test]
    fn defaults_follow_the_table_and_tier() {
        let (min, max, privacy) = default_capabilities(&Platform::Tiktok, &Tier::Creator);
        assert_eq!((min, max), (15, 600));
        assert_eq!(privacy.unwrap().len(), 4);
        let (_, _, none) = default_capabilities(&Platform::Linkedin, &Tier::Standard);
        assert_eq!(none, None);
    }
}
