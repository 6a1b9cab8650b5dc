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
    use ErrorCode as C;
    match code {
        C::Unauthorized => "AuthenticationError",
        C::Forbidden => "PermissionDeniedError",
        C::NotFound => "NotFoundError",
        C::InvalidRequest => "BadRequestError",
        C::InvalidArgument => "InvalidArgumentError",
        C::CaptionTooLong
        | C::TitleRequired
        | C::TitleTooLong
        | C::TooManyHashtags
        | C::TooManyMentions
        | C::MediaRequired
        | C::UnsupportedMediaType
        | C::TooManyMedia
        | C::VideoTooShort
        | C::VideoTooLong
        | C::FileTooLarge
        | C::SubredditRequired
        | C::InvalidPlatformOption
        | C::ScheduleInPast
        | C::ScheduleTooFar
        | C::InvalidTimezone => "ValidationError",
        C::RateLimited => "RateLimitError",
        C::PostLimitReached => "PostLimitReachedError",
        C::IdempotencyKeyReused
        | C::IdempotencyKeyInUse
        | C::PostNotEditable
        | C::ProfileDisconnected => "ConflictError",
        C::ChecksumMismatch | C::UploadIncomplete | C::UploadExpired => "UploadError",
        C::PlatformError => "PlatformError",
        C::InternalError | C::ServiceUnavailable => "InternalServerError",
        C::NetworkError => "APIConnectionError",
        C::Timeout => "APITimeoutError",
        C::Cancelled => "AbortError",
        C::IoError => "LocalIOError",
        C::ProtocolError => "APIResponseError",
        C::Unknown(_) => "AetherError",
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
