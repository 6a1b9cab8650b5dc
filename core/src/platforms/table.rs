//! The table of PLATFORMS.md as data.
//!
//! Every figure is a named constant; the constants are assembled once (lazily) into one
//! [`PlatformRules`] per platform. The same types serialize as the body of `GET /v1/platforms`
//! and deserialize from it, so a client can fetch a newer table and use it in place of this one.
//!
//! Units: durations in milliseconds, sizes in bytes. Sizes use decimal units as the platforms
//! publish them: 1 MB = 10^6 bytes, 1 GB = 10^9 bytes ([`MB`], [`GB`]).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::{Platform, Tier};
use crate::open_enum::open_enum;
use crate::probe::{Container, MediaKind, VideoCodec};

/// Version of the built-in table: the date it last changed. Served as `version`.
pub const RULES_VERSION: &str = "2026-11-25";

/// One megabyte as the platforms publish limits: decimal, 10^6 bytes.
pub const MB: u64 = 1_000_000;
/// One gigabyte as the platforms publish limits: decimal, 10^9 bytes.
pub const GB: u64 = 1_000_000_000;

const SECOND_MS: u64 = 1_000;
const MINUTE_MS: u64 = 60 * SECOND_MS;
const HOUR_MS: u64 = 60 * MINUTE_MS;

/// The item count of the single-item layouts ("1 video", "1 image or video").
pub const SINGLE_ITEM: usize = 1;
/// The schedule horizon of every platform except TikTok.
pub const DEFAULT_SCHEDULE_HORIZON_DAYS: u32 = 365;

// --- TikTok (Aether's own policy, stricter than TikTok's, wins) ------------------------------

/// TikTok caption limit, in UTF-16 code units.
pub const TIKTOK_TEXT_MAX: usize = 2_200;
/// Fewest hashtags TikTok recommends (below: a warning, not an error).
pub const TIKTOK_HASHTAGS_RECOMMENDED_MIN: usize = 3;
/// Most hashtags TikTok recommends (above: a warning, not an error).
pub const TIKTOK_HASHTAGS_RECOMMENDED_MAX: usize = 5;
/// Video containers TikTok accepts.
pub const TIKTOK_VIDEO_CONTAINERS: &[Container] = &[Container::Mp4, Container::Mov];
/// Video codecs TikTok accepts.
pub const TIKTOK_VIDEO_CODECS: &[VideoCodec] = &[VideoCodec::H264, VideoCodec::H265];
/// Shortest video for a standard TikTok account.
pub const TIKTOK_STANDARD_MIN_DURATION_MS: u64 = 15 * SECOND_MS;
/// Longest video for a standard TikTok account.
pub const TIKTOK_STANDARD_MAX_DURATION_MS: u64 = 60 * SECOND_MS;
/// Shortest video for a creator TikTok account.
pub const TIKTOK_CREATOR_MIN_DURATION_MS: u64 = 15 * SECOND_MS;
/// Longest video for a creator TikTok account.
pub const TIKTOK_CREATOR_MAX_DURATION_MS: u64 = 10 * MINUTE_MS;
/// Largest TikTok video.
pub const TIKTOK_VIDEO_MAX_BYTES: u64 = 4 * GB;
/// TikTok posts per profile per UTC day.
pub const TIKTOK_DAILY_POSTS: u32 = 10;
/// How far ahead a TikTok post may be scheduled.
pub const TIKTOK_SCHEDULE_HORIZON_DAYS: u32 = 10;
/// Values of `platforms.tiktok.privacyLevel`.
pub const TIKTOK_PRIVACY_LEVELS: &[&str] =
    &["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "FOLLOWER_OF_CREATOR", "SELF_ONLY"];
/// The default `privacyLevel`.
pub const TIKTOK_DEFAULT_PRIVACY_LEVEL: &str = "PUBLIC_TO_EVERYONE";

// --- Instagram --------------------------------------------------------------------------------

/// Instagram caption limit, in code points.
pub const INSTAGRAM_TEXT_MAX: usize = 2_200;
/// Fewest items in an Instagram carousel.
pub const INSTAGRAM_CAROUSEL_MIN: usize = 2;
/// Most items in an Instagram carousel.
pub const INSTAGRAM_CAROUSEL_MAX: usize = 10;
/// Most hashtags in an Instagram caption.
pub const INSTAGRAM_HASHTAGS_MAX: usize = 30;
/// Most @mentions in an Instagram caption.
pub const INSTAGRAM_MENTIONS_MAX: usize = 20;
/// Video containers Instagram accepts.
pub const INSTAGRAM_VIDEO_CONTAINERS: &[Container] = &[Container::Mp4, Container::Mov];
/// Video codecs Instagram accepts.
pub const INSTAGRAM_VIDEO_CODECS: &[VideoCodec] = &[VideoCodec::H264, VideoCodec::H265];
/// Shortest Instagram video.
pub const INSTAGRAM_MIN_DURATION_MS: u64 = 3 * SECOND_MS;
/// Longest Instagram video.
pub const INSTAGRAM_MAX_DURATION_MS: u64 = 15 * MINUTE_MS;
/// Largest Instagram video.
pub const INSTAGRAM_VIDEO_MAX_BYTES: u64 = 300 * MB;
/// Image formats Instagram accepts.
pub const INSTAGRAM_IMAGE_FORMATS: &[Container] = &[Container::Jpeg];
/// Largest Instagram image.
pub const INSTAGRAM_IMAGE_MAX_BYTES: u64 = 8 * MB;
/// Instagram posts per profile per UTC day.
pub const INSTAGRAM_DAILY_POSTS: u32 = 50;
/// How far ahead an Instagram post may be scheduled.
pub const INSTAGRAM_SCHEDULE_HORIZON_DAYS: u32 = DEFAULT_SCHEDULE_HORIZON_DAYS;
/// Values of `platforms.instagram.contentType`.
pub const INSTAGRAM_CONTENT_TYPES: &[&str] = &["feed", "reel", "story"];

// --- LinkedIn ---------------------------------------------------------------------------------

/// LinkedIn commentary limit, in code points.
pub const LINKEDIN_TEXT_MAX: usize = 3_000;
/// Fewest images in a LinkedIn image post.
pub const LINKEDIN_IMAGES_MIN: usize = 1;
/// Most images in a LinkedIn image post.
pub const LINKEDIN_IMAGES_MAX: usize = 20;
/// Video containers LinkedIn accepts.
pub const LINKEDIN_VIDEO_CONTAINERS: &[Container] = &[Container::Mp4];
/// Video codecs LinkedIn accepts.
pub const LINKEDIN_VIDEO_CODECS: &[VideoCodec] = &[VideoCodec::H264];
/// Shortest LinkedIn video.
pub const LINKEDIN_MIN_DURATION_MS: u64 = 3 * SECOND_MS;
/// Longest LinkedIn video.
pub const LINKEDIN_MAX_DURATION_MS: u64 = 30 * MINUTE_MS;
/// Largest LinkedIn video.
pub const LINKEDIN_VIDEO_MAX_BYTES: u64 = 500 * MB;
/// Image formats LinkedIn accepts.
pub const LINKEDIN_IMAGE_FORMATS: &[Container] = &[Container::Jpeg, Container::Png, Container::Gif];
/// Largest LinkedIn image.
pub const LINKEDIN_IMAGE_MAX_BYTES: u64 = 36 * MB;
/// LinkedIn posts per profile per UTC day.
pub const LINKEDIN_DAILY_POSTS: u32 = 150;
/// How far ahead a LinkedIn post may be scheduled.
pub const LINKEDIN_SCHEDULE_HORIZON_DAYS: u32 = DEFAULT_SCHEDULE_HORIZON_DAYS;
/// Values of `platforms.linkedin.visibility`.
pub const LINKEDIN_VISIBILITIES: &[&str] = &["PUBLIC", "CONNECTIONS"];

// --- Facebook ---------------------------------------------------------------------------------

/// Facebook message limit, in code points.
pub const FACEBOOK_TEXT_MAX: usize = 63_206;
/// Fewest images in a Facebook image post.
pub const FACEBOOK_IMAGES_MIN: usize = 1;
/// Most images in a Facebook image post.
pub const FACEBOOK_IMAGES_MAX: usize = 10;
/// Video containers Facebook accepts.
pub const FACEBOOK_VIDEO_CONTAINERS: &[Container] = &[Container::Mp4, Container::Mov];
/// Video codecs Facebook accepts.
pub const FACEBOOK_VIDEO_CODECS: &[VideoCodec] = &[VideoCodec::H264, VideoCodec::H265];
/// Shortest Facebook video.
pub const FACEBOOK_MIN_DURATION_MS: u64 = SECOND_MS;
/// Longest Facebook video.
pub const FACEBOOK_MAX_DURATION_MS: u64 = 240 * MINUTE_MS;
/// Shortest Facebook reel (applies when `contentType` is `reel`; see [`VideoRules`]).
pub const FACEBOOK_REELS_MIN_DURATION_MS: u64 = 3 * SECOND_MS;
/// Longest Facebook reel (applies when `contentType` is `reel`; see [`VideoRules`]).
pub const FACEBOOK_REELS_MAX_DURATION_MS: u64 = 90 * SECOND_MS;
/// Largest Facebook video.
pub const FACEBOOK_VIDEO_MAX_BYTES: u64 = 4 * GB;
/// Image formats Facebook accepts.
pub const FACEBOOK_IMAGE_FORMATS: &[Container] = &[Container::Jpeg, Container::Png];
/// Largest Facebook image.
pub const FACEBOOK_IMAGE_MAX_BYTES: u64 = 10 * MB;
/// Facebook posts per profile per UTC day.
pub const FACEBOOK_DAILY_POSTS: u32 = 30;
/// How far ahead a Facebook post may be scheduled.
pub const FACEBOOK_SCHEDULE_HORIZON_DAYS: u32 = DEFAULT_SCHEDULE_HORIZON_DAYS;

// --- YouTube ----------------------------------------------------------------------------------

/// YouTube description limit, in UTF-8 bytes.
pub const YOUTUBE_TEXT_MAX: usize = 5_000;
/// YouTube title limit, in code points.
pub const YOUTUBE_TITLE_MAX: usize = 100;
/// Characters YouTube refuses in titles.
pub const YOUTUBE_TITLE_FORBIDDEN_CHARS: &[char] = &['<', '>'];
/// Video containers YouTube accepts.
pub const YOUTUBE_VIDEO_CONTAINERS: &[Container] =
    &[Container::Mp4, Container::Mov, Container::Webm];
/// Shortest YouTube video.
pub const YOUTUBE_MIN_DURATION_MS: u64 = SECOND_MS;
/// Longest YouTube video.
pub const YOUTUBE_MAX_DURATION_MS: u64 = 12 * HOUR_MS;
/// Largest YouTube video.
pub const YOUTUBE_VIDEO_MAX_BYTES: u64 = 256 * GB;
/// YouTube posts per profile per UTC day.
pub const YOUTUBE_DAILY_POSTS: u32 = 100;
/// How far ahead a YouTube post may be scheduled.
pub const YOUTUBE_SCHEDULE_HORIZON_DAYS: u32 = DEFAULT_SCHEDULE_HORIZON_DAYS;
/// Values of `platforms.youtube.privacyStatus`.
pub const YOUTUBE_PRIVACY_STATUSES: &[&str] = &["public", "unlisted", "private"];

// --- Threads ----------------------------------------------------------------------------------

/// Threads text limit, in code points with each emoji counted as its UTF-8 bytes.
pub const THREADS_TEXT_MAX: usize = 500;
/// Fewest items in a Threads carousel.
pub const THREADS_CAROUSEL_MIN: usize = 2;
/// Most items in a Threads carousel.
pub const THREADS_CAROUSEL_MAX: usize = 20;
/// Most hashtags in a Threads post.
pub const THREADS_HASHTAGS_MAX: usize = 1;
/// Video containers Threads accepts.
pub const THREADS_VIDEO_CONTAINERS: &[Container] = &[Container::Mp4, Container::Mov];
/// Video codecs Threads accepts.
pub const THREADS_VIDEO_CODECS: &[VideoCodec] = &[VideoCodec::H264, VideoCodec::H265];
/// Shortest Threads video.
pub const THREADS_MIN_DURATION_MS: u64 = SECOND_MS;
/// Longest Threads video.
pub const THREADS_MAX_DURATION_MS: u64 = 300 * SECOND_MS;
/// Largest Threads video.
pub const THREADS_VIDEO_MAX_BYTES: u64 = GB;
/// Image formats Threads accepts.
pub const THREADS_IMAGE_FORMATS: &[Container] = &[Container::Jpeg, Container::Png];
/// Largest Threads image.
pub const THREADS_IMAGE_MAX_BYTES: u64 = 8 * MB;
/// Threads posts per profile per UTC day.
pub const THREADS_DAILY_POSTS: u32 = 250;
/// How far ahead a Threads post may be scheduled.
pub const THREADS_SCHEDULE_HORIZON_DAYS: u32 = DEFAULT_SCHEDULE_HORIZON_DAYS;
/// Values of `platforms.threads.replyControl`.
pub const THREADS_REPLY_CONTROLS: &[&str] = &["everyone", "accounts_you_follow", "mentioned_only"];

// --- Reddit -----------------------------------------------------------------------------------

/// Reddit body limit, in code points.
pub const REDDIT_TEXT_MAX: usize = 40_000;
/// Reddit title limit, in code points.
pub const REDDIT_TITLE_MAX: usize = 300;
/// Video containers Reddit accepts.
pub const REDDIT_VIDEO_CONTAINERS: &[Container] = &[Container::Mp4];
/// Video codecs Reddit accepts.
pub const REDDIT_VIDEO_CODECS: &[VideoCodec] = &[VideoCodec::H264];
/// Shortest Reddit video.
pub const REDDIT_MIN_DURATION_MS: u64 = SECOND_MS;
/// Longest Reddit video.
pub const REDDIT_MAX_DURATION_MS: u64 = 15 * MINUTE_MS;
/// Largest Reddit video.
pub const REDDIT_VIDEO_MAX_BYTES: u64 = GB;
/// Image formats Reddit accepts.
pub const REDDIT_IMAGE_FORMATS: &[Container] = &[Container::Jpeg, Container::Png, Container::Gif];
/// Largest Reddit image.
pub const REDDIT_IMAGE_MAX_BYTES: u64 = 20 * MB;
/// Reddit posts per profile per UTC day.
pub const REDDIT_DAILY_POSTS: u32 = 100;
/// How far ahead a Reddit post may be scheduled.
pub const REDDIT_SCHEDULE_HORIZON_DAYS: u32 = DEFAULT_SCHEDULE_HORIZON_DAYS;

// --- Types ------------------------------------------------------------------------------------

open_enum! {
    /// How a platform counts the length of a text.
    TextCounting {
        /// UTF-16 code units: an emoji outside the BMP counts 2 (TikTok).
        Utf16CodeUnits = "utf16CodeUnits",
        /// Unicode scalar values (code points).
        CodePoints = "codePoints",
        /// Code points, except that each emoji counts as its UTF-8 byte length (Threads); see
        /// [`is_emoji`](super::is_emoji) for what counts as one emoji.
        CodePointsEmojiAsUtf8Bytes = "codePointsEmojiAsUtf8Bytes",
        /// UTF-8 bytes (YouTube description).
        Utf8Bytes = "utf8Bytes",
    }
}

open_enum! {
    /// The JSON type of a per-platform option.
    OptionKind {
        /// `true` or `false`.
        Boolean = "boolean",
        /// Any string.
        Text = "string",
        /// One of the listed string values.
        Enum = "enum",
    }
}

/// The rules of one platform: one column of the PLATFORMS.md table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlatformRules {
    /// The platform these rules are for.
    pub platform: Platform,
    /// Which media a post takes.
    pub media: MediaRules,
    /// The post's text (caption, description, body) and its limit.
    pub text: TextRule,
    /// The title rule; `null` where the platform has no title.
    #[serde(default)]
    pub title: Option<TitleRule>,
    /// Hashtag limit and recommendation.
    #[serde(default)]
    pub hashtags: HashtagRule,
    /// Mention limit.
    #[serde(default)]
    pub mentions: MentionRule,
    /// Video rules; `null` where the platform takes no video.
    #[serde(default)]
    pub video: Option<VideoRules>,
    /// Image rules; `null` where the platform takes no images.
    #[serde(default)]
    pub image: Option<ImageRules>,
    /// Posts per profile per UTC day (the quota resets at 00:00 UTC).
    pub daily_posts: u32,
    /// How many days ahead a post may be scheduled.
    pub schedule_horizon_days: u32,
    /// The options `platforms.<platform>` may carry, by name.
    #[serde(default)]
    pub options: BTreeMap<String, OptionRule>,
}

/// Which media a post takes: it must fit one of the layouts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaRules {
    /// Whether a post without media is refused (`MEDIA_REQUIRED`).
    pub required: bool,
    /// The accepted layouts, e.g. "1 video" or "a carousel of 2–10 images or videos".
    pub layouts: Vec<MediaLayout>,
}

/// One accepted shape of a post's media: `min..=max` items, each of one of `kinds`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MediaLayout {
    /// A short name: `single`, `carousel`, `video` or `images`.
    pub name: String,
    /// The kinds each item may be (items may be mixed when several are listed).
    pub kinds: Vec<MediaKind>,
    /// Fewest items.
    pub min: usize,
    /// Most items.
    pub max: usize,
}

/// The limit of a post's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TextRule {
    /// What the platform calls the text: caption, commentary, message, description, text, body.
    pub name: String,
    /// Longest text, in the unit of `counting`.
    pub max: usize,
    /// How the length is counted.
    pub counting: TextCounting,
}

/// The title rule (YouTube, Reddit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TitleRule {
    /// Whether a post without a title is refused (`TITLE_REQUIRED`).
    pub required: bool,
    /// Longest title, in the unit of `counting`.
    pub max: usize,
    /// How the length is counted.
    pub counting: TextCounting,
    /// Characters the title may not contain (`TITLE_TOO_LONG`, with a message that says so).
    #[serde(default)]
    pub forbidden_chars: Vec<char>,
}

/// An inclusive range of counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CountRange {
    /// Fewest.
    pub min: usize,
    /// Most.
    pub max: usize,
}

/// Hashtag limit (an error) and recommendation (a warning).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HashtagRule {
    /// Most hashtags; `null` for no limit.
    #[serde(default)]
    pub max: Option<usize>,
    /// The recommended range; outside it is a warning, never an error.
    #[serde(default)]
    pub recommended: Option<CountRange>,
}

/// Mention limit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MentionRule {
    /// Most @mentions; `null` for no limit.
    #[serde(default)]
    pub max: Option<usize>,
}

/// An inclusive range of durations in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DurationRange {
    /// Shortest, in milliseconds.
    pub min_ms: u64,
    /// Longest, in milliseconds.
    pub max_ms: u64,
}

/// The serialized form of "any codec".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AnyCodec {
    /// Every codec is accepted.
    #[serde(rename = "any")]
    Any,
}

/// Which video codecs a platform accepts: `"any"` or a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CodecRule {
    /// Every codec (YouTube); serialized as `"any"`.
    Any(AnyCodec),
    /// Only these codecs.
    Only(Vec<VideoCodec>),
}

impl CodecRule {
    /// Whether `codec` is accepted.
    pub fn allows(&self, codec: &VideoCodec) -> bool {
        match self {
            CodecRule::Any(_) => true,
            CodecRule::Only(codecs) => codecs.contains(codec),
        }
    }
}

/// Video rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VideoRules {
    /// Accepted containers.
    pub containers: Vec<Container>,
    /// Accepted codecs.
    pub codecs: CodecRule,
    /// The duration range for every tier and content type not listed below.
    pub duration: DurationRange,
    /// Per account tier overrides (TikTok: standard 15–60 s, creator 15 s–10 min).
    #[serde(default)]
    pub duration_by_tier: BTreeMap<Tier, DurationRange>,
    /// Per `contentType` option overrides; they win over the tier. Facebook publishes its reel
    /// range here, though its options have no `contentType` yet, so nothing selects it today.
    #[serde(default)]
    pub duration_by_content_type: BTreeMap<String, DurationRange>,
    /// Largest file, in bytes.
    pub max_bytes: u64,
}

impl VideoRules {
    /// The duration range for an account tier and an optional `contentType` option value.
    pub fn duration_for(&self, tier: &Tier, content_type: Option<&str>) -> DurationRange {
        content_type
            .and_then(|kind| self.duration_by_content_type.get(kind))
            .or_else(|| self.duration_by_tier.get(tier))
            .copied()
            .unwrap_or(self.duration)
    }
}

/// Image rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageRules {
    /// Accepted formats.
    pub formats: Vec<Container>,
    /// Largest file, in bytes.
    pub max_bytes: u64,
}

/// One option of `platforms.<platform>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OptionRule {
    /// The JSON type.
    #[serde(rename = "type")]
    pub kind: OptionKind,
    /// The accepted values of an `enum` option.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// The value used when the option is absent, if the platform documents one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// Whether the option must be given (Reddit's `subreddit`).
    #[serde(default)]
    pub required: bool,
}

/// The body of `GET /v1/platforms`: `{ "version": …, "platforms": { "tiktok": {…}, … } }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RulesDocument {
    /// The table's version ([`RULES_VERSION`] for the built-in one).
    pub version: String,
    /// The rules, by platform.
    pub platforms: BTreeMap<Platform, PlatformRules>,
}

impl RulesDocument {
    /// The table built into this SDK version.
    pub fn builtin() -> &'static RulesDocument {
        &BUILTIN_DOCUMENT
    }

    /// The rules of `platform`, if this document has them.
    pub fn rules(&self, platform: &Platform) -> Option<&PlatformRules> {
        self.platforms.get(platform)
    }
}

/// The rules of every platform, in PLATFORMS.md column order.
pub static ALL_RULES: LazyLock<Vec<PlatformRules>> = LazyLock::new(|| {
    vec![tiktok(), instagram(), linkedin(), facebook(), youtube(), threads(), reddit()]
});

static BUILTIN_DOCUMENT: LazyLock<RulesDocument> = LazyLock::new(|| RulesDocument {
    version: RULES_VERSION.to_owned(),
    platforms: ALL_RULES.iter().map(|rules| (rules.platform.clone(), rules.clone())).collect(),
});

/// The built-in rules of `platform`; `None` for a platform this version does not know.
pub fn rules(platform: &Platform) -> Option<&'static PlatformRules> {
    ALL_RULES.iter().find(|rules| &rules.platform == platform)
}

/// The built-in table as the JSON body of `GET /v1/platforms`.
pub fn rules_document() -> Value {
    serde_json::to_value(RulesDocument::builtin()).expect("the rules table serializes to JSON")
}

/// How many days ahead a post to `platform` may be scheduled; `None` for an unknown platform.
pub fn schedule_horizon_days(platform: &Platform) -> Option<u32> {
    rules(platform).map(|rules| rules.schedule_horizon_days)
}

/// How many posts a profile on `platform` may publish per UTC day; `None` for an unknown
/// platform.
pub fn daily_post_limit(platform: &Platform) -> Option<u32> {
    rules(platform).map(|rules| rules.daily_posts)
}

// --- Building the table -----------------------------------------------------------------------

fn layout(name: &str, kinds: &[MediaKind], min: usize, max: usize) -> MediaLayout {
    MediaLayout { name: name.to_owned(), kinds: kinds.to_vec(), min, max }
}

fn text(name: &str, max: usize, counting: TextCounting) -> TextRule {
    TextRule { name: name.to_owned(), max, counting }
}

fn duration(min_ms: u64, max_ms: u64) -> DurationRange {
    DurationRange { min_ms, max_ms }
}

fn video(
    containers: &[Container],
    codecs: CodecRule,
    range: DurationRange,
    max_bytes: u64,
) -> VideoRules {
    VideoRules {
        containers: containers.to_vec(),
        codecs,
        duration: range,
        duration_by_tier: BTreeMap::new(),
        duration_by_content_type: BTreeMap::new(),
        max_bytes,
    }
}

fn only(codecs: &[VideoCodec]) -> CodecRule {
    CodecRule::Only(codecs.to_vec())
}

fn image(formats: &[Container], max_bytes: u64) -> ImageRules {
    ImageRules { formats: formats.to_vec(), max_bytes }
}

fn boolean() -> OptionRule {
    OptionRule { kind: OptionKind::Boolean, values: Vec::new(), default: None, required: false }
}

fn string(required: bool) -> OptionRule {
    OptionRule { kind: OptionKind::Text, values: Vec::new(), default: None, required }
}

fn one_of(values: &[&str], default: Option<&str>) -> OptionRule {
    OptionRule {
        kind: OptionKind::Enum,
        values: values.iter().map(|value| (*value).to_owned()).collect(),
        default: default.map(Value::from),
        required: false,
    }
}

fn options<const N: usize>(list: [(&str, OptionRule); N]) -> BTreeMap<String, OptionRule> {
    list.into_iter().map(|(name, rule)| (name.to_owned(), rule)).collect()
}

const VIDEO: &[MediaKind] = &[MediaKind::Video];
const IMAGES: &[MediaKind] = &[MediaKind::Image];
const IMAGE_OR_VIDEO: &[MediaKind] = &[MediaKind::Image, MediaKind::Video];

fn tiktok() -> PlatformRules {
    let standard = duration(TIKTOK_STANDARD_MIN_DURATION_MS, TIKTOK_STANDARD_MAX_DURATION_MS);
    let creator = duration(TIKTOK_CREATOR_MIN_DURATION_MS, TIKTOK_CREATOR_MAX_DURATION_MS);
    let mut video_rules =
        video(TIKTOK_VIDEO_CONTAINERS, only(TIKTOK_VIDEO_CODECS), standard, TIKTOK_VIDEO_MAX_BYTES);
    video_rules.duration_by_tier =
        BTreeMap::from([(Tier::Standard, standard), (Tier::Creator, creator)]);
    PlatformRules {
        platform: Platform::Tiktok,
        media: MediaRules {
            required: true,
            layouts: vec![layout("single", VIDEO, SINGLE_ITEM, SINGLE_ITEM)],
        },
        text: text("caption", TIKTOK_TEXT_MAX, TextCounting::Utf16CodeUnits),
        title: None,
        hashtags: HashtagRule {
            max: None,
            recommended: Some(CountRange {
                min: TIKTOK_HASHTAGS_RECOMMENDED_MIN,
                max: TIKTOK_HASHTAGS_RECOMMENDED_MAX,
            }),
        },
        mentions: MentionRule::default(),
        video: Some(video_rules),
        image: None,
        daily_posts: TIKTOK_DAILY_POSTS,
        schedule_horizon_days: TIKTOK_SCHEDULE_HORIZON_DAYS,
        options: options([
            ("privacyLevel", one_of(TIKTOK_PRIVACY_LEVELS, Some(TIKTOK_DEFAULT_PRIVACY_LEVEL))),
            ("disableDuet", boolean()),
            ("disableStitch", boolean()),
            ("disableComment", boolean()),
            ("isAigc", boolean()),
            ("brandContent", boolean()),
        ]),
    }
}

fn instagram() -> PlatformRules {
    PlatformRules {
        platform: Platform::Instagram,
        media: MediaRules {
            required: true,
            layouts: vec![
                layout("single", IMAGE_OR_VIDEO, SINGLE_ITEM, SINGLE_ITEM),
                layout("carousel", IMAGE_OR_VIDEO, INSTAGRAM_CAROUSEL_MIN, INSTAGRAM_CAROUSEL_MAX),
            ],
        },
        text: text("caption", INSTAGRAM_TEXT_MAX, TextCounting::CodePoints),
        title: None,
        hashtags: HashtagRule { max: Some(INSTAGRAM_HASHTAGS_MAX), recommended: None },
        mentions: MentionRule { max: Some(INSTAGRAM_MENTIONS_MAX) },
        video: Some(video(
            INSTAGRAM_VIDEO_CONTAINERS,
            only(INSTAGRAM_VIDEO_CODECS),
            duration(INSTAGRAM_MIN_DURATION_MS, INSTAGRAM_MAX_DURATION_MS),
            INSTAGRAM_VIDEO_MAX_BYTES,
        )),
        image: Some(image(INSTAGRAM_IMAGE_FORMATS, INSTAGRAM_IMAGE_MAX_BYTES)),
        daily_posts: INSTAGRAM_DAILY_POSTS,
        schedule_horizon_days: INSTAGRAM_SCHEDULE_HORIZON_DAYS,
        options: options([
            ("contentType", one_of(INSTAGRAM_CONTENT_TYPES, None)),
            ("shareToFeed", boolean()),
        ]),
    }
}

fn linkedin() -> PlatformRules {
    PlatformRules {
        platform: Platform::Linkedin,
        media: MediaRules {
            required: false,
            layouts: vec![
                layout("video", VIDEO, SINGLE_ITEM, SINGLE_ITEM),
                layout("images", IMAGES, LINKEDIN_IMAGES_MIN, LINKEDIN_IMAGES_MAX),
            ],
        },
        text: text("commentary", LINKEDIN_TEXT_MAX, TextCounting::CodePoints),
        title: None,
        hashtags: HashtagRule::default(),
        mentions: MentionRule::default(),
        video: Some(video(
            LINKEDIN_VIDEO_CONTAINERS,
            only(LINKEDIN_VIDEO_CODECS),
            duration(LINKEDIN_MIN_DURATION_MS, LINKEDIN_MAX_DURATION_MS),
            LINKEDIN_VIDEO_MAX_BYTES,
        )),
        image: Some(image(LINKEDIN_IMAGE_FORMATS, LINKEDIN_IMAGE_MAX_BYTES)),
        daily_posts: LINKEDIN_DAILY_POSTS,
        schedule_horizon_days: LINKEDIN_SCHEDULE_HORIZON_DAYS,
        options: options([("visibility", one_of(LINKEDIN_VISIBILITIES, None))]),
    }
}

fn facebook() -> PlatformRules {
    let mut video_rules = video(
        FACEBOOK_VIDEO_CONTAINERS,
        only(FACEBOOK_VIDEO_CODECS),
        duration(FACEBOOK_MIN_DURATION_MS, FACEBOOK_MAX_DURATION_MS),
        FACEBOOK_VIDEO_MAX_BYTES,
    );
    video_rules.duration_by_content_type = BTreeMap::from([(
        "reel".to_owned(),
        duration(FACEBOOK_REELS_MIN_DURATION_MS, FACEBOOK_REELS_MAX_DURATION_MS),
    )]);
    PlatformRules {
        platform: Platform::Facebook,
        media: MediaRules {
            required: false,
            layouts: vec![
                layout("video", VIDEO, SINGLE_ITEM, SINGLE_ITEM),
                layout("images", IMAGES, FACEBOOK_IMAGES_MIN, FACEBOOK_IMAGES_MAX),
            ],
        },
        text: text("message", FACEBOOK_TEXT_MAX, TextCounting::CodePoints),
        title: None,
        hashtags: HashtagRule::default(),
        mentions: MentionRule::default(),
        video: Some(video_rules),
        image: Some(image(FACEBOOK_IMAGE_FORMATS, FACEBOOK_IMAGE_MAX_BYTES)),
        daily_posts: FACEBOOK_DAILY_POSTS,
        schedule_horizon_days: FACEBOOK_SCHEDULE_HORIZON_DAYS,
        options: BTreeMap::new(),
    }
}

fn youtube() -> PlatformRules {
    PlatformRules {
        platform: Platform::Youtube,
        media: MediaRules {
            required: true,
            layouts: vec![layout("single", VIDEO, SINGLE_ITEM, SINGLE_ITEM)],
        },
        text: text("description", YOUTUBE_TEXT_MAX, TextCounting::Utf8Bytes),
        title: Some(TitleRule {
            required: true,
            max: YOUTUBE_TITLE_MAX,
            counting: TextCounting::CodePoints,
            forbidden_chars: YOUTUBE_TITLE_FORBIDDEN_CHARS.to_vec(),
        }),
        hashtags: HashtagRule::default(),
        mentions: MentionRule::default(),
        video: Some(video(
            YOUTUBE_VIDEO_CONTAINERS,
            CodecRule::Any(AnyCodec::Any),
            duration(YOUTUBE_MIN_DURATION_MS, YOUTUBE_MAX_DURATION_MS),
            YOUTUBE_VIDEO_MAX_BYTES,
        )),
        image: None,
        daily_posts: YOUTUBE_DAILY_POSTS,
        schedule_horizon_days: YOUTUBE_SCHEDULE_HORIZON_DAYS,
        options: options([
            ("title", string(false)),
            ("privacyStatus", one_of(YOUTUBE_PRIVACY_STATUSES, None)),
            ("categoryId", string(false)),
            ("madeForKids", boolean()),
        ]),
    }
}

fn threads() -> PlatformRules {
    PlatformRules {
        platform: Platform::Threads,
        media: MediaRules {
            required: false,
            layouts: vec![
                layout("single", IMAGE_OR_VIDEO, SINGLE_ITEM, SINGLE_ITEM),
                layout("carousel", IMAGE_OR_VIDEO, THREADS_CAROUSEL_MIN, THREADS_CAROUSEL_MAX),
            ],
        },
        text: text("text", THREADS_TEXT_MAX, TextCounting::CodePointsEmojiAsUtf8Bytes),
        title: None,
        hashtags: HashtagRule { max: Some(THREADS_HASHTAGS_MAX), recommended: None },
        mentions: MentionRule::default(),
        video: Some(video(
            THREADS_VIDEO_CONTAINERS,
            only(THREADS_VIDEO_CODECS),
            duration(THREADS_MIN_DURATION_MS, THREADS_MAX_DURATION_MS),
            THREADS_VIDEO_MAX_BYTES,
        )),
        image: Some(image(THREADS_IMAGE_FORMATS, THREADS_IMAGE_MAX_BYTES)),
        daily_posts: THREADS_DAILY_POSTS,
        schedule_horizon_days: THREADS_SCHEDULE_HORIZON_DAYS,
        options: options([("replyControl", one_of(THREADS_REPLY_CONTROLS, None))]),
    }
}

fn reddit() -> PlatformRules {
    PlatformRules {
        platform: Platform::Reddit,
        media: MediaRules {
            required: false,
            layouts: vec![layout("single", IMAGE_OR_VIDEO, SINGLE_ITEM, SINGLE_ITEM)],
        },
        text: text("body", REDDIT_TEXT_MAX, TextCounting::CodePoints),
        title: Some(TitleRule {
            required: true,
            max: REDDIT_TITLE_MAX,
            counting: TextCounting::CodePoints,
            forbidden_chars: Vec::new(),
        }),
        hashtags: HashtagRule::default(),
        mentions: MentionRule::default(),
        video: Some(video(
            REDDIT_VIDEO_CONTAINERS,
            only(REDDIT_VIDEO_CODECS),
            duration(REDDIT_MIN_DURATION_MS, REDDIT_MAX_DURATION_MS),
            REDDIT_VIDEO_MAX_BYTES,
        )),
        image: Some(image(REDDIT_IMAGE_FORMATS, REDDIT_IMAGE_MAX_BYTES)),
        daily_posts: REDDIT_DAILY_POSTS,
        schedule_horizon_days: REDDIT_SCHEDULE_HORIZON_DAYS,
        options: options([
            ("subreddit", string(true)),
            ("title", string(false)),
            ("nsfw", boolean()),
            ("spoiler", boolean()),
            ("flairId", string(false)),
        ]),
    }
}
