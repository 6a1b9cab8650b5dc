//! The rules of PLATFORMS.md as a user meets them: counts, bounds, codes, fields and messages.

use aether::model::{Platform, Tier};
use aether::platforms::*;
use aether::probe::{Container, MediaFacts, MediaKind, VideoCodec};
use aether::ErrorCode;
use serde_json::json;

// --- helpers ----------------------------------------------------------------------------------

const FAMILY: &str = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F466}"; // 👨‍👩‍👧‍👦
const FLAG_JP: &str = "\u{1F1EF}\u{1F1F5}"; // 🇯🇵
const KEYCAP_ONE: &str = "1\u{FE0F}\u{20E3}"; // 1️⃣
const THUMBS_UP_MEDIUM: &str = "\u{1F44D}\u{1F3FD}"; // 👍🏽
const GRIN: &str = "\u{1F600}"; // 😀
const E_COMBINING: &str = "e\u{0301}"; // é as e + combining acute

fn video_facts(container: Container, codec: VideoCodec, duration_ms: u64, size: u64) -> MediaFacts {
    MediaFacts {
        container,
        kind: MediaKind::Video,
        size,
        duration_ms: Some(duration_ms),
        width: Some(1080),
        height: Some(1920),
        video_codec: Some(codec),
        audio_codec: Some("aac".into()),
    }
}

fn mp4(duration_ms: u64) -> MediaFacts {
    video_facts(Container::Mp4, VideoCodec::H264, duration_ms, 10 * MB)
}

fn mp4_of_size(size: u64) -> MediaFacts {
    video_facts(Container::Mp4, VideoCodec::H264, 20_000, size)
}

fn image_facts(container: Container, size: u64) -> MediaFacts {
    MediaFacts {
        container,
        kind: MediaKind::Image,
        size,
        duration_ms: None,
        width: Some(1080),
        height: Some(1080),
        video_codec: None,
        audio_codec: None,
    }
}

fn jpeg() -> MediaFacts {
    image_facts(Container::Jpeg, 500_000)
}

/// A draft each platform accepts without a violation: the base every bound test changes one
/// thing of.
fn valid_draft(platform: Platform) -> PostDraft {
    let draft = PostDraft::new(platform.clone(), "hello");
    match platform {
        Platform::Tiktok => draft.with_media(mp4(30_000)),
        Platform::Instagram => draft.with_media(jpeg()),
        Platform::Youtube => draft.with_title("A title").with_media(mp4(30_000)),
        Platform::Reddit => draft.with_title("A title").with_option("subreddit", "rust"),
        _ => draft,
    }
}

fn codes(validation: &Validation) -> Vec<&str> {
    validation.violations.iter().map(|v| v.code.as_str()).collect()
}

fn only_violation(validation: &Validation) -> &Violation {
    assert_eq!(validation.violations.len(), 1, "{:#?}", validation.violations);
    &validation.violations[0]
}

fn range(min: u64, max: u64) -> Allowed {
    Allowed::Range(AllowedRange { min: Some(min), max: Some(max) })
}

fn at_most(max: u64) -> Allowed {
    Allowed::Range(AllowedRange { min: None, max: Some(max) })
}

fn known_platforms() -> impl Iterator<Item = Platform> {
    Platform::ALL.iter().cloned()
}

// --- counting ---------------------------------------------------------------------------------

#[test]
fn tiktok_counts_utf16_code_units() {
    let tiktok = |text| count_text(&Platform::Tiktok, TextField::Text, text);
    assert_eq!(tiktok(GRIN), 2, "an emoji outside the BMP is a surrogate pair");
    assert_eq!(tiktok(FAMILY), 11, "4 emoji × 2 + 3 ZWJ");
    assert_eq!(tiktok(FLAG_JP), 4);
    assert_eq!(tiktok(KEYCAP_ONE), 3);
    assert_eq!(tiktok("東京"), 2);
    assert_eq!(tiktok(E_COMBINING), 2);
    assert_eq!(tiktok("hello"), 5);
}

#[test]
fn code_point_platforms_count_scalar_values() {
    for platform in [Platform::Instagram, Platform::Linkedin, Platform::Facebook, Platform::Reddit]
    {
        let n = |text| count_text(&platform, TextField::Text, text);
        assert_eq!(n(GRIN), 1, "{platform}");
        assert_eq!(n(FAMILY), 7, "{platform}");
        assert_eq!(n(FLAG_JP), 2, "{platform}");
        assert_eq!(n(KEYCAP_ONE), 3, "{platform}");
        assert_eq!(n("東京"), 2, "{platform}");
        assert_eq!(n(E_COMBINING), 2, "{platform}");
    }
    for platform in [Platform::Youtube, Platform::Reddit] {
        assert_eq!(count_text(&platform, TextField::Title, FAMILY), 7, "{platform} title");
        assert_eq!(count_text(&platform, TextField::Title, "東京"), 2, "{platform} title");
    }
}

#[test]
fn threads_counts_each_emoji_as_its_utf8_bytes() {
    let threads = |text| count_text(&Platform::Threads, TextField::Text, text);
    assert_eq!(threads(GRIN), 4);
    assert_eq!(threads(FAMILY), 25, "the whole ZWJ cluster: 4 × 4 + 3 × 3 bytes");
    assert_eq!(threads(FLAG_JP), 8);
    assert_eq!(threads(KEYCAP_ONE), 7, "1 + FE0F (3) + 20E3 (3)");
    assert_eq!(threads("#\u{FE0F}\u{20E3}"), 7);
    assert_eq!(threads(THUMBS_UP_MEDIUM), 8);
    assert_eq!(threads("東京"), 2, "CJK is not emoji: code points");
    assert_eq!(threads(E_COMBINING), 2);
    assert_eq!(threads("hi 😀!"), 3 + 4 + 1);
    assert_eq!(threads("1 # *"), 5, "bare digits, # and * are not emoji");
    assert_eq!(threads("©"), 2, "text-default pictographs are Extended_Pictographic");
}

#[test]
fn emoji_means_a_pictographic_flag_or_keycap_cluster() {
    for emoji in [GRIN, FAMILY, FLAG_JP, KEYCAP_ONE, THUMBS_UP_MEDIUM, "❤\u{FE0F}", "©"] {
        assert!(is_emoji(emoji), "{emoji:?}");
    }
    for not_emoji in ["a", "1", "#", "*", "東", E_COMBINING, "a\u{20E3}", ""] {
        assert!(!is_emoji(not_emoji), "{not_emoji:?}");
    }
}

#[test]
fn youtube_description_counts_utf8_bytes_but_titles_count_code_points() {
    assert_eq!(count_text(&Platform::Youtube, TextField::Text, GRIN), 4);
    assert_eq!(count_text(&Platform::Youtube, TextField::Text, "東京"), 6);
    assert_eq!(count_text(&Platform::Youtube, TextField::Text, E_COMBINING), 3);
    assert_eq!(count_text(&Platform::Youtube, TextField::Title, GRIN), 1);
}

#[test]
fn hashtags_start_a_word_and_take_unicode_letters() {
    let text = "#rust #東京 #café #cafe\u{0301} #2026 #snake_case a#b # #!x (#paren) #tag#glued #rust-lang";
    assert_eq!(
        hashtags(text),
        [
            "#rust",
            "#東京",
            "#café",
            "#cafe\u{0301}",
            "#2026",
            "#snake_case",
            "#paren",
            "#tag",
            "#rust"
        ]
    );
    assert_eq!(hashtags("😀#emoji"), ["#emoji"], "an emoji is not a word character");
    assert_eq!(hashtags(""), Vec::<&str>::new());
}

#[test]
fn mentions_start_a_word_and_stop_at_punctuation() {
    assert_eq!(
        mentions("@ana hi @jane.doe mail me@example.com @ @Zoë_2, @ana"),
        ["@ana", "@jane", "@Zoë_2", "@ana"]
    );
}

// --- every text limit, at and one past ----------------------------------------------------------

#[test]
fn every_text_limit_passes_at_the_limit_and_fails_one_past_it() {
    for rules in ALL_RULES.iter() {
        let platform = rules.platform.clone();
        let at = valid_draft(platform.clone());
        let at = PostDraft { text: "a".repeat(rules.text.max), ..at };
        assert!(validate(&at).is_valid(), "{platform}: {:?}", validate(&at).violations);

        let over = PostDraft { text: "a".repeat(rules.text.max + 1), ..at };
        let validation = validate(&over);
        let violation = only_violation(&validation);
        assert_eq!(violation.code, ErrorCode::CaptionTooLong, "{platform}");
        assert_eq!(violation.field, "content.text");
        assert_eq!(violation.platform, platform);
        assert_eq!(violation.measured, Some(json!(rules.text.max + 1)));
        assert_eq!(violation.allowed, Some(at_most(rules.text.max as u64)));
        let expected = format!(
            "{} is {} {}; {platform} allows {}",
            rules.text.name,
            rules.text.max + 1,
            if platform == Platform::Youtube { "bytes" } else { "characters" },
            rules.text.max
        );
        assert!(violation.message.starts_with(&expected), "{}", violation.message);
    }
}

#[test]
fn the_limits_are_the_figures_of_platforms_md() {
    let max = |platform| rules(&platform).unwrap().text.max;
    assert_eq!(max(Platform::Tiktok), 2_200);
    assert_eq!(max(Platform::Instagram), 2_200);
    assert_eq!(max(Platform::Linkedin), 3_000);
    assert_eq!(max(Platform::Facebook), 63_206);
    assert_eq!(max(Platform::Youtube), 5_000);
    assert_eq!(max(Platform::Threads), 500);
    assert_eq!(max(Platform::Reddit), 40_000);
}

#[test]
fn the_same_emoji_caption_fits_instagram_but_not_tiktok() {
    let at_tiktok_limit = GRIN.repeat(TIKTOK_TEXT_MAX / 2);
    let tiktok = PostDraft { text: at_tiktok_limit.clone(), ..valid_draft(Platform::Tiktok) };
    assert!(validate(&tiktok).is_valid());
    let tiktok = PostDraft { text: at_tiktok_limit + "a", ..tiktok };
    let validation = validate(&tiktok);
    assert_eq!(codes(&validation), ["CAPTION_TOO_LONG"]);
    assert_eq!(validation.violations[0].measured, Some(json!(TIKTOK_TEXT_MAX + 1)));

    let instagram =
        PostDraft { text: GRIN.repeat(INSTAGRAM_TEXT_MAX), ..valid_draft(Platform::Instagram) };
    assert!(validate(&instagram).is_valid(), "2200 emoji are 2200 code points");
    let instagram = PostDraft { text: GRIN.repeat(INSTAGRAM_TEXT_MAX + 1), ..instagram };
    assert_eq!(codes(&validate(&instagram)), ["CAPTION_TOO_LONG"]);
}

#[test]
fn threads_limit_with_emoji() {
    let base = valid_draft(Platform::Threads);
    let fits = GRIN.repeat(THREADS_TEXT_MAX / 4);
    assert!(validate(&PostDraft { text: fits.clone(), ..base.clone() }).is_valid());
    let over = PostDraft { text: fits + "a", ..base.clone() };
    assert_eq!(codes(&validate(&over)), ["CAPTION_TOO_LONG"]);
    let mixed = "a".repeat(THREADS_TEXT_MAX - 25) + FAMILY;
    assert!(validate(&PostDraft { text: mixed.clone(), ..base.clone() }).is_valid());
    assert!(!validate(&PostDraft { text: mixed + "a", ..base }).is_valid());
}

#[test]
fn youtube_description_limit_is_in_bytes() {
    let base = valid_draft(Platform::Youtube);
    let fits = "東".repeat(YOUTUBE_TEXT_MAX / 3) + "aa"; // 1666 × 3 + 2 = 5000 bytes
    assert!(validate(&PostDraft { text: fits, ..base.clone() }).is_valid());
    let over = "東".repeat(YOUTUBE_TEXT_MAX / 3 + 1); // 5001 bytes, 1667 characters
    let validation = validate(&PostDraft { text: over, ..base });
    let violation = only_violation(&validation);
    assert_eq!(violation.code, ErrorCode::CaptionTooLong);
    assert_eq!(violation.unit.as_deref(), Some("utf8Bytes"));
    assert!(violation.message.starts_with("description is 5001 bytes; youtube allows 5000"));
}

#[test]
fn caption_message_reads_like_the_protocol_example() {
    let draft = PostDraft { text: "a".repeat(2_301), ..valid_draft(Platform::Tiktok) };
    let validation = validate(&draft);
    let violation = only_violation(&validation);
    assert!(
        violation.message.starts_with("caption is 2301 characters; tiktok allows 2200"),
        "{}",
        violation.message
    );
}

// --- titles -----------------------------------------------------------------------------------

#[test]
fn titles_pass_at_the_limit_and_fail_one_past_it() {
    for (platform, max) in
        [(Platform::Youtube, YOUTUBE_TITLE_MAX), (Platform::Reddit, REDDIT_TITLE_MAX)]
    {
        let at = valid_draft(platform.clone()).with_title(GRIN.repeat(max));
        assert!(validate(&at).is_valid(), "{platform}: emoji count one code point each");
        let over = valid_draft(platform.clone()).with_title("t".repeat(max + 1));
        let validation = validate(&over);
        let violation = only_violation(&validation);
        assert_eq!(violation.code, ErrorCode::TitleTooLong);
        assert_eq!(violation.field, "content.title");
        assert_eq!(violation.measured, Some(json!(max + 1)));
        assert_eq!(violation.allowed, Some(at_most(max as u64)));
    }
}

#[test]
fn youtube_and_reddit_need_a_title() {
    for platform in [Platform::Youtube, Platform::Reddit] {
        let mut draft = valid_draft(platform.clone());
        draft.title = None;
        let validation = validate(&draft);
        let violation = only_violation(&validation);
        assert_eq!(violation.code, ErrorCode::TitleRequired, "{platform}");
        assert_eq!(violation.field, "content.title");
        draft.title = Some("   ".into());
        assert_eq!(codes(&validate(&draft)), ["TITLE_REQUIRED"], "blank is missing");
    }
    let tiktok = valid_draft(Platform::Tiktok);
    assert!(validate(&tiktok).is_valid(), "platforms without titles need none");
}

#[test]
fn the_platform_title_option_overrides_the_content_title() {
    let too_long = "t".repeat(YOUTUBE_TITLE_MAX + 1);
    let draft =
        valid_draft(Platform::Youtube).with_title(too_long.clone()).with_option("title", "Short");
    assert!(validate(&draft).is_valid(), "the option wins over content.title");

    let draft = valid_draft(Platform::Youtube).with_option("title", too_long);
    let validation = validate(&draft);
    let violation = only_violation(&validation);
    assert_eq!(violation.code, ErrorCode::TitleTooLong);
    assert_eq!(violation.field, "platforms.youtube.title");

    let mut reddit = valid_draft(Platform::Reddit).with_option("title", "From the option");
    reddit.title = None;
    assert!(validate(&reddit).is_valid(), "a title in platforms.reddit.title suffices");
}

#[test]
fn youtube_titles_may_not_contain_angle_brackets() {
    let draft = valid_draft(Platform::Youtube).with_title("Vec<u8> explained");
    let validation = validate(&draft);
    let violation = only_violation(&validation);
    assert_eq!(violation.code, ErrorCode::TitleTooLong);
    assert!(violation.message.contains("'<'"), "{}", violation.message);
    assert!(violation.message.contains("may not contain"), "{}", violation.message);
    assert_eq!(violation.measured, Some(json!(["<", ">"])));
    let reddit = valid_draft(Platform::Reddit).with_title("Vec<u8> explained");
    assert!(validate(&reddit).is_valid(), "only YouTube forbids them");
}

// --- hashtags and mentions --------------------------------------------------------------------

fn tags(n: usize) -> String {
    (0..n).map(|i| format!("#tag{i}")).collect::<Vec<_>>().join(" ")
}

fn ats(n: usize) -> String {
    (0..n).map(|i| format!("@user{i}")).collect::<Vec<_>>().join(" ")
}

#[test]
fn hashtag_limits_at_and_over() {
    for (platform, max) in
        [(Platform::Instagram, INSTAGRAM_HASHTAGS_MAX), (Platform::Threads, THREADS_HASHTAGS_MAX)]
    {
        let at = PostDraft { text: tags(max), ..valid_draft(platform.clone()) };
        assert!(validate(&at).is_valid(), "{platform}");
        let over = PostDraft { text: tags(max + 1), ..valid_draft(platform.clone()) };
        let validation = validate(&over);
        let violation = only_violation(&validation);
        assert_eq!(violation.code, ErrorCode::TooManyHashtags, "{platform}");
        assert_eq!(violation.field, "content.text");
        assert_eq!(violation.measured, Some(json!(max + 1)));
        assert_eq!(violation.allowed, Some(at_most(max as u64)));
    }
    let linkedin = PostDraft { text: tags(100), ..valid_draft(Platform::Linkedin) };
    assert!(validate(&linkedin).is_valid(), "no hashtag limit on LinkedIn");
}

#[test]
fn tiktok_hashtag_recommendation_is_a_warning_not_an_error() {
    for (n, warned) in [(0, true), (2, true), (3, false), (5, false), (6, true), (40, true)] {
        let draft = PostDraft { text: tags(n), ..valid_draft(Platform::Tiktok) };
        let validation = validate(&draft);
        assert!(validation.is_valid(), "{n} hashtags never stop a TikTok post");
        assert_eq!(!validation.warnings.is_empty(), warned, "{n} hashtags");
        if warned {
            let warning = &validation.warnings[0];
            let expected = match n > 5 {
                true => WarningCode::HashtagsAboveRecommended,
                false => WarningCode::HashtagsBelowRecommended,
            };
            assert_eq!(warning.code, expected);
            assert_eq!(warning.measured, Some(json!(n)));
            assert_eq!(
                warning.allowed,
                Some(range(
                    TIKTOK_HASHTAGS_RECOMMENDED_MIN as u64,
                    TIKTOK_HASHTAGS_RECOMMENDED_MAX as u64
                ))
            );
            assert!(warning.message.contains("recommends 3–5"), "{}", warning.message);
        }
    }
}

#[test]
fn instagram_mention_limit_at_and_over() {
    let at = PostDraft { text: ats(INSTAGRAM_MENTIONS_MAX), ..valid_draft(Platform::Instagram) };
    assert!(validate(&at).is_valid());
    let over = PostDraft { text: ats(INSTAGRAM_MENTIONS_MAX + 1), ..at };
    let validation = validate(&over);
    let violation = only_violation(&validation);
    assert_eq!(violation.code, ErrorCode::TooManyMentions);
    assert_eq!(violation.measured, Some(json!(INSTAGRAM_MENTIONS_MAX + 1)));
    let emails = PostDraft {
        text: (0..30).map(|i| format!("a{i}@example.com")).collect::<Vec<_>>().join(" "),
        ..valid_draft(Platform::Instagram)
    };
    assert!(validate(&emails).is_valid(), "e-mail addresses are not mentions");
}

// --- durations --------------------------------------------------------------------------------

fn duration_codes(platform: Platform, tier: Tier, ms: u64) -> Vec<String> {
    let draft = valid_draft(platform).with_tier(tier);
    let draft = PostDraft { media: vec![mp4(ms)], ..draft };
    validate(&draft).violations.iter().map(|v| v.code.to_string()).collect()
}

#[test]
fn tiktok_durations_depend_on_the_tier() {
    let cases: [(Tier, u64, &[&str]); 12] = [
        (Tier::Standard, 14_900, &["VIDEO_TOO_SHORT"]),
        (Tier::Standard, 15_000, &[]),
        (Tier::Standard, 60_000, &[]),
        (Tier::Standard, 60_100, &["VIDEO_TOO_LONG"]),
        (Tier::Standard, 600_000, &["VIDEO_TOO_LONG"]),
        (Tier::Standard, 601_000, &["VIDEO_TOO_LONG"]),
        (Tier::Creator, 14_900, &["VIDEO_TOO_SHORT"]),
        (Tier::Creator, 15_000, &[]),
        (Tier::Creator, 60_000, &[]),
        (Tier::Creator, 60_100, &[]),
        (Tier::Creator, 600_000, &[]),
        (Tier::Creator, 601_000, &["VIDEO_TOO_LONG"]),
    ];
    for (tier, ms, expected) in cases {
        assert_eq!(duration_codes(Platform::Tiktok, tier.clone(), ms), expected, "{tier} {ms} ms");
    }
}

#[test]
fn duration_violations_carry_the_measured_value_and_the_tier_range() {
    let draft = PostDraft { media: vec![mp4(14_900)], ..valid_draft(Platform::Tiktok) };
    let validation = validate(&draft);
    let violation = only_violation(&validation);
    assert_eq!(violation.field, "mediaKeys[0]");
    assert_eq!(violation.measured, Some(json!(14_900)));
    assert_eq!(
        violation.allowed,
        Some(range(TIKTOK_STANDARD_MIN_DURATION_MS, TIKTOK_STANDARD_MAX_DURATION_MS))
    );
    assert_eq!(violation.unit.as_deref(), Some("ms"));
    assert_eq!(violation.message, "video is 14.9 s; tiktok (standard tier) allows 15 s–60 s");
    assert_eq!(
        serde_json::Value::Object(violation.details()),
        json!({ "measured": 14900, "allowed": { "min": 15000, "max": 60000 }, "unit": "ms" })
    );

    let creator = draft.with_tier(Tier::Creator);
    let creator = PostDraft { media: vec![mp4(601_000)], ..creator };
    let validation = validate(&creator);
    let violation = only_violation(&validation);
    assert_eq!(violation.code, ErrorCode::VideoTooLong);
    assert_eq!(violation.message, "video is 601 s; tiktok (creator tier) allows 15 s–10 min");
    assert_eq!(violation.allowed, Some(range(15_000, 600_000)));
}

#[test]
fn every_platform_duration_range_at_and_beyond_its_bounds() {
    let expected: [(Platform, u64, u64); 7] = [
        (Platform::Tiktok, TIKTOK_STANDARD_MIN_DURATION_MS, TIKTOK_STANDARD_MAX_DURATION_MS),
        (Platform::Instagram, INSTAGRAM_MIN_DURATION_MS, INSTAGRAM_MAX_DURATION_MS),
        (Platform::Linkedin, LINKEDIN_MIN_DURATION_MS, LINKEDIN_MAX_DURATION_MS),
        (Platform::Facebook, FACEBOOK_MIN_DURATION_MS, FACEBOOK_MAX_DURATION_MS),
        (Platform::Youtube, YOUTUBE_MIN_DURATION_MS, YOUTUBE_MAX_DURATION_MS),
        (Platform::Threads, THREADS_MIN_DURATION_MS, THREADS_MAX_DURATION_MS),
        (Platform::Reddit, REDDIT_MIN_DURATION_MS, REDDIT_MAX_DURATION_MS),
    ];
    for (platform, min, max) in expected {
        let at = |ms| duration_codes(platform.clone(), Tier::Standard, ms);
        assert_eq!(at(min - 1), ["VIDEO_TOO_SHORT"], "{platform} {min} - 1 ms");
        assert!(at(min).is_empty(), "{platform} at min");
        assert!(at(max).is_empty(), "{platform} at max");
        assert_eq!(at(max + 1), ["VIDEO_TOO_LONG"], "{platform} {max} + 1 ms");
    }
    assert_eq!(INSTAGRAM_MAX_DURATION_MS, 15 * 60_000);
    assert_eq!(FACEBOOK_MAX_DURATION_MS, 240 * 60_000);
    assert_eq!(YOUTUBE_MAX_DURATION_MS, 12 * 3_600_000);
    assert_eq!(THREADS_MAX_DURATION_MS, 300_000);
}

#[test]
fn facebook_publishes_its_reel_range_for_content_type_reel() {
    let video = rules(&Platform::Facebook).unwrap().video.as_ref().unwrap();
    let reel = video.duration_for(&Tier::Standard, Some("reel"));
    assert_eq!((reel.min_ms, reel.max_ms), (3_000, 90_000));
    let plain = video.duration_for(&Tier::Standard, None);
    assert_eq!((plain.min_ms, plain.max_ms), (1_000, 240 * 60_000));
}

// --- sizes ------------------------------------------------------------------------------------

#[test]
fn every_video_size_limit_at_and_over() {
    for rules in ALL_RULES.iter() {
        let platform = rules.platform.clone();
        let max = rules.video.as_ref().unwrap().max_bytes;
        let at = PostDraft { media: vec![mp4_of_size(max)], ..valid_draft(platform.clone()) };
        assert!(validate(&at).is_valid(), "{platform}");
        let over = PostDraft { media: vec![mp4_of_size(max + 1)], ..at };
        let validation = validate(&over);
        let violation = only_violation(&validation);
        assert_eq!(violation.code, ErrorCode::FileTooLarge, "{platform}");
        assert_eq!(violation.field, "mediaKeys[0]");
        assert_eq!(violation.measured, Some(json!(max + 1)));
        assert_eq!(violation.allowed, Some(at_most(max)));
    }
    assert_eq!(TIKTOK_VIDEO_MAX_BYTES, 4_000_000_000, "decimal GB");
    assert_eq!(INSTAGRAM_VIDEO_MAX_BYTES, 300_000_000, "decimal MB");
    assert_eq!(YOUTUBE_VIDEO_MAX_BYTES, 256_000_000_000);
}

#[test]
fn every_image_size_limit_at_and_over() {
    let mut checked = 0;
    for rules in ALL_RULES.iter() {
        let Some(image) = &rules.image else { continue };
        let platform = rules.platform.clone();
        let format = image.formats[0].clone();
        let at = valid_draft(platform.clone());
        let at = PostDraft { media: vec![image_facts(format.clone(), image.max_bytes)], ..at };
        assert!(validate(&at).is_valid(), "{platform}");
        let over = PostDraft { media: vec![image_facts(format, image.max_bytes + 1)], ..at };
        let validation = validate(&over);
        let violation = only_violation(&validation);
        assert_eq!(violation.code, ErrorCode::FileTooLarge, "{platform}");
        assert!(violation.message.contains("image"), "{}", violation.message);
        checked += 1;
    }
    assert_eq!(checked, 5, "every platform but TikTok and YouTube takes images");
    assert_eq!(LINKEDIN_IMAGE_MAX_BYTES, 36_000_000);
}

// --- media kinds, containers, codecs and counts -----------------------------------------------

#[test]
fn media_required_on_tiktok_instagram_and_youtube_only() {
    for platform in known_platforms() {
        let draft = PostDraft { media: Vec::new(), ..valid_draft(platform.clone()) };
        let validation = validate(&draft);
        let required =
            matches!(platform, Platform::Tiktok | Platform::Instagram | Platform::Youtube);
        if required {
            let violation = only_violation(&validation);
            assert_eq!(violation.code, ErrorCode::MediaRequired, "{platform}");
            assert_eq!(violation.field, "mediaKeys");
        } else {
            assert!(validation.is_valid(), "{platform} posts may be text only");
        }
    }
}

#[test]
fn images_are_refused_where_only_video_is_taken() {
    for platform in [Platform::Tiktok, Platform::Youtube] {
        let draft = PostDraft { media: vec![jpeg()], ..valid_draft(platform.clone()) };
        let validation = validate(&draft);
        let violation = only_violation(&validation);
        assert_eq!(violation.code, ErrorCode::UnsupportedMediaType, "{platform}");
        assert_eq!(violation.field, "mediaKeys[0]");
        assert!(violation.message.contains("does not take image"), "{}", violation.message);
    }
}

#[test]
fn containers_and_codecs_outside_the_table_are_refused() {
    let webm = video_facts(Container::Webm, VideoCodec::Vp9, 30_000, MB);
    let tiktok = PostDraft { media: vec![webm.clone()], ..valid_draft(Platform::Tiktok) };
    let validation = validate(&tiktok);
    assert_eq!(codes(&validation), ["UNSUPPORTED_MEDIA_TYPE", "UNSUPPORTED_MEDIA_TYPE"]);
    assert!(validation.violations[0].message.contains("webm"));
    assert!(validation.violations[1].message.contains("vp9"));
    assert_eq!(
        validation.violations[0].allowed,
        Some(Allowed::Values(vec!["mp4".into(), "mov".into()]))
    );

    let youtube = PostDraft { media: vec![webm], ..valid_draft(Platform::Youtube) };
    assert!(validate(&youtube).is_valid(), "YouTube takes WebM and any codec");

    let vp9_mp4 = video_facts(Container::Mp4, VideoCodec::Vp9, 30_000, MB);
    let linkedin = PostDraft { media: vec![vp9_mp4], ..valid_draft(Platform::Linkedin) };
    let validation = validate(&linkedin);
    let violation = only_violation(&validation);
    assert_eq!(violation.code, ErrorCode::UnsupportedMediaType);
    assert_eq!(violation.allowed, Some(Allowed::Values(vec!["h264".into()])));

    let mov = video_facts(Container::Mov, VideoCodec::H264, 30_000, MB);
    let linkedin = PostDraft { media: vec![mov.clone()], ..valid_draft(Platform::Linkedin) };
    assert_eq!(codes(&validate(&linkedin)), ["UNSUPPORTED_MEDIA_TYPE"], "LinkedIn: MP4 only");
    let tiktok = PostDraft { media: vec![mov], ..valid_draft(Platform::Tiktok) };
    assert!(validate(&tiktok).is_valid());

    let h265 = video_facts(Container::Mp4, VideoCodec::H265, 30_000, MB);
    let reddit = PostDraft { media: vec![h265.clone()], ..valid_draft(Platform::Reddit) };
    assert_eq!(codes(&validate(&reddit)), ["UNSUPPORTED_MEDIA_TYPE"], "Reddit: H.264 only");
    let instagram = PostDraft { media: vec![h265], ..valid_draft(Platform::Instagram) };
    assert!(validate(&instagram).is_valid());
}

#[test]
fn image_formats_follow_the_table() {
    let cases = [
        (Platform::Instagram, Container::Png, false),
        (Platform::Instagram, Container::Jpeg, true),
        (Platform::Linkedin, Container::Gif, true),
        (Platform::Facebook, Container::Gif, false),
        (Platform::Facebook, Container::Png, true),
        (Platform::Threads, Container::Gif, false),
        (Platform::Reddit, Container::Gif, true),
    ];
    for (platform, format, accepted) in cases {
        let draft = PostDraft {
            media: vec![image_facts(format.clone(), MB)],
            ..valid_draft(platform.clone())
        };
        let validation = validate(&draft);
        if accepted {
            assert!(validation.is_valid(), "{platform} {format}");
        } else {
            assert_eq!(codes(&validation), ["UNSUPPORTED_MEDIA_TYPE"], "{platform} {format}");
        }
    }
}

#[test]
fn audio_files_are_refused_everywhere() {
    let audio = MediaFacts {
        container: Container::Mp4,
        kind: MediaKind::Audio,
        size: MB,
        duration_ms: Some(30_000),
        width: None,
        height: None,
        video_codec: None,
        audio_codec: Some("aac".into()),
    };
    for platform in known_platforms() {
        let draft = PostDraft { media: vec![audio.clone()], ..valid_draft(platform.clone()) };
        assert_eq!(codes(&validate(&draft)), ["UNSUPPORTED_MEDIA_TYPE"], "{platform}");
    }
}

/// A platform, how to make one item, and the most items it takes of that kind.
type CountCase = (Platform, fn() -> MediaFacts, usize);

#[test]
fn media_counts_at_and_over_each_range() {
    let cases: [CountCase; 9] = [
        (Platform::Tiktok, || mp4(30_000), 1),
        (Platform::Youtube, || mp4(30_000), 1),
        (Platform::Instagram, jpeg, INSTAGRAM_CAROUSEL_MAX),
        (Platform::Instagram, || mp4(30_000), INSTAGRAM_CAROUSEL_MAX),
        (Platform::Linkedin, jpeg, LINKEDIN_IMAGES_MAX),
        (Platform::Linkedin, || mp4(30_000), 1),
        (Platform::Facebook, jpeg, FACEBOOK_IMAGES_MAX),
        (Platform::Threads, jpeg, THREADS_CAROUSEL_MAX),
        (Platform::Reddit, jpeg, 1),
    ];
    for (platform, item, max) in cases {
        let at = PostDraft { media: vec![item(); max], ..valid_draft(platform.clone()) };
        assert!(validate(&at).is_valid(), "{platform} {max} items: {:?}", validate(&at).violations);
        let over = PostDraft { media: vec![item(); max + 1], ..at };
        let validation = validate(&over);
        let violation = only_violation(&validation);
        assert_eq!(violation.code, ErrorCode::TooManyMedia, "{platform}");
        assert_eq!(violation.field, "mediaKeys");
        assert_eq!(violation.measured, Some(json!(max + 1)));
        assert_eq!(violation.allowed, Some(at_most(max as u64)));
    }
    assert_eq!((INSTAGRAM_CAROUSEL_MIN, INSTAGRAM_CAROUSEL_MAX), (2, 10));
    assert_eq!((THREADS_CAROUSEL_MIN, THREADS_CAROUSEL_MAX), (2, 20));
}

#[test]
fn carousels_may_mix_kinds_but_linkedin_and_facebook_may_not() {
    let mixed = vec![jpeg(), mp4(30_000), jpeg()];
    for platform in [Platform::Instagram, Platform::Threads] {
        let draft = PostDraft { media: mixed.clone(), ..valid_draft(platform.clone()) };
        assert!(validate(&draft).is_valid(), "{platform}");
    }
    for platform in [Platform::Linkedin, Platform::Facebook] {
        let draft = PostDraft { media: mixed.clone(), ..valid_draft(platform.clone()) };
        let validation = validate(&draft);
        let violation = only_violation(&validation);
        assert_eq!(violation.code, ErrorCode::TooManyMedia, "{platform}");
        assert!(violation.message.contains("1 video, or 1–"), "{}", violation.message);
    }
}

#[test]
fn a_checked_item_reports_under_its_own_index() {
    let draft = PostDraft {
        media: vec![jpeg(), image_facts(Container::Png, MB), jpeg()],
        ..valid_draft(Platform::Instagram)
    };
    let validation = validate(&draft);
    assert_eq!(only_violation(&validation).field, "mediaKeys[1]");

    let rules = rules(&Platform::Tiktok).unwrap();
    let late = rules.check_media_item(&Tier::Standard, &Default::default(), 2, &mp4(5_000));
    assert_eq!(late.len(), 1);
    assert_eq!(
        (late[0].code.clone(), late[0].field.as_str()),
        (ErrorCode::VideoTooShort, "mediaKeys[2]")
    );
}

// --- options ----------------------------------------------------------------------------------

#[test]
fn unknown_options_and_bad_values_name_what_is_allowed() {
    let draft = valid_draft(Platform::Tiktok)
        .with_option("privacyLevel", "PUBLIC")
        .with_option("disableDuet", "yes")
        .with_option("autoCaption", true);
    let validation = validate(&draft);
    assert_eq!(codes(&validation), ["INVALID_PLATFORM_OPTION"; 3]);
    let by_field = |field: &str| {
        validation.violations.iter().find(|v| v.field == field).unwrap_or_else(|| panic!("{field}"))
    };

    let unknown = by_field("platforms.tiktok.autoCaption");
    assert!(unknown.message.contains("unknown option \"autoCaption\""), "{}", unknown.message);
    assert!(unknown.message.contains("privacyLevel"), "lists the allowed options");

    let level = by_field("platforms.tiktok.privacyLevel");
    assert!(
        level.message.contains(
            "one of PUBLIC_TO_EVERYONE, MUTUAL_FOLLOW_FRIENDS, FOLLOWER_OF_CREATOR, SELF_ONLY"
        ),
        "{}",
        level.message
    );
    assert_eq!(level.measured, Some(json!("PUBLIC")));

    let duet = by_field("platforms.tiktok.disableDuet");
    assert!(duet.message.contains("true or false"), "{}", duet.message);
}

#[test]
fn valid_options_pass_on_every_platform() {
    let cases = [
        (
            Platform::Tiktok,
            json!({ "privacyLevel": "SELF_ONLY", "disableDuet": true, "disableStitch": false, "disableComment": false, "isAigc": true, "brandContent": false }),
        ),
        (Platform::Instagram, json!({ "contentType": "reel", "shareToFeed": true })),
        (Platform::Linkedin, json!({ "visibility": "CONNECTIONS" })),
        (
            Platform::Youtube,
            json!({ "privacyStatus": "unlisted", "categoryId": "22", "madeForKids": false }),
        ),
        (Platform::Threads, json!({ "replyControl": "mentioned_only" })),
        (
            Platform::Reddit,
            json!({ "subreddit": "rust", "nsfw": false, "spoiler": true, "flairId": "abc" }),
        ),
        (Platform::Tiktok, json!({ "privacyLevel": null })),
    ];
    for (platform, options) in cases {
        let options = options.as_object().unwrap().clone();
        let draft = PostDraft { options, ..valid_draft(platform.clone()) };
        assert!(validate(&draft).is_valid(), "{platform}: {:?}", validate(&draft).violations);
    }
    let facebook = valid_draft(Platform::Facebook).with_option("contentType", "reel");
    let validation = validate(&facebook);
    assert_eq!(codes(&validation), ["INVALID_PLATFORM_OPTION"]);
    assert!(validation.violations[0].message.contains("facebook takes no options"));
}

#[test]
fn reddit_needs_a_subreddit() {
    let mut draft = valid_draft(Platform::Reddit);
    draft.options.clear();
    let validation = validate(&draft);
    let violation = only_violation(&validation);
    assert_eq!(violation.code, ErrorCode::SubredditRequired);
    assert_eq!(violation.field, "platforms.reddit.subreddit");
    let blank = draft.clone().with_option("subreddit", " ");
    assert_eq!(codes(&validate(&blank)), ["SUBREDDIT_REQUIRED"]);
    let wrong_type = draft.with_option("subreddit", 42);
    assert_eq!(codes(&validate(&wrong_type)), ["INVALID_PLATFORM_OPTION"]);
}

// --- all at once ------------------------------------------------------------------------------

#[test]
fn every_violation_is_reported_together() {
    let draft = PostDraft {
        text: "a".repeat(TIKTOK_TEXT_MAX + 1),
        media: vec![jpeg(), mp4(90_000)],
        ..PostDraft::new(Platform::Tiktok, "")
    }
    .with_option("privacyLevel", "FRIENDS");
    let validation = validate(&draft);
    assert_eq!(
        codes(&validation),
        [
            "CAPTION_TOO_LONG",
            "TOO_MANY_MEDIA",
            "UNSUPPORTED_MEDIA_TYPE",
            "VIDEO_TOO_LONG",
            "INVALID_PLATFORM_OPTION"
        ]
    );
    let fields: Vec<&str> = validation.violations.iter().map(|v| v.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "content.text",
            "mediaKeys",
            "mediaKeys[0]",
            "mediaKeys[1]",
            "platforms.tiktok.privacyLevel"
        ]
    );
    assert_eq!(validation.warnings.len(), 1, "0 hashtags: the recommendation warning too");

    let mut reddit = PostDraft::new(Platform::Reddit, "a".repeat(REDDIT_TEXT_MAX + 1));
    reddit.media = vec![mp4(0)];
    assert_eq!(
        codes(&validate(&reddit)),
        ["CAPTION_TOO_LONG", "TITLE_REQUIRED", "VIDEO_TOO_SHORT", "SUBREDDIT_REQUIRED"]
    );
}

#[test]
fn violations_serialize_as_camel_case_error_bodies() {
    let draft = PostDraft { text: "a".repeat(2_301), ..valid_draft(Platform::Tiktok) };
    let violation = validate(&draft).violations.remove(0);
    let body = serde_json::to_value(&violation).unwrap();
    assert_eq!(body["code"], "CAPTION_TOO_LONG");
    assert_eq!(body["field"], "content.text");
    assert_eq!(body["platform"], "tiktok");
    assert_eq!(body["measured"], 2_301);
    assert_eq!(body["allowed"], json!({ "max": 2_200 }));
    assert_eq!(body["unit"], "utf16CodeUnits");
    let back: Violation = serde_json::from_value(body).unwrap();
    assert_eq!(back, violation);
}

// --- the document -----------------------------------------------------------------------------

#[test]
fn the_rules_document_has_every_platform_and_the_version() {
    let document = rules_document();
    assert_eq!(document["version"], RULES_VERSION);
    let platforms = document["platforms"].as_object().unwrap();
    for platform in known_platforms() {
        assert!(platforms.contains_key(platform.as_str()), "{platform}");
    }
    assert_eq!(platforms.len(), Platform::ALL.len());
    let tiktok = &document["platforms"]["tiktok"];
    assert_eq!(
        tiktok["text"],
        json!({ "name": "caption", "max": 2200, "counting": "utf16CodeUnits" })
    );
    assert_eq!(tiktok["scheduleHorizonDays"], 10);
    assert_eq!(tiktok["dailyPosts"], 10);
    assert_eq!(tiktok["video"]["maxBytes"], 4_000_000_000u64);
    assert_eq!(
        tiktok["video"]["durationByTier"]["creator"],
        json!({ "minMs": 15000, "maxMs": 600000 })
    );
    assert_eq!(tiktok["options"]["privacyLevel"]["default"], "PUBLIC_TO_EVERYONE");
    assert_eq!(tiktok["options"]["disableDuet"]["type"], "boolean");
    assert_eq!(tiktok["hashtags"], json!({ "max": null, "recommended": { "min": 3, "max": 5 } }));
    assert_eq!(document["platforms"]["youtube"]["video"]["codecs"], "any");
    assert_eq!(document["platforms"]["youtube"]["title"]["forbiddenChars"], json!(["<", ">"]));
    assert_eq!(document["platforms"]["reddit"]["options"]["subreddit"]["required"], true);
    assert_eq!(document["platforms"]["threads"]["text"]["counting"], "codePointsEmojiAsUtf8Bytes");
}

#[test]
fn the_rules_document_round_trips_and_a_fetched_one_can_be_used() {
    let document: RulesDocument = serde_json::from_value(rules_document()).unwrap();
    assert_eq!(&document, RulesDocument::builtin());

    let mut fetched = rules_document();
    fetched["version"] = json!("2099-01-01");
    fetched["platforms"]["tiktok"]["text"]["max"] = json!(100);
    let fetched: RulesDocument = serde_json::from_value(fetched).unwrap();
    let tiktok = fetched.rules(&Platform::Tiktok).unwrap();
    let draft = PostDraft { text: "a".repeat(101), ..valid_draft(Platform::Tiktok) };
    assert!(validate(&draft).is_valid(), "the built-in table allows 2200");
    assert_eq!(codes(&tiktok.validate(&draft)), ["CAPTION_TOO_LONG"]);
}

#[test]
fn schedule_horizons_and_daily_limits() {
    let expected = [
        (Platform::Tiktok, 10, 10),
        (Platform::Instagram, 365, 50),
        (Platform::Linkedin, 365, 150),
        (Platform::Facebook, 365, 30),
        (Platform::Youtube, 365, 100),
        (Platform::Threads, 365, 250),
        (Platform::Reddit, 365, 100),
    ];
    for (platform, horizon, daily) in expected {
        assert_eq!(schedule_horizon_days(&platform), Some(horizon), "{platform}");
        assert_eq!(daily_post_limit(&platform), Some(daily), "{platform}");
    }
    let future = Platform::parse("bluesky");
    assert_eq!(schedule_horizon_days(&future), None);
    assert_eq!(daily_post_limit(&future), None);
}

#[test]
fn a_platform_without_rules_is_not_blocked() {
    let draft = PostDraft::new(Platform::parse("bluesky"), "a".repeat(100_000));
    let validation = validate(&draft);
    assert!(validation.is_valid());
    assert_eq!(validation.warnings[0].code, WarningCode::PlatformRulesUnknown);
}
