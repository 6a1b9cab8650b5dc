//! Error codes: the stable, machine-readable vocabulary shared by the server, the emulator and
//! every binding. The wire string of a code never changes once released.
//!
//! [`Error`] is the one error type of the SDK: a code plus everything the server said about it;
//! [`crate::transport::decode_error`] turns an error response into one.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::model::platform::Platform;

mod build;
mod family;

pub use family::ErrorFamily;

macro_rules! error_codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $wire:literal, status $status:expr, retryable $retry:expr; )*) => {
        /// Every error code of the Aether API (PROTOCOL.md) plus the client-side ones.
        ///
        /// A code this version does not know is kept verbatim in [`ErrorCode::Unknown`], so a
        /// newer server never breaks an older client.
        ///
        /// Deliberately not `#[non_exhaustive]`: each binding maps every code with an
        /// exhaustive `match` (only `Unknown` is a catch-all), so adding a code here fails to
        /// compile until every binding has mapped it.
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $( $(#[doc = $doc])* $variant, )*
            /// A code this SDK version does not know, kept as the server sent it.
            Unknown(String),
        }

        impl ErrorCode {
            /// Every known code, in the order of PROTOCOL.md (server codes, then client codes).
            pub const ALL: &'static [ErrorCode] = &[ $( ErrorCode::$variant, )* ];

            /// The code as it appears on the wire, e.g. `"POST_LIMIT_REACHED"`.
            pub fn as_str(&self) -> &str {
                match self {
                    $( ErrorCode::$variant => $wire, )*
                    ErrorCode::Unknown(code) => code,
                }
            }

            /// Parses a wire string; unknown strings become [`ErrorCode::Unknown`].
            pub fn parse(code: &str) -> ErrorCode {
                match code {
                    $( $wire => ErrorCode::$variant, )*
                    other => ErrorCode::Unknown(other.to_owned()),
                }
            }

            /// The HTTP status the server answers with this code; `None` for client-side codes
            /// and unknown ones.
            pub fn http_status(&self) -> Option<u16> {
                match self {
                    $( ErrorCode::$variant => $status, )*
                    ErrorCode::Unknown(_) => None,
                }
            }

            /// Whether repeating the same request later can succeed without changing it.
            pub fn is_retryable(&self) -> bool {
                match self {
                    $( ErrorCode::$variant => $retry, )*
                    ErrorCode::Unknown(_) => false,
                }
            }

            /// What the code means: its variant's doc comment as one line (the documentation's
            /// table of error codes is made from it, so the two never drift apart).
            pub fn description(&self) -> String {
                let doc: &str = match self {
                    $( ErrorCode::$variant => concat!($($doc, "\n"),*), )*
                    ErrorCode::Unknown(_) => "A code this SDK version does not know, kept as the server sent it.",
                };
                doc.lines().map(str::trim).filter(|line| !line.is_empty()).collect::<Vec<_>>().join(" ")
            }
        }
    };
}

error_codes! {
    /// Missing or invalid API key.
    Unauthorized = "UNAUTHORIZED", status Some(401), retryable false;
    /// The key may not touch this resource.
    Forbidden = "FORBIDDEN", status Some(403), retryable false;
    /// Unknown id; `details.resource` names which kind.
    NotFound = "NOT_FOUND", status Some(404), retryable false;
    /// Malformed JSON, wrong type, unknown enum value; `field` says where.
    InvalidRequest = "INVALID_REQUEST", status Some(400), retryable false;
    /// Too many API calls; retry after `retryAfter`.
    RateLimited = "RATE_LIMITED", status Some(429), retryable true;
    /// The same idempotency key was used with a different body.
    IdempotencyKeyReused = "IDEMPOTENCY_KEY_REUSED", status Some(409), retryable false;
    /// A request under the same idempotency key is still being processed.
    IdempotencyKeyInUse = "IDEMPOTENCY_KEY_IN_USE", status Some(409), retryable true;
    /// A bulk CSV file that cannot be read as a whole (malformed quoting, a wrong field count,
    /// unknown or missing columns, too many rows); `details.line` says where when it can.
    BulkInvalid = "BULK_INVALID", status Some(400), retryable false;
    /// The post is already publishing, published, failed or cancelled.
    PostNotEditable = "POST_NOT_EDITABLE", status Some(409), retryable false;
    /// Retry was asked for a post with no failed target to re-publish (it is a draft,
    /// scheduled, still publishing, published or cancelled); `details.status` says which.
    PostNotRetryable = "POST_NOT_RETRYABLE", status Some(409), retryable false;
    /// The platform token was revoked or expired; the profile must be reconnected.
    ProfileDisconnected = "PROFILE_DISCONNECTED", status Some(409), retryable false;
    /// Text over the platform's limit.
    CaptionTooLong = "CAPTION_TOO_LONG", status Some(422), retryable false;
    /// YouTube and Reddit posts need a title.
    TitleRequired = "TITLE_REQUIRED", status Some(422), retryable false;
    /// Title over the platform's limit (or with forbidden characters).
    TitleTooLong = "TITLE_TOO_LONG", status Some(422), retryable false;
    /// Over the platform's hashtag limit.
    TooManyHashtags = "TOO_MANY_HASHTAGS", status Some(422), retryable false;
    /// Over the platform's mention limit.
    TooManyMentions = "TOO_MANY_MENTIONS", status Some(422), retryable false;
    /// The platform needs media (TikTok, YouTube: a video).
    MediaRequired = "MEDIA_REQUIRED", status Some(422), retryable false;
    /// Container, codec or mime type the platform refuses.
    UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE", status Some(422), retryable false;
    /// More media items than the platform allows.
    TooManyMedia = "TOO_MANY_MEDIA", status Some(422), retryable false;
    /// Video shorter than the platform's (and tier's) minimum.
    VideoTooShort = "VIDEO_TOO_SHORT", status Some(422), retryable false;
    /// Video longer than the platform's (and tier's) maximum.
    VideoTooLong = "VIDEO_TOO_LONG", status Some(422), retryable false;
    /// Over the platform's or the upload's size limit.
    FileTooLarge = "FILE_TOO_LARGE", status Some(413), retryable false;
    /// A Reddit target without a subreddit.
    SubredditRequired = "SUBREDDIT_REQUIRED", status Some(422), retryable false;
    /// An unknown or invalid per-platform option, e.g. a TikTok privacy level.
    InvalidPlatformOption = "INVALID_PLATFORM_OPTION", status Some(422), retryable false;
    /// `scheduledFor` is in the past.
    ScheduleInPast = "SCHEDULE_IN_PAST", status Some(422), retryable false;
    /// `scheduledFor` is beyond the platform's horizon (TikTok 10 days, else 365).
    ScheduleTooFar = "SCHEDULE_TOO_FAR", status Some(422), retryable false;
    /// Not an IANA time zone name.
    InvalidTimezone = "INVALID_TIMEZONE", status Some(422), retryable false;
    /// The profile's daily publish quota is used; `retryAfter` is the time to the reset.
    PostLimitReached = "POST_LIMIT_REACHED", status Some(429), retryable false;
    /// An upload part or the whole file does not match its checksum.
    ChecksumMismatch = "CHECKSUM_MISMATCH", status Some(422), retryable false;
    /// Complete was called with parts missing (`details.missingParts`).
    UploadIncomplete = "UPLOAD_INCOMPLETE", status Some(409), retryable false;
    /// The upload session is older than its expiry.
    UploadExpired = "UPLOAD_EXPIRED", status Some(410), retryable false;
    /// A media URL could not be fetched or is not media (`details.url`, `details.reason`,
    /// `details.httpStatus`).
    MediaFetchFailed = "MEDIA_FETCH_FAILED", status Some(422), retryable false;
    /// The platform refused or failed; `details` carry its own code.
    PlatformError = "PLATFORM_ERROR", status Some(502), retryable false;
    /// The server failed; retryable.
    InternalError = "INTERNAL_ERROR", status Some(500), retryable true;
    /// The service is briefly unavailable; retryable, honours Retry-After.
    ServiceUnavailable = "SERVICE_UNAVAILABLE", status Some(503), retryable true;
    /// Client side: the connection failed or broke before a response arrived.
    NetworkError = "NETWORK_ERROR", status None, retryable true;
    /// Client side: a request or operation deadline passed.
    Timeout = "TIMEOUT", status None, retryable true;
    /// Client side: the caller cancelled the operation.
    Cancelled = "CANCELLED", status None, retryable false;
    /// Client side: an argument was invalid before anything was sent.
    InvalidArgument = "INVALID_ARGUMENT", status None, retryable false;
    /// Client side: reading or writing a local file failed.
    IoError = "IO_ERROR", status None, retryable false;
    /// Client side: a response the SDK cannot understand.
    ProtocolError = "PROTOCOL_ERROR", status None, retryable false;
    /// Client side: a write (POST, PATCH, DELETE) ran out of retries on a network error or a
    /// timeout after the request may have reached the server, so whether it was carried out
    /// is unknown. Repeat it with [`Error::idempotency_key`]: the server replays the first
    /// answer if it was done, and does it once if not. `details.cause` is `NETWORK_ERROR` or
    /// `TIMEOUT`; [`std::error::Error::source`] is that error.
    OutcomeUnknown = "OUTCOME_UNKNOWN", status None, retryable true;
    /// Client side: the TLS handshake failed (a certificate not trusted or not for this host, a
    /// client certificate missing or refused); the message says what to set. Not retried.
    TlsError = "TLS_ERROR", status None, retryable false;
    /// Client side: the proxy could not be reached, refused the credentials (407) or refused
    /// to open a tunnel; the message says what to set (the proxy URL, its credentials,
    /// `NO_PROXY`). Not retried.
    ProxyError = "PROXY_ERROR", status None, retryable false;
}

impl ErrorCode {
    /// The family this code belongs to. Exhaustive on purpose: a new code does not compile
    /// until it is given a family, and every binding then follows.
    pub fn family(&self) -> ErrorFamily {
        use ErrorCode as C;
        use ErrorFamily as F;
        match self {
            C::Unauthorized => F::Authentication,
            C::Forbidden => F::PermissionDenied,
            C::NotFound => F::NotFound,
            C::InvalidRequest | C::BulkInvalid => F::BadRequest,
            C::InvalidArgument => F::InvalidArgument,
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
            | C::InvalidTimezone => F::Validation,
            C::RateLimited => F::RateLimit,
            C::PostLimitReached => F::PostLimitReached,
            C::IdempotencyKeyReused
            | C::IdempotencyKeyInUse
            | C::PostNotEditable
            | C::PostNotRetryable
            | C::ProfileDisconnected => F::Conflict,
            C::ChecksumMismatch | C::UploadIncomplete | C::UploadExpired | C::MediaFetchFailed => {
                F::Upload
            }
            C::PlatformError => F::Platform,
            C::InternalError | C::ServiceUnavailable => F::InternalServer,
            C::NetworkError | C::TlsError | C::ProxyError => F::Connection,
            C::Timeout => F::Timeout,
            C::Cancelled => F::Cancelled,
            C::IoError => F::LocalIo,
            C::ProtocolError => F::Response,
            C::OutcomeUnknown => F::OutcomeUnknown,
            C::Unknown(_) => F::Other,
        }
    }

    /// Whether the code can only be produced by the SDK, never sent by the server.
    pub fn is_client_side(&self) -> bool {
        matches!(
            self,
            ErrorCode::NetworkError
                | ErrorCode::Timeout
                | ErrorCode::Cancelled
                | ErrorCode::InvalidArgument
                | ErrorCode::IoError
                | ErrorCode::ProtocolError
                | ErrorCode::OutcomeUnknown
                | ErrorCode::TlsError
                | ErrorCode::ProxyError
        )
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Ok(ErrorCode::parse(&code))
    }
}

// ---------------------------------------------------------------------------------------------
// The error type
// ---------------------------------------------------------------------------------------------

/// Shorthand for results of the SDK.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The source of an [`Error`]: the lower-level failure it wraps (an I/O or HTTP error).
type Source = Arc<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong in the SDK: a server error decoded from its body, or a
/// client-side failure (`NETWORK_ERROR`, `TIMEOUT`, `OUTCOME_UNKNOWN`, `CANCELLED`, `INVALID_ARGUMENT`, `IO_ERROR`,
/// `PROTOCOL_ERROR`).
///
/// Read it through its accessors: [`code`](Error::code) is stable and machine-readable,
/// [`message`](Error::message) is for people, and the rest says what the server said
/// ([`status`](Error::status), [`request_id`](Error::request_id),
/// [`retry_after`](Error::retry_after), [`field`](Error::field), [`platform`](Error::platform),
/// [`details`](Error::details), [`rate_limit`](Error::rate_limit)). The fields sit behind one
/// `Box` so that `Result<T, Error>` stays one pointer wide on the error side. Cloning is cheap
/// enough (the source is shared). An error never contains the API key.
///
/// `Display` prints `CODE: message (request req_…)`.
#[derive(Clone)]
pub struct Error {
    inner: Box<ErrorInner>,
}

#[derive(Clone)]
struct ErrorInner {
    code: ErrorCode,
    message: String,
    status: Option<u16>,
    request_id: Option<String>,
    retry_after: Option<Duration>,
    /// The server's `X-Should-Retry`, which overrides the client's own judgement.
    should_retry: Option<bool>,
    field: Option<String>,
    platform: Option<Platform>,
    details: Option<Value>,
    rate_limit: Option<RateLimit>,
    client_request_id: Option<String>,
    idempotency_key: Option<String>,
    source: Option<Source>,
    /// An earlier attempt of this write may have been carried out (it may have reached the
    /// server, and its answer was lost) before the server gave this answer to a retry: a
    /// refusal may then be the earlier attempt's own doing (see `transport/outcome.rs`).
    after_lost_answer: bool,
}

impl Error {
    /// An error with this code and message and nothing else.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        Error {
            inner: Box::new(ErrorInner {
                code,
                message: message.into(),
                status: None,
                request_id: None,
                retry_after: None,
                should_retry: None,
                field: None,
                platform: None,
                details: None,
                rate_limit: None,
                client_request_id: None,
                idempotency_key: None,
                source: None,
                after_lost_answer: false,
            }),
        }
    }

    /// `NETWORK_ERROR`: the connection failed or broke before a whole response arrived.
    pub fn network(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::NetworkError, message)
    }

    /// `TIMEOUT`: a request or operation deadline passed.
    pub fn timeout(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::Timeout, message)
    }

    /// `CANCELLED`: the caller cancelled the operation.
    pub fn cancelled(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::Cancelled, message)
    }

    /// `INVALID_ARGUMENT`: an argument was refused before anything was sent.
    pub fn invalid_argument(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::InvalidArgument, message)
    }

    /// `IO_ERROR`: reading or writing a local file failed; `source` is kept as the cause.
    pub fn io(message: impl Into<String>, source: std::io::Error) -> Error {
        Error::new(ErrorCode::IoError, message).with_source(source)
    }

    /// `PROTOCOL_ERROR`: a response the SDK cannot understand.
    pub fn protocol(message: impl Into<String>) -> Error {
        Error::new(ErrorCode::ProtocolError, message)
    }

    /// The stable, machine-readable code, e.g. [`ErrorCode::PostLimitReached`].
    pub fn code(&self) -> &ErrorCode {
        &self.inner.code
    }

    /// The human-readable explanation.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The HTTP status of the response, when there was one.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// The server's request id (`req_…`), when a response arrived; quote it to support.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// The id this client gave the call (`creq_…`, sent as `X-Client-Request-Id` on every
    /// attempt), present on every error of a call that reached the transport, even when no
    /// response arrived; the server's journal and logs record it.
    pub fn client_request_id(&self) -> Option<&str> {
        self.inner.client_request_id.as_deref()
    }

    /// The `Idempotency-Key` the call sent (the caller's, or the one generated for a POST).
    /// After [`ErrorCode::OutcomeUnknown`], repeat the call with it
    /// ([`crate::RequestOptions::idempotency_key`]) to learn the outcome without doing it twice.
    pub fn idempotency_key(&self) -> Option<&str> {
        self.inner.idempotency_key.as_deref()
    }

    /// How long the server asked to wait before retrying (`retryAfter` or `Retry-After`).
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// The server's `X-Should-Retry` on the response, when it sent one: its say on whether
    /// repeating the request can succeed, which [`Error::is_retryable`] follows.
    pub fn server_should_retry(&self) -> Option<bool> {
        self.inner.should_retry
    }

    /// Where in the request body the problem is, e.g. `content.text`.
    pub fn field(&self) -> Option<&str> {
        self.inner.field.as_deref()
    }

    /// The platform whose rule was broken.
    pub fn platform(&self) -> Option<&Platform> {
        self.inner.platform.as_ref()
    }

    /// Code-specific extra data, e.g. `resetAt`, `missingParts`, `resource`.
    pub fn details(&self) -> Option<&Value> {
        self.inner.details.as_ref()
    }

    /// The rate-limit headers of the response, when there were any.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.inner.rate_limit
    }

    /// Whether repeating the same request later can succeed without changing it.
    ///
    /// True for the retryable codes ([`ErrorCode::is_retryable`]), and, by status, for a
    /// response that was not an API error at all (`PROTOCOL_ERROR` from a proxy answering
    /// 408, 429, 500, 502, 503 or 504) or carried a code this version does not know (408,
    /// 500, 503, 504). `POST_LIMIT_REACHED` (a daily quota) and `PLATFORM_ERROR` are not.
    /// The server's `X-Should-Retry: true|false` on the response overrides all of that
    /// ([`Error::server_should_retry`]).
    pub fn is_retryable(&self) -> bool {
        if let Some(should_retry) = self.inner.should_retry {
            return should_retry;
        }
        if self.inner.code.is_retryable() {
            return true;
        }
        matches!(
            (&self.inner.code, self.inner.status),
            (ErrorCode::ProtocolError, Some(408 | 429 | 500 | 502 | 503 | 504))
                | (ErrorCode::Unknown(_), Some(408 | 500 | 503 | 504))
        )
    }

    /// Everything the error says as one JSON object, for bindings and logs: `code`,
    /// `message`, `retryable` ([`Error::is_retryable`]), and, when present, `status`,
    /// `requestId`, `retryAfterMs`, `field`, `platform`, `details`, `clientRequestId`,
    /// `idempotencyKey`. Never contains the API key.
    pub fn to_json(&self) -> Value {
        let inner = &self.inner;
        let mut object = serde_json::Map::new();
        object.insert("code".into(), Value::from(inner.code.as_str()));
        object.insert("message".into(), Value::from(inner.message.as_str()));
        if let Some(status) = inner.status {
            object.insert("status".into(), Value::from(status));
        }
        if let Some(request_id) = &inner.request_id {
            object.insert("requestId".into(), Value::from(request_id.as_str()));
        }
        if let Some(retry_after) = inner.retry_after {
            let ms = u64::try_from(retry_after.as_millis()).unwrap_or(u64::MAX);
            object.insert("retryAfterMs".into(), Value::from(ms));
        }
        if let Some(field) = &inner.field {
            object.insert("field".into(), Value::from(field.as_str()));
        }
        if let Some(platform) = &inner.platform {
            object.insert("platform".into(), Value::from(platform.as_str()));
        }
        if let Some(details) = &inner.details {
            object.insert("details".into(), details.clone());
        }
        if let Some(id) = &inner.client_request_id {
            object.insert("clientRequestId".into(), Value::from(id.as_str()));
        }
        if let Some(key) = &inner.idempotency_key {
            object.insert("idempotencyKey".into(), Value::from(key.as_str()));
        }
        object.insert("retryable".into(), Value::from(self.is_retryable()));
        Value::Object(object)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.inner.code, self.inner.message)?;
        if let Some(request_id) = &self.inner.request_id {
            write!(f, " (request {request_id})")?;
        }
        Ok(())
    }
}

/// The rate-limit headers of a response (`X-RateLimit-Limit`, `-Remaining`, `-Reset`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RateLimit {
    /// Calls allowed in the current window.
    pub limit: u64,
    /// Calls left in the current window.
    pub remaining: u64,
    /// When the window resets, in unix seconds.
    pub reset: u64,
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        let mut s = f.debug_struct("Error");
        s.field("code", &inner.code).field("message", &inner.message);
        if let Some(status) = inner.status {
            s.field("status", &status);
        }
        if let Some(request_id) = &inner.request_id {
            s.field("request_id", request_id);
        }
        if let Some(retry_after) = &inner.retry_after {
            s.field("retry_after", retry_after);
        }
        if let Some(field) = &inner.field {
            s.field("field", field);
        }
        if let Some(platform) = &inner.platform {
            s.field("platform", platform);
        }
        if let Some(details) = &inner.details {
            s.field("details", details);
        }
        if let Some(rate_limit) = &inner.rate_limit {
            s.field("rate_limit", rate_limit);
        }
        if let Some(id) = &inner.client_request_id {
            s.field("client_request_id", id);
        }
        if let Some(key) = &inner.idempotency_key {
            s.field("idempotency_key", key);
        }
        if let Some(source) = &inner.source {
            s.field("source", source);
        }
        s.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source.as_deref().map(|s| s as &(dyn std::error::Error + 'static))
    }
}

impl From<std::io::Error> for Error {
    fn from(error: std::io::Error) -> Error {
        Error::io(error.to_string(), error)
    }
}

/// `error` and each of its sources in turn.
pub(crate) fn causes<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(error), |current| current.source())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_through_its_wire_string() {
        for code in ErrorCode::ALL {
            assert_eq!(&ErrorCode::parse(code.as_str()), code);
            let json = serde_json::to_string(code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            let back: ErrorCode = serde_json::from_str(&json).unwrap();
            assert_eq!(&back, code);
        }
    }

    #[test]
    fn families_group_what_callers_catch_together() {
        assert_eq!(ErrorCode::VideoTooShort.family(), ErrorFamily::Validation);
        assert_eq!(ErrorCode::PostLimitReached.family(), ErrorFamily::PostLimitReached);
        assert_eq!(ErrorCode::RateLimited.family(), ErrorFamily::RateLimit);
        assert_eq!(ErrorCode::ProfileDisconnected.family(), ErrorFamily::Conflict);
        assert_eq!(ErrorCode::Unknown("NEW".into()).family(), ErrorFamily::Other);
        let validation = ErrorCode::ALL.iter().filter(|c| c.family() == ErrorFamily::Validation);
        assert!(validation.clone().all(|c| matches!(c.http_status(), Some(413 | 422))));
        assert_eq!(validation.count(), 16);
    }

    #[test]
    fn unknown_codes_are_kept_verbatim() {
        let code: ErrorCode = serde_json::from_str("\"BRAND_NEW_CODE\"").unwrap();
        assert_eq!(code, ErrorCode::Unknown("BRAND_NEW_CODE".into()));
        assert_eq!(code.as_str(), "BRAND_NEW_CODE");
        assert!(!code.is_retryable());
    }

    #[test]
    fn retryable_codes_are_the_transient_ones() {
        let retryable: Vec<&str> =
            ErrorCode::ALL.iter().filter(|c| c.is_retryable()).map(|c| c.as_str()).collect();
        assert_eq!(
            retryable,
            [
                "RATE_LIMITED",
                "IDEMPOTENCY_KEY_IN_USE",
                "INTERNAL_ERROR",
                "SERVICE_UNAVAILABLE",
                "NETWORK_ERROR",
                "TIMEOUT",
                "OUTCOME_UNKNOWN"
            ]
        );
    }

    #[test]
    fn server_codes_carry_the_status_of_the_protocol_table() {
        assert_eq!(ErrorCode::PostLimitReached.http_status(), Some(429));
        assert_eq!(ErrorCode::FileTooLarge.http_status(), Some(413));
        assert_eq!(ErrorCode::UploadExpired.http_status(), Some(410));
        assert_eq!(ErrorCode::PlatformError.http_status(), Some(502));
        for code in ErrorCode::ALL {
            assert_eq!(code.http_status().is_none(), code.is_client_side(), "{code}");
        }
    }
}
