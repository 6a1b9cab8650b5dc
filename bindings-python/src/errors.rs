//! The core's [`aether::Error`] as a Python exception: one class per family of codes, chosen by
//! an exhaustive `match` on [`ErrorCode`] (no wildcard but `Unknown`: a code added to the core
//! fails to compile here until it is mapped).
//! The classes themselves are plain Python (`aether/_exceptions.py`), so they pickle and
//! subclass like any exception; this module only picks one and fills in its attributes.

use aether::{Error, ErrorCode};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple};

use crate::convert::to_py;

/// The name, in `aether._exceptions`, of the class raised for a code: its family's class (the
/// core's mapping is exhaustive, so a new code cannot reach Python without a class).
pub fn class_name(code: &ErrorCode) -> &'static str {
    code.family().class_name()
}

static EXCEPTIONS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// The Python exception for `error`.
pub fn to_pyerr(py: Python<'_>, error: &Error) -> PyErr {
    match build(py, error) {
        Ok(err) => err,
        // The exceptions module failed to load: still raise something that says what happened.
        Err(err) => err,
    }
}

fn build(py: Python<'_>, error: &Error) -> PyResult<PyErr> {
    let module = EXCEPTIONS
        .get_or_try_init(py, || py.import("aether._exceptions").map(|module| module.unbind()))?;
    let class = module.bind(py).getattr(class_name(error.code()))?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("code", error.code().as_str())?;
    kwargs.set_item("status", error.status())?;
    kwargs.set_item("request_id", error.request_id())?;
    kwargs.set_item("client_request_id", error.client_request_id())?;
    kwargs.set_item("idempotency_key", error.idempotency_key())?;
    kwargs.set_item("retry_after", error.retry_after().map(|d| d.as_secs_f64()))?;
    kwargs.set_item("field", error.field())?;
    kwargs.set_item("platform", error.platform().map(|p| p.as_str()))?;
    let details = match error.details() {
        Some(details) => Some(to_py(py, details)?),
        None => None,
    };
    kwargs.set_item("details", details)?;
    kwargs.set_item("retryable", error.is_retryable())?;
    let args = PyTuple::new(py, [error.message()])?;
    let instance = class.call(args, Some(&kwargs))?;
    Ok(PyErr::from_value(instance))
}

/// Shorthand: a core result as a Python result.
pub trait IntoPyResult<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for aether::Result<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_pyerr(py, &e))
    }
}

/// `INVALID_ARGUMENT` as a Python exception.
pub fn invalid_argument(py: Python<'_>, message: impl Into<String>) -> PyErr {
    to_pyerr(py, &Error::invalid_argument(message))
}

/// The `INVALID_ARGUMENT` exception (returned, not raised) for an unknown keyword argument
/// `name` of `what`, naming the nearest of `known` when one is close: the core's message and
/// suggestion, for wrappers whose signatures catch `**unknown` keywords.
#[pyfunction]
pub fn unknown_keyword(
    py: Python<'_>,
    what: &str,
    name: &str,
    known: Vec<String>,
) -> Py<pyo3::exceptions::PyBaseException> {
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    let error = aether::model::params::unknown_field(what, None, name, &known);
    to_pyerr(py, &error).into_value(py)
}

/// Every code this version knows, with its family's class and HTTP status (for the tests and
/// for documentation tools).
#[pyfunction]
pub fn error_codes() -> Vec<(String, &'static str, Option<u16>)> {
    ErrorCode::ALL
        .iter()
        .map(|code| (code.as_str().to_owned(), class_name(code), code.http_status()))
        .collect()
}

/// The exception the SDK raises for `code` (known or not), as if the server had sent it (not
/// raised): for tests of error handling.
#[pyfunction]
#[pyo3(signature = (code, message, status=None, request_id=None))]
pub fn error_for_code<'py>(
    py: Python<'py>,
    code: &str,
    message: &str,
    status: Option<u16>,
    request_id: Option<String>,
) -> Bound<'py, PyAny> {
    let mut error = Error::new(ErrorCode::parse(code), message);
    if let Some(status) = status.or(ErrorCode::parse(code).http_status()) {
        error = error.with_status(status);
    }
    if let Some(request_id) = request_id {
        error = error.with_request_id(request_id);
    }
    to_pyerr(py, &error).into_value(py).into_bound(py).into_any()
}
