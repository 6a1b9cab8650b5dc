//! `aether._aether.Client`: the core's [`aether::Client`] with one method per operation, each
//! returning a `Call` (or a `Pager`) that the Python layer runs blocking or on asyncio. This
//! file holds the constructor and what the operations share; the operations themselves are in
//! `crate::resources`, one `#[pymethods]` block per resource (pyo3's `multiple-pymethods`).
//! Arguments arrive as wire-shaped dicts and are read with the core's own serde types, so every
//! rule about what a request may contain stays in the core.

use std::time::Duration;

use aether::{Client, RequestOptions};
use pyo3::prelude::*;
use serde::de::DeserializeOwned;

use crate::convert::from_py;
use crate::errors::{invalid_argument, IntoPyResult};

/// A client of the Aether API (see `aether.Aether` for the documented surface).
#[pyclass(module = "aether._aether", name = "Client", frozen)]
#[derive(Debug)]
pub struct PyClient {
    pub(crate) client: Client,
    /// Per-call options applied to every call of this client (`with_options`).
    pub(crate) options: RequestOptions,
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
pub(crate) fn body<T: DeserializeOwned>(
    py: Python<'_>,
    value: &Bound<'_, PyAny>,
    what: &str,
) -> PyResult<T> {
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
}
