//! `media.*`: uploads (a `Source` from `crate::source` plus options, handed to the core's
//! upload engine), read, delete, wait for verification, inspect and abort upload sessions.

use std::sync::Arc;

use aether::media::MediaWaitOptions;
use aether::upload::{UploadOptions, UploadProgress, UploadSettings};
use aether::{Client, Spelling};
use napi::bindgen_prelude::PromiseRaw;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, Status};
use napi_derive::napi;

use crate::cancel::CancelToken;
use crate::client::{flush, spawn, token, wait_options, NativeClient};
use crate::error::IntoNapi;
use crate::json::{parse, text};
use crate::operations;
use crate::source::Source;

/// What `onProgress` receives.
#[napi(object)]
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub bytes_sent: f64,
    pub total: f64,
    pub parts_done: u32,
    pub parts_total: u32,
}

/// The progress callback, called from runtime threads; weak like every callback. It gets
/// `undefined` once more after the upload settles (a barrier: see `crate::client::flush`).
pub type ProgressCallback =
    ThreadsafeFunction<Option<Progress>, (), Option<Progress>, Status, false, true>;

/// The upload settings the wrapper passes are the core's [`UploadSettings`] (the callback and
/// the signal travel separately); the core checks them, naming `tier`, `partSize` and the like.
fn upload_options(
    json: &str,
    on_progress: Option<Arc<ProgressCallback>>,
    cancel: Option<&CancelToken>,
) -> napi::Result<UploadOptions> {
    let settings: UploadSettings = parse("upload options", json)?;
    let mut options = UploadOptions::from(settings.spelled(Spelling::Node));
    options.cancel = cancel.map(CancelToken::token);
    if let Some(callback) = on_progress {
        let barrier = callback.clone();
        options = options.on_progress(move |p: UploadProgress| {
            let event = Progress {
                bytes_sent: p.bytes_sent as f64,
                total: p.total as f64,
                parts_done: p.parts_done,
                parts_total: p.parts_total,
            };
            callback.call(Some(event), ThreadsafeFunctionCallMode::NonBlocking);
        });
        // JavaScript sees every event before the media is made; a throw there cancels first.
        options = options.progress_barrier(move || {
            let callback = barrier.clone();
            async move { flush(&callback, None).await }
        });
    }
    Ok(options)
}

#[napi]
impl NativeClient {
    /// Uploads `source` (or continues the upload `upload_id` with it) and resolves with the
    /// media as JSON.
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn media_upload<'env>(
        &self,
        env: &'env Env,
        source: &Source,
        upload_id: Option<String>,
        options: String,
        on_progress: Option<ProgressCallback>,
        cancel: Option<&CancelToken>,
        request_options: Option<String>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let on_progress = on_progress.map(Arc::new);
        let options = upload_options(&options, on_progress.clone(), cancel)?;
        let media = self.resource(Client::media, request_options)?;
        let source = source.take()?;
        spawn(env, async move {
            let uploaded = match upload_id {
                None => media.upload(source, options).await,
                Some(id) => media.resume(&id, source, options).await,
            };
            if let Some(callback) = on_progress {
                flush(&callback, None).await;
            }
            text(&uploaded.into_napi()?)
        })
    }

    /// Media by URL: the server fetches `url` (`POST /v1/media/ingest`), after a preflight by
    /// range requests when the options name platforms; resolves with the media as JSON.
    #[napi]
    pub fn media_ingest<'env>(
        &self,
        env: &'env Env,
        url: String,
        options: String,
        cancel: Option<&CancelToken>,
        request_options: Option<String>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let options = upload_options(&options, None, cancel)?;
        let media = self.resource(Client::media, request_options)?;
        spawn(env, async move { text(&media.ingest(url, options).await.into_napi()?) })
    }

    /// Polls the media until it is `ready`; a media that failed verification is its error.
    #[napi]
    pub fn media_wait_ready<'env>(
        &self,
        env: &'env Env,
        media_key: String,
        wait: String,
        cancel: Option<&CancelToken>,
        options: Option<String>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let mut wait: MediaWaitOptions = wait_options(&wait)?;
        wait.cancel = token(cancel);
        let media = self.resource(Client::media, options)?;
        spawn(env, async move {
            let ready = media.wait_ready(&media_key, wait).await.into_napi()?;
            text(&ready)
        })
    }
}

operations! {
    fn media_get(media_key: String) => Client::media, |media| media.get(&media_key);
    fn media_delete(media_key: String) => Client::media, |media| media.delete(&media_key);
    fn media_upload_state(upload_id: String)
        => Client::media, |media| media.upload_state(&upload_id);
    fn media_abort(upload_id: String) => Client::media, |media| media.abort(&upload_id);
}
