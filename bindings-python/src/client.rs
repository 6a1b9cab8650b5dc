//! `aether._aether.Client`: the core's [`aether::Client`] with one method per operation, each
//! returning a `Call` (or a `Pager`) that the Python layer runs blocking or on asyncio. This
//! file holds the constructor and what the operations share; the operations themselves are in
//! `crate::resources`, one `#[pymethods]` block per resource (pyo3's `multiple-pymethods`).
//! Arguments arrive as wire-shaped dicts and are read with the core's own serde types, so every
//! rule about what a request may contain stays in the core.

use std::time::Duration;

use aether::poll::PollOptions;
use aether::{CallOptions, Client, ClientBuilder, ClientOptions, RequestOptions, Spelling};
use pyo3::prelude::*;
use serde::de::DeserializeOwned;

use crate::call::Call;
use crate::convert::{from_py, to_py};
use crate::errors::{invalid_argument, IntoPyResult};

/// A client of the Aether API (see `aether.Aether` for the documented surface).
#[pyclass(module = "aether._aether", name = "Client", frozen)]
#[derive(Debug)]
pub struct PyClient {
    pub(crate) client: Client,
    /// Per-call options applied to every call of this client (`with_options`).
    pub(crate) options: RequestOptions,
}

/// Seconds from Python as what the core's option types hold (milliseconds); the core checks
/// them (NaN, negative, infinite) and names the option as Python spells it.
pub fn millis(seconds: Option<f64>) -> Option<f64> {
    seconds.map(|s| s * 1000.0)
}

/// Seconds from Python as a duration (for what has no core option type, e.g. a webhook's
/// tolerance); negative, NaN and infinite values are refused.
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

/// How a wait polls, from Python's keyword arguments (seconds; `None`: the core's default;
/// `math.inf` as the timeout: no bound).
pub fn poll_options(
    timeout: Option<f64>,
    poll_interval: Option<f64>,
    max_poll_interval: Option<f64>,
) -> PollOptions {
    let unbounded = timeout == Some(f64::INFINITY);
    PollOptions {
        poll_interval_ms: millis(poll_interval),
        max_poll_interval_ms: millis(max_poll_interval),
        timeout_ms: if unbounded { None } else { millis(timeout) },
        no_timeout: unbounded.then_some(true),
        spelling: Spelling::Python,
    }
}

/// Every default of the core, as a dict (`aether._aether.defaults()`).
#[pyfunction]
pub fn defaults(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    to_py(py, &aether::defaults())
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
    /// Every option is `None` for the core's default; durations are seconds here and go to
    /// the core as milliseconds, which checks them (naming `timeout=` and the like).
    #[new]
    #[pyo3(signature = (
        api_key=None, base_url=None, timeout=None, max_retries=None, connect_timeout=None,
        user_agent_suffix=None, retry_backoff=None, ca_bundle=None, client_cert=None,
        client_key=None, attempt_timeout=None, log_level=None, log=None, on_request=None,
        on_response=None, on_retry=None, proxy=None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        api_key: Option<String>,
        base_url: Option<String>,
        timeout: Option<f64>,
        max_retries: Option<i64>,
        connect_timeout: Option<f64>,
        user_agent_suffix: Option<String>,
        retry_backoff: Option<(f64, f64)>,
        ca_bundle: Option<String>,
        client_cert: Option<String>,
        client_key: Option<String>,
        attempt_timeout: Option<f64>,
        log_level: Option<String>,
        log: Option<Py<PyAny>>,
        on_request: Option<Py<PyAny>>,
        on_response: Option<Py<PyAny>>,
        on_retry: Option<Py<PyAny>>,
        proxy: Option<String>,
    ) -> PyResult<PyClient> {
        let options = ClientOptions {
            api_key,
            base_url,
            timeout_ms: millis(timeout),
            connect_timeout_ms: millis(connect_timeout),
            attempt_timeout_ms: millis(attempt_timeout),
            max_retries,
            retry_backoff_base_ms: millis(retry_backoff.map(|(base, _)| base)),
            retry_backoff_cap_ms: millis(retry_backoff.map(|(_, cap)| cap)),
            user_agent_suffix,
            ca_bundle,
            client_cert,
            client_key,
            traceparent: None,
            log_level,
            proxy,
            spelling: Spelling::Python,
        };
        let mut builder = ClientBuilder::from_options(options).hooks(crate::observe::hooks(
            on_request,
            on_response,
            on_retry,
        ));
        if let Some(log) = log {
            builder = builder.log_sink(crate::observe::sink(log));
        }
        let client = builder.build().py_err(py)?;
        Ok(PyClient { client, options: RequestOptions::new() })
    }

    /// The same client (shared connections and retry budget) with other per-call options:
    /// `timeout` bounds each call, `attempt_timeout` each attempt, `connect_timeout` each
    /// connect, `max_retries` overrides the client's, `traceparent` is the W3C trace context sent with each call, `extra_headers` and
    /// `extra_query` are added to each call's requests.
    #[pyo3(signature = (
        timeout=None, max_retries=None, attempt_timeout=None, extra_headers=None, extra_query=None,
        traceparent=None, connect_timeout=None,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn with_options(
        &self,
        py: Python<'_>,
        timeout: Option<f64>,
        max_retries: Option<i64>,
        attempt_timeout: Option<f64>,
        extra_headers: Option<&Bound<'_, PyAny>>,
        extra_query: Option<&Bound<'_, PyAny>>,
        traceparent: Option<String>,
        connect_timeout: Option<f64>,
    ) -> PyResult<PyClient> {
        let call = CallOptions {
            timeout_ms: millis(timeout),
            max_retries,
            attempt_timeout_ms: millis(attempt_timeout),
            connect_timeout_ms: millis(connect_timeout),
            idempotency_key: None,
            extra_headers: crate::raw::object(py, extra_headers, "extra_headers")?,
            extra_query: crate::raw::object(py, extra_query, "extra_query")?,
            traceparent,
            spelling: Spelling::Python,
        };
        let options = self.options.merged(&call.resolve().py_err(py)?);
        Ok(PyClient { client: self.client.clone(), options })
    }

    /// The same client with `traceparent` (the current OpenTelemetry span's, found by the
    /// wrapper) unless `with_options` gave one already; `None` when nothing changes.
    fn with_trace(&self, traceparent: String) -> Option<PyClient> {
        if self.options.traceparent.is_some() {
            return None;
        }
        let options = RequestOptions { traceparent: Some(traceparent), ..self.options.clone() };
        Some(PyClient { client: self.client.clone(), options })
    }

    /// The settings the client runs with, as a dict in the core's names (never the key).
    fn effective_options<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let value = serde_json::to_value(self.client.effective_options())
            .map_err(|e| invalid_argument(py, e.to_string()))?;
        to_py(py, &value)
    }

    /// Closes the kept-alive connections and waits for them (see `Aether.close`).
    fn close_connections(&self) -> Call {
        let client = self.client.clone();
        Call::new(async move {
            client.close_connections().await;
            Ok(None)
        })
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
