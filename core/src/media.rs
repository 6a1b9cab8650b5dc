//! Media: upload files (single-shot or chunked, parallel, checksummed, resumable — see
//! [`crate::upload`]), read and delete stored media, and wait for the server's verification.
//!
//! ```no_run
//! # async fn demo(client: aether::Client) -> aether::Result<()> {
//! use aether::media::MediaWaitOptions;
//! use aether::model::Platform;
//! use aether::upload::{UploadOptions, UploadSource};
//!
//! let media = client
//!     .media()
//!     .upload(UploadSource::path("./video.mp4"), UploadOptions::new().platform(Platform::Tiktok))
//!     .await?;
//! let ready = client.media().wait_ready(&media.media_key, MediaWaitOptions::default()).await?;
//! println!("{} is {} ms long", ready.media_key, ready.duration_ms.unwrap_or(0));
//! # Ok(()) }
//! ```

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::model::{Media, MediaStatus, UploadState};
use crate::poll;
use crate::profiles::{CapabilitiesCache, Profiles};
use crate::settings::names;
use crate::transport::{item_path, with_response, ApiRequest, RequestOptions, Transport};
use crate::upload::{Engine, UploadOptions, UploadSettings, UploadSource};

/// Default first time between polls of [`MediaResource::wait_ready`]: verification takes
/// seconds, not minutes.
pub const DEFAULT_MEDIA_POLL_INTERVAL: Duration = poll::MEDIA.poll_interval;
/// Default longest time between polls.
pub const DEFAULT_MEDIA_MAX_POLL_INTERVAL: Duration = poll::MEDIA.max_poll_interval;
/// Default bound on a whole wait.
pub const DEFAULT_MEDIA_WAIT_TIMEOUT: Duration = poll::MEDIA.timeout;

/// `client.media()`.
#[derive(Debug, Clone)]
pub struct MediaResource {
    transport: Transport,
    options: RequestOptions,
    capabilities: CapabilitiesCache,
}

/// How [`MediaResource::wait_ready`] polls: the shared [`poll::WaitOptions`], with the
/// defaults of [`poll::MEDIA`] (every 0.5 s at first, growing by half after each poll up to
/// 5 s, for up to 10 min), honouring the server's `Retry-After` hint.
pub type MediaWaitOptions = poll::WaitOptions<Media>;

impl poll::Polled for Media {
    type State = MediaStatus;

    fn state(&self) -> MediaStatus {
        self.status.clone()
    }

    fn is_final(&self) -> bool {
        matches!(self.status, MediaStatus::Ready | MediaStatus::Failed)
    }
}

impl MediaResource {
    pub(crate) fn new(transport: Transport, capabilities: CapabilitiesCache) -> MediaResource {
        MediaResource { transport, options: RequestOptions::default(), capabilities }
    }

    /// The same resource with these per-call options (timeouts and retries apply to each
    /// request of an upload, e.g. each part; an idempotency key is suffixed per step).
    pub fn with_options(mut self, options: RequestOptions) -> MediaResource {
        self.options = options;
        self
    }

    fn engine(&self) -> Engine {
        Engine {
            transport: self.transport.clone(),
            options: self.options.clone(),
            capabilities: Vec::new(),
        }
    }

    /// The engine, with the capabilities of the profiles `settings.profileIds` names (read
    /// through the client's cache; see [`crate::profiles::CAPABILITIES_TTL`]) for its
    /// preflight. Bad options fail here, before anything is asked.
    async fn engine_for(&self, settings: &UploadSettings) -> Result<Engine> {
        settings.check()?;
        let mut engine = self.engine();
        let ids = settings.profile_ids.clone().unwrap_or_default();
        if ids.is_empty() {
            return Ok(engine);
        }
        // `profile_ids[0]`, `profileIds[0]`: the option as the caller spells it (Python's
        // keyword without its `=`).
        let name = settings.spelling.name(&names::PROFILE_IDS).trim_end_matches('=').to_owned();
        let targets: Vec<(String, String)> =
            ids.iter().enumerate().map(|(i, id)| (format!("{name}[{i}]"), id.clone())).collect();
        let options = RequestOptions { idempotency_key: None, ..self.options.clone() };
        let profiles =
            Profiles::new(self.transport.clone(), self.capabilities.clone()).with_options(options);
        engine.capabilities = profiles.for_preflight(&targets).await?;
        Ok(engine)
    }

    /// Uploads a file, bytes or a reader and returns the media, usually still `processing`
    /// (follow it with [`MediaResource::wait_ready`]).
    ///
    /// Preflights against `options.platforms` first (the rule's code, e.g. `VIDEO_TOO_SHORT`,
    /// before anything is sent), then uploads in one request or in parallel parts; see
    /// [`crate::upload`]. Fails with `CANCELLED` (session aborted), `IO_ERROR` when reading the
    /// source fails (session aborted), `INVALID_ARGUMENT` for bad options or an empty source,
    /// or the server's error. An error after the session was opened carries `uploadId` and
    /// `mediaKey` in its details; when `sessionAborted` is false the upload can be resumed.
    ///
    /// With `profileIds` the file is also checked against each account's capabilities
    /// (`VIDEO_TOO_LONG` with `details.accountMaxSec` for a video longer than the account may
    /// post) and its platform's rules for its tier, before a byte is sent.
    pub async fn upload(&self, source: UploadSource, options: UploadOptions) -> Result<Media> {
        self.engine_for(&options.settings).await?.run(source, options, None).await
    }

    /// Media by URL: the server fetches `url` at once (`POST /v1/media/ingest`), stores and
    /// verifies it like an upload, so a signed URL that expires later cannot break a scheduled
    /// post. The same as [`MediaResource::upload`] with [`UploadSource::Url`]: the options'
    /// `file_name` and `mime_type` are sent, and when they name platforms the URL is
    /// preflighted first by reading only the few KiB the probe needs with range requests (the
    /// rule's code, e.g. `VIDEO_TOO_SHORT` with field `url`, before the ingest call). Returns
    /// the media in `processing`; [`MediaResource::wait_ready`] then fails
    /// `MEDIA_FETCH_FAILED` (`details.url`, `details.reason`, `details.httpStatus`) when the
    /// server could not fetch it.
    pub async fn ingest(&self, url: impl Into<String>, options: UploadOptions) -> Result<Media> {
        self.upload(UploadSource::url(url), options).await
    }

    /// Continues the chunked upload `upload_id` with the same source: asks the server which
    /// parts it holds, checks their sizes and CRC32Cs against the source, sends the others and
    /// completes. Fails with `INVALID_ARGUMENT` when the source's size differs from the
    /// session's or the session was aborted, and `NOT_FOUND` / `UPLOAD_EXPIRED` when it is gone.
    pub async fn resume(
        &self,
        upload_id: &str,
        source: UploadSource,
        options: UploadOptions,
    ) -> Result<Media> {
        if upload_id.is_empty() {
            return Err(Error::invalid_argument("the upload id is empty"));
        }
        self.engine_for(&options.settings)
            .await?
            .run(source, options, Some(upload_id.to_owned()))
            .await
    }

    /// `GET /v1/media/uploads/{uploadId}`: the session and the parts the server holds.
    pub async fn upload_state(&self, upload_id: &str) -> Result<UploadState> {
        self.engine().upload_state(upload_id).await
    }

    /// `DELETE /v1/media/uploads/{uploadId}`: aborts a chunked upload and frees its parts.
    pub async fn abort(&self, upload_id: &str) -> Result<()> {
        self.engine().abort(upload_id).await
    }

    /// `GET /v1/media/{mediaKey}`.
    pub async fn get(&self, media_key: &str) -> Result<Media> {
        Ok(self.get_response(media_key, &self.options).await?.data)
    }

    async fn get_response(
        &self,
        media_key: &str,
        options: &RequestOptions,
    ) -> Result<crate::transport::Response<Media>> {
        let path = item_path("/v1/media", "media", media_key)?;
        let request = ApiRequest::get(path).options(options.clone());
        self.transport.send_json(request).await
    }

    /// `DELETE /v1/media/{mediaKey}`. Deleting twice is `NOT_FOUND`; a delete whose answer was
    /// lost, and whose retry finds the media gone, succeeds.
    pub async fn delete(&self, media_key: &str) -> Result<()> {
        let path = item_path("/v1/media", "media", media_key)?;
        let options = RequestOptions { idempotency_key: None, ..self.options.clone() };
        self.transport.send_delete(ApiRequest::delete(path).options(options)).await
    }

    /// Polls the media until the server's verification is done and returns it `ready`.
    ///
    /// A media that `failed` is an error with the media's own code (e.g.
    /// `UNSUPPORTED_MEDIA_TYPE`, `VIDEO_TOO_SHORT`) and message, and `details.media`. Fails
    /// `TIMEOUT` when `options.timeout` passes (`details.media` is the last one seen),
    /// `CANCELLED` on `options.cancel`, or with a poll's error that retrying cannot fix.
    pub async fn wait_ready(&self, media_key: &str, options: MediaWaitOptions) -> Result<Media> {
        let resource = self.clone();
        let key = media_key.to_owned();
        let fetch: poll::Fetch<Media> = Arc::new(move |options: RequestOptions| {
            let (resource, key) = (resource.clone(), key.clone());
            Box::pin(async move { resource.get_response(&key, &options).await })
        });
        let target = poll::Target {
            subject: format!("media {media_key}"),
            id: media_key.to_owned(),
            fetch,
            request: self.options.clone(),
            request_timeout: self.transport.request_timeout(),
            defaults: &poll::MEDIA,
            expired: not_verified,
            first: None,
        };
        let mut poller = poll::Poller::new(target, options)?;
        while let Some(media) = poller.next_change().await {
            let media = media?;
            match media.status {
                MediaStatus::Ready => return Ok(media),
                MediaStatus::Failed => return Err(failed(media)),
                _ => {}
            }
        }
        Err(Error::protocol("the media poller stopped before verification ended"))
    }
}

/// `TIMEOUT` for a wait whose deadline passed, with the last media seen.
fn not_verified(expiry: &poll::Expiry<'_, Media>) -> Error {
    Error::timeout(format!("media {} was not verified within {:?}", expiry.id, expiry.timeout))
        .with_details(json!({ "mediaKey": expiry.id, "media": expiry.last }))
}

/// The error of a media whose verification failed: its code and message, and the media.
fn failed(mut media: Media) -> Error {
    // A signed URL's query is a credential: errors get logged, so the copy in them has none.
    if let Some(url) = media.source_url.as_mut() {
        if let Some(cut) = url.find(['?', '#']) {
            url.truncate(cut);
            url.push_str("?…");
        }
    }
    let (code, message, details) = match &media.error {
        Some(error) => (error.code.clone(), error.message.clone(), error.details.clone()),
        None => (
            crate::ErrorCode::UnsupportedMediaType,
            "verification failed without a reason".to_owned(),
            None,
        ),
    };
    let mut map = match details {
        Some(Value::Object(map)) => map,
        Some(other) => Map::from_iter([("cause".to_owned(), other)]),
        None => Map::new(),
    };
    map.insert("mediaKey".into(), Value::from(media.media_key.as_str()));
    map.insert("media".into(), serde_json::to_value(&media).unwrap_or(Value::Null));
    // The server's message names the URL (without its query) and the reason.
    let what = match code {
        crate::ErrorCode::MediaFetchFailed => "could not be fetched",
        _ => "failed verification",
    };
    Error::new(code, format!("media {} {what}: {message}", media.media_key))
        .with_details(Value::Object(map))
}

with_response!(MediaResource {
    /// [`MediaResource::upload`] with the status and headers of its response.
    upload_with_response => upload(source: UploadSource, options: UploadOptions) -> Media;
    /// [`MediaResource::ingest`] with the status and headers of its response.
    ingest_with_response => ingest(url: impl Into<String>, options: UploadOptions) -> Media;
    /// [`MediaResource::resume`] with the status and headers of its response.
    resume_with_response => resume(upload_id: &str, source: UploadSource, options: UploadOptions) -> Media;
    /// [`MediaResource::upload_state`] with the status and headers of its response.
    upload_state_with_response => upload_state(upload_id: &str) -> UploadState;
    /// [`MediaResource::abort`] with the status and headers of its response.
    abort_with_response => abort(upload_id: &str) -> ();
    /// [`MediaResource::get`] with the status and headers of its response.
    get_with_response => get(media_key: &str) -> Media;
    /// [`MediaResource::delete`] with the status and headers of its response.
    delete_with_response => delete(media_key: &str) -> ();
});
