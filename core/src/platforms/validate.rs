//! Checking a post for one platform against that platform's rules.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::table::{
    rules, CodecRule, MediaLayout, OptionKind, PlatformRules, TextCounting, GB, MB,
};
use super::text::{count, hashtags, mentions};
use crate::error::ErrorCode;
use crate::model::{Platform, Tier};
use crate::probe::{MediaFacts, MediaKind};

/// One post as one platform will receive it: what [`validate`] checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostDraft {
    /// The target platform.
    pub platform: Platform,
    /// The profile's account tier (TikTok creators may post longer videos).
    #[serde(default = "standard_tier")]
    pub tier: Tier,
    /// `content.text`.
    #[serde(default)]
    pub text: String,
    /// `content.title`; `platforms.<platform>.title` in `options` wins over it.
    #[serde(default)]
    pub title: Option<String>,
    /// The `platforms.<platform>` object.
    #[serde(default)]
    pub options: Map<String, Value>,
    /// The probed facts of each referenced media, in `mediaKeys` order.
    #[serde(default)]
    pub media: Vec<MediaFacts>,
}

fn standard_tier() -> Tier {
    Tier::Standard
}

impl PostDraft {
    /// A draft for `platform` with `text`, a standard tier, and no title, options or media.
    pub fn new(platform: Platform, text: impl Into<String>) -> PostDraft {
        PostDraft {
            platform,
            tier: Tier::Standard,
            text: text.into(),
            title: None,
            options: Map::new(),
            media: Vec::new(),
        }
    }

    /// Sets the account tier.
    pub fn with_tier(mut self, tier: Tier) -> PostDraft {
        self.tier = tier;
        self
    }

    /// Sets `content.title`.
    pub fn with_title(mut self, title: impl Into<String>) -> PostDraft {
        self.title = Some(title.into());
        self
    }

    /// Sets one option of `platforms.<platform>`.
    pub fn with_option(mut self, name: &str, value: impl Into<Value>) -> PostDraft {
        self.options.insert(name.to_owned(), value.into());
        self
    }

    /// Appends one media item's facts.
    pub fn with_media(mut self, facts: MediaFacts) -> PostDraft {
        self.media.push(facts);
        self
    }
}

/// What a violation's limit is: a range, a list of accepted values, or a JSON type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Allowed {
    /// The accepted values (containers, codecs, option values, option names, media kinds).
    Values(Vec<String>),
    /// An inclusive range; an open end is left out.
    Range(AllowedRange),
    /// The JSON type an option must have: `boolean` or `string`.
    Type(String),
}

/// An inclusive range, in the violation's `unit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AllowedRange {
    /// Smallest allowed value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<u64>,
    /// Largest allowed value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u64>,
}

/// One rule a post breaks; it maps one to one onto the API's error body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Violation {
    /// The error code, e.g. `CAPTION_TOO_LONG`.
    pub code: ErrorCode,
    /// Where in the request: `content.text`, `mediaKeys[0]`, `platforms.tiktok.privacyLevel`.
    pub field: String,
    /// The platform whose rule it is.
    pub platform: Platform,
    /// What was wrong and what is allowed, for people.
    pub message: String,
    /// What was measured (a length, a duration in ms, a size in bytes, a value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measured: Option<Value>,
    /// What the rule allows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Allowed>,
    /// The unit of `measured` and `allowed`: a [`TextCounting`] name, `ms`, `bytes`, `items`,
    /// `hashtags` or `mentions`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

impl Violation {
    /// The `details` object of the API error body: `measured`, `allowed` and `unit`, where set.
    pub fn details(&self) -> Map<String, Value> {
        let mut details = Map::new();
        if let Some(measured) = &self.measured {
            details.insert("measured".into(), measured.clone());
        }
        if let Some(allowed) = &self.allowed {
            let allowed = serde_json::to_value(allowed).expect("allowed serializes to JSON");
            details.insert("allowed".into(), allowed);
        }
        if let Some(unit) = &self.unit {
            details.insert("unit".into(), Value::from(unit.as_str()));
        }
        details
    }
}

/// What a [`Warning`] is about: the codes the server answers on posts too.
pub use crate::model::WarningCode;

/// Advice that does not stop a post.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Warning {
    /// What the warning is about.
    pub code: WarningCode,
    /// Where in the request.
    pub field: String,
    /// The platform.
    pub platform: Platform,
    /// What was found and what is recommended, for people.
    pub message: String,
    /// What was measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub measured: Option<Value>,
    /// What is recommended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Allowed>,
}

/// The outcome of [`validate`]: every violation, and the warnings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Validation {
    /// Every rule the post breaks, in request order: text, title, hashtags, mentions, media,
    /// options.
    pub violations: Vec<Violation>,
    /// Advice that does not stop the post.
    pub warnings: Vec<Warning>,
}

impl Validation {
    /// Whether the post breaks no rule (warnings allowed).
    pub fn is_valid(&self) -> bool {
        self.violations.is_empty()
    }

    /// The codes of the violations, in order.
    pub fn codes(&self) -> Vec<ErrorCode> {
        self.violations.iter().map(|violation| violation.code.clone()).collect()
    }
}

/// Checks `draft` against the built-in rules of its platform and returns every violation.
///
/// A platform this version has no rules for is not checked: the result holds only a
/// `PLATFORM_RULES_UNKNOWN` warning, and the server decides.
pub fn validate(draft: &PostDraft) -> Validation {
    match rules(&draft.platform) {
        Some(rules) => rules.validate(draft),
        None => Validation {
            violations: Vec::new(),
            warnings: vec![Warning {
                code: WarningCode::PlatformRulesUnknown,
                field: "platforms".into(),
                platform: draft.platform.clone(),
                message: format!(
                    "this SDK has no rules for platform {}; the post was not checked",
                    draft.platform
                ),
                measured: None,
                allowed: None,
            }],
        },
    }
}

impl PlatformRules {
    /// Checks `draft` against these rules (whatever its `platform` says) and returns every
    /// violation. Facts a [`MediaFacts`] leaves out (duration, codec) are not judged.
    pub fn validate(&self, draft: &PostDraft) -> Validation {
        let mut check = Check { rules: self, validation: Validation::default() };
        check.text(&draft.text);
        check.title(draft);
        check.tags(&draft.text);
        check.media(draft);
        check.options(&draft.options);
        check.validation
    }

    /// Checks one media item on its own (kind, container, codec, duration, size), as when a
    /// file that was still processing at create time becomes ready. `index` names the field
    /// (`mediaKeys[index]`); `options` are the `platforms.<platform>` object (its
    /// `contentType` may select a duration range).
    pub fn check_media_item(
        &self,
        tier: &Tier,
        options: &Map<String, Value>,
        index: usize,
        facts: &MediaFacts,
    ) -> Vec<Violation> {
        let mut check = Check { rules: self, validation: Validation::default() };
        check.media_item(tier, content_type(options), index, facts);
        check.validation.violations
    }
}

struct Check<'r> {
    rules: &'r PlatformRules,
    validation: Validation,
}

impl Check<'_> {
    fn platform(&self) -> &Platform {
        &self.rules.platform
    }

    fn violate(
        &mut self,
        code: ErrorCode,
        field: impl Into<String>,
        message: String,
    ) -> &mut Violation {
        self.validation.violations.push(Violation {
            code,
            field: field.into(),
            platform: self.rules.platform.clone(),
            message,
            measured: None,
            allowed: None,
            unit: None,
        });
        self.validation.violations.last_mut().expect("just pushed")
    }

    fn text(&mut self, text: &str) {
        let rule = &self.rules.text;
        let length = count(&rule.counting, text);
        if length > rule.max {
            let message = format!(
                "{} is {} {}; {} allows {}{}",
                rule.name,
                length,
                unit_words(&rule.counting),
                self.platform(),
                rule.max,
                counting_note(&rule.counting),
            );
            let counting = rule.counting.as_str().to_owned();
            let max = rule.max as u64;
            let violation = self.violate(ErrorCode::CaptionTooLong, "content.text", message);
            violation.measured = Some(Value::from(length));
            violation.allowed = Some(Allowed::Range(AllowedRange { min: None, max: Some(max) }));
            violation.unit = Some(counting);
        }
    }

    fn title(&mut self, draft: &PostDraft) {
        let Some(rule) = &self.rules.title else { return };
        let platform = self.platform().clone();
        let option_field = format!("platforms.{platform}.title");
        let from_options = draft.options.get("title").and_then(Value::as_str);
        let title =
            [(from_options, option_field), (draft.title.as_deref(), "content.title".into())]
                .into_iter()
                .find_map(|(title, field)| {
                    title.filter(|t| !t.trim().is_empty()).map(|t| (t, field))
                });
        let Some((title, field)) = title else {
            if rule.required {
                self.violate(
                    ErrorCode::TitleRequired,
                    "content.title",
                    format!(
                        "{platform} posts need a title: set content.title or platforms.{platform}.title"
                    ),
                );
            }
            return;
        };
        let length = count(&rule.counting, title);
        if length > rule.max {
            let message = format!(
                "title is {length} {}; {platform} allows {}",
                unit_words(&rule.counting),
                rule.max
            );
            let (counting, max) = (rule.counting.as_str().to_owned(), rule.max as u64);
            let violation = self.violate(ErrorCode::TitleTooLong, field.clone(), message);
            violation.measured = Some(Value::from(length));
            violation.allowed = Some(Allowed::Range(AllowedRange { min: None, max: Some(max) }));
            violation.unit = Some(counting);
        }
        let found: Vec<char> =
            rule.forbidden_chars.iter().copied().filter(|c| title.contains(*c)).collect();
        if !found.is_empty() {
            let quoted = |chars: &[char]| {
                chars.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(" and ")
            };
            let message = format!(
                "title contains {}; {platform} titles may not contain {}",
                quoted(&found),
                quoted(&rule.forbidden_chars)
            );
            let violation = self.violate(ErrorCode::TitleTooLong, field, message);
            violation.measured =
                Some(Value::from(found.iter().map(char::to_string).collect::<Vec<_>>()));
        }
    }

    fn tags(&mut self, text: &str) {
        let platform = self.platform().clone();
        let found = hashtags(text).len();
        if let Some(max) = self.rules.hashtags.max.filter(|max| found > *max) {
            let message = format!("text has {found} hashtags; {platform} allows {max}");
            let violation = self.violate(ErrorCode::TooManyHashtags, "content.text", message);
            violation.measured = Some(Value::from(found));
            violation.allowed = Some(at_most(max as u64));
            violation.unit = Some("hashtags".into());
        }
        if let Some(range) = self.rules.hashtags.recommended {
            if found < range.min || found > range.max {
                let code = match found > range.max {
                    true => WarningCode::HashtagsAboveRecommended,
                    false => WarningCode::HashtagsBelowRecommended,
                };
                self.validation.warnings.push(Warning {
                    code,
                    field: "content.text".into(),
                    platform: platform.clone(),
                    message: format!(
                        "text has {found} hashtags; {platform} recommends {}–{}",
                        range.min, range.max
                    ),
                    measured: Some(Value::from(found)),
                    allowed: Some(Allowed::Range(AllowedRange {
                        min: Some(range.min as u64),
                        max: Some(range.max as u64),
                    })),
                });
            }
        }
        let found = mentions(text).len();
        if let Some(max) = self.rules.mentions.max.filter(|max| found > *max) {
            let message = format!("text has {found} mentions; {platform} allows {max}");
            let violation = self.violate(ErrorCode::TooManyMentions, "content.text", message);
            violation.measured = Some(Value::from(found));
            violation.allowed = Some(at_most(max as u64));
            violation.unit = Some("mentions".into());
        }
    }

    fn media(&mut self, draft: &PostDraft) {
        let rules = &self.rules.media;
        let platform = self.platform().clone();
        let items = draft.media.len();
        let offered = describe_layouts(&rules.layouts);
        if items == 0 {
            if rules.required {
                self.violate(
                    ErrorCode::MediaRequired,
                    "mediaKeys",
                    format!("{platform} posts need media: {offered}"),
                );
            }
            return;
        }
        let all_kinds_taken = draft.media.iter().all(|facts| self.takes_kind(&facts.kind));
        let fitting: Vec<&MediaLayout> = rules
            .layouts
            .iter()
            .filter(|layout| draft.media.iter().all(|facts| layout.kinds.contains(&facts.kind)))
            .collect();
        let fits = fitting.iter().any(|layout| (layout.min..=layout.max).contains(&items));
        if !all_kinds_taken {
            // Each refused item gets its own violation below; only the count is judged here.
            let most = rules.layouts.iter().map(|layout| layout.max).max().unwrap_or(0);
            if items > most {
                self.too_many_media(items, most, &offered);
            }
        } else if fitting.is_empty() {
            let message = format!("{platform} takes {offered}, not a mix of kinds in one post");
            let violation = self.violate(ErrorCode::TooManyMedia, "mediaKeys", message);
            violation.measured = Some(Value::from(items));
            violation.unit = Some("items".into());
        } else if !fits {
            let most = fitting.iter().map(|layout| layout.max).max().unwrap_or(0);
            let least = fitting.iter().map(|layout| layout.min).min().unwrap_or(0);
            if items > most {
                self.too_many_media(items, most, &offered);
            } else {
                let message =
                    format!("the post has {items} media items; {platform} takes {offered}");
                let violation = self.violate(ErrorCode::MediaRequired, "mediaKeys", message);
                violation.measured = Some(Value::from(items));
                violation.allowed = Some(Allowed::Range(AllowedRange {
                    min: Some(least as u64),
                    max: Some(most as u64),
                }));
                violation.unit = Some("items".into());
            }
        }
        let content_type = content_type(&draft.options);
        for (index, facts) in draft.media.iter().enumerate() {
            self.media_item(&draft.tier, content_type, index, facts);
        }
    }

    fn too_many_media(&mut self, items: usize, most: usize, offered: &str) {
        let platform = self.platform().clone();
        let message = format!("the post has {items} media items; {platform} takes {offered}");
        let violation = self.violate(ErrorCode::TooManyMedia, "mediaKeys", message);
        violation.measured = Some(Value::from(items));
        violation.allowed = Some(at_most(most as u64));
        violation.unit = Some("items".into());
    }

    fn takes_kind(&self, kind: &MediaKind) -> bool {
        let listed = self.rules.media.layouts.iter().any(|layout| layout.kinds.contains(kind));
        let described = match kind {
            MediaKind::Video => self.rules.video.is_some(),
            MediaKind::Image => self.rules.image.is_some(),
            _ => false,
        };
        listed && described
    }

    fn media_item(
        &mut self,
        tier: &Tier,
        content_type: Option<&str>,
        index: usize,
        facts: &MediaFacts,
    ) {
        let platform = self.platform().clone();
        let field = format!("mediaKeys[{index}]");
        if !self.takes_kind(&facts.kind) {
            let kinds: Vec<String> = [MediaKind::Video, MediaKind::Image]
                .into_iter()
                .filter(|kind| self.takes_kind(kind))
                .map(|kind| kind.as_str().to_owned())
                .collect();
            let message = format!(
                "{platform} does not take {} media; it takes {}",
                facts.kind,
                kinds.join(" and ")
            );
            let violation = self.violate(ErrorCode::UnsupportedMediaType, field, message);
            violation.measured = Some(Value::from(facts.kind.as_str()));
            violation.allowed = Some(Allowed::Values(kinds));
            return;
        }
        let (formats, max_bytes, noun) = match (&self.rules.video, &self.rules.image, &facts.kind) {
            (Some(video), _, MediaKind::Video) => (&video.containers, video.max_bytes, "video"),
            (_, Some(image), _) => (&image.formats, image.max_bytes, "image"),
            _ => unreachable!("takes_kind checked that the rules describe this kind"),
        };
        if !formats.contains(&facts.container) {
            let names: Vec<String> = formats.iter().map(|f| f.as_str().to_owned()).collect();
            let message = format!(
                "{noun} format {} is not accepted by {platform}; allowed: {}",
                facts.container,
                names.join(", ")
            );
            let violation = self.violate(ErrorCode::UnsupportedMediaType, field.clone(), message);
            violation.measured = Some(Value::from(facts.container.as_str()));
            violation.allowed = Some(Allowed::Values(names));
        }
        if let (Some(video), MediaKind::Video) = (&self.rules.video, &facts.kind) {
            if let (Some(codec), CodecRule::Only(codecs)) = (&facts.video_codec, &video.codecs) {
                if !video.codecs.allows(codec) {
                    let names: Vec<String> = codecs.iter().map(|c| c.as_str().to_owned()).collect();
                    let message = format!(
                        "video codec {codec} is not accepted by {platform}; allowed: {}",
                        names.join(", ")
                    );
                    let violation =
                        self.violate(ErrorCode::UnsupportedMediaType, field.clone(), message);
                    violation.measured = Some(Value::from(codec.as_str()));
                    violation.allowed = Some(Allowed::Values(names));
                }
            }
            if let Some(measured) = facts.duration_ms {
                let range = video.duration_for(tier, content_type);
                let code = if measured < range.min_ms {
                    Some(ErrorCode::VideoTooShort)
                } else if measured > range.max_ms {
                    Some(ErrorCode::VideoTooLong)
                } else {
                    None
                };
                if let Some(code) = code {
                    let mut whose = platform.to_string();
                    if let Some(kind) =
                        content_type.filter(|k| video.duration_by_content_type.contains_key(*k))
                    {
                        whose = format!("{platform} ({kind})");
                    } else if video.duration_by_tier.contains_key(tier) {
                        whose = format!("{platform} ({tier} tier)");
                    }
                    let message = format!(
                        "video is {}; {whose} allows {}–{}",
                        format_ms(measured),
                        format_ms(range.min_ms),
                        format_ms(range.max_ms)
                    );
                    let violation = self.violate(code, field.clone(), message);
                    violation.measured = Some(Value::from(measured));
                    violation.allowed = Some(Allowed::Range(AllowedRange {
                        min: Some(range.min_ms),
                        max: Some(range.max_ms),
                    }));
                    violation.unit = Some("ms".into());
                }
            }
        }
        if facts.size > max_bytes {
            let message = format!(
                "{noun} is {} bytes ({}); {platform} allows {noun}s up to {}",
                facts.size,
                format_bytes(facts.size),
                format_bytes(max_bytes)
            );
            let violation = self.violate(ErrorCode::FileTooLarge, field, message);
            violation.measured = Some(Value::from(facts.size));
            violation.allowed = Some(at_most(max_bytes));
            violation.unit = Some("bytes".into());
        }
    }

    fn options(&mut self, options: &Map<String, Value>) {
        let platform = self.platform().clone();
        let names: Vec<String> = self.rules.options.keys().cloned().collect();
        for (name, value) in options {
            let field = format!("platforms.{platform}.{name}");
            if value.is_null() {
                continue;
            }
            let Some(rule) = self.rules.options.get(name) else {
                let message = if names.is_empty() {
                    format!("unknown option {name:?}: {platform} takes no options")
                } else {
                    format!("unknown option {name:?} for {platform}; allowed: {}", names.join(", "))
                };
                let violation = self.violate(ErrorCode::InvalidPlatformOption, field, message);
                violation.measured = Some(Value::from(name.as_str()));
                violation.allowed = Some(Allowed::Values(names.clone()));
                continue;
            };
            if rule.required && value.as_str().is_some_and(|text| text.trim().is_empty()) {
                continue; // reported as missing below
            }
            let (ok, allowed, wanted) = match &rule.kind {
                OptionKind::Boolean => {
                    (value.is_boolean(), Allowed::Type("boolean".into()), "true or false".into())
                }
                OptionKind::Text => {
                    (value.is_string(), Allowed::Type("string".into()), "a string".into())
                }
                OptionKind::Enum => (
                    value.as_str().is_some_and(|v| rule.values.iter().any(|allowed| allowed == v)),
                    Allowed::Values(rule.values.clone()),
                    format!("one of {}", rule.values.join(", ")),
                ),
                OptionKind::Unknown(_) => continue,
            };
            if !ok {
                let message = format!("{field} must be {wanted}; got {value}");
                let violation = self.violate(ErrorCode::InvalidPlatformOption, field, message);
                violation.measured = Some(value.clone());
                violation.allowed = Some(allowed);
            }
        }
        for (name, rule) in &self.rules.options {
            let given = options.get(name).is_some_and(|value| match value {
                Value::Null => false,
                Value::String(text) => !text.trim().is_empty(),
                _ => true,
            });
            if rule.required && !given {
                let field = format!("platforms.{platform}.{name}");
                let code = if name == "subreddit" {
                    ErrorCode::SubredditRequired
                } else {
                    ErrorCode::InvalidPlatformOption
                };
                self.violate(code, field.clone(), format!("{platform} posts need {field}"));
            }
        }
    }
}

fn content_type(options: &Map<String, Value>) -> Option<&str> {
    options.get("contentType").and_then(Value::as_str)
}

fn at_most(max: u64) -> Allowed {
    Allowed::Range(AllowedRange { min: None, max: Some(max) })
}

fn unit_words(counting: &TextCounting) -> &'static str {
    match counting {
        TextCounting::Utf8Bytes => "bytes",
        _ => "characters",
    }
}

fn counting_note(counting: &TextCounting) -> &'static str {
    match counting {
        TextCounting::Utf16CodeUnits => " (counted in UTF-16 code units: most emoji count 2)",
        TextCounting::CodePointsEmojiAsUtf8Bytes => {
            " (each emoji counts as its UTF-8 length, often 4 or more)"
        }
        TextCounting::Utf8Bytes => " (UTF-8)",
        _ => "",
    }
}

/// "1 video", "1 image or video, or a carousel of 2–10 images or videos".
fn describe_layouts(layouts: &[MediaLayout]) -> String {
    let described: Vec<String> = layouts
        .iter()
        .map(|layout| {
            let plural = layout.max > 1;
            let kinds: Vec<String> = layout
                .kinds
                .iter()
                .map(|kind| if plural { format!("{kind}s") } else { kind.to_string() })
                .collect();
            let count = if layout.min == layout.max {
                layout.min.to_string()
            } else {
                format!("{}–{}", layout.min, layout.max)
            };
            let carousel = if layout.name == "carousel" { "a carousel of " } else { "" };
            format!("{carousel}{count} {}", kinds.join(" or "))
        })
        .collect();
    described.join(", or ")
}

/// A duration for people: "15 s", "14.9 s", "60 s", "10 min", "240 min", "12 h".
fn format_ms(ms: u64) -> String {
    const HOUR: u64 = 3_600_000;
    const MINUTE: u64 = 60_000;
    if ms > 4 * HOUR && ms.is_multiple_of(HOUR) {
        format!("{} h", ms / HOUR)
    } else if ms > MINUTE && ms.is_multiple_of(MINUTE) {
        format!("{} min", ms / MINUTE)
    } else {
        format!("{} s", decimal(ms, 1_000))
    }
}

/// A size for people, in the decimal units platforms publish: "4 GB", "300 MB", "8.5 MB".
fn format_bytes(bytes: u64) -> String {
    if bytes >= GB {
        format!("{} GB", decimal(bytes, GB))
    } else if bytes >= MB {
        format!("{} MB", decimal(bytes, MB))
    } else {
        format!("{bytes} bytes")
    }
}

/// `value / unit` with up to three decimals, trailing zeros dropped.
fn decimal(value: u64, unit: u64) -> String {
    let thousandths = (u128::from(value) * 1_000 / u128::from(unit)) as u64;
    let text = format!("{}.{:03}", thousandths / 1_000, thousandths % 1_000);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}
