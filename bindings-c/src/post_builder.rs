//! `aether_post_builder`: the body of a new post, set field by field, then aether_post_create().

use std::ffi::c_char;

use aether::model::{CreatePostRequest, MediaInput, Platform, PlatformOptionsMap, PostContent};
use aether::probe::MediaKind;
use aether::Error;
use aether::RequestOptions;

use crate::client::{aether_client, block_on, client_arg, non_empty};
use crate::error::aether_error;
use crate::ffi::{boundary, free_raw, getter, into_raw, mut_arg, opt_str_arg, out_arg};
use crate::ffi::{ref_arg, str_arg, Res};
use crate::post::aether_post;
use crate::status::aether_status;

/// The body of a post being built: text, title, target profile(s), media keys, schedule,
/// per-platform options. Not thread-safe: use one builder from one thread at a time (it may
/// move between threads). Reusable: aether_post_create() does not change it. Free it with
/// aether_post_builder_free().
pub struct aether_post_builder {
    request: CreatePostRequest,
    idempotency_key: Option<String>,
}

/// A request with empty text (a caption is optional on most platforms).
fn empty_request() -> CreatePostRequest {
    CreatePostRequest { content: Some(PostContent::default()), ..CreatePostRequest::default() }
}

/// The content the text setters write to (a body set with JSON may carry top-level `text`).
fn content(request: &mut CreatePostRequest) -> &mut PostContent {
    if request.content.is_none() {
        let text = request.text.take().unwrap_or_default();
        let title = request.title.take();
        request.content = Some(PostContent { text, title });
    }
    request.content.get_or_insert_with(PostContent::default)
}

fn builder_arg<'a>(builder: *mut aether_post_builder) -> Res<&'a mut aether_post_builder> {
    // SAFETY: NULL or a live builder used by one thread, by the header's conventions.
    unsafe { mut_arg(builder, "builder") }
}

/// Creates an empty builder. On success writes it to `*out_builder`.
#[no_mangle]
pub extern "C" fn aether_post_builder_new(
    out_builder: *mut *mut aether_post_builder,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let out = out_arg(out_builder, "out_builder")?;
        out.write(into_raw(aether_post_builder {
            request: empty_request(),
            idempotency_key: None,
        }));
        Ok(())
    })
}

/// Frees a builder. NULL is ignored.
#[no_mangle]
pub extern "C" fn aether_post_builder_free(builder: *mut aether_post_builder) {
    // SAFETY: NULL or a builder from this library, not used afterwards.
    getter((), || unsafe { free_raw(builder) })
}

/// Sets the post's text (caption), copied. The platforms' rules (length, hashtags, mentions)
/// are checked by the server at creation.
#[no_mangle]
pub extern "C" fn aether_post_builder_set_text(
    builder: *mut aether_post_builder,
    text: *const c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let builder = builder_arg(builder)?;
        // SAFETY: a NUL-terminated string valid for the call.
        content(&mut builder.request).text = unsafe { str_arg(text, "text") }?.to_owned();
        Ok(())
    })
}

/// Sets the title (YouTube and Reddit need one unless their platform options give it);
/// NULL removes it.
#[no_mangle]
pub extern "C" fn aether_post_builder_set_title(
    builder: *mut aether_post_builder,
    title: *const c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let builder = builder_arg(builder)?;
        // SAFETY: NULL or a NUL-terminated string valid for the call.
        content(&mut builder.request).title =
            unsafe { opt_str_arg(title, "title") }?.map(str::to_owned);
        Ok(())
    })
}

/// Sets the one profile (an opaque id, e.g. "tiktok_...") to publish to, sent as "profileId"; NULL removes it. To
/// cross-post, add profiles with aether_post_builder_add_profile_id() instead (or as well).
#[no_mangle]
pub extern "C" fn aether_post_builder_set_profile_id(
    builder: *mut aether_post_builder,
    profile_id: *const c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let builder = builder_arg(builder)?;
        // SAFETY: NULL or a NUL-terminated string valid for the call.
        let id = unsafe { opt_str_arg(profile_id, "profile_id") }?;
        builder.request.profile_id = match id {
            Some(id) => Some(non_empty(id, "profile_id")?.to_owned()),
            None => None,
        };
        Ok(())
    })
}

/// Adds a profile (an opaque id, e.g. "tiktok_...") to cross-post to, copied, sent in "profileIds". Adding one
/// twice is harmless.
#[no_mangle]
pub extern "C" fn aether_post_builder_add_profile_id(
    builder: *mut aether_post_builder,
    profile_id: *const c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let builder = builder_arg(builder)?;
        // SAFETY: a NUL-terminated string valid for the call.
        let id = non_empty(unsafe { str_arg(profile_id, "profile_id") }?, "profile_id")?;
        let ids = builder.request.profile_ids.get_or_insert_with(Vec::new);
        if !ids.iter().any(|existing| existing == id) {
            ids.push(id.to_owned());
        }
        Ok(())
    })
}

/// Adds a media key from aether_media_upload() (aether_media_key()), copied, in order.
#[no_mangle]
pub extern "C" fn aether_post_builder_add_media_key(
    builder: *mut aether_post_builder,
    media_key: *const c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let builder = builder_arg(builder)?;
        // SAFETY: a NUL-terminated string valid for the call.
        let key = non_empty(unsafe { str_arg(media_key, "media_key") }?, "media_key")?;
        builder.request.media_keys.push(key.to_owned());
        Ok(())
    })
}

/// Adds media by URL, in order: the server fetches and stores it when the post is created (so
/// a signed URL that expires later cannot break a scheduled post). `type` is "image", "video"
/// or NULL (inferred from the bytes). Sent in "media" as {"url", "type"}; a builder holds one
/// media form, so mixing this with aether_post_builder_add_media_key() is refused by
/// aether_post_create() with AETHER_ERROR_BAD_REQUEST (INVALID_REQUEST, field "media").
#[no_mangle]
pub extern "C" fn aether_post_builder_add_media_url(
    builder: *mut aether_post_builder,
    url: *const c_char,
    type_: *const c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let builder = builder_arg(builder)?;
        // SAFETY: NUL-terminated strings (or NULL type) valid for the call.
        let (url, kind) = unsafe { (str_arg(url, "url")?, opt_str_arg(type_, "type")?) };
        let kind = match kind {
            None => None,
            Some("image") => Some(MediaKind::Image),
            Some("video") => Some(MediaKind::Video),
            Some(other) => {
                return Err(Error::invalid_argument(format!(
                    "type {other:?} is not a media type; use \"image\", \"video\" or NULL"
                ))
                .with_field("type"))
            }
        };
        let mut item = MediaInput::url(non_empty(url, "url")?);
        item.kind = kind;
        builder.request.media.push(item);
        Ok(())
    })
}

/// Replaces the whole body with a JSON object in any shape Aether's pages show, e.g.
/// "{\"text\":\"Hi\",\"profileIds\":[\"ig_1\"],\"media\":[{\"url\":\"https://...\",
/// \"type\":\"image\"}],\"overrides\":{\"instagram\":{\"contentType\":\"reel\"}}}".
/// A key the SDK does not know fails with AETHER_ERROR_INVALID_ARGUMENT naming it and the
/// nearest known name ("did you mean `platforms`?"); on failure the builder is unchanged. The
/// setters may refine the body afterwards.
#[no_mangle]
pub extern "C" fn aether_post_builder_set_json(
    builder: *mut aether_post_builder,
    request_json: *const c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let builder = builder_arg(builder)?;
        // SAFETY: a NUL-terminated string valid for the call.
        let json = unsafe { str_arg(request_json, "request_json") }?;
        let value: serde_json::Value = serde_json::from_str(json)
            .map_err(|e| Error::invalid_argument(format!("request_json is not valid JSON: {e}")))?;
        builder.request = CreatePostRequest::from_json(value)?;
        Ok(())
    })
}

/// Schedules the post: `scheduled_for` is an instant with an offset
/// ("2026-06-15T13:00:00Z"), or a local date-time ("2026-06-15T09:00:00") with `timezone`
/// (an IANA name such as "America/New_York"; NULL for none). NULL `scheduled_for` publishes at
/// once (the default). The server checks both (SCHEDULE_IN_PAST, SCHEDULE_TOO_FAR,
/// INVALID_TIMEZONE).
#[no_mangle]
pub extern "C" fn aether_post_builder_set_schedule(
    builder: *mut aether_post_builder,
    scheduled_for: *const c_char,
    timezone: *const c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let builder = builder_arg(builder)?;
        // SAFETY: NULL or NUL-terminated strings valid for the call.
        let (when, zone) = unsafe {
            (opt_str_arg(scheduled_for, "scheduled_for")?, opt_str_arg(timezone, "timezone")?)
        };
        builder.request.scheduled_for = when.map(str::to_owned);
        builder.request.timezone = zone.map(str::to_owned);
        Ok(())
    })
}

/// Stores the post as a draft (not published, not counted against the daily quota) when
/// `draft` is true.
#[no_mangle]
pub extern "C" fn aether_post_builder_set_draft(
    builder: *mut aether_post_builder,
    draft: bool,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        builder_arg(builder)?.request.draft = draft.then_some(true);
        Ok(())
    })
}

/// Sets one platform's options from a JSON object string, replacing any it had: e.g.
/// platform "tiktok" with "{\"privacyLevel\":\"SELF_ONLY\",\"disableDuet\":true}". NULL or
/// "{}" takes the platform's defaults (naming the platform is what makes it a target for
/// profiles of that platform). Fails with AETHER_ERROR_INVALID_ARGUMENT when the text is not
/// a JSON object or a known option has the wrong type; unknown options are sent and refused
/// by the server (INVALID_PLATFORM_OPTION).
#[no_mangle]
pub extern "C" fn aether_post_builder_set_platform(
    builder: *mut aether_post_builder,
    platform: *const c_char,
    options_json: *const c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let builder = builder_arg(builder)?;
        // SAFETY: NUL-terminated strings (or NULL options) valid for the call.
        let (platform, json) =
            unsafe { (str_arg(platform, "platform")?, opt_str_arg(options_json, "options_json")?) };
        let platform = Platform::parse(non_empty(platform, "platform")?);
        let options = match json {
            None => serde_json::Value::Object(Default::default()),
            Some(json) => serde_json::from_str(json).map_err(|e| {
                Error::invalid_argument(format!("options_json is not valid JSON: {e}"))
                    .with_field(format!("platforms.{platform}"))
            })?,
        };
        builder.request.platforms.set_json(&platform, options)
    })
}

/// Replaces every platform's options with a whole "platforms" JSON object, e.g.
/// "{\"tiktok\":{},\"youtube\":{\"title\":\"Launch\"}}". Same checks as
/// aether_post_builder_set_platform(); on failure the builder is unchanged.
#[no_mangle]
pub extern "C" fn aether_post_builder_set_platforms_json(
    builder: *mut aether_post_builder,
    platforms_json: *const c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let builder = builder_arg(builder)?;
        // SAFETY: a NUL-terminated string valid for the call.
        let json = unsafe { str_arg(platforms_json, "platforms_json") }?;
        builder.request.platforms = PlatformOptionsMap::from_json_str(json)?;
        Ok(())
    })
}

/// Sets the Idempotency-Key the create is sent with (1-255 visible ASCII characters), so that
/// repeating it, even from another process, never publishes twice; NULL: a fresh key per
/// aether_post_create() call (retries inside one call always reuse their key).
#[no_mangle]
pub extern "C" fn aether_post_builder_set_idempotency_key(
    builder: *mut aether_post_builder,
    key: *const c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let builder = builder_arg(builder)?;
        // SAFETY: NULL or a NUL-terminated string valid for the call.
        builder.idempotency_key = unsafe { opt_str_arg(key, "key") }?.map(str::to_owned);
        Ok(())
    })
}

/// Creates the post (POST /v1/posts) from the builder, with an idempotency key, retried
/// safely: a create whose answer was lost is never published twice. Blocks until the server
/// answers. On success writes the new post (usually "publishing", or "scheduled", "draft") to
/// `*out_post`. Validation errors name the field and platform (aether_error_field(),
/// aether_error_platform()): CAPTION_TOO_LONG, MEDIA_REQUIRED, VIDEO_TOO_SHORT, ...;
/// POST_LIMIT_REACHED carries the time to the quota reset (aether_error_retry_after_ms()).
#[no_mangle]
pub extern "C" fn aether_post_create(
    client: *const aether_client,
    builder: *const aether_post_builder,
    out_post: *mut *mut aether_post,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let client = client_arg(client)?;
        // SAFETY: NULL or a live builder.
        let builder = unsafe { ref_arg(builder, "builder") }?;
        let out = out_arg(out_post, "out_post")?;
        let request = &builder.request;
        let mut posts = client.posts();
        if let Some(key) = &builder.idempotency_key {
            posts = posts.with_options(RequestOptions {
                idempotency_key: Some(key.clone()),
                ..RequestOptions::default()
            });
        }
        let post = block_on(posts.create(request))?;
        out.write(into_raw(aether_post::new(post)));
        Ok(())
    })
}
