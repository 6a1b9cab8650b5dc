//! Connect links: the hosted OAuth flow that connects a social account.

use serde::{Deserialize, Serialize};

use super::platform::{Platform, Timestamp};
use crate::open_enum::open_enum;

open_enum! {
    /// Where a connect link stands.
    ConnectLinkStatus {
        /// Waiting for the end user to authorize.
        Pending = "pending",
        /// Authorized; `profileId` names the connected profile.
        Completed = "completed",
        /// The end user refused.
        Denied = "denied",
        /// Not used before its expiry.
        Expired = "expired",
    }
}

impl ConnectLinkStatus {
    /// Whether the link can no longer change (completed, denied or expired).
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Completed | Self::Denied | Self::Expired)
    }
}

/// `POST /v1/connect-links` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateConnectLinkRequest {
    /// The platform to connect.
    pub platform: Platform,
    /// Where Aether redirects the end user after authorization.
    pub redirect_url: String,
    /// Opaque value echoed back on the redirect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// A connect link: the hosted authorization page for one platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectLink {
    /// Link id (`link_…`).
    pub id: String,
    /// The platform being connected.
    pub platform: Platform,
    /// The hosted authorization page to send the end user to.
    pub url: String,
    /// Where Aether redirects after authorization.
    pub redirect_url: String,
    /// The caller's opaque state, if one was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Where the link stands.
    pub status: ConnectLinkStatus,
    /// When the link stops working.
    pub expires_at: Timestamp,
    /// The connected profile, once `completed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_id: Option<String>,
    /// When the link was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
}
