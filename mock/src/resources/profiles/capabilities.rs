//! Per-account capabilities: what the admin API set for each profile, and the capabilities a
//! profile has (the rules table and its tier, narrowed by those settings). The checks
//! themselves are the core's (`aether::platforms::check_options`, `check_duration`), so the
//! emulator refuses exactly what the SDK's preflight refuses.
//!
//! The routes are in `resources/profile_capabilities.rs`: they read the daily quota, which
//! lives with the posts, and the posts' create checks read this file.

use std::collections::HashMap;

use aether::model::{Profile, ProfileCapabilities, ProfileStatus, TikTokPrivacyLevel};
use aether::platforms::{check_duration, check_options, default_capabilities, CapabilityViolation};
use aether::probe::{MediaFacts, MediaKind};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::state::Part;

/// The settings of `PUT /_mock/profiles/{id}/capabilities`, per profile.
#[derive(Debug, Default)]
pub struct AccountSettings {
    by_profile: HashMap<String, CapabilitySettings>,
}

impl Part for AccountSettings {}

impl AccountSettings {
    pub fn get(&self, profile_id: &str) -> Option<&CapabilitySettings> {
        self.by_profile.get(profile_id)
    }

    /// Merges `patch` into the profile's settings (a field left out keeps its value).
    pub fn merge(&mut self, profile_id: &str, patch: CapabilitySettings) {
        let stored = self.by_profile.entry(profile_id.to_owned()).or_default();
        stored.max_video_duration_sec =
            patch.max_video_duration_sec.or(stored.max_video_duration_sec);
        stored.privacy_level_options =
            patch.privacy_level_options.or(stored.privacy_level_options.take());
        stored.comment_disabled = patch.comment_disabled.or(stored.comment_disabled);
        stored.duet_disabled = patch.duet_disabled.or(stored.duet_disabled);
        stored.stitch_disabled = patch.stitch_disabled.or(stored.stitch_disabled);
        stored.can_post = patch.can_post.or(stored.can_post);
    }
}

/// The body of `PUT /_mock/profiles/{id}/capabilities` (every field optional: what is given
/// replaces the account's value), shared with [`crate::Admin::set_capabilities`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CapabilitySettings {
    /// The longest video the account may post, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_video_duration_sec: Option<u64>,
    /// The TikTok privacy levels the account offers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_level_options: Option<Vec<TikTokPrivacyLevel>>,
    /// True: the account has comments turned off, so posts may not turn them on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_disabled: Option<bool>,
    /// True: the account has duets turned off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duet_disabled: Option<bool>,
    /// True: the account has stitches turned off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stitch_disabled: Option<bool>,
    /// False: the platform refuses posts from this account for now (reported as `canPost`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_post: Option<bool>,
}

impl CapabilitySettings {
    /// Settings that change nothing; add fields with the setters.
    pub fn new() -> CapabilitySettings {
        CapabilitySettings::default()
    }

    /// Sets the longest video the account may post.
    pub fn max_video_duration_sec(mut self, seconds: u64) -> CapabilitySettings {
        self.max_video_duration_sec = Some(seconds);
        self
    }

    /// Sets the TikTok privacy levels the account offers (wire names, e.g. `SELF_ONLY`).
    pub fn privacy_level_options(mut self, levels: &[&str]) -> CapabilitySettings {
        self.privacy_level_options =
            Some(levels.iter().map(|level| TikTokPrivacyLevel::parse(level)).collect());
        self
    }

    /// Sets whether comments are turned off for the account.
    pub fn comment_disabled(mut self, disabled: bool) -> CapabilitySettings {
        self.comment_disabled = Some(disabled);
        self
    }

    /// Sets whether duets are turned off for the account.
    pub fn duet_disabled(mut self, disabled: bool) -> CapabilitySettings {
        self.duet_disabled = Some(disabled);
        self
    }

    /// Sets whether stitches are turned off for the account.
    pub fn stitch_disabled(mut self, disabled: bool) -> CapabilitySettings {
        self.stitch_disabled = Some(disabled);
        self
    }

    /// Sets whether the platform accepts posts from the account now.
    pub fn can_post(mut self, can_post: bool) -> CapabilitySettings {
        self.can_post = Some(can_post);
        self
    }
}

/// What `profile` may post: the table's figures for its platform and tier, narrowed by
/// `settings`, with the quota figures given (`remaining` posts today, resetting at `reset_at`).
pub fn capabilities_of(
    profile: &Profile,
    settings: Option<&CapabilitySettings>,
    remaining: u32,
    reset_at: String,
) -> ProfileCapabilities {
    let (min, max, privacy) = default_capabilities(&profile.platform, &profile.tier);
    let set = settings.cloned().unwrap_or_default();
    let tiktok = privacy.is_some();
    // TikTok reports the three switches always; other platforms have none.
    let switch = |value: Option<bool>| if tiktok { Some(value.unwrap_or(false)) } else { None };
    ProfileCapabilities {
        profile_id: profile.id.clone(),
        platform: profile.platform.clone(),
        tier: profile.tier.clone(),
        can_post: set.can_post.unwrap_or(true)
            && profile.status == ProfileStatus::Active
            && remaining > 0,
        posts_remaining_today: u64::from(remaining),
        quota_reset_at: reset_at,
        max_video_duration_sec: set.max_video_duration_sec.unwrap_or(max),
        min_video_duration_sec: min,
        privacy_level_options: set.privacy_level_options.or(privacy).filter(|_| tiktok),
        comment_disabled: switch(set.comment_disabled),
        duet_disabled: switch(set.duet_disabled),
        stitch_disabled: switch(set.stitch_disabled),
    }
}

/// The first thing a post asks of `profile` that its capabilities forbid: its options
/// (`platforms.<platform>`), then each verified video (`(field, facts)`; media still being
/// verified is judged by the rules table when it is ready).
pub fn check_target(
    settings: &AccountSettings,
    profile: &Profile,
    options: &Map<String, Value>,
    media: &[(String, Option<MediaFacts>)],
) -> Option<CapabilityViolation> {
    // The quota figures play no part in these checks.
    let caps = capabilities_of(profile, settings.get(&profile.id), 0, String::new());
    if let Some(found) = check_options(&caps, options) {
        return Some(found);
    }
    media.iter().find_map(|(field, facts)| {
        let duration =
            facts.as_ref().filter(|f| f.kind == MediaKind::Video).and_then(|f| f.duration_ms)?;
        check_duration(&caps, field, duration)
    })
}
