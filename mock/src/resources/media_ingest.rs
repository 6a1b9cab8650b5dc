//! Media by URL: `POST /v1/media/ingest { url, mimeType?, fileName? }`, and [`start_ingest`],
//! which a post's `mediaUrls` / `media[].url` call too. The server fetches the URL at once,
//! stores the bytes like an upload and verifies them (`crate::stored_media`), so a signed URL
//! that expires later cannot break a scheduled post.
//!
//! Choices where PROTOCOL.md is silent (kept in agreement with `spec/openapi.yaml`):
//! - The answer is 201 with the Media in `processing`, `size` 0 and no `crc32c` until the
//!   bytes are in (their CRC32C is computed as they stream in; no SHA-256, none was sent), and
//!   `sourceUrl` set. The fetch runs in the background (real time, not the virtual clock); the
//!   media then moves to `ready` or `failed` like an upload.
//! - The emulator fetches loopback URLs only: 127.0.0.0/8, `::1` and `localhost`. A URL naming
//!   another host is refused at once with 422 `MEDIA_FETCH_FAILED` (`details.reason:
//!   refused_host`, no media is made), because nothing would ever be fetched; a redirect to such
//!   a host is found while fetching and ends the media `failed` with the same reason.
//! - A fetch that fails ends the media `failed` with `error.code = MEDIA_FETCH_FAILED` and
//!   `details { url, reason, httpStatus? }`; reasons: `not_found` (404, 410), `http_error`
//!   (another non-2xx status, or no connection: then no `httpStatus`), `timeout` (the whole
//!   fetch took over `settings.ingestTimeoutMs`), `too_large` (over `settings.maxUploadSize`,
//!   by `Content-Length` or while reading), `not_media` (a `Content-Type` other than `video/*`,
//!   `image/*` or `application/octet-stream`), `redirect_loop` (more than 5 redirects),
//!   `refused_host`. Bytes that arrive but are not a readable video or image fail verification
//!   as an upload does (`UNSUPPORTED_MEDIA_TYPE`).
//! - URLs in messages and `details.url` carry no query string, fragment or user info (`?…`
//!   stands for a query): a signed URL's signature is a credential. `sourceUrl` is the URL as
//!   the caller gave it, returned only to that caller.
//! - The mime type is the declared `mimeType`, else the server's `Content-Type` when it is a
//!   video or image type, else a guess from the URL's extension. The file name is `fileName`,
//!   else the URL path's last segment, else `media`.
//! - `Idempotency-Key` works as on any JSON POST (`resources::idempotency`).

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use aether::model::{IngestMediaRequest, Media, MediaStatus, ResultError};
use aether::probe::MediaKind;
use aether::upload::redact_url as redact;
use aether::ErrorCode;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use reqwest::Url;
use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;

use crate::api_error::{ApiError, ApiResult};
use crate::context::Created;
use crate::ids::random_token;
use crate::json::ApiJson;
use crate::resources::idempotency::idempotent;
use crate::state::SharedState;
use crate::stored_media::{
    encode_crc32c, new_data_path, new_media_key, parse_mime, processing_media, validate_file_name,
    verify_in_background, MediaStore, StoredMedia,
};

/// Redirects followed before a fetch ends with `redirect_loop`.
pub const MAX_REDIRECTS: usize = 5;
/// The longest URL accepted, in bytes.
pub const MAX_URL_BYTES: usize = 4096;

pub fn routes() -> Router<SharedState> {
    Router::new().route("/v1/media/ingest", idempotent(post(ingest)))
}

async fn ingest(
    State(state): State<SharedState>,
    ApiJson(body): ApiJson<IngestMediaRequest>,
) -> ApiResult<Response> {
    let media = start_ingest(&state, &body, &IngestFields::BODY)?;
    let key = media.media_key.clone();
    let mut response = (StatusCode::CREATED, Json(media)).into_response();
    response.extensions_mut().insert(Created(key));
    Ok(response)
}

/// The names of the request fields an ingest's errors point at: `url`, `mimeType`, `fileName`
/// for `POST /v1/media/ingest`; a post names its own (`mediaUrls[0]`, `media[1].url`, …).
#[derive(Debug, Clone, Copy)]
pub struct IngestFields<'a> {
    pub url: &'a str,
    pub mime_type: &'a str,
    pub file_name: &'a str,
}

impl IngestFields<'static> {
    /// The fields of `POST /v1/media/ingest`.
    pub const BODY: IngestFields<'static> =
        IngestFields { url: "url", mime_type: "mimeType", file_name: "fileName" };
}

/// Starts ingesting `request.url`: checks the request, stores a new media in `processing`
/// (with `sourceUrl`) and starts the fetch in the background; returns that media. Errors (400
/// `INVALID_REQUEST` for a malformed URL, mime type or file name; 422
/// `UNSUPPORTED_MEDIA_TYPE` for a declared type that is not video or image; 422
/// `MEDIA_FETCH_FAILED` with `reason: refused_host` for a URL that is not loopback) name the
/// field of `fields`, and nothing is stored.
///
/// Call it from a handler (it spawns on the current tokio runtime) without holding the store
/// lock (it takes it). Where the media then stands: [`MediaStore::verdict`] (`Processing`
/// while fetching and verifying, then `Ready` or `Failed` with the `MEDIA_FETCH_FAILED` error).
pub fn start_ingest(
    state: &SharedState,
    request: &IngestMediaRequest,
    fields: &IngestFields<'_>,
) -> ApiResult<Media> {
    let url = parse_url(&request.url, fields.url)?;
    let declared = match &request.mime_type {
        Some(mime) => Some(parse_mime(mime, fields.mime_type)?),
        None => None,
    };
    let file_name = match &request.file_name {
        Some(name) => {
            validate_file_name(name, fields.file_name)?;
            name.clone()
        }
        None => name_from_url(&url),
    };
    let guessed = guess_mime(&file_name);
    let (mime_type, kind) = match (&declared, guessed) {
        (Some((mime, kind)), _) => (mime.clone(), kind.clone()),
        (None, Some((mime, kind))) => (mime.to_owned(), kind),
        (None, None) => ("application/octet-stream".to_owned(), MediaKind::Video),
    };
    let path = new_data_path(state, "media", &random_token(24))?;
    let media_key = new_media_key(&file_name);
    let mut media = processing_media(media_key.clone(), file_name, mime_type, kind, 0, None, None);
    media.source_url = Some(request.url.clone());
    state.store().part::<MediaStore>().insert(StoredMedia {
        media: media.clone(),
        facts: None,
        path: path.clone(),
    });
    let job = Job { state: state.clone(), media_key, path, declared: declared.is_some() };
    tokio::spawn(job.run(url));
    Ok(media)
}

/// Parses an ingest URL: http or https, a host, at most [`MAX_URL_BYTES`], and a loopback host.
fn parse_url(raw: &str, field: &str) -> ApiResult<Url> {
    let example = "give an http or https URL, e.g. http://127.0.0.1:8080/video.mp4";
    if raw.len() > MAX_URL_BYTES {
        let message = format!("{field} is {} bytes long; at most {MAX_URL_BYTES}", raw.len());
        return Err(ApiError::invalid(field, message));
    }
    let url = Url::parse(raw).map_err(|e| {
        ApiError::invalid(
            field,
            format!("{field} {:?} is not a URL ({e}); {example}", redact_raw(raw)),
        )
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        let message = format!("{field} {} is not an http(s) URL; {example}", redact(&url));
        return Err(ApiError::invalid(field, message));
    }
    if !is_loopback(&url) {
        return Err(ApiError::new(ErrorCode::MediaFetchFailed, refused_message(&url))
            .field(field)
            .details(json!({ "url": redact(&url), "reason": "refused_host" })));
    }
    Ok(url)
}

fn refused_message(url: &Url) -> String {
    format!(
        "{} cannot be fetched: the emulator fetches only loopback URLs (127.0.0.0/8, ::1, \
         localhost), and {} is not one; serve the file locally (e.g. PUT /_mock/files/NAME, \
         then use its url)",
        redact(url),
        url.host_str().unwrap_or("the host")
    )
}

/// Whether the URL's host is 127.0.0.0/8, `::1` or `localhost`.
fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else { return false };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.trim_end_matches('.').eq_ignore_ascii_case("localhost"),
    }
}

/// A string that did not parse as a URL, cut before any query and to 200 characters.
fn redact_raw(raw: &str) -> String {
    let cut = raw.split(['?', '#']).next().unwrap_or("");
    cut.chars().take(200).collect()
}

/// The URL path's last segment, percent-decoded, when it is a valid file name; else `media`.
fn name_from_url(url: &Url) -> String {
    let last = url.path_segments().and_then(|mut s| s.next_back()).unwrap_or("");
    let decoded = percent_encoding::percent_decode_str(last).decode_utf8_lossy().into_owned();
    if validate_file_name(&decoded, "fileName").is_ok() {
        decoded
    } else {
        "media".to_owned()
    }
}

/// A mime type guessed from a file name's extension.
fn guess_mime(file_name: &str) -> Option<(&'static str, MediaKind)> {
    let ext = file_name.rsplit_once('.')?.1.to_ascii_lowercase();
    let (mime, kind) = match ext.as_str() {
        "mp4" | "m4v" => ("video/mp4", MediaKind::Video),
        "mov" => ("video/quicktime", MediaKind::Video),
        "webm" => ("video/webm", MediaKind::Video),
        "mkv" => ("video/x-matroska", MediaKind::Video),
        "jpg" | "jpeg" => ("image/jpeg", MediaKind::Image),
        "png" => ("image/png", MediaKind::Image),
        "gif" => ("image/gif", MediaKind::Image),
        "webp" => ("image/webp", MediaKind::Image),
        _ => return None,
    };
    Some((mime, kind))
}

/// Why a fetch failed: the `details.reason` of `MEDIA_FETCH_FAILED`.
#[derive(Debug)]
struct Failure {
    reason: &'static str,
    http_status: Option<u16>,
    why: String,
}

impl Failure {
    fn new(reason: &'static str, http_status: Option<u16>, why: impl Into<String>) -> Failure {
        Failure { reason, http_status, why: why.into() }
    }

    fn into_error(self, url: &Url) -> ResultError {
        let mut details = json!({ "url": redact(url), "reason": self.reason });
        if let Some(status) = self.http_status {
            details["httpStatus"] = Value::from(status);
        }
        ResultError {
            code: ErrorCode::MediaFetchFailed,
            message: format!(
                "fetching {} failed: {} (reason {})",
                redact(url),
                self.why,
                self.reason
            ),
            details: Some(details),
        }
    }
}

/// What a successful fetch stored.
struct Fetched {
    size: u64,
    crc32c: u32,
    content_type: Option<(String, MediaKind)>,
}

/// One fetch in the background.
struct Job {
    state: SharedState,
    media_key: String,
    path: PathBuf,
    /// Whether the caller declared the mime type (then the server's `Content-Type` is not used).
    declared: bool,
}

impl Job {
    async fn run(self, url: Url) {
        let settings = self.state.settings();
        let limit = Duration::from_millis(settings.ingest_timeout_ms);
        let fetched = tokio::time::timeout(
            limit,
            fetch(&self.state.fetcher, &url, &self.path, settings.max_upload_size),
        )
        .await
        .unwrap_or_else(|_| {
            let why = format!("no complete answer within {} ms", settings.ingest_timeout_ms);
            Err(Failure::new("timeout", None, why))
        });
        // Decided with the store locked, acted on after (no lock across an await).
        let verify = {
            let mut store = self.state.store();
            let media = store.part::<MediaStore>();
            match media.get_mut(&self.media_key).filter(|m| m.path == self.path) {
                // Deleted (or reset) while fetching: the bytes belong to nobody.
                None => false,
                Some(stored) => match fetched {
                    Ok(fetched) => {
                        stored.media.size = fetched.size;
                        stored.media.crc32c = Some(encode_crc32c(fetched.crc32c));
                        if let (false, Some((mime, kind))) = (self.declared, fetched.content_type) {
                            stored.media.mime_type = mime;
                            stored.media.kind = kind;
                        }
                        true
                    }
                    Err(failure) => {
                        stored.media.status = MediaStatus::Failed;
                        stored.media.error = Some(failure.into_error(&url));
                        false
                    }
                },
            }
        };
        if verify {
            verify_in_background(&self.state, self.media_key, self.path);
        } else {
            let _ = tokio::fs::remove_file(&self.path).await;
        }
    }
}

/// Fetches `url` into `path` (following up to [`MAX_REDIRECTS`] redirects among loopback
/// hosts), refusing more than `cap` bytes.
async fn fetch(
    client: &reqwest::Client,
    url: &Url,
    path: &std::path::Path,
    cap: u64,
) -> Result<Fetched, Failure> {
    let mut current = url.clone();
    let mut redirects = 0;
    let mut response = loop {
        if !is_loopback(&current) {
            let why =
                format!("a redirect led to {}, which is not a loopback host", redact(&current));
            return Err(Failure::new("refused_host", None, why));
        }
        let response = client.get(current.clone()).send().await.map_err(|e| {
            let why = format!("no answer from {} ({e})", redact(&current));
            Failure::new("http_error", None, why)
        })?;
        let status = response.status();
        if !status.is_redirection() {
            break response;
        }
        redirects += 1;
        if redirects > MAX_REDIRECTS {
            let why =
                format!("more than {MAX_REDIRECTS} redirects (the last to {})", redact(&current));
            return Err(Failure::new("redirect_loop", Some(status.as_u16()), why));
        }
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|l| current.join(l).ok());
        current = location.ok_or_else(|| {
            let why = format!("the server answered {status} without a usable Location");
            Failure::new("http_error", Some(status.as_u16()), why)
        })?;
    };
    let status = response.status();
    let code = Some(status.as_u16());
    if matches!(status.as_u16(), 404 | 410) {
        return Err(Failure::new("not_found", code, format!("the server answered {status}")));
    }
    if !status.is_success() {
        return Err(Failure::new("http_error", code, format!("the server answered {status}")));
    }
    let content_type = media_content_type(response.headers(), code)?;
    if let Some(length) = response.content_length().filter(|len| *len > cap) {
        let why = format!("the file is {length} bytes; at most {cap} bytes are accepted");
        return Err(Failure::new("too_large", code, why));
    }
    let io = |e: std::io::Error| Failure::new("http_error", code, format!("storing the file: {e}"));
    let mut out = tokio::fs::File::create(path).await.map_err(io)?;
    let mut crc32c = 0u32;
    let mut size = 0u64;
    while let Some(chunk) = response.chunk().await.map_err(|e| {
        Failure::new("http_error", code, format!("the connection broke after {size} bytes ({e})"))
    })? {
        size += chunk.len() as u64;
        if size > cap {
            let why = format!("the file is over {cap} bytes, the most accepted");
            return Err(Failure::new("too_large", code, why));
        }
        crc32c = aether::upload::crc32c_append(crc32c, &chunk);
        out.write_all(&chunk).await.map_err(io)?;
    }
    out.flush().await.map_err(io)?;
    if size == 0 {
        return Err(Failure::new("not_media", code, "the server answered with an empty body"));
    }
    Ok(Fetched { size, crc32c, content_type })
}

/// The answer's `Content-Type` when it names a video or image; `None` when absent or
/// `application/octet-stream`; `not_media` for anything else (an HTML error page, JSON…).
fn media_content_type(
    headers: &reqwest::header::HeaderMap,
    code: Option<u16>,
) -> Result<Option<(String, MediaKind)>, Failure> {
    let Some(value) = headers.get(reqwest::header::CONTENT_TYPE) else { return Ok(None) };
    let essence = value.to_str().unwrap_or("").split(';').next().unwrap_or("").trim();
    let essence = essence.to_ascii_lowercase();
    if matches!(essence.as_str(), "" | "application/octet-stream" | "binary/octet-stream") {
        return Ok(None);
    }
    match parse_mime(&essence, "Content-Type") {
        Ok(found) => Ok(Some(found)),
        Err(_) => {
            let why = format!("the server says the file is {essence}, not a video or an image");
            Err(Failure::new("not_media", code, why))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_hosts_are_fetched() {
        for ok in [
            "http://127.0.0.1:1/a.mp4",
            "http://127.9.9.9/a",
            "http://[::1]:8/x",
            "http://LOCALHOST/x",
        ] {
            assert!(is_loopback(&Url::parse(ok).unwrap()), "{ok}");
        }
        for bad in [
            "http://10.0.0.1/a",
            "https://example.com/a.mp4",
            "http://[::2]/x",
            "http://localhost.evil.com/",
        ] {
            assert!(!is_loopback(&Url::parse(bad).unwrap()), "{bad}");
        }
    }

    #[test]
    fn urls_in_messages_carry_no_credentials() {
        let url = Url::parse("https://user:pw@cdn.example.com/v.mp4?X-Sig=secret#frag").unwrap();
        let shown = redact(&url);
        assert_eq!(shown, "https://cdn.example.com/v.mp4?…");
        assert!(!shown.contains("secret") && !shown.contains("pw"));
    }

    #[test]
    fn names_and_types_come_from_the_url() {
        let url = Url::parse("http://127.0.0.1/a/Clip%20One.MP4?x=1").unwrap();
        assert_eq!(name_from_url(&url), "Clip One.MP4");
        assert_eq!(guess_mime("Clip One.MP4").map(|m| m.0), Some("video/mp4"));
        assert_eq!(name_from_url(&Url::parse("http://127.0.0.1/").unwrap()), "media");
        assert!(guess_mime("noext").is_none());
    }
}
