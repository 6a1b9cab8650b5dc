//! Log lines and hooks for Python: the core formats the lines and fires the hooks
//! (`core/src/transport/observe.rs`); this hands them to Python callables, with the GIL, on
//! the runtime thread doing the call (as the progress callbacks of async calls are). The
//! wrapper (`aether/_observe.py`) passes a sink that writes to the `logging` logger `aether`.

use std::sync::Arc;

use aether::transport::observe::HookFn;
use aether::{AttemptEvent, Hooks, LogLevel};
use pyo3::prelude::*;

use crate::call::attach_from_runtime;
use crate::convert::to_py;

/// The `logging` level of a core level (`TRACE` is 5, below `DEBUG`).
fn python_level(level: LogLevel) -> u8 {
    match level {
        LogLevel::Error => 40,
        LogLevel::Warn => 30,
        LogLevel::Info => 20,
        LogLevel::Debug => 10,
        LogLevel::Trace => 5,
    }
}

/// A sink calling `log(levelno, line)`; what it raises is dropped (a log line must not stop a
/// call).
pub fn sink(log: Py<PyAny>) -> impl Fn(LogLevel, &str) + Send + Sync + 'static {
    move |level: LogLevel, line: &str| {
        attach_from_runtime(|py| {
            if let Err(error) = log.call1(py, (python_level(level), line)) {
                error.write_unraisable(py, None);
            }
        });
    }
}

/// A hook calling `callable(event)` with the event as a dict (camelCase keys); what it raises
/// becomes the `Err` the core logs at `warn`.
fn hook(callable: Py<PyAny>) -> HookFn {
    Arc::new(move |event: &AttemptEvent| {
        let value = serde_json::to_value(event).map_err(|e| e.to_string())?;
        attach_from_runtime(|py| {
            let event = to_py(py, &value).map_err(|e| e.to_string())?;
            callable.call1(py, (event,)).map(|_| ()).map_err(|error| {
                let name = error
                    .get_type(py)
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_else(|_| "Exception".to_owned());
                format!("{name}: {}", error.value(py))
            })
        })
        .unwrap_or(Ok(()))
    })
}

/// The three hooks from Python callables (`None`: no hook).
pub fn hooks(
    on_request: Option<Py<PyAny>>,
    on_response: Option<Py<PyAny>>,
    on_retry: Option<Py<PyAny>>,
) -> Hooks {
    Hooks {
        on_request: on_request.map(hook),
        on_response: on_response.map(hook),
        on_retry: on_retry.map(hook),
    }
}
