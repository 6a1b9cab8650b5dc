//! The platforms, account tiers and timestamps every other part of the model names, and
//! `GET /v1/platforms`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::open_enum::open_enum;

open_enum! {
    /// A social platform Aether publishes to.
    Platform {
        /// TikTok (video only).
        Tiktok = "tiktok",
        /// Instagram (feed, reels, stories, carousels).
        Instagram = "instagram",
        /// LinkedIn.
        Linkedin = "linkedin",
        /// Facebook (pages).
        Facebook = "facebook",
        /// YouTube (video only, with a title).
        Youtube = "youtube",
        /// Threads.
        Threads = "threads",
        /// Reddit (a subreddit and a title per post).
        Reddit = "reddit",
    }
}

open_enum! {
    /// A profile's account tier; TikTok creator accounts may post longer videos.
    Tier {
        /// An ordinary account (TikTok: videos of 15–60 s).
        Standard = "standard",
        /// A creator account (TikTok: videos up to 10 minutes).
        Creator = "creator",
    }
}

/// An RFC 3339 timestamp exactly as it appears on the wire (the server sends UTC, `…Z`).
pub type Timestamp = String;

/// `GET /v1/platforms`: the rules table as data. The rules body of each platform is left as
/// JSON here; `crate::platforms` owns its typed form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlatformsResponse {
    /// Version of the rules table, compared as an opaque string.
    pub version: String,
    /// The rules of each platform, keyed by platform.
    pub platforms: BTreeMap<Platform, Value>,
}
