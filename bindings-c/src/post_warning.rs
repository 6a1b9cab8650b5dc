//! The getters of a post's `media` and `warnings` (split from `post.rs` to keep it short; they
//! read the same `aether_post` handle). Warnings are advice, never an error: the post was
//! created; print or log them.

use std::ffi::{c_char, CString};

use aether::model::Post;

use crate::ffi::{borrowed_str, cstring, field};
use crate::post::aether_post;

/// One warning's strings.
struct Warning {
    code: CString,
    message: CString,
    field: Option<CString>,
    platform: Option<CString>,
}

/// One media item's strings.
struct MediaItem {
    kind: CString,
    source_url: Option<CString>,
}

/// The strings the getters lend, made together on the first read of any of them.
pub(crate) struct Extras {
    warnings: Vec<Warning>,
    media: Vec<MediaItem>,
}

impl Extras {
    pub(crate) fn new(post: &Post) -> Extras {
        let warnings = post
            .warnings
            .iter()
            .map(|w| Warning {
                code: cstring(w.code.as_str()),
                message: cstring(&w.message),
                field: w.field.as_deref().map(cstring),
                platform: w.platform.as_ref().map(|p| cstring(p.as_str())),
            })
            .collect();
        let media = post
            .media
            .iter()
            .map(|m| MediaItem {
                kind: cstring(m.kind.as_str()),
                source_url: m.source_url.as_deref().map(cstring),
            })
            .collect();
        Extras { warnings, media }
    }
}

/// How many warnings the post carries (advice from the server that did not stop it, e.g.
/// "HASHTAGS_ABOVE_RECOMMENDED", "TIMEZONE_IGNORED"); 0 when `post` is NULL.
#[no_mangle]
pub extern "C" fn aether_post_warning_count(post: *const aether_post) -> usize {
    field(post, 0, |p| p.extras().warnings.len())
}

/// The code of the warning at `index` (0-based), e.g. "HASHTAGS_ABOVE_RECOMMENDED"; NULL when
/// out of range. Borrowed like aether_post_id().
#[no_mangle]
pub extern "C" fn aether_post_warning_code(
    post: *const aether_post,
    index: usize,
) -> *const c_char {
    borrowed_str(post, |p| p.extras().warnings.get(index).map(|w| w.code.as_c_str()))
}

/// What the warning at `index` found and recommends, for people; NULL when out of range.
/// Borrowed like aether_post_id().
#[no_mangle]
pub extern "C" fn aether_post_warning_message(
    post: *const aether_post,
    index: usize,
) -> *const c_char {
    borrowed_str(post, |p| p.extras().warnings.get(index).map(|w| w.message.as_c_str()))
}

/// Where in the request the warning at `index` points ("content.text", "timezone"); NULL when
/// it names no field or is out of range. Borrowed like aether_post_id().
#[no_mangle]
pub extern "C" fn aether_post_warning_field(
    post: *const aether_post,
    index: usize,
) -> *const c_char {
    borrowed_str(post, |p| p.extras().warnings.get(index).and_then(|w| w.field.as_deref()))
}

/// The platform the warning at `index` concerns ("tiktok"); NULL when none or out of range.
/// Borrowed like aether_post_id().
#[no_mangle]
pub extern "C" fn aether_post_warning_platform(
    post: *const aether_post,
    index: usize,
) -> *const c_char {
    borrowed_str(post, |p| p.extras().warnings.get(index).and_then(|w| w.platform.as_deref()))
}

/// How many media items the post has (one per media key, in order); 0 when `post` is NULL.
#[no_mangle]
pub extern "C" fn aether_post_media_count(post: *const aether_post) -> usize {
    field(post, 0, |p| p.extras().media.len())
}

/// The type of the media item at `index`: "image", "video" or "audio"; NULL when out of range.
/// Its key is aether_post_media_key() at the same index. Borrowed like aether_post_id().
#[no_mangle]
pub extern "C" fn aether_post_media_type(post: *const aether_post, index: usize) -> *const c_char {
    borrowed_str(post, |p| p.extras().media.get(index).map(|m| m.kind.as_c_str()))
}

/// The URL the media item at `index` was fetched from; NULL for uploaded media or out of range.
/// Borrowed like aether_post_id().
#[no_mangle]
pub extern "C" fn aether_post_media_source_url(
    post: *const aether_post,
    index: usize,
) -> *const c_char {
    borrowed_str(post, |p| p.extras().media.get(index).and_then(|m| m.source_url.as_deref()))
}
