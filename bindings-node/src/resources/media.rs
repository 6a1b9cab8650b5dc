//! `media.*` besides the upload itself (in `crate::upload`): read, delete, wait for
//! verification, inspect and abort upload sessions.

use napi::bindgen_prelude::PromiseRaw;
use napi::Env;
use napi_derive::napi;

use crate::cancel::{cancellable, CancelToken};
use crate::client::{millis, request_options, token, NativeClient, PollOptions};
use crate::error::IntoNapi;
use crate::json::{parse, text};

#[napi]
impl NativeClient {
    #[napi]
    pub fn media_get<'env>(
        &self,
        env: &'env Env,
        media_key: String,
        options: Option<String>,
        cancel: Option<&CancelToken>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let media = self.client().media().with_options(request_options(options)?);
        let cancel = token(cancel);
        env.spawn_future(async move {
            let found =
                cancellable(cancel, "the request", media.get(&media_key)).await.into_napi()?;
            text(&found)
        })
    }

    #[napi]
    pub fn media_delete<'env>(
        &self,
        env: &'env Env,
        media_key: String,
        options: Option<String>,
        cancel: Option<&CancelToken>,
    ) -> napi::Result<PromiseRaw<'env, ()>> {
        let media = self.client().media().with_options(request_options(options)?);
        let cancel = token(cancel);
        env.spawn_future(async move {
            cancellable(cancel, "the request", media.delete(&media_key)).await.into_napi()
        })
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
        let parsed: PollOptions = parse("wait options", &wait)?;
        let mut wait = aether::media::MediaWaitOptions::default();
        if let Some(ms) = parsed.poll_interval_ms {
            wait.poll_interval = millis("pollIntervalMs", ms)?;
        }
        if let Some(ms) = parsed.max_poll_interval_ms {
            wait.max_poll_interval = millis("maxPollIntervalMs", ms)?;
        }
        if let Some(ms) = parsed.timeout_ms {
            wait.timeout = Some(millis("timeoutMs", ms)?);
        }
        if parsed.no_timeout {
            wait.timeout = None;
        }
        wait.cancel = token(cancel);
        let media = self.client().media().with_options(request_options(options)?);
        env.spawn_future(async move {
            let ready = media.wait_ready(&media_key, wait).await.into_napi()?;
            text(&ready)
        })
    }

    #[napi]
    pub fn media_upload_state<'env>(
        &self,
        env: &'env Env,
        upload_id: String,
        options: Option<String>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let media = self.client().media().with_options(request_options(options)?);
        env.spawn_future(async move { text(&media.upload_state(&upload_id).await.into_napi()?) })
    }

    #[napi]
    pub fn media_abort<'env>(
        &self,
        env: &'env Env,
        upload_id: String,
        options: Option<String>,
    ) -> napi::Result<PromiseRaw<'env, ()>> {
        let media = self.client().media().with_options(request_options(options)?);
        env.spawn_future(async move { media.abort(&upload_id).await.into_napi() })
    }
}
