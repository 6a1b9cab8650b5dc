//! `aether_media`: uploading a file, waiting for and reading what the server's verification
//! found.

use std::ffi::{c_char, c_int, c_void, CString};

use aether::model::{Media, Platform, Tier};
use aether::poll::WaitOptions;
use aether::upload::{UploadOptions, UploadProgress, UploadSettings, UploadSource};
use aether::Spelling;

use crate::cancel::{aether_cancel_token, token_of};
use crate::client::{aether_client, block_on, block_on_shared, client_arg, non_empty};
use crate::error::aether_error;
use crate::ffi::{borrowed_str, boundary, cstring, field, free_raw, getter, into_raw};
use crate::ffi::{opt_cstring, opt_str_arg, or_minus_one, out_arg, ref_arg, str_arg};
use crate::ffi::{str_array_arg, write_json, Res, UserData};
use crate::post::{aether_wait_options, wait_options};
use crate::status::aether_status;

/// Where an upload stands, given to an aether_progress_callback.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct aether_upload_progress {
    /// Bytes the server has acknowledged.
    pub bytes_sent: u64,
    /// The file's size in bytes.
    pub total: u64,
    /// Parts acknowledged (a small file goes in one part).
    pub parts_done: u32,
    /// Parts in all.
    pub parts_total: u32,
}

/// Told how an upload progresses: once at the start, then as parts are acknowledged (at most
/// every 50 ms), and always at the end (bytes_sent == total). Calls are never concurrent and
/// bytes_sent never decreases. It runs on a thread of the library's runtime or on the calling
/// thread (never assume which) while aether_media_upload() blocks; it must return quickly,
/// must not call blocking aether_ functions (they fail with AETHER_ERROR_INVALID_ARGUMENT
/// there) and must not unwind (no C++ exceptions or longjmp out of it). `progress` is
/// borrowed for the call.
pub type aether_progress_callback =
    Option<extern "C" fn(progress: *const aether_upload_progress, user_data: *mut c_void)>;

/// How aether_media_upload() uploads. Start from AETHER_UPLOAD_OPTIONS_INIT (every field
/// "default"). Strings and arrays are borrowed during the call.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct aether_upload_options {
    /// The mime type, e.g. "video/mp4"; NULL: from the file name's extension, else from the
    /// file's first bytes.
    pub mime_type: *const c_char,
    /// The name the media gets; NULL: the path's file name.
    pub file_name: *const c_char,
    /// Platforms whose media rules the file must pass before a byte is sent, e.g.
    /// {"tiktok"}: the rule's code (VIDEO_TOO_SHORT, UNSUPPORTED_MEDIA_TYPE, ...) fails the call
    /// early. NULL (with platform_count 0): no preflight; the server still verifies.
    pub platforms: *const *const c_char,
    /// How many strings `platforms` holds.
    pub platform_count: usize,
    /// The account tier the rules are checked for: "standard" (NULL) or "creator".
    pub tier: *const c_char,
    /// Part size to ask the server for, in bytes (5-64 MiB); 0: the server's (8 MiB).
    pub part_size: u64,
    /// Parts in flight at once (1-64); 0: the default (4). Memory is bounded by this times
    /// the part size.
    pub parallelism: u32,
    /// Files up to this many bytes go in one request, larger ones in parts; negative: the
    /// default (8 MiB); 0: always in parts. At most 64 MiB.
    pub single_shot_threshold: i64,
    /// Told about progress; NULL: not told.
    pub on_progress: aether_progress_callback,
    /// Passed to `on_progress` as is; must stay valid during the call.
    pub user_data: *mut c_void,
    /// Cancels the upload (AETHER_ERROR_CANCELLED; the session is aborted on the server);
    /// NULL: none.
    pub cancel: *const aether_cancel_token,
    /// A file where the upload's state is kept, so that a later call (even in another
    /// process) with the same file continues it instead of starting over; NULL: none.
    pub resume_state_file: *const c_char,
    /// Profiles the media is for, e.g. {"tiktok_..."}: each account's capabilities (read once
    /// and cached by the client for 60 s) and its platform's rules for its tier are checked
    /// before a byte is sent; a video longer than the account may post is
    /// AETHER_ERROR_VIDEO_TOO_LONG with the account's figures. An unknown profile is
    /// AETHER_ERROR_NOT_FOUND; when the capabilities cannot be read (network, 5xx) that check
    /// is skipped, as the server checks them. NULL (with profile_id_count 0): none.
    pub profile_ids: *const *const c_char,
    /// How many strings `profile_ids` holds.
    pub profile_id_count: usize,
    /// A part that sends nothing and hears nothing this many milliseconds is abandoned and sent
    /// again (the upload goes on); 0: the default (30 s); negative: refused
    /// (AETHER_ERROR_INVALID_ARGUMENT naming options.stall_timeout_ms).
    pub stall_timeout_ms: i64,
    /// Nonzero: also compute the whole file's SHA-256 (by the one reader of the file, no second
    /// read) and have the server check it; the media then has aether_media_sha256(). 0: the
    /// default — integrity rests on the parts' CRC32Cs and the whole file's, combined from
    /// them (aether_media_crc32c()).
    pub sha256: c_int,
}

/// The C struct as the core's [`UploadSettings`] (0 or negative: the core's default; the core
/// checks tier, platforms, sizes and parallelism, naming `options.tier` and the like), with
/// the callback and the cancel token beside them.
/// `options` (NULL: the defaults) as the core's upload options.
fn upload_options_or_defaults(options: *const aether_upload_options) -> Res<UploadOptions> {
    // SAFETY: NULL or valid options, by the header's conventions.
    match unsafe { options.as_ref() } {
        Some(options) => upload_options(options),
        None => Ok(UploadOptions::new()),
    }
}

fn upload_options(options: &aether_upload_options) -> Res<UploadOptions> {
    // SAFETY: NULL or NUL-terminated strings and arrays of `platform_count` and
    // `profile_id_count` of them, valid for the call, by the header's conventions.
    let (mime_type, file_name, platforms, tier, state_file, profile_ids) = unsafe {
        (
            opt_str_arg(options.mime_type, "options->mime_type")?,
            opt_str_arg(options.file_name, "options->file_name")?,
            str_array_arg(options.platforms, options.platform_count, "options->platforms")?,
            opt_str_arg(options.tier, "options->tier")?,
            opt_str_arg(options.resume_state_file, "options->resume_state_file")?,
            str_array_arg(options.profile_ids, options.profile_id_count, "options->profile_ids")?,
        )
    };
    let platforms = platforms
        .into_iter()
        .map(|p| non_empty(p, "options->platforms[]").map(Platform::parse))
        .collect::<Res<Vec<_>>>()?;
    let settings = UploadSettings {
        file_name: file_name.map(str::to_owned),
        mime_type: mime_type.map(str::to_owned),
        platforms: Some(platforms),
        tier: tier.map(Tier::parse),
        part_size: (options.part_size > 0)
            .then(|| i64::try_from(options.part_size).unwrap_or(i64::MAX)),
        parallelism: (options.parallelism > 0).then_some(i64::from(options.parallelism)),
        single_shot_threshold: (options.single_shot_threshold >= 0)
            .then_some(options.single_shot_threshold),
        resume_state_file: state_file.map(Into::into),
        profile_ids: Some(profile_ids.into_iter().map(str::to_owned).collect()),
        stall_timeout_ms: crate::client::signed_millis(options.stall_timeout_ms),
        sha256: Some(options.sha256 != 0),
        spelling: Spelling::C,
    };
    let mut upload = UploadOptions::from(settings);
    if let Some(callback) = options.on_progress {
        let user_data = UserData::new(options.user_data);
        upload = upload.on_progress(move |progress: UploadProgress| {
            let progress = aether_upload_progress {
                bytes_sent: progress.bytes_sent,
                total: progress.total,
                parts_done: progress.parts_done,
                parts_total: progress.parts_total,
            };
            callback(&progress, user_data.get());
        });
    }
    if let Some(token) = token_of(options.cancel) {
        upload = upload.cancel_token(token);
    }
    Ok(upload)
}

/// A stored media file and what verification found in it. Immutable: read it from any thread.
/// Free it with aether_media_free(); its strings live as long as it does.
pub struct aether_media {
    media: Media,
    media_key: CString,
    file_name: CString,
    mime_type: CString,
    crc32c: Option<CString>,
    sha256: Option<CString>,
    status: CString,
    kind: CString,
    video_codec: Option<CString>,
    audio_codec: Option<CString>,
    container: Option<CString>,
    error_code: Option<CString>,
    error_message: Option<CString>,
    source_url: Option<CString>,
}

impl aether_media {
    fn new(media: Media) -> aether_media {
        aether_media {
            media_key: cstring(&media.media_key),
            file_name: cstring(&media.file_name),
            mime_type: cstring(&media.mime_type),
            crc32c: opt_cstring(media.crc32c.as_deref()),
            sha256: opt_cstring(media.sha256.as_deref()),
            status: cstring(media.status.as_str()),
            kind: cstring(media.kind.as_str()),
            video_codec: opt_cstring(media.video_codec.as_ref().map(|c| c.as_str())),
            audio_codec: opt_cstring(media.audio_codec.as_deref()),
            container: opt_cstring(media.container.as_ref().map(|c| c.as_str())),
            error_code: opt_cstring(media.error.as_ref().map(|e| e.code.as_str())),
            error_message: opt_cstring(media.error.as_ref().map(|e| e.message.as_str())),
            source_url: opt_cstring(media.source_url.as_deref()),
            media,
        }
    }
}

/// Uploads the file at `path` (UTF-8) and writes the stored media, usually still
/// "processing", to `*out_media`. `options` may be NULL for the defaults. Small files go in
/// one request; larger ones in parallel, checksummed parts. Blocks until done; report
/// progress and cancel through `options`. Fails with AETHER_ERROR_IO_ERROR when the file
/// cannot be read, the preflight's code when a platform in `options->platforms` refuses the
/// file, AETHER_ERROR_CANCELLED, or the server's error (aether_error_to_json()'s "details"
/// then carry "uploadId" and "mediaKey").
#[no_mangle]
pub extern "C" fn aether_media_upload(
    client: *const aether_client,
    path: *const c_char,
    options: *const aether_upload_options,
    out_media: *mut *mut aether_media,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let client = client_arg(client)?;
        // SAFETY: a NUL-terminated string valid for the call.
        let path = non_empty(unsafe { str_arg(path, "path") }?, "path")?;
        let out = out_arg(out_media, "out_media")?;
        let upload = upload_options_or_defaults(options)?;
        let media = block_on_shared(client.media().upload(UploadSource::path(path), upload))?;
        out.write(into_raw(aether_media::new(media)));
        Ok(())
    })
}

/// Media by URL: asks the server to fetch `url` (http or https, UTF-8) at once and store it
/// like an upload (POST /v1/media/ingest), so a signed URL that expires later cannot break a
/// scheduled post. Writes the new media, "processing", to `*out_media`; follow it with
/// aether_media_wait_ready(), which fails AETHER_ERROR_MEDIA_FETCH_FAILED when the server could not
/// fetch it (aether_error_to_json()'s "details" carry "url", "reason" — not_found,
/// http_error, timeout, too_large, not_media, redirect_loop, refused_host — and "httpStatus").
/// `options` may be NULL; its mime_type and file_name are sent, and its platforms (with tier)
/// preflight the URL first by reading only the few KiB the probe needs with HTTP range
/// requests (the rule's code, e.g. AETHER_ERROR_VIDEO_TOO_SHORT with field "url", before the
/// ingest call); the part and single-shot settings do not apply. Blocks until the server
/// answers. Fails with AETHER_ERROR_INVALID_ARGUMENT for a URL that is not http(s).
#[no_mangle]
pub extern "C" fn aether_media_ingest(
    client: *const aether_client,
    url: *const c_char,
    options: *const aether_upload_options,
    out_media: *mut *mut aether_media,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let client = client_arg(client)?;
        // SAFETY: a NUL-terminated string valid for the call.
        let url = non_empty(unsafe { str_arg(url, "url") }?, "url")?;
        let out = out_arg(out_media, "out_media")?;
        let upload = upload_options_or_defaults(options)?;
        let media = block_on_shared(client.media().ingest(url, upload))?;
        out.write(into_raw(aether_media::new(media)));
        Ok(())
    })
}

/// Continues the chunked upload `upload_id` (from the "details.uploadId" of a failed
/// aether_media_upload(), or a resume state file) with the same file at `path`: asks the
/// server which parts it holds, checks their sizes and checksums against the file, sends the
/// others and completes. `options` may be NULL. On success writes the media to `*out_media`.
/// Fails with AETHER_ERROR_INVALID_ARGUMENT when the file's size differs from the session's or
/// the session was aborted, AETHER_ERROR_NOT_FOUND or AETHER_ERROR_UPLOAD_EXPIRED when it is
/// gone, and as aether_media_upload() otherwise.
#[no_mangle]
pub extern "C" fn aether_media_resume(
    client: *const aether_client,
    upload_id: *const c_char,
    path: *const c_char,
    options: *const aether_upload_options,
    out_media: *mut *mut aether_media,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let client = client_arg(client)?;
        // SAFETY: NUL-terminated strings valid for the call.
        let (upload_id, path) =
            unsafe { (str_arg(upload_id, "upload_id")?, str_arg(path, "path")?) };
        let upload_id = non_empty(upload_id, "upload_id")?;
        let path = non_empty(path, "path")?;
        let out = out_arg(out_media, "out_media")?;
        let upload = upload_options_or_defaults(options)?;
        let media =
            block_on_shared(client.media().resume(upload_id, UploadSource::path(path), upload))?;
        out.write(into_raw(aether_media::new(media)));
        Ok(())
    })
}

/// Reads a stored media file (GET /v1/media/{key}). Blocks until the server answers. On
/// success writes it to `*out_media`. Unknown key: AETHER_ERROR_NOT_FOUND.
#[no_mangle]
pub extern "C" fn aether_media_get(
    client: *const aether_client,
    media_key: *const c_char,
    out_media: *mut *mut aether_media,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let client = client_arg(client)?;
        // SAFETY: a NUL-terminated string valid for the call.
        let key = non_empty(unsafe { str_arg(media_key, "media_key") }?, "media_key")?;
        let out = out_arg(out_media, "out_media")?;
        let media = block_on(client.media().get(key))?;
        out.write(into_raw(aether_media::new(media)));
        Ok(())
    })
}

/// `aether_wait_options` (NULL: defaults) as the core's media wait options.
pub(crate) fn media_wait_options(options: *const aether_wait_options) -> WaitOptions<Media> {
    wait_options(options)
}

/// Blocks until the server has verified the media and writes it, "ready", to `*out_media`.
/// Polls as `options` says (NULL: defaults). A media that failed verification is an error
/// with the media's own code (e.g. AETHER_ERROR_VIDEO_TOO_SHORT); also AETHER_ERROR_TIMEOUT,
/// AETHER_ERROR_CANCELLED.
#[no_mangle]
pub extern "C" fn aether_media_wait_ready(
    client: *const aether_client,
    media_key: *const c_char,
    options: *const aether_wait_options,
    out_media: *mut *mut aether_media,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let client = client_arg(client)?;
        // SAFETY: a NUL-terminated string valid for the call.
        let key = non_empty(unsafe { str_arg(media_key, "media_key") }?, "media_key")?;
        let out = out_arg(out_media, "out_media")?;
        let media = block_on(client.media().wait_ready(key, media_wait_options(options)))?;
        out.write(into_raw(aether_media::new(media)));
        Ok(())
    })
}

/// The media key (e.g. "org_abc123/f47ac10b.mp4") to reference in posts. Borrowed: valid
/// until the media is freed; NULL if `media` is NULL.
#[no_mangle]
pub extern "C" fn aether_media_key(media: *const aether_media) -> *const c_char {
    borrowed_str(media, |m| Some(&m.media_key))
}

/// The file's name. Borrowed like aether_media_key().
#[no_mangle]
pub extern "C" fn aether_media_file_name(media: *const aether_media) -> *const c_char {
    borrowed_str(media, |m| Some(&m.file_name))
}

/// The declared mime type. Borrowed like aether_media_key().
#[no_mangle]
pub extern "C" fn aether_media_mime_type(media: *const aether_media) -> *const c_char {
    borrowed_str(media, |m| Some(&m.mime_type))
}

/// Size in bytes; 0 when `media` is NULL.
#[no_mangle]
pub extern "C" fn aether_media_size(media: *const aether_media) -> u64 {
    field(media, 0, |m| m.media.size)
}

/// Hex SHA-256 of the file, or NULL when none was sent (it is opt-in:
/// aether_upload_options.sha256) or `media` is NULL. Borrowed like aether_media_key().
#[no_mangle]
pub extern "C" fn aether_media_sha256(media: *const aether_media) -> *const c_char {
    borrowed_str(media, |m| m.sha256.as_deref())
}

/// Base64 of the file's big-endian CRC32C, e.g. "yZRlqg==" (for a chunked upload, combined
/// from its parts'); NULL while a URL ingest is still fetching, or when `media` is NULL.
/// Borrowed like aether_media_key().
#[no_mangle]
pub extern "C" fn aether_media_crc32c(media: *const aether_media) -> *const c_char {
    borrowed_str(media, |m| m.crc32c.as_deref())
}

/// Where verification stands: "processing", "ready" or "failed" (or a newer value). Borrowed
/// like aether_media_key().
#[no_mangle]
pub extern "C" fn aether_media_status(media: *const aether_media) -> *const c_char {
    borrowed_str(media, |m| Some(&m.status))
}

/// "video", "image" or "audio". Borrowed like aether_media_key().
#[no_mangle]
pub extern "C" fn aether_media_kind(media: *const aether_media) -> *const c_char {
    borrowed_str(media, |m| Some(&m.kind))
}

/// Duration in milliseconds once verified; -1 when not known or `media` is NULL.
#[no_mangle]
pub extern "C" fn aether_media_duration_ms(media: *const aether_media) -> i64 {
    field(media, -1, |m| or_minus_one(m.media.duration_ms))
}

/// Width in pixels once verified; -1 when not known or `media` is NULL.
#[no_mangle]
pub extern "C" fn aether_media_width(media: *const aether_media) -> i64 {
    field(media, -1, |m| or_minus_one(m.media.width.map(u64::from)))
}

/// Height in pixels once verified; -1 when not known or `media` is NULL.
#[no_mangle]
pub extern "C" fn aether_media_height(media: *const aether_media) -> i64 {
    field(media, -1, |m| or_minus_one(m.media.height.map(u64::from)))
}

/// Codec of the video track once verified (e.g. "h264"), or NULL. Borrowed like
/// aether_media_key().
#[no_mangle]
pub extern "C" fn aether_media_video_codec(media: *const aether_media) -> *const c_char {
    borrowed_str(media, |m| m.video_codec.as_deref())
}

/// Codec of the first audio track (e.g. "aac"), or NULL. Borrowed like aether_media_key().
#[no_mangle]
pub extern "C" fn aether_media_audio_codec(media: *const aether_media) -> *const c_char {
    borrowed_str(media, |m| m.audio_codec.as_deref())
}

/// Container recognised from the file's bytes (e.g. "mp4"), or NULL. Borrowed like
/// aether_media_key().
#[no_mangle]
pub extern "C" fn aether_media_container(media: *const aether_media) -> *const c_char {
    borrowed_str(media, |m| m.container.as_deref())
}

/// Why verification failed: the code (e.g. "VIDEO_TOO_SHORT"), or NULL. Borrowed like
/// aether_media_key().
#[no_mangle]
pub extern "C" fn aether_media_error_code(media: *const aether_media) -> *const c_char {
    borrowed_str(media, |m| m.error_code.as_deref())
}

/// Why verification failed: the message, or NULL. Borrowed like aether_media_key().
#[no_mangle]
pub extern "C" fn aether_media_error_message(media: *const aether_media) -> *const c_char {
    borrowed_str(media, |m| m.error_message.as_deref())
}

/// The URL the server fetched the file from (media made by aether_media_ingest() or a post's
/// media URLs), or NULL. Borrowed like aether_media_key().
#[no_mangle]
pub extern "C" fn aether_media_source_url(media: *const aether_media) -> *const c_char {
    borrowed_str(media, |m| m.source_url.as_deref())
}

/// The media as JSON (the API's camelCase form). On success writes an owned string to
/// `*out_json`: free it with aether_string_free().
#[no_mangle]
pub extern "C" fn aether_media_to_json(
    media: *const aether_media,
    out_json: *mut *mut c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        // SAFETY: NULL or a live media.
        let media = unsafe { ref_arg(media, "media") }?;
        write_json(&media.media, out_json)
    })
}

/// Frees a media. NULL is ignored.
#[no_mangle]
pub extern "C" fn aether_media_free(media: *mut aether_media) {
    // SAFETY: NULL or a media from this library, not used afterwards.
    getter((), || unsafe { free_raw(media) })
}
