//! Per-platform post options: one typed struct per platform, and the map that holds them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::platform::Platform;
use crate::error::Error;
use crate::open_enum::open_enum;

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

/// The option names this version knows for `platform` (camelCase, as on the wire); empty for a
/// platform it does not know. Used to suggest the nearest name for a typo.
pub fn option_names(platform: &Platform) -> &'static [&'static str] {
    match platform {
        Platform::Tiktok => &[
            "privacyLevel",
            "disableDuet",
            "disableStitch",
            "disableComment",
            "isAigc",
            "brandContent",
        ],
        Platform::Instagram => &["contentType", "shareToFeed"],
        Platform::Linkedin => &["visibility"],
        Platform::Facebook => &[],
        Platform::Youtube => &["title", "privacyStatus", "categoryId", "madeForKids"],
        Platform::Threads => &["replyControl"],
        Platform::Reddit => &["subreddit", "title", "nsfw", "spoiler", "flairId"],
        Platform::Unknown(_) => &[],
    }
}
