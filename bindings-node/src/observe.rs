//! Log lines and hooks for Node: the core formats the lines and fires the hooks
//! (`core/src/transport/observe.rs`); this queues them, as JSON, to one JavaScript callback
//! per client. A threadsafe function delivers calls in order, so the events keep theirs; they
//! run on the JavaScript thread after the fact (the call does not wait for them), and
//! `lib/observe.js` hands them to the `logger` and the hooks.

use std::sync::Arc;

use aether::transport::observe::{hook_failure_line, HookFn};
use aether::{AttemptEvent, ClientBuilder, Hooks, LogLevel};
use napi::threadsafe_function::ThreadsafeFunctionCallMode;
use napi_derive::napi;
use serde_json::json;

use crate::client::JsonCallback;

/// The core's `warn` line for a hook that threw (`hookFailureLine`): `event` is the event the
/// hook was given, as JSON.
#[napi]
pub fn hook_failure_line_of(hook: String, event: String, failure: String) -> napi::Result<String> {
    let event: AttemptEvent = serde_json::from_str(&event)
        .map_err(|e| napi::Error::from_reason(format!("not an attempt event: {e}")))?;
    Ok(hook_failure_line(&hook, &event, &failure))
}

/// `builder` with a sink and the hooks `kinds` sending to `observer`.
pub fn install(
    builder: ClientBuilder,
    observer: JsonCallback,
    kinds: Vec<String>,
) -> ClientBuilder {
    let observer = Arc::new(observer);
    let sink = observer.clone();
    let hook = |kind: &'static str| -> Option<HookFn> {
        kinds.iter().any(|k| k == kind).then(|| {
            let observer = observer.clone();
            Arc::new(move |event: &AttemptEvent| {
                let message = json!({ "hook": kind, "event": event }).to_string();
                observer.call(Some(message), ThreadsafeFunctionCallMode::NonBlocking);
                Ok(())
            }) as HookFn
        })
    };
    let hooks = Hooks {
        on_request: hook("request"),
        on_response: hook("response"),
        on_retry: hook("retry"),
    };
    builder.hooks(hooks).log_sink(move |level: LogLevel, line: &str| {
        let message = json!({ "log": level, "line": line }).to_string();
        sink.call(Some(message), ThreadsafeFunctionCallMode::NonBlocking);
    })
}
