//! Profiles: the connected social accounts.

use serde::{Deserialize, Serialize};

use super::platform::{Platform, Tier, Timestamp};
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
