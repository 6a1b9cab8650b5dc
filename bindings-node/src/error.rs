//! Errors: every core error crosses to JavaScript as one tagged JSON payload (the core's
//! `Error::to_json` plus the name of its `AetherError` subclass), which `lib/errors.js` turns
//! into that error. The code → class mapping is an exhaustive `match` without a wildcard: a
//! code added to the core does not compile here until it is mapped.

use aether::{Error, ErrorCode};
use serde_json::Value;

/// Marks a rejection reason as an Aether error payload; `lib/errors.js` looks for it.
pub const ERROR_TAG: &str = "\u{1}aether-error:";

/// The name of the `AetherError` subclass a code becomes in JavaScript: what a caller
/// usually catches together (`err.code` stays the precise answer).
pub fn error_class(code: &ErrorCode) -> &'static str {
    match code.family() {
        // Node's convention for a cancelled operation, the name AbortSignal users expect.
        aether::ErrorFamily::Cancelled => "AbortError",
        family => family.class_name(),
    }
}

/// Every code this version knows with its class, as JSON `[[code, class], …]`: the wrapper's
/// tests check that `index.d.ts` and the error classes cover exactly these.
#[napi_derive::napi]
pub fn error_codes() -> String {
    let pairs: Vec<[&str; 2]> =
        ErrorCode::ALL.iter().map(|code| [code.as_str(), error_class(code)]).collect();
    serde_json::to_string(&pairs).unwrap_or_default()
}

/// The JSON payload of an error: `Error::to_json` plus `class`.
pub fn payload(error: &Error) -> Value {
    let mut payload = error.to_json();
    if let Value::Object(map) = &mut payload {
        map.insert("class".into(), Value::from(error_class(error.code())));
    }
    payload
}

/// The core error as a napi error whose reason carries the tagged payload.
pub fn to_napi(error: Error) -> napi::Error {
    napi::Error::new(napi::Status::GenericFailure, format!("{ERROR_TAG}{}", payload(&error)))
}

/// Shorthand for converting a core result.
pub trait IntoNapi<T> {
    fn into_napi(self) -> napi::Result<T>;
}

impl<T> IntoNapi<T> for aether::Result<T> {
    fn into_napi(self) -> napi::Result<T> {
        self.map_err(to_napi)
    }
}

/// An `INVALID_ARGUMENT` error about one argument.
pub fn invalid(message: impl Into<String>) -> napi::Error {
    to_napi(Error::invalid_argument(message))
}
