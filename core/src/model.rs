//! Wire types shared by the client and the emulator: every request and response body of
//! PROTOCOL.md, camelCase on the wire. Every type serializes *and* deserializes, because the
//! emulator (axum) reads what the client writes and the other way round.
//!
//! Choices, made once for the whole model:
//! - **Timestamps** are [`Timestamp`] = `String`, RFC 3339 as the server sent it. The wire
//!   round-trips byte for byte, and no time crate is forced on the client or the bindings; code
//!   that needs arithmetic (the emulator's clock, schedule checks) parses where it computes.
//!   `scheduledFor` is a raw string too: it is either an instant with an offset or a local
//!   date-time that only means something together with `timezone`.
//! - **Status and enum fields** are open enums (`open_enum!`): a value this version does not know
//!   is kept in `Unknown(String)` and serialized back unchanged, so a newer server never breaks an
//!   older client. A server that must refuse unknown values checks `is_unknown()`.
//! - **Per-platform options** are [`PlatformOptionsMap`]: one typed, optional field per platform
//!   (a client builds it with struct syntax, a server validates typed values) plus `other` for
//!   platforms this version does not know. Each options struct keeps unknown fields in `extra`,
//!   so `{ "tiktok": {} }` works and a server can refuse unknown fields with
//!   `INVALID_PLATFORM_OPTION` instead of dropping them silently.
//! - **Optional fields** are omitted when `None` and accept both absence and `null`; the one
//!   exception is [`Page::next_cursor`], which PROTOCOL.md spells as `null` at the end of a list.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, ErrorCode};
use crate::probe::{Container, MediaKind, VideoCodec};

/// Declares a string enum with a fallback variant that keeps values this version does not know,
/// so a new value from the server never breaks an old client.
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $( $(#[$doc:meta])* $variant:ident = $wire:literal, )* }) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$doc])* $variant, )*
            /// A value this SDK version does not know, kept as the server sent it.
            Unknown(String),
        }

        impl $name {
            /// Every known value.
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )* ];

            /// The value as it appears on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )*
                    $name::Unknown(other) => other,
                }
            }

            /// Whether this is a value this SDK version does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, $name::Unknown(_))
            }

            /// Parses a wire string; unknown strings are kept in `Unknown`.
            pub fn parse(value: &str) -> $name {
                match value {
                    $( $wire => $name::$variant, )*
                    other => $name::Unknown(other.to_owned()),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <String as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok($name::parse(&value))
            }
        }
    };
}
pub(crate) use open_enum;

open_enum! {
    /// A social platform Aether publishes to.
    Platform {
        Tiktok = "tiktok",
        Instagram = "instagram",
        Linkedin = "linkedin",
        Facebook = "facebook",
        Youtube = "youtube",
        Threads = "threads",
        Reddit = "reddit",
    }
}

open_enum! {
    /// A profile's account tier; TikTok creator accounts may post longer videos.
    Tier {
        Standard = "standard",
        Creator = "creator",
    }
}

/// An RFC 3339 timestamp exactly as it appears on the wire (the server sends UTC, `…Z`).
pub type Timestamp = String;

// ---------------------------------------------------------------------------------------------
// Errors and lists
// ---------------------------------------------------------------------------------------------

/// The body of every error response: `{ "error": { … } }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// The error itself.
    pub error: ApiErrorPayload,
}

/// What went wrong, as the server reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiErrorPayload {
    /// Stable, machine-readable code, e.g. `POST_LIMIT_REACHED`.
    pub code: ErrorCode,
    /// Human-readable explanation.
    pub message: String,
    /// The request id (the `X-Request-Id` header repeated); empty if a server left it out.
    #[serde(default)]
    pub request_id: String,
    /// Where in the request body the problem is, e.g. `content.text`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The platform whose rule was broken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// Seconds to wait before retrying, where waiting helps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// Code-specific extra data, e.g. `resetAt`, `missingParts`, `resource`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

/// The error recorded on a failed post, target result or media: `{ code, message }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultError {
    /// Stable, machine-readable code, e.g. `VIDEO_TOO_SHORT`.
    pub code: ErrorCode,
    /// Human-readable explanation.
    pub message: String,
    /// Code-specific extra data, e.g. the measured and the allowed duration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

/// One page of a list: `{ "data": [...], "nextCursor": "..." | null }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// The items of this page.
    pub data: Vec<T>,
    /// Cursor for the next page; `null` on the last page.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// Query string of a list endpoint: `?limit=&cursor=`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    /// Page size, 1–100 (server default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Cursor from the previous page's `nextCursor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Connect links, profiles, platforms
// ---------------------------------------------------------------------------------------------

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
    /// Profile id (`prof_…`).
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

// ---------------------------------------------------------------------------------------------
// Media
// ---------------------------------------------------------------------------------------------

/// `POST /v1/media/uploads` body: opens a chunked upload session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateUploadRequest {
    /// The file's name, e.g. `video.mp4`.
    pub file_name: String,
    /// The declared mime type, e.g. `video/mp4`.
    pub mime_type: String,
    /// Total size in bytes; 0 is refused.
    pub size: u64,
    /// Hex SHA-256 of the whole file, checked at completion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Requested part size in bytes (5–64 MiB); the server decides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_size: Option<u64>,
}

/// The session `POST /v1/media/uploads` opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadSession {
    /// Upload id (`upl_…`).
    pub upload_id: String,
    /// The media key the file will have once complete.
    pub media_key: String,
    /// Size of every part but the last, in bytes.
    pub part_size: u64,
    /// Number of parts, numbered from 1.
    pub part_count: u32,
    /// When the session expires (`UPLOAD_EXPIRED` after that).
    pub expires_at: Timestamp,
}

/// A part the server holds: the answer to a part PUT, and an entry of [`UploadState::parts`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PartReceipt {
    /// 1-based part number.
    pub part_number: u32,
    /// Size of the part in bytes.
    pub size: u64,
    /// Base64 of the big-endian CRC32C of the part's bytes.
    pub crc32c: String,
}

open_enum! {
    /// Where an upload session stands.
    UploadStatus {
        /// Accepting parts.
        Uploading = "uploading",
        /// Completed; the media exists.
        Completed = "completed",
        /// Aborted; the parts are gone.
        Aborted = "aborted",
    }
}

/// `GET /v1/media/uploads/{uploadId}`: what a client resumes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadState {
    /// Upload id (`upl_…`).
    pub upload_id: String,
    /// The media key the file will have once complete.
    pub media_key: String,
    /// Where the session stands.
    pub status: UploadStatus,
    /// Total size in bytes.
    pub size: u64,
    /// Size of every part but the last, in bytes.
    pub part_size: u64,
    /// Number of parts, numbered from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_count: Option<u32>,
    /// When the session expires (`UPLOAD_EXPIRED` after that).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// The parts received so far, by part number.
    pub parts: Vec<PartReceipt>,
}

/// `POST /v1/media/uploads/{uploadId}/complete` body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompleteUploadRequest {
    /// Hex SHA-256 of the whole file, if not given when the upload was opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

open_enum! {
    /// Where a stored media file stands in verification.
    MediaStatus {
        /// Uploaded; the server is still verifying it.
        Processing = "processing",
        /// Verified and usable in posts.
        Ready = "ready",
        /// Verification failed; `error` says why.
        Failed = "failed",
    }
}

/// A stored media file and what verification found in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Media {
    /// The media key, e.g. `org_abc123/f47ac10b.mp4` (percent-encode it in paths).
    pub media_key: String,
    /// The file's name.
    pub file_name: String,
    /// The declared mime type.
    pub mime_type: String,
    /// Size in bytes.
    pub size: u64,
    /// Hex SHA-256 of the file.
    pub sha256: String,
    /// Where verification stands.
    pub status: MediaStatus,
    /// Video, image or audio.
    pub kind: MediaKind,
    /// Duration in milliseconds (videos and audio), once verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// Width in pixels, once verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Height in pixels, once verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Codec of the video track, once verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub video_codec: Option<VideoCodec>,
    /// Codec of the first audio track, e.g. `aac`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_codec: Option<String>,
    /// Container recognised from the file's bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<Container>,
    /// Why verification failed, when `status` is `failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ResultError>,
}

// ---------------------------------------------------------------------------------------------
// Per-platform post options
// ---------------------------------------------------------------------------------------------

open_enum! {
    /// Who may see a TikTok post.
    TikTokPrivacyLevel {
        /// Everyone (the default).
        PublicToEveryone = "PUBLIC_TO_EVERYONE",
        /// Mutual followers only.
        MutualFollowFriends = "MUTUAL_FOLLOW_FRIENDS",
        /// Followers of the creator.
        FollowerOfCreator = "FOLLOWER_OF_CREATOR",
        /// Only the creator.
        SelfOnly = "SELF_ONLY",
    }
}

open_enum! {
    /// Where an Instagram post appears.
    InstagramContentType {
        /// A feed post.
        Feed = "feed",
        /// A reel.
        Reel = "reel",
        /// A story.
        Story = "story",
    }
}

open_enum! {
    /// Who may see a LinkedIn post.
    LinkedinVisibility {
        /// Anyone.
        Public = "PUBLIC",
        /// Connections only.
        Connections = "CONNECTIONS",
    }
}

open_enum! {
    /// Who may see a YouTube video.
    YoutubePrivacyStatus {
        /// Anyone, listed.
        Public = "public",
        /// Anyone with the link.
        Unlisted = "unlisted",
        /// Only the owner.
        Private = "private",
    }
}

open_enum! {
    /// Who may reply to a Threads post.
    ThreadsReplyControl {
        /// Anyone.
        Everyone = "everyone",
        /// Accounts the author follows.
        AccountsYouFollow = "accounts_you_follow",
        /// Accounts mentioned in the post.
        MentionedOnly = "mentioned_only",
    }
}

/// `platforms.tiktok` options.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TikTokOptions {
    /// Who may see the post (default `PUBLIC_TO_EVERYONE`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_level: Option<TikTokPrivacyLevel>,
    /// Forbid duets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_duet: Option<bool>,
    /// Forbid stitches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_stitch: Option<bool>,
    /// Forbid comments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_comment: Option<bool>,
    /// Label the video as AI-generated content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_aigc: Option<bool>,
    /// Disclose the video as branded (paid partnership) content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand_content: Option<bool>,
    /// Fields this version does not know, kept so a server can refuse them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `platforms.instagram` options.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstagramOptions {
    /// Feed post, reel or story.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<InstagramContentType>,
    /// Also show a reel in the feed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_to_feed: Option<bool>,
    /// Fields this version does not know, kept so a server can refuse them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `platforms.linkedin` options.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkedinOptions {
    /// Who may see the post.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<LinkedinVisibility>,
    /// Fields this version does not know, kept so a server can refuse them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `platforms.facebook` options (none are defined yet).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FacebookOptions {
    /// Fields this version does not know, kept so a server can refuse them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `platforms.youtube` options.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct YoutubeOptions {
    /// Video title (required by YouTube unless `content.title` is given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Who may see the video.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_status: Option<YoutubePrivacyStatus>,
    /// YouTube category id, e.g. `"22"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_id: Option<String>,
    /// Whether the video is made for kids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub made_for_kids: Option<bool>,
    /// Fields this version does not know, kept so a server can refuse them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `platforms.threads` options.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThreadsOptions {
    /// Who may reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_control: Option<ThreadsReplyControl>,
    /// Fields this version does not know, kept so a server can refuse them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `platforms.reddit` options.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RedditOptions {
    /// Subreddit name without `r/` (required: `SUBREDDIT_REQUIRED`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subreddit: Option<String>,
    /// Post title (required by Reddit unless `content.title` is given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Mark as not safe for work.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nsfw: Option<bool>,
    /// Mark as a spoiler.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spoiler: Option<bool>,
    /// Flair id of the subreddit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flair_id: Option<String>,
    /// Fields this version does not know, kept so a server can refuse them.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The `platforms` object of a post: options per platform, keyed by platform name.
///
/// A struct with one optional, typed field per platform rather than a map of JSON values: a
/// client writes `PlatformOptionsMap { tiktok: Some(TikTokOptions::default()), ..Default::default() }`
/// and a server reads `options.tiktok.as_ref()` without parsing again. A platform this version
/// does not know lands in `other` with its raw JSON, and is serialized back unchanged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlatformOptionsMap {
    /// TikTok options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tiktok: Option<TikTokOptions>,
    /// Instagram options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instagram: Option<InstagramOptions>,
    /// LinkedIn options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linkedin: Option<LinkedinOptions>,
    /// Facebook options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facebook: Option<FacebookOptions>,
    /// YouTube options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub youtube: Option<YoutubeOptions>,
    /// Threads options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threads: Option<ThreadsOptions>,
    /// Reddit options.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reddit: Option<RedditOptions>,
    /// Platforms this version does not know, with their raw options.
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

impl PlatformOptionsMap {
    /// Parses a whole `platforms` object given as JSON text, e.g.
    /// `{"tiktok": {"privacyLevel": "SELF_ONLY"}, "linkedin": {}}`, as the C, Python and Node
    /// bindings receive it. Each platform's options go through [`PlatformOptionsMap::set_json`].
    /// Fails with `INVALID_ARGUMENT` when the text is not JSON or not an object.
    pub fn from_json_str(json: &str) -> Result<PlatformOptionsMap, Error> {
        let value: Value = serde_json::from_str(json).map_err(|e| {
            Error::invalid_argument(format!("the platform options are not valid JSON: {e}"))
                .with_field("platforms")
        })?;
        let Value::Object(map) = value else {
            return Err(Error::invalid_argument(
                "the platform options must be a JSON object keyed by platform, e.g. {\"tiktok\": {}}",
            )
            .with_field("platforms"));
        };
        let mut options = PlatformOptionsMap::default();
        for (name, value) in map {
            options.set_json(&Platform::parse(&name), value)?;
        }
        Ok(options)
    }

    /// Sets one platform's options from a JSON object (`{}` takes the platform's defaults),
    /// replacing any options it had. A known platform's options are read into its typed form,
    /// so a known field of the wrong type (`{"disableDuet": "yes"}`) fails here with
    /// `INVALID_ARGUMENT`; unknown fields are kept for the server to refuse with
    /// `INVALID_PLATFORM_OPTION`. An unknown platform is kept verbatim in `other`.
    pub fn set_json(&mut self, platform: &Platform, options: Value) -> Result<(), Error> {
        let field = format!("platforms.{platform}");
        if platform.as_str().is_empty() {
            return Err(
                Error::invalid_argument("the platform name is empty").with_field("platforms")
            );
        }
        if !options.is_object() {
            return Err(Error::invalid_argument(format!(
                "the {platform} options must be a JSON object (use {{}} for the defaults)"
            ))
            .with_field(field)
            .with_platform(platform.clone()));
        }
        fn typed<T: serde::de::DeserializeOwned>(
            platform: &Platform,
            field: &str,
            options: Value,
        ) -> Result<T, Error> {
            serde_json::from_value(options).map_err(|e| {
                Error::invalid_argument(format!("the {platform} options are invalid: {e}"))
                    .with_field(field)
                    .with_platform(platform.clone())
            })
        }
        match platform {
            Platform::Tiktok => self.tiktok = Some(typed(platform, &field, options)?),
            Platform::Instagram => self.instagram = Some(typed(platform, &field, options)?),
            Platform::Linkedin => self.linkedin = Some(typed(platform, &field, options)?),
            Platform::Facebook => self.facebook = Some(typed(platform, &field, options)?),
            Platform::Youtube => self.youtube = Some(typed(platform, &field, options)?),
            Platform::Threads => self.threads = Some(typed(platform, &field, options)?),
            Platform::Reddit => self.reddit = Some(typed(platform, &field, options)?),
            Platform::Unknown(name) => {
                self.other.insert(name.clone(), options);
            }
        }
        Ok(())
    }

    /// Whether no platform is named.
    pub fn is_empty(&self) -> bool {
        self.platforms().is_empty()
    }

    /// The platforms named, known ones in [`Platform::ALL`] order, then unknown ones by name.
    pub fn platforms(&self) -> Vec<Platform> {
        let known = Platform::ALL.iter().filter(|p| self.contains(p)).cloned();
        known.chain(self.other.keys().map(|name| Platform::parse(name))).collect()
    }

    /// Whether `platform` is named (with any options, even `{}`).
    pub fn contains(&self, platform: &Platform) -> bool {
        match platform {
            Platform::Tiktok => self.tiktok.is_some(),
            Platform::Instagram => self.instagram.is_some(),
            Platform::Linkedin => self.linkedin.is_some(),
            Platform::Facebook => self.facebook.is_some(),
            Platform::Youtube => self.youtube.is_some(),
            Platform::Threads => self.threads.is_some(),
            Platform::Reddit => self.reddit.is_some(),
            Platform::Unknown(name) => self.other.contains_key(name),
        }
    }

    /// Every option field this version does not know, as `(platform, field name)`; a server
    /// refuses each with `INVALID_PLATFORM_OPTION`. Unknown platforms are not listed here.
    pub fn unknown_fields(&self) -> Vec<(Platform, &str)> {
        let extras: [(Platform, Option<&Map<String, Value>>); 7] = [
            (Platform::Tiktok, self.tiktok.as_ref().map(|o| &o.extra)),
            (Platform::Instagram, self.instagram.as_ref().map(|o| &o.extra)),
            (Platform::Linkedin, self.linkedin.as_ref().map(|o| &o.extra)),
            (Platform::Facebook, self.facebook.as_ref().map(|o| &o.extra)),
            (Platform::Youtube, self.youtube.as_ref().map(|o| &o.extra)),
            (Platform::Threads, self.threads.as_ref().map(|o| &o.extra)),
            (Platform::Reddit, self.reddit.as_ref().map(|o| &o.extra)),
        ];
        extras
            .into_iter()
            .flat_map(|(platform, extra)| {
                extra.into_iter().flat_map(Map::keys).map(move |k| (platform.clone(), k.as_str()))
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Posts
// ---------------------------------------------------------------------------------------------

open_enum! {
    /// Where a post stands: `draft → scheduled → publishing → published | partially_published |
    /// failed`, and `draft | scheduled → cancelled`.
    PostStatus {
        /// Stored, not scheduled or published.
        Draft = "draft",
        /// Waiting for `publishAt`.
        Scheduled = "scheduled",
        /// At least one target is still being published.
        Publishing = "publishing",
        /// Every target published.
        Published = "published",
        /// All targets are done; some published, some failed.
        PartiallyPublished = "partially_published",
        /// Every target failed.
        Failed = "failed",
        /// Cancelled before publishing.
        Cancelled = "cancelled",
    }
}

impl PostStatus {
    /// Whether the post can no longer change (published, partially published, failed,
    /// cancelled). An unknown status is not terminal: a poller keeps polling.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Published | Self::PartiallyPublished | Self::Failed | Self::Cancelled)
    }

    /// Whether the post may still be edited or cancelled (draft or scheduled); otherwise the
    /// server answers `POST_NOT_EDITABLE`.
    pub fn is_editable(&self) -> bool {
        matches!(self, Self::Draft | Self::Scheduled)
    }
}

open_enum! {
    /// Where one target (one profile on one platform) of a post stands. It follows the post's
    /// machine per target: `pending` while the post is a draft or the target waits for its media
    /// to be verified, then `scheduled`, `publishing`, and one of `published`, `failed` or
    /// `cancelled`. A target never ends `partially_published`.
    TargetStatus {
        /// Not yet scheduled: the post is a draft, or its media is still being verified.
        Pending = "pending",
        /// Waiting for `publishAt`.
        Scheduled = "scheduled",
        /// Being sent to the platform.
        Publishing = "publishing",
        /// Live on the platform; `platformPostId` and `url` say where.
        Published = "published",
        /// Refused or failed; `error` says why.
        Failed = "failed",
        /// Cancelled with its post.
        Cancelled = "cancelled",
    }
}

impl TargetStatus {
    /// Whether the target can no longer change (published, failed, cancelled).
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Published | Self::Failed | Self::Cancelled)
    }
}

open_enum! {
    /// How a local `scheduledFor` that fell in a DST transition was resolved. Absent when the
    /// local time was unambiguous or `scheduledFor` carried an offset.
    ScheduleResolution {
        /// The local time did not exist (a gap); it was shifted forward by the gap's length.
        ShiftedForward = "shifted_forward",
        /// The local time existed twice (an overlap); the earlier instant was chosen.
        EarlierInstant = "earlier_instant",
    }
}

/// What a post says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostContent {
    /// The caption or body (the spec's default, empty, when absent).
    #[serde(default)]
    pub text: String,
    /// The title, for platforms that have one (YouTube, Reddit) unless their options set one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

impl PostContent {
    /// Content with only text.
    pub fn new(text: impl Into<String>) -> Self {
        PostContent { text: text.into(), title: None }
    }
}

/// `POST /v1/posts` body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatePostRequest {
    /// The one profile to publish to (or use `profile_ids`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_id: Option<String>,
    /// Several profiles to cross-post to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_ids: Option<Vec<String>>,
    /// What the post says.
    pub content: PostContent,
    /// Media keys of uploaded files, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media_keys: Vec<String>,
    /// Options per platform; naming a platform with `{}` takes its defaults.
    #[serde(default, skip_serializing_if = "PlatformOptionsMap::is_empty")]
    pub platforms: PlatformOptionsMap,
    /// When to publish: an instant with an offset, or a local date-time with `timezone`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_for: Option<String>,
    /// IANA zone name for a local `scheduled_for`, e.g. `America/New_York`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Store the post without publishing it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft: Option<bool>,
}

impl CreatePostRequest {
    /// Every profile id named, `profile_id` first, in order and without duplicates.
    pub fn all_profile_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        let named = self.profile_id.iter().chain(self.profile_ids.iter().flatten());
        for id in named {
            if !ids.contains(&id.as_str()) {
                ids.push(id);
            }
        }
        ids
    }
}

/// `PATCH /v1/posts/{id}` body: only the fields given change.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdatePostRequest {
    /// New publish time (same forms as on create).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_for: Option<String>,
    /// New IANA zone for a local `scheduled_for`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// New content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<PostContent>,
    /// `false` releases a draft (scheduled, or publishing at once); `true` turns a scheduled
    /// post back into a draft.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft: Option<bool>,
}

/// Query string of `GET /v1/posts`: `?status=&profileId=&limit=&cursor=`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListPostsQuery {
    /// Only posts with this status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<PostStatus>,
    /// Only posts that target this profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_id: Option<String>,
    /// Page size, 1–100 (server default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Cursor from the previous page's `nextCursor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// The outcome of a post on one target (one profile).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetResult {
    /// The target profile.
    pub profile_id: String,
    /// The profile's platform.
    pub platform: Platform,
    /// Where this target stands.
    pub status: TargetStatus,
    /// The platform's id of the published post.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_post_id: Option<String>,
    /// Public URL of the published post.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Why this target failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ResultError>,
    /// When this target was published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<Timestamp>,
}

/// A post and its per-target results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Post {
    /// Post id (`post_…`).
    pub id: String,
    /// Where the post stands as a whole.
    pub status: PostStatus,
    /// The target profiles.
    pub profile_ids: Vec<String>,
    /// What the post says.
    pub content: PostContent,
    /// Media keys, in order.
    #[serde(default)]
    pub media_keys: Vec<String>,
    /// Options per platform, as given.
    #[serde(default)]
    pub platforms: PlatformOptionsMap,
    /// The publish time as given (instant or local date-time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_for: Option<String>,
    /// The IANA zone given with a local `scheduled_for`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// The UTC instant publishing starts (resolved from `scheduled_for`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publish_at: Option<Timestamp>,
    /// How a DST gap or overlap in a local `scheduled_for` was resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_resolution: Option<ScheduleResolution>,
    /// When the post was created.
    pub created_at: Timestamp,
    /// When the post last changed.
    pub updated_at: Timestamp,
    /// One result per target profile.
    #[serde(default)]
    pub results: Vec<TargetResult>,
    /// Why the whole post failed, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ResultError>,
}

impl Post {
    /// Whether the post can no longer change; a poller stops here.
    pub fn is_terminal(&self) -> bool {
        self.status.is_terminal()
    }

    /// The result for one target profile.
    pub fn result_for(&self, profile_id: &str) -> Option<&TargetResult> {
        self.results.iter().find(|r| r.profile_id == profile_id)
    }
}

// ---------------------------------------------------------------------------------------------
// Webhooks
// ---------------------------------------------------------------------------------------------

open_enum! {
    /// The event a webhook delivery reports.
    WebhookEventType {
        /// A post was scheduled.
        PostScheduled = "post.scheduled",
        /// A post started publishing.
        PostPublishing = "post.publishing",
        /// A post finished publishing.
        PostPublished = "post.published",
        /// A post failed.
        PostFailed = "post.failed",
        /// A post was cancelled.
        PostCancelled = "post.cancelled",
    }
}

/// `POST /v1/webhooks` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateWebhookRequest {
    /// Where deliveries are POSTed.
    pub url: String,
    /// The events to deliver.
    pub events: Vec<WebhookEventType>,
}

/// A webhook endpoint. Its `Debug` output never shows the secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    /// Webhook id (`wh_…`).
    pub id: String,
    /// Where deliveries are POSTed.
    pub url: String,
    /// The events delivered.
    pub events: Vec<WebhookEventType>,
    /// The signing secret; returned only by create, so store it then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// When the webhook was created.
    pub created_at: Timestamp,
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("id", &self.id)
            .field("url", &self.url)
            .field("events", &self.events)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("created_at", &self.created_at)
            .finish()
    }
}

/// The body of a webhook delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEvent {
    /// Event id (`evt_…`).
    pub id: String,
    /// What happened.
    pub r#type: WebhookEventType,
    /// When it happened.
    pub created_at: Timestamp,
    /// The subject of the event.
    pub data: WebhookEventData,
}

/// The `data` of a webhook event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEventData {
    /// The post as it is after the event.
    pub post: Post,
}
