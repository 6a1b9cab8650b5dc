//! Error codes: the stable, machine-readable vocabulary shared by the server, the emulator and
//! every binding. The wire string of a code never changes once released.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! error_codes {
    ($( $(#[$doc:meta])* $variant:ident = $wire:literal, status $status:expr, retryable $retry:expr; )*) => {
        /// Every error code of the Aether API (PROTOCOL.md) plus the client-side ones.
        ///
        /// A code this version does not know is kept verbatim in [`ErrorCode::Unknown`], so a
        /// newer server never breaks an older client.
        #[derive(Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $( $(#[$doc])* $variant, )*
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
    /// The post is already publishing, published, failed or cancelled.
    PostNotEditable = "POST_NOT_EDITABLE", status Some(409), retryable false;
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
}

impl ErrorCode {
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
                "TIMEOUT"
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
