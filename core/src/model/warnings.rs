//! Warnings: advice that never stops a request. The server answers them on posts
//! (`Post::warnings`) and the client's own checks (`aether::platforms::validate`) use the same
//! codes, so both sides say the same thing about the same post.

use serde::{Deserialize, Serialize};

use super::platform::Platform;
use crate::open_enum::open_enum;

open_enum! {
    /// What a warning is about. A code this version does not know is kept as it came.
    WarningCode {
        /// More hashtags than the platform recommends (TikTok: 3–5); the post goes out as is.
        HashtagsAboveRecommended = "HASHTAGS_ABOVE_RECOMMENDED",
        /// Fewer hashtags than the platform recommends (client-side advice only: the server
        /// does not flag it, since most posts carry none).
        HashtagsBelowRecommended = "HASHTAGS_BELOW_RECOMMENDED",
        /// `scheduledFor` carried an offset and `timezone` disagrees with it at that instant:
        /// the offset wins and the stored instant is unchanged.
        TimezoneIgnored = "TIMEZONE_IGNORED",
        /// Options were given for a platform none of the targets is on; they were dropped.
        PlatformOptionsUnused = "PLATFORM_OPTIONS_UNUSED",
        /// This SDK version has no rules for the platform, so nothing was checked (client-side).
        PlatformRulesUnknown = "PLATFORM_RULES_UNKNOWN",
    }
}

/// One warning on a post: `{ code, message, field?, platform? }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostWarning {
    /// What the warning is about.
    pub code: WarningCode,
    /// What was found and what is recommended, for people.
    pub message: String,
    /// Where in the request (`content.text`, `timezone`, `platforms.youtube`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The platform it concerns, when it concerns one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
}
