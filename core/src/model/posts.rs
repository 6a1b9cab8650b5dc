//! Posts: create, update and list bodies, the post and its per-target results.

use serde::{Deserialize, Serialize};

use super::common::ResultError;
use super::platform::{Platform, Timestamp};
use super::platform_options::PlatformOptionsMap;
use crate::open_enum::open_enum;

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
