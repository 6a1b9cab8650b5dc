//! Every documented request shape of `POST /v1/posts` (PROTOCOL.md, second edition, "Creating
//! a post: every documented shape"), normalized into the one the checks read: `content`,
//! `platforms`, and one list of media items.
//!
//! - Text: `content: { text, title? }` or top-level `text` / `title`. Both: 400
//!   `INVALID_REQUEST`, field `text` (or `title`).
//! - Per-platform options: `platforms` or its alias `overrides`. Both: 400, field `overrides`.
//! - Media, at most one of `mediaKeys`, `mediaUrls`, `media: [{ url, type? } | { mediaKey }]`.
//!   More than one: 400, field `media`. (An empty array counts as not given, as the SDKs omit
//!   it.) URL entries are ingested at create time (`media_ingest`), so they get keys at once.
//!
//! The rules match `aether::model::CreatePostRequest::check`, which refuses the same requests
//! before they are sent, with the same code and field.

use aether::model::params::suggest;
use aether::model::{IngestMediaRequest, PostMedia, PostWarning, WarningCode};
use aether::probe::MediaKind;
use serde_json::{json, Map, Value};

use crate::api_error::{ApiError, ApiResult};
use crate::resources::media_ingest::{start_ingest, IngestFields};
use crate::state::SharedState;
use crate::stored_media::MediaStore;

/// Where one media item of a request comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Uploaded already.
    Key(String),
    /// To be fetched from this URL.
    Url(String),
}

/// One media item of a request, in order, with the field that named it.
#[derive(Debug, Clone)]
pub struct MediaItem {
    /// `mediaKeys[0]`, `mediaUrls[1]`, `media[2]`.
    pub field: String,
    pub source: Source,
    /// The `type` a `media` entry declared.
    pub kind: Option<MediaKind>,
}

/// The fields of a `media` entry.
const MEDIA_ENTRY_FIELDS: &[&str] = &["url", "mediaKey", "type"];

fn given(fields: &Map<String, Value>, name: &str) -> bool {
    match fields.get(name) {
        None | Some(Value::Null) => false,
        Some(Value::Array(items)) => !items.is_empty(),
        Some(_) => true,
    }
}

fn conflict(field: &str, message: impl Into<String>) -> ApiError {
    ApiError::invalid(field, message).details(json!({ "field": field }))
}

/// Rewrites a create body in place to the tutorial's shape (`content`, `platforms`) and takes
/// its media out as a list of items (whichever of the three forms carried them).
pub fn normalize(fields: &mut Map<String, Value>) -> ApiResult<Vec<MediaItem>> {
    if given(fields, "content") {
        for name in ["text", "title"] {
            if given(fields, name) {
                return Err(conflict(
                    name,
                    format!(
                        "give the text as top-level text/title or as content {{ text, title }}, \
                         not both ({name} and content were given)"
                    ),
                ));
            }
        }
    }
    if given(fields, "platforms") && given(fields, "overrides") {
        return Err(conflict(
            "overrides",
            "overrides is another name for platforms; give one of them, not both",
        ));
    }
    let forms: Vec<&str> =
        ["mediaKeys", "mediaUrls", "media"].into_iter().filter(|n| given(fields, n)).collect();
    if forms.len() > 1 {
        return Err(conflict(
            "media",
            format!(
                "give media in one form: mediaKeys, mediaUrls or media (got {})",
                forms.join(" and ")
            ),
        ));
    }
    let text = fields.remove("text").filter(|v| !v.is_null());
    let title = fields.remove("title").filter(|v| !v.is_null());
    if text.is_some() || title.is_some() {
        let mut content = Map::new();
        for (name, value) in [("text", text), ("title", title)] {
            match value {
                None => {}
                Some(Value::String(s)) => {
                    content.insert(name.into(), Value::String(s));
                }
                Some(_) => return Err(ApiError::invalid(name, format!("{name} must be a string"))),
            }
        }
        fields.insert("content".into(), Value::Object(content));
    }
    if let Some(overrides) = fields.remove("overrides").filter(|v| !v.is_null()) {
        fields.insert("platforms".into(), overrides);
    }
    let mut items = Vec::new();
    for name in ["mediaKeys", "mediaUrls"] {
        for (index, value) in array(fields.remove(name), name)?.into_iter().enumerate() {
            let field = format!("{name}[{index}]");
            let Value::String(text) = value else {
                return Err(ApiError::invalid(field.clone(), format!("{field} must be a string")));
            };
            let source = if name == "mediaKeys" { Source::Key(text) } else { Source::Url(text) };
            items.push(MediaItem { field, source, kind: None });
        }
    }
    for (index, value) in array(fields.remove("media"), "media")?.into_iter().enumerate() {
        items.push(media_entry(index, value)?);
    }
    Ok(items)
}

fn array(value: Option<Value>, name: &str) -> ApiResult<Vec<Value>> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(ApiError::invalid(name, format!("{name} must be an array"))),
    }
}

/// One `media` entry: `{ url, type? }` or `{ mediaKey }`.
fn media_entry(index: usize, value: Value) -> ApiResult<MediaItem> {
    let field = format!("media[{index}]");
    let example =
        "e.g. { \"url\": \"https://…/photo.jpg\", \"type\": \"image\" } or { \"mediaKey\": \"…\" }";
    let Value::Object(entry) = value else {
        return Err(ApiError::invalid(
            field.clone(),
            format!("{field} must be an object, {example}"),
        ));
    };
    if let Some(name) = entry.keys().find(|k| !MEDIA_ENTRY_FIELDS.contains(&k.as_str())) {
        let hint = suggest(name, MEDIA_ENTRY_FIELDS)
            .map(|near| format!("did you mean {field}.{near}? "))
            .unwrap_or_default();
        return Err(ApiError::invalid(
            format!("{field}.{name}"),
            format!("unknown field {field}.{name}; {hint}allowed here: url, mediaKey, type"),
        ));
    }
    let text = |name: &str| -> ApiResult<Option<String>> {
        match entry.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(ApiError::invalid(
                format!("{field}.{name}"),
                format!("{field}.{name} must be a string"),
            )),
        }
    };
    let kind = match text("type")?.as_deref() {
        None => None,
        Some("image") => Some(MediaKind::Image),
        Some("video") => Some(MediaKind::Video),
        Some(other) => {
            return Err(ApiError::invalid(
                format!("{field}.type"),
                format!("{field}.type {other:?} is not a media type; use image or video"),
            ))
        }
    };
    let source = match (text("url")?, text("mediaKey")?) {
        (Some(url), None) => Source::Url(url),
        (None, Some(key)) => Source::Key(key),
        _ => {
            return Err(conflict(
                &field,
                format!("{field} needs exactly one of url or mediaKey, {example}"),
            ))
        }
    };
    Ok(MediaItem { field, source, kind })
}

/// Gives every URL item a media key by starting its ingest (each is fetched and verified in the
/// background, as `POST /v1/media/ingest` does); returns `(field, key)` per item, in order.
/// Called without the store lock, which the ingest takes.
pub fn ingest(
    state: &SharedState,
    items: &[MediaItem],
) -> ApiResult<Vec<(String, String, Option<String>)>> {
    items
        .iter()
        .map(|item| match &item.source {
            Source::Key(key) => Ok((item.field.clone(), key.clone(), None)),
            Source::Url(url) => {
                // Errors name the item's URL field: `mediaUrls[0]`, `media[1].url`.
                let field = match item.field.starts_with("media[") {
                    true => format!("{}.url", item.field),
                    false => item.field.clone(),
                };
                let fields = IngestFields { url: &field, mime_type: &field, file_name: &field };
                let request =
                    IngestMediaRequest { url: url.clone(), mime_type: None, file_name: None };
                let media = start_ingest(state, &request, &fields)?;
                Ok((item.field.clone(), media.media_key, Some(url.clone())))
            }
        })
        .collect()
}

/// The post's normalized `media`: one entry per key, with its kind (a URL entry's declared
/// `type`, else what the store knows) and the URL it came from.
pub fn post_media(
    store: &MediaStore,
    keyed: &[(String, String, Option<String>)],
    items: &[MediaItem],
) -> Vec<PostMedia> {
    keyed
        .iter()
        .zip(items.iter().map(|i| i.kind.clone()).chain(std::iter::repeat(None)))
        .map(|((_, key, source_url), declared)| {
            let stored = store.get(key).map(|m| m.media.kind.clone());
            let kind = match source_url {
                Some(_) => declared.or(stored),
                None => stored.or(declared),
            };
            PostMedia {
                media_key: key.clone(),
                source_url: source_url.clone(),
                kind: kind.unwrap_or(MediaKind::Video),
            }
        })
        .collect()
}

/// `PLATFORM_OPTIONS_UNUSED` for each platform whose options no target uses.
pub fn unused_options(dropped: &[String], alias: &str) -> Vec<PostWarning> {
    dropped
        .iter()
        .map(|name| PostWarning {
            code: WarningCode::PlatformOptionsUnused,
            message: format!(
                "{alias}.{name} was given but no target profile is on {name}; those options \
                 were ignored"
            ),
            field: Some(format!("{alias}.{name}")),
            platform: Some(aether::model::Platform::parse(name)),
        })
        .collect()
}
