//! `media_*`: uploads (the source is read by `crate::source`), read, delete, and waiting for
//! verification.

use std::sync::Arc;

use aether::media::MediaWaitOptions;
use aether::model::{Platform, Tier};
use aether::upload::{UploadOptions, UploadSettings};
use aether::CancellationToken;
use aether::Spelling;
use pyo3::prelude::*;

use crate::call::{json, Call, ErrorSlot, Extras, Progress};
use crate::client::{millis, poll_options, PyClient};
use crate::source;

#[pymethods]
impl PyClient {
    /// `source` is a `str` path, `bytes`, or a binary file object (`size`: bytes left in it,
    /// when known).
    /// With `upload_id`, continues that chunked upload with the same source instead.
    #[pyo3(signature = (
        source, size=None, file_name=None, mime_type=None, platforms=Vec::new(), tier=None,
        on_progress=None, part_size=None, parallelism=None, single_shot_threshold=None,
        upload_id=None, resume_state_file=None, profile_ids=Vec::new(), stall_timeout=None,
        sha256=false,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn media_upload(
        &self,
        source: &Bound<'_, PyAny>,
        size: Option<u64>,
        file_name: Option<String>,
        mime_type: Option<String>,
        platforms: Vec<String>,
        tier: Option<String>,
        on_progress: Option<Py<PyAny>>,
        part_size: Option<i64>,
        parallelism: Option<i64>,
        single_shot_threshold: Option<i64>,
        upload_id: Option<String>,
        resume_state_file: Option<String>,
        profile_ids: Vec<String>,
        stall_timeout: Option<f64>,
        sha256: bool,
    ) -> PyResult<Call> {
        let cancel = CancellationToken::new();
        let source_error = Arc::new(ErrorSlot::default());
        let source = source::upload_source(source, size, &source_error)?;
        let settings = UploadSettings {
            file_name,
            mime_type,
            platforms: Some(platforms.iter().map(|p| Platform::parse(p)).collect()),
            tier: tier.map(|tier| Tier::parse(&tier)),
            part_size,
            parallelism,
            single_shot_threshold,
            resume_state_file: resume_state_file.map(Into::into),
            profile_ids: Some(profile_ids),
            stall_timeout_ms: millis(stall_timeout),
            sha256: Some(sha256),
            spelling: Spelling::Python,
        };
        let mut options = UploadOptions::from(settings).cancel_token(cancel.clone());
        let progress = on_progress.map(|callback| Progress::new(callback, cancel.clone()));
        if let Some(progress) = &progress {
            let (sink, barrier) = (progress.clone(), progress.clone());
            options = options
                .on_progress(move |event| sink.push(event))
                .progress_barrier(move || barrier.caught_up());
        }
        let media = self.client.media().with_options(self.options.clone());
        let future = Box::pin(async move {
            let uploaded = match upload_id {
                Some(id) => media.resume(&id, source, options).await?,
                None => media.upload(source, options).await?,
            };
            json(&uploaded)
        });
        let extras = Extras { progress, source_error: Some(source_error), cancels_itself: true };
        Ok(Call::with(future, cancel, extras))
    }

    /// Media by URL: the server fetches `url` (`POST /v1/media/ingest`), after a preflight by
    /// range requests when `platforms` are named.
    #[pyo3(signature = (
        url, file_name=None, mime_type=None, platforms=Vec::new(), tier=None,
        profile_ids=Vec::new(),
    ))]
    fn media_ingest(
        &self,
        url: String,
        file_name: Option<String>,
        mime_type: Option<String>,
        platforms: Vec<String>,
        tier: Option<String>,
        profile_ids: Vec<String>,
    ) -> Call {
        let settings = UploadSettings {
            file_name,
            mime_type,
            platforms: Some(platforms.iter().map(|p| Platform::parse(p)).collect()),
            tier: tier.map(|tier| Tier::parse(&tier)),
            profile_ids: Some(profile_ids),
            spelling: Spelling::Python,
            ..UploadSettings::default()
        };
        let cancel = CancellationToken::new();
        let options = UploadOptions::from(settings).cancel_token(cancel.clone());
        let media = self.client.media().with_options(self.options.clone());
        let future = Box::pin(async move { json(&media.ingest(url, options).await?) });
        let extras = Extras { progress: None, source_error: None, cancels_itself: true };
        Call::with(future, cancel, extras)
    }

    fn media_get(&self, media_key: String) -> Call {
        let media = self.client.media().with_options(self.options.clone());
        Call::new(async move { json(&media.get(&media_key).await?) })
    }

    fn media_delete(&self, media_key: String) -> Call {
        let media = self.client.media().with_options(self.options.clone());
        Call::new(async move {
            media.delete(&media_key).await?;
            Ok(None)
        })
    }

    #[pyo3(signature = (media_key, timeout=None, poll_interval=None))]
    fn media_wait_ready(
        &self,
        media_key: String,
        timeout: Option<f64>,
        poll_interval: Option<f64>,
    ) -> PyResult<Call> {
        let cancel = CancellationToken::new();
        let options = MediaWaitOptions::from(poll_options(timeout, poll_interval, None))
            .cancel_token(cancel.clone());
        let media = self.client.media().with_options(self.options.clone());
        let future = Box::pin(async move { json(&media.wait_ready(&media_key, options).await?) });
        Ok(Call::with(future, cancel, Extras { cancels_itself: true, ..Extras::default() }))
    }
}
