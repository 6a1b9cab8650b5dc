//! Posts: create, update and list bodies, the post and its per-target results.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::common::ResultError;
use super::params::{from_json_value, suggest, unknown_field};
use super::platform::{Platform, Timestamp};
use super::platform_options::{option_names, PlatformOptionsMap};
use super::warnings::PostWarning;
use crate::error::{Error, ErrorCode};
use crate::open_enum::open_enum;
use crate::probe::MediaKind;

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
    /// How a local `scheduledFor` was turned into `publishAt`. Absent when `scheduledFor`
    /// carried an offset (and, on some servers, when the local time was unambiguous).
    ScheduleResolution {
        /// The local time was unambiguous (servers may leave it unmarked instead).
        Exact = "exact",
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

/// `POST /v1/posts` body, in every shape the vendor's pages show (PROTOCOL.md, "Creating a
/// post: every documented shape"): the text as `content` or as top-level `text`/`title`; media
/// as `media_keys`, `media_urls` or `media`; per-platform options as `platforms` or its alias
/// `overrides`. Giving two forms of the same thing is `INVALID_REQUEST` ([`Self::check`]).
///
/// Unknown fields are refused (`deny_unknown_fields`): a binding that reads the request from a
/// dictionary goes through [`CreatePostRequest::from_json`], which names the unknown key and
/// the nearest known one, so a typo such as `mediaKey` never publishes a post without media.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreatePostRequest {
    /// The one profile to publish to (or use `profile_ids`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_id: Option<String>,
    /// Several profiles to cross-post to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_ids: Option<Vec<String>>,
    /// What the post says (the tutorial's shape; or use `text` and `title`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<PostContent>,
    /// The caption or body, top level (the product pages' shape; or use `content`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The title, top level (with `text`; or use `content.title`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Media keys of uploaded files, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media_keys: Vec<String>,
    /// Media by URL: the server fetches and stores each at once (or use `media_keys`/`media`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media_urls: Vec<String>,
    /// Media as a list of `{ url, type? }` or `{ mediaKey }` (or use `media_keys`/`media_urls`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<MediaInput>,
    /// Options per platform; naming a platform with `{}` takes its defaults.
    #[serde(default, skip_serializing_if = "PlatformOptionsMap::is_empty")]
    pub platforms: PlatformOptionsMap,
    /// The alias of `platforms` on an older vendor page (give one of the two).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides: Option<PlatformOptionsMap>,
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

/// One entry of `media` in a create request: a URL for the server to fetch (`type` says
/// `image` or `video`, else it is inferred) or the key of media already uploaded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MediaInput {
    /// A URL the server fetches once, at create time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The key of uploaded media.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_key: Option<String>,
    /// `image` or `video`; inferred from the fetched bytes when absent.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<MediaKind>,
}

impl MediaInput {
    /// Media the server fetches from `url`.
    pub fn url(url: impl Into<String>) -> MediaInput {
        MediaInput { url: Some(url.into()), ..MediaInput::default() }
    }

    /// Media already uploaded, by key.
    pub fn key(media_key: impl Into<String>) -> MediaInput {
        MediaInput { media_key: Some(media_key.into()), ..MediaInput::default() }
    }
}

/// One media item of a post, normalized whatever shape the request used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostMedia {
    /// The stored media's key (URL media get one at create time).
    pub media_key: String,
    /// The URL it was fetched from, for media given by URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    /// `image` or `video`.
    #[serde(rename = "type")]
    pub kind: MediaKind,
}

/// The names a `posts.create` body may carry (the emulator refuses any other, and the SDK
/// suggests the nearest of them for a typo).
pub const CREATE_POST_FIELDS: &[&str] = &[
    "profileId",
    "profileIds",
    "content",
    "text",
    "title",
    "mediaKeys",
    "mediaUrls",
    "media",
    "platforms",
    "overrides",
    "scheduledFor",
    "timezone",
    "draft",
];

/// What the params are called in messages.
const CREATE_PARAMS: &str = "posts.create params";

impl CreatePostRequest {
    /// Reads a create body given as JSON by a binding (a Node object, a Python dict, C JSON).
    /// An unknown key, at the top, in `content`, in a `media` entry, or an option of a known
    /// platform that is a near miss of a known one, is `INVALID_ARGUMENT` naming it and the
    /// nearest known name ("unknown field `platfroms` in posts.create params; did you mean
    /// `platforms`?"). An option far from every known name is kept, for a newer server to
    /// accept or for ours to refuse as `INVALID_PLATFORM_OPTION`.
    pub fn from_json(value: Value) -> Result<CreatePostRequest, Error> {
        if let Some(Value::Object(content)) = value.get("content") {
            if let Some(name) = content.keys().find(|k| !["text", "title"].contains(&k.as_str())) {
                return Err(unknown_field(
                    CREATE_PARAMS,
                    Some("content"),
                    name,
                    &["text", "title"],
                ));
            }
        }
        let request: CreatePostRequest = from_json_value(CREATE_PARAMS, value)?;
        let named =
            [("platforms", Some(&request.platforms)), ("overrides", request.overrides.as_ref())];
        for (at, options) in named {
            for (platform, name) in options.into_iter().flat_map(PlatformOptionsMap::unknown_fields)
            {
                let known = option_names(&platform);
                if suggest(name, known).is_some() {
                    let at = format!("{at}.{platform}");
                    return Err(unknown_field(CREATE_PARAMS, Some(&at), name, known));
                }
            }
        }
        Ok(request)
    }

    /// The names a create body may carry (camelCase).
    pub fn field_names() -> &'static [&'static str] {
        CREATE_POST_FIELDS
    }

    /// Refuses two forms of the same thing, as the server does (400 `INVALID_REQUEST`, same
    /// field): `text`/`title` with `content` (field `text` or `title`), `platforms` with
    /// `overrides` (field `overrides`), more than one of `mediaKeys`, `mediaUrls` and `media`
    /// (field `media`); and a `media` entry that is not exactly one of `{url}` or `{mediaKey}`.
    pub fn check(&self) -> Result<(), Error> {
        let conflict = |field: &str, message: String| {
            Error::new(ErrorCode::InvalidRequest, message)
                .with_field(field)
                .with_details(json!({ "field": field }))
        };
        if self.content.is_some() {
            for (field, given) in [("text", self.text.is_some()), ("title", self.title.is_some())] {
                if given {
                    return Err(conflict(
                        field,
                        format!(
                            "give the text as top-level text/title or as content {{ text, title }}, \
                             not both ({field} and content were given)"
                        ),
                    ));
                }
            }
        }
        if !self.platforms.is_empty() && self.overrides.is_some() {
            return Err(conflict(
                "overrides",
                "overrides is another name for platforms; give one of them, not both".to_owned(),
            ));
        }
        let forms: Vec<&str> = [
            ("mediaKeys", self.media_keys.is_empty()),
            ("mediaUrls", self.media_urls.is_empty()),
            ("media", self.media.is_empty()),
        ]
        .into_iter()
        .filter(|(_, empty)| !empty)
        .map(|(name, _)| name)
        .collect();
        if forms.len() > 1 {
            return Err(conflict(
                "media",
                format!(
                    "give media in one form: mediaKeys, mediaUrls or media (got {})",
                    forms.join(" and ")
                ),
            ));
        }
        for (index, item) in self.media.iter().enumerate() {
            if item.url.is_some() == item.media_key.is_some() {
                let field = format!("media[{index}]");
                return Err(conflict(
                    &field,
                    format!("{field} needs exactly one of url or mediaKey, e.g. {{ \"url\": \"https://…\", \"type\": \"image\" }}"),
                ));
            }
        }
        Ok(())
    }

    /// The text, whichever shape carried it (`""` when none did).
    pub fn text(&self) -> &str {
        self.text.as_deref().or(self.content.as_ref().map(|c| c.text.as_str())).unwrap_or("")
    }

    /// The per-platform options, whichever name carried them.
    pub fn platform_options(&self) -> &PlatformOptionsMap {
        self.overrides.as_ref().unwrap_or(&self.platforms)
    }

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
    /// Publish attempts made so far (the one under way included): 0 before publishing starts,
    /// 1 on the first; the server retries a transient platform failure (up to
    /// [`MAX_PUBLISH_ATTEMPTS`] in all). 0 when an older server does not say.
    #[serde(default)]
    pub attempts: u32,
    /// When the server's next attempt is due, while a transient failure waits for its retry;
    /// absent when none is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<Timestamp>,
}

/// The most publish attempts the server makes for one target: the first and 5 retries, backing
/// off 30 s, 1, 2, 4 and 8 minutes (PROTOCOL.md, "Publishing that users can trust").
pub const MAX_PUBLISH_ATTEMPTS: u32 = 6;

/// The server's wait before each retry of a transient platform failure, in seconds: the wait
/// after attempt `n` is `PUBLISH_RETRY_BACKOFF_SECS[n - 1]`.
pub const PUBLISH_RETRY_BACKOFF_SECS: [u64; 5] = [30, 60, 120, 240, 480];

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
    /// The media, in order, with where each came from (one per `media_keys` entry).
    #[serde(default)]
    pub media: Vec<PostMedia>,
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
    /// Advice that did not stop the post (`HASHTAGS_ABOVE_RECOMMENDED`, `TIMEZONE_IGNORED`, …);
    /// never an error.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<PostWarning>,
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
