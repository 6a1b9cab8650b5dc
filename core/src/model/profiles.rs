//! Profiles: the connected social accounts.

use serde::{Deserialize, Serialize};

use super::platform::{Platform, Tier, Timestamp};
use super::platform_options::TikTokPrivacyLevel;
use crate::open_enum::open_enum;

open_enum! {
    /// Whether a profile can publish.
    ProfileStatus {
        /// Connected and usable.
        Active = "active",
        /// The token was revoked or expired, or the profile was deleted; reconnect.
        Disconnected = "disconnected",
    }
}

/// A connected social account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// Profile id: opaque (the service's look like `tiktok_…`, `ig_…`; take any as it is).
    pub id: String,
    /// The platform of the account.
    pub platform: Platform,
    /// The account's handle on the platform.
    pub username: String,
    /// The account's display name.
    pub display_name: String,
    /// Account tier (TikTok creators may post longer videos).
    pub tier: Tier,
    /// Whether the profile can publish.
    pub status: ProfileStatus,
    /// When the account was connected.
    pub connected_at: Timestamp,
}

/// What one account may post right now: TikTok's "creator info" (which its Direct Post API
/// requires reading before a post) and the same facts for other platforms, from the rules
/// table and the account's tier. `GET /v1/profiles/{id}/capabilities`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileCapabilities {
    /// The profile these are for.
    pub profile_id: String,
    /// The platform of the account.
    pub platform: Platform,
    /// The account's tier (TikTok creators may post longer videos).
    pub tier: Tier,
    /// False when the profile is disconnected, the platform forbids posting for now, or
    /// today's quota is used.
    pub can_post: bool,
    /// Posts this account may still publish this UTC day.
    pub posts_remaining_today: u64,
    /// When the daily quota resets (00:00 UTC).
    pub quota_reset_at: Timestamp,
    /// Longest video this account may post, in seconds.
    pub max_video_duration_sec: u64,
    /// Shortest video this account may post, in seconds.
    pub min_video_duration_sec: u64,
    /// The `privacyLevel` values this account offers (TikTok); absent where there are none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_level_options: Option<Vec<TikTokPrivacyLevel>>,
    /// The account turned comments off: a post cannot turn them on (TikTok).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment_disabled: Option<bool>,
    /// The account turned duets off (TikTok).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duet_disabled: Option<bool>,
    /// The account turned stitches off (TikTok).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stitch_disabled: Option<bool>,
}
