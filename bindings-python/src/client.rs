//! `aether._aether.Client`: the core's [`aether::Client`] with one method per operation, each
//! returning a [`Call`] (or a [`Pager`]) that the Python layer runs blocking or on asyncio.
//! Arguments arrive as wire-shaped dicts and are read with the core's own serde types, so every
//! rule about what a request may contain stays in the core.

use std::sync::Arc;
use std::time::Duration;

use aether::media::MediaWaitOptions;
use aether::model::{
    CreateConnectLinkRequest, CreatePostRequest, CreateWebhookRequest, ListPostsQuery, Platform,
    PostStatus, Tier, UpdatePostRequest,
};
use aether::posts::WaitOptions;
use aether::upload::UploadOptions;
use aether::{CancellationToken, Client, RequestOptions};
use pyo3::prelude::*;
use serde::de::DeserializeOwned;

use crate::call::{json, Call, ErrorSlot, Extras, Pager, Progress};
use crate::convert::from_py;
use crate::errors::{invalid_argument, IntoPyResult};
use crate::source;

/// A client of the Aether API (see `aether.Aether` for the documented surface).
#[pyclass(module = "aether._aether", name = "Client", frozen)]
#[derive(Debug)]
pub struct PyClient {
    client: Client,
    /// Per-call options applied to every call of this client (`with_options`).
    options: RequestOptions,
}

/// Seconds from Python as a duration; negative, NaN and infinite values are refused.
pub fn seconds(py: Python<'_>, value: Option<f64>, what: &str) -> PyResult<Option<Duration>> {
    match value {
        None => Ok(None),
        Some(secs) => Duration::try_from_secs_f64(secs).map(Some).map_err(|_| {
            invalid_argument(
                py,
                format!("{what} must be a finite number of seconds ≥ 0, not {secs}"),
            )
        }),
    }
}

/// A wire-shaped dict read as the core's request type; what it refuses is `INVALID_ARGUMENT`.
fn body<T: DeserializeOwned>(py: Python<'_>, value: &Bound<'_, PyAny>, what: &str) -> PyResult<T> {
    let value = from_py(value)?;
    serde_json::from_value(value).map_err(|e| invalid_argument(py, format!("{what}: {e}")))
}

#[pymethods]
impl PyClient {
    #[new]
    #[pyo3(signature = (
        api_key=None, base_url=None, timeout=None, max_retries=None, connect_timeout=None,
        user_agent_suffix=None, retry_backoff=None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        api_key: Option<String>,
        base_url: Option<String>,
        timeout: Option<f64>,
        max_retries: Option<u32>,
        connect_timeout: Option<f64>,
        user_agent_suffix: Option<String>,
        retry_backoff: Option<(f64, f64)>,
    ) -> PyResult<PyClient> {
        let mut builder = Client::builder();
        if let Some(key) = api_key {
            builder = builder.api_key(key);
        }
        if let Some(url) = base_url {
            builder = builder.base_url(url);
        }
        if let Some(timeout) = seconds(py, timeout, "timeout")? {
            builder = builder.request_timeout(timeout);
        }
        if let Some(retries) = max_retries {
            builder = builder.max_retries(retries);
        }
        if let Some(timeout) = seconds(py, connect_timeout, "connect_timeout")? {
            builder = builder.connect_timeout(timeout);
        }
        if let Some(suffix) = user_agent_suffix {
            builder = builder.user_agent_suffix(suffix);
        }
        if let Some((base, cap)) = retry_backoff {
            let base = seconds(py, Some(base), "retry_backoff")?.unwrap_or_default();
            let cap = seconds(py, Some(cap), "retry_backoff")?.unwrap_or_default();
            builder = builder.retry_backoff(base, cap);
        }
        Ok(PyClient { client: builder.build().py_err(py)?, options: RequestOptions::new() })
    }

    /// The same client (shared connections and retry budget) with other per-call options:
    /// `timeout` bounds each call, `max_retries` overrides the client's.
    #[pyo3(signature = (timeout=None, max_retries=None))]
    fn with_options(
        &self,
        py: Python<'_>,
        timeout: Option<f64>,
        max_retries: Option<u32>,
    ) -> PyResult<PyClient> {
        let mut options = self.options.clone();
        if let Some(timeout) = seconds(py, timeout, "timeout")? {
            options = options.timeout(timeout);
        }
        if let Some(retries) = max_retries {
            options = options.max_retries(retries);
        }
        Ok(PyClient { client: self.client.clone(), options })
    }

    #[getter]
    fn base_url(&self) -> &str {
        self.client.base_url()
    }

    #[getter]
    fn user_agent(&self) -> &str {
        self.client.user_agent()
    }

    fn __repr__(&self) -> String {
        format!("Client(base_url={:?})", self.client.base_url())
    }

    // --- connect links ------------------------------------------------------------------------

    fn connect_links_create(&self, py: Python<'_>, request: &Bound<'_, PyAny>) -> PyResult<Call> {
        let request: CreateConnectLinkRequest = body(py, request, "connect link")?;
        let links = self.client.connect_links().with_options(self.options.clone());
        Ok(Call::new(async move { json(&links.create(&request).await?) }))
    }

    fn connect_links_get(&self, id: String) -> Call {
        let links = self.client.connect_links().with_options(self.options.clone());
        Call::new(async move { json(&links.get(&id).await?) })
    }

    // --- profiles -----------------------------------------------------------------------------

    fn profiles_get(&self, id: String) -> Call {
        let profiles = self.client.profiles().with_options(self.options.clone());
        Call::new(async move { json(&profiles.get(&id).await?) })
    }

    fn profiles_disconnect(&self, id: String) -> Call {
        let profiles = self.client.profiles().with_options(self.options.clone());
        Call::new(async move { json(&profiles.disconnect(&id).await?) })
    }

    fn profiles_list(&self) -> Pager {
        Pager::new(self.client.profiles().with_options(self.options.clone()).list())
    }

    // --- posts --------------------------------------------------------------------------------

    #[pyo3(signature = (request, idempotency_key=None))]
    fn posts_create(
        &self,
        py: Python<'_>,
        request: &Bound<'_, PyAny>,
        idempotency_key: Option<String>,
    ) -> PyResult<Call> {
        let request: CreatePostRequest = body(py, request, "post")?;
        let mut options = self.options.clone();
        if let Some(key) = idempotency_key {
            options = options.idempotency_key(key);
        }
        let posts = self.client.posts().with_options(options);
        Ok(Call::new(async move { json(&posts.create(&request).await?) }))
    }

    fn posts_get(&self, id: String) -> Call {
        let posts = self.client.posts().with_options(self.options.clone());
        Call::new(async move { json(&posts.get(&id).await?) })
    }

    fn posts_update(
        &self,
        py: Python<'_>,
        id: String,
        request: &Bound<'_, PyAny>,
    ) -> PyResult<Call> {
        let request: UpdatePostRequest = body(py, request, "post update")?;
        let posts = self.client.posts().with_options(self.options.clone());
        Ok(Call::new(async move { json(&posts.update(&id, &request).await?) }))
    }

    fn posts_cancel(&self, id: String) -> Call {
        let posts = self.client.posts().with_options(self.options.clone());
        Call::new(async move { json(&posts.cancel(&id).await?) })
    }

    #[pyo3(signature = (status=None, profile_id=None, limit=None))]
    fn posts_list(
        &self,
        status: Option<String>,
        profile_id: Option<String>,
        limit: Option<u32>,
    ) -> Pager {
        let query = ListPostsQuery {
            status: status.as_deref().map(PostStatus::parse),
            profile_id,
            limit,
            cursor: None,
        };
        Pager::new(self.client.posts().with_options(self.options.clone()).list(query))
    }

    #[pyo3(signature = (id, timeout=None, poll_interval=None, max_poll_interval=None))]
    fn posts_wait(
        &self,
        py: Python<'_>,
        id: String,
        timeout: Option<f64>,
        poll_interval: Option<f64>,
        max_poll_interval: Option<f64>,
    ) -> PyResult<Call> {
        let cancel = CancellationToken::new();
        let options = wait_options(py, timeout, poll_interval, max_poll_interval)?
            .cancel_token(cancel.clone());
        let posts = self.client.posts().with_options(self.options.clone());
        let future = Box::pin(async move { json(&posts.wait(&id, options).await?) });
        Ok(Call::with(future, cancel, Extras { cancels_itself: true, ..Extras::default() }))
    }

    #[pyo3(signature = (id, timeout=None, poll_interval=None, max_poll_interval=None))]
    fn posts_watch(
        &self,
        py: Python<'_>,
        id: String,
        timeout: Option<f64>,
        poll_interval: Option<f64>,
        max_poll_interval: Option<f64>,
    ) -> PyResult<Pager> {
        let options = wait_options(py, timeout, poll_interval, max_poll_interval)?;
        Ok(Pager::new(self.client.posts().with_options(self.options.clone()).watch(&id, options)))
    }

    // --- media --------------------------------------------------------------------------------

    /// `source` is a `str` path, `bytes`, or a binary file object (`size`: bytes left in it,
    /// when known).
    /// With `upload_id`, continues that chunked upload with the same source instead.
    #[pyo3(signature = (
        source, size=None, file_name=None, mime_type=None, platforms=Vec::new(), tier=None,
        on_progress=None, part_size=None, parallelism=None, single_shot_threshold=None,
        upload_id=None,
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
        part_size: Option<u64>,
        parallelism: Option<usize>,
        single_shot_threshold: Option<u64>,
        upload_id: Option<String>,
    ) -> PyResult<Call> {
        let cancel = CancellationToken::new();
        let source_error = Arc::new(ErrorSlot::default());
        let source = source::upload_source(source, size, &source_error)?;
        let mut options = UploadOptions::new().cancel_token(cancel.clone());
        options.file_name = file_name;
        options.mime_type = mime_type;
        options.platforms = platforms.iter().map(|p| Platform::parse(p)).collect();
        if let Some(tier) = tier {
            options.tier = Tier::parse(&tier);
        }
        options.part_size = part_size;
        if let Some(parallelism) = parallelism {
            options.parallelism = parallelism;
        }
        if let Some(threshold) = single_shot_threshold {
            options.single_shot_threshold = threshold;
        }
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
        py: Python<'_>,
        media_key: String,
        timeout: Option<f64>,
        poll_interval: Option<f64>,
    ) -> PyResult<Call> {
        let cancel = CancellationToken::new();
        let mut options = MediaWaitOptions::default().cancel_token(cancel.clone());
        if let Some(timeout) = seconds(py, timeout, "timeout")? {
            options = options.timeout(timeout);
        }
        if let Some(interval) = seconds(py, poll_interval, "poll_interval")? {
            options = options.poll_interval(interval);
        }
        let media = self.client.media().with_options(self.options.clone());
        let future = Box::pin(async move { json(&media.wait_ready(&media_key, options).await?) });
        Ok(Call::with(future, cancel, Extras { cancels_itself: true, ..Extras::default() }))
    }

    // --- webhooks -----------------------------------------------------------------------------

    fn webhooks_create(&self, py: Python<'_>, request: &Bound<'_, PyAny>) -> PyResult<Call> {
        let request: CreateWebhookRequest = body(py, request, "webhook")?;
        let webhooks = self.client.webhooks().with_options(self.options.clone());
        Ok(Call::new(async move { json(&webhooks.create(&request).await?) }))
    }

    fn webhooks_list(&self) -> Pager {
        Pager::new(self.client.webhooks().with_options(self.options.clone()).list())
    }

    fn webhooks_delete(&self, id: String) -> Call {
        let webhooks = self.client.webhooks().with_options(self.options.clone());
        Call::new(async move {
            webhooks.delete(&id).await?;
            Ok(None)
        })
    }
}

fn wait_options(
    py: Python<'_>,
    timeout: Option<f64>,
    poll_interval: Option<f64>,
    max_poll_interval: Option<f64>,
) -> PyResult<WaitOptions> {
    let mut options = WaitOptions::default();
    if let Some(timeout) = seconds(py, timeout, "timeout")? {
        options = options.timeout(timeout);
    }
    if let Some(interval) = seconds(py, poll_interval, "poll_interval")? {
        options = options.poll_interval(interval);
    }
    if let Some(interval) = seconds(py, max_poll_interval, "max_poll_interval")? {
        options.max_poll_interval = interval;
    }
    Ok(options)
}
