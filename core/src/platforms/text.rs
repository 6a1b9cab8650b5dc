//! Counting text the way each platform does, and finding hashtags and mentions.

use icu_properties::props::{
    ExtendedPictographic, GeneralCategory, GeneralCategoryGroup, RegionalIndicator,
};
use icu_properties::{CodePointMapData, CodePointSetData};
use unicode_segmentation::UnicodeSegmentation;

use super::table::{rules, TextCounting};
use crate::model::Platform;

/// Which text of a post is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextField {
    /// `content.text`: the caption, description or body.
    Text,
    /// The title (`content.title` or `platforms.<platform>.title`).
    Title,
}

/// The length of `text` as `platform` counts that field.
///
/// A platform this version does not know, and a title on a platform without titles, count code
/// points.
pub fn count_text(platform: &Platform, field: TextField, text: &str) -> usize {
    let counting = rules(platform).and_then(|rules| match field {
        TextField::Text => Some(&rules.text.counting),
        TextField::Title => rules.title.as_ref().map(|title| &title.counting),
    });
    count(counting.unwrap_or(&TextCounting::CodePoints), text)
}

/// The length of `text` in the unit of `counting`. An unknown counting method (from a newer
/// rules document) counts code points.
pub fn count(counting: &TextCounting, text: &str) -> usize {
    match counting {
        TextCounting::Utf16CodeUnits => text.encode_utf16().count(),
        TextCounting::Utf8Bytes => text.len(),
        TextCounting::CodePointsEmojiAsUtf8Bytes => text
            .graphemes(true)
            .map(|cluster| if is_emoji(cluster) { cluster.len() } else { cluster.chars().count() })
            .sum(),
        TextCounting::CodePoints | TextCounting::Unknown(_) => text.chars().count(),
    }
}

/// Whether one extended grapheme cluster (UAX #29) is an emoji, as Threads counting means it.
///
/// A cluster is an emoji when it contains a code point with the `Extended_Pictographic` or the
/// `Regional_Indicator` property (UTS #51, UCD), or when it is a keycap sequence: it starts with
/// `0`–`9`, `#` or `*` and contains U+20E3 COMBINING ENCLOSING KEYCAP. A whole cluster counts
/// as one emoji, so a ZWJ family, a flag (two regional indicators), a skin-tone sequence or a
/// keycap counts as the UTF-8 length of the whole sequence. Text-default pictographs such as
/// `©` or `☺` are `Extended_Pictographic` and so count as emoji too.
///
/// `cluster` should be a single cluster, e.g. one item of
/// [`UnicodeSegmentation::graphemes`]; given longer text it says whether any cluster in it
/// would qualify (keycaps only at its start).
pub fn is_emoji(cluster: &str) -> bool {
    let pictographic = CodePointSetData::new::<ExtendedPictographic>();
    let regional = CodePointSetData::new::<RegionalIndicator>();
    let keycap = matches!(cluster.chars().next(), Some('0'..='9' | '#' | '*'))
        && cluster.contains('\u{20E3}');
    keycap || cluster.chars().any(|c| pictographic.contains(c) || regional.contains(c))
}

/// The hashtags in `text`, each with its `#`, in order of appearance (repeats included).
///
/// A hashtag is `#` at a word start (the start of the text, or after a character that is not
/// a letter, number, mark or `_`) followed by a letter, number or `_` and then any further
/// letters, numbers, combining marks or `_`; Unicode letters and digits count. So `#café`,
/// `#東京` and `#2026` are hashtags, `a#b` and a lone `#` are not, and `#rust-lang` is `#rust`.
pub fn hashtags(text: &str) -> Vec<&str> {
    tagged(text, '#')
}

/// The @mentions in `text`, each with its `@`, in order of appearance (repeats included).
///
/// Found exactly like [`hashtags`]: `@` at a word start, then letters, numbers, marks or `_`.
/// So `me@example.com` holds no mention and `@jane.doe` is `@jane`.
pub fn mentions(text: &str) -> Vec<&str> {
    tagged(text, '@')
}

fn tagged(text: &str, sigil: char) -> Vec<&str> {
    let mut found = Vec::new();
    let mut previous: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        let at_word_start = !previous.is_some_and(is_word_char);
        previous = Some(c);
        if c != sigil || !at_word_start {
            continue;
        }
        let body_start = start + c.len_utf8();
        let mut end = body_start;
        while let Some(&(index, next)) = chars.peek() {
            let accepted = if end == body_start { starts_word(next) } else { is_word_char(next) };
            if !accepted {
                break;
            }
            end = index + next.len_utf8();
            previous = Some(next);
            chars.next();
        }
        if end > body_start {
            found.push(&text[start..end]);
        }
    }
    found
}

/// A letter, a number or `_`: what a hashtag or mention body starts with.
fn starts_word(c: char) -> bool {
    if c == '_' {
        return true;
    }
    let category = CodePointMapData::<GeneralCategory>::new().get(c);
    GeneralCategoryGroup::Letter.contains(category)
        || GeneralCategoryGroup::Number.contains(category)
}

/// A letter, a number, a combining mark or `_`: what a hashtag or mention body continues with.
fn is_word_char(c: char) -> bool {
    starts_word(c)
        || GeneralCategoryGroup::Mark.contains(CodePointMapData::<GeneralCategory>::new().get(c))
}
