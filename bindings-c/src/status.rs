//! `aether_status`: what every fallible export returns — `AETHER_OK`, or the code of the
//! error, one value per `aether::ErrorCode`. The numbers are part of the ABI and never change;
//! a new code gets a new number.

use std::ffi::{c_char, c_int, CString};
use std::sync::OnceLock;

use aether::ErrorCode;

/// The code string of [`aether_status::AETHER_ERROR_PANIC`], which only the C library uses.
pub(crate) const PANIC_CODE: &str = "PANIC";

/// What a function returned: `AETHER_OK` (0) or the code of the error. The same codes as
/// every Aether SDK; aether_error_code_str() gives the code's string, e.g.
/// "POST_LIMIT_REACHED". Server codes are 1-99, client-side codes 100-199.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(non_camel_case_types)]
pub enum aether_status {
    /// Success.
    AETHER_OK = 0,
    /// `UNAUTHORIZED`: HTTP 401: missing or invalid API key.
    AETHER_ERROR_UNAUTHORIZED = 1,
    /// `FORBIDDEN`: HTTP 403: the key may not touch this resource (also: the end user declined a connect link).
    AETHER_ERROR_FORBIDDEN = 2,
    /// `NOT_FOUND`: HTTP 404: unknown id.
    AETHER_ERROR_NOT_FOUND = 3,
    /// `INVALID_REQUEST`: HTTP 400: malformed JSON, wrong type or unknown enum value; aether_error_field() says where.
    AETHER_ERROR_INVALID_REQUEST = 4,
    /// `RATE_LIMITED`: HTTP 429: too many API calls; retry after aether_error_retry_after_ms().
    AETHER_ERROR_RATE_LIMITED = 5,
    /// `IDEMPOTENCY_KEY_REUSED`: HTTP 409: the same idempotency key was used with a different body.
    AETHER_ERROR_IDEMPOTENCY_KEY_REUSED = 6,
    /// `IDEMPOTENCY_KEY_IN_USE`: HTTP 409: a request under the same idempotency key is still being processed; retryable.
    AETHER_ERROR_IDEMPOTENCY_KEY_IN_USE = 7,
    /// `POST_NOT_EDITABLE`: HTTP 409: the post is already publishing, published, failed or cancelled.
    AETHER_ERROR_POST_NOT_EDITABLE = 8,
    /// `PROFILE_DISCONNECTED`: HTTP 409: the platform token was revoked or expired; reconnect the profile.
    AETHER_ERROR_PROFILE_DISCONNECTED = 9,
    /// `CAPTION_TOO_LONG`: HTTP 422: text over the platform's limit.
    AETHER_ERROR_CAPTION_TOO_LONG = 10,
    /// `TITLE_REQUIRED`: HTTP 422: YouTube and Reddit posts need a title.
    AETHER_ERROR_TITLE_REQUIRED = 11,
    /// `TITLE_TOO_LONG`: HTTP 422: title over the platform's limit.
    AETHER_ERROR_TITLE_TOO_LONG = 12,
    /// `TOO_MANY_HASHTAGS`: HTTP 422: over the platform's hashtag limit.
    AETHER_ERROR_TOO_MANY_HASHTAGS = 13,
    /// `TOO_MANY_MENTIONS`: HTTP 422: over the platform's mention limit.
    AETHER_ERROR_TOO_MANY_MENTIONS = 14,
    /// `MEDIA_REQUIRED`: HTTP 422: the platform needs media (TikTok, YouTube: a video).
    AETHER_ERROR_MEDIA_REQUIRED = 15,
    /// `UNSUPPORTED_MEDIA_TYPE`: HTTP 422: container, codec or mime type the platform refuses.
    AETHER_ERROR_UNSUPPORTED_MEDIA_TYPE = 16,
    /// `TOO_MANY_MEDIA`: HTTP 422: more media items than the platform allows.
    AETHER_ERROR_TOO_MANY_MEDIA = 17,
    /// `VIDEO_TOO_SHORT`: HTTP 422: video shorter than the platform's (and tier's) minimum.
    AETHER_ERROR_VIDEO_TOO_SHORT = 18,
    /// `VIDEO_TOO_LONG`: HTTP 422: video longer than the platform's (and tier's) maximum.
    AETHER_ERROR_VIDEO_TOO_LONG = 19,
    /// `FILE_TOO_LARGE`: HTTP 413: over the platform's or the upload's size limit.
    AETHER_ERROR_FILE_TOO_LARGE = 20,
    /// `SUBREDDIT_REQUIRED`: HTTP 422: a Reddit target without a subreddit.
    AETHER_ERROR_SUBREDDIT_REQUIRED = 21,
    /// `INVALID_PLATFORM_OPTION`: HTTP 422: an unknown or invalid per-platform option.
    AETHER_ERROR_INVALID_PLATFORM_OPTION = 22,
    /// `SCHEDULE_IN_PAST`: HTTP 422: the schedule is in the past.
    AETHER_ERROR_SCHEDULE_IN_PAST = 23,
    /// `SCHEDULE_TOO_FAR`: HTTP 422: the schedule is beyond the platform's horizon.
    AETHER_ERROR_SCHEDULE_TOO_FAR = 24,
    /// `INVALID_TIMEZONE`: HTTP 422: not an IANA time zone name.
    AETHER_ERROR_INVALID_TIMEZONE = 25,
    /// `POST_LIMIT_REACHED`: HTTP 429: the profile's daily publish quota is used; aether_error_retry_after_ms() is the time to the reset.
    AETHER_ERROR_POST_LIMIT_REACHED = 26,
    /// `CHECKSUM_MISMATCH`: HTTP 422: an upload part or the whole file does not match its checksum.
    AETHER_ERROR_CHECKSUM_MISMATCH = 27,
    /// `UPLOAD_INCOMPLETE`: HTTP 409: an upload was completed with parts missing.
    AETHER_ERROR_UPLOAD_INCOMPLETE = 28,
    /// `UPLOAD_EXPIRED`: HTTP 410: the upload session expired.
    AETHER_ERROR_UPLOAD_EXPIRED = 29,
    /// `PLATFORM_ERROR`: HTTP 502: the platform refused or failed.
    AETHER_ERROR_PLATFORM_ERROR = 30,
    /// `INTERNAL_ERROR`: HTTP 500: the server failed; retryable.
    AETHER_ERROR_INTERNAL_ERROR = 31,
    /// `SERVICE_UNAVAILABLE`: HTTP 503: the service is briefly unavailable; retryable.
    AETHER_ERROR_SERVICE_UNAVAILABLE = 32,
    /// `MEDIA_FETCH_FAILED`: HTTP 422: a media URL could not be fetched or is not media; the
    /// error's details name the url and the reason.
    AETHER_ERROR_MEDIA_FETCH_FAILED = 33,
    /// `BULK_INVALID`: HTTP 400: a bulk CSV file that cannot be read as a whole (malformed quoting, wrong field count, unknown or missing columns, too many rows); the error's details carry `line`.
    AETHER_ERROR_BULK_INVALID = 34,
    /// `POST_NOT_RETRYABLE`: HTTP 409: retry was asked for a post with no failed target (a draft, scheduled, still publishing, published or cancelled post).
    AETHER_ERROR_POST_NOT_RETRYABLE = 35,
    /// `NETWORK_ERROR`: Client side: the connection failed or broke before a response arrived.
    AETHER_ERROR_NETWORK_ERROR = 101,
    /// `TIMEOUT`: Client side: a request or operation deadline passed.
    AETHER_ERROR_TIMEOUT = 102,
    /// `CANCELLED`: Client side: cancelled through an aether_cancel_token.
    AETHER_ERROR_CANCELLED = 103,
    /// `INVALID_ARGUMENT`: Client side: an argument was refused before anything was sent (NULL, invalid UTF-8, bad JSON, ...).
    AETHER_ERROR_INVALID_ARGUMENT = 104,
    /// `IO_ERROR`: Client side: reading or writing a local file failed.
    AETHER_ERROR_IO_ERROR = 105,
    /// `PROTOCOL_ERROR`: Client side: a response the SDK cannot understand.
    AETHER_ERROR_PROTOCOL_ERROR = 106,
    /// `OUTCOME_UNKNOWN`: Client side: a write (a create above all) ran out of retries on a
    /// network error or a timeout after the request may have reached the server, so whether it
    /// was done is unknown. Repeat it with the same idempotency key
    /// (aether_error_idempotency_key(); aether_post_builder_set_idempotency_key() for a create):
    /// the server returns the first result if it was done and does it once if not. The
    /// details' "cause" is NETWORK_ERROR or TIMEOUT.
    AETHER_ERROR_OUTCOME_UNKNOWN = 107,
    /// `TLS_ERROR`: Client side: the TLS handshake failed (certificate not trusted or not for
    /// this host, client certificate missing or refused); the message says what to set.
    AETHER_ERROR_TLS_ERROR = 108,
    /// `PROXY_ERROR`: Client side: the proxy could not be reached, refused the credentials
    /// (407) or refused the tunnel; the message says what to set. Not retried.
    AETHER_ERROR_PROXY_ERROR = 109,
    /// A code this version of the library does not know (a newer server);
    /// aether_error_raw_code() gives it as the server sent it.
    AETHER_ERROR_UNKNOWN = 900,
    /// A bug inside the library was caught at the C boundary (a Rust panic); the library is
    /// still usable. Code string "PANIC". Please report it with the message.
    AETHER_ERROR_PANIC = 901,
}

use aether_status::*;

/// The status of an error code. Exhaustive on purpose: a code added to the core does not
/// compile here until it has a number.
pub(crate) fn status_of(code: &ErrorCode) -> aether_status {
    match code {
        ErrorCode::Unauthorized => AETHER_ERROR_UNAUTHORIZED,
        ErrorCode::Forbidden => AETHER_ERROR_FORBIDDEN,
        ErrorCode::NotFound => AETHER_ERROR_NOT_FOUND,
        ErrorCode::InvalidRequest => AETHER_ERROR_INVALID_REQUEST,
        ErrorCode::BulkInvalid => AETHER_ERROR_BULK_INVALID,
        ErrorCode::RateLimited => AETHER_ERROR_RATE_LIMITED,
        ErrorCode::IdempotencyKeyReused => AETHER_ERROR_IDEMPOTENCY_KEY_REUSED,
        ErrorCode::IdempotencyKeyInUse => AETHER_ERROR_IDEMPOTENCY_KEY_IN_USE,
        ErrorCode::PostNotEditable => AETHER_ERROR_POST_NOT_EDITABLE,
        ErrorCode::PostNotRetryable => AETHER_ERROR_POST_NOT_RETRYABLE,
        ErrorCode::ProfileDisconnected => AETHER_ERROR_PROFILE_DISCONNECTED,
        ErrorCode::CaptionTooLong => AETHER_ERROR_CAPTION_TOO_LONG,
        ErrorCode::TitleRequired => AETHER_ERROR_TITLE_REQUIRED,
        ErrorCode::TitleTooLong => AETHER_ERROR_TITLE_TOO_LONG,
        ErrorCode::TooManyHashtags => AETHER_ERROR_TOO_MANY_HASHTAGS,
        ErrorCode::TooManyMentions => AETHER_ERROR_TOO_MANY_MENTIONS,
        ErrorCode::MediaRequired => AETHER_ERROR_MEDIA_REQUIRED,
        ErrorCode::UnsupportedMediaType => AETHER_ERROR_UNSUPPORTED_MEDIA_TYPE,
        ErrorCode::TooManyMedia => AETHER_ERROR_TOO_MANY_MEDIA,
        ErrorCode::VideoTooShort => AETHER_ERROR_VIDEO_TOO_SHORT,
        ErrorCode::VideoTooLong => AETHER_ERROR_VIDEO_TOO_LONG,
        ErrorCode::FileTooLarge => AETHER_ERROR_FILE_TOO_LARGE,
        ErrorCode::SubredditRequired => AETHER_ERROR_SUBREDDIT_REQUIRED,
        ErrorCode::InvalidPlatformOption => AETHER_ERROR_INVALID_PLATFORM_OPTION,
        ErrorCode::ScheduleInPast => AETHER_ERROR_SCHEDULE_IN_PAST,
        ErrorCode::ScheduleTooFar => AETHER_ERROR_SCHEDULE_TOO_FAR,
        ErrorCode::InvalidTimezone => AETHER_ERROR_INVALID_TIMEZONE,
        ErrorCode::PostLimitReached => AETHER_ERROR_POST_LIMIT_REACHED,
        ErrorCode::ChecksumMismatch => AETHER_ERROR_CHECKSUM_MISMATCH,
        ErrorCode::UploadIncomplete => AETHER_ERROR_UPLOAD_INCOMPLETE,
        ErrorCode::UploadExpired => AETHER_ERROR_UPLOAD_EXPIRED,
        ErrorCode::MediaFetchFailed => AETHER_ERROR_MEDIA_FETCH_FAILED,
        ErrorCode::PlatformError => AETHER_ERROR_PLATFORM_ERROR,
        ErrorCode::InternalError => AETHER_ERROR_INTERNAL_ERROR,
        ErrorCode::ServiceUnavailable => AETHER_ERROR_SERVICE_UNAVAILABLE,
        ErrorCode::NetworkError => AETHER_ERROR_NETWORK_ERROR,
        ErrorCode::Timeout => AETHER_ERROR_TIMEOUT,
        ErrorCode::Cancelled => AETHER_ERROR_CANCELLED,
        ErrorCode::InvalidArgument => AETHER_ERROR_INVALID_ARGUMENT,
        ErrorCode::IoError => AETHER_ERROR_IO_ERROR,
        ErrorCode::ProtocolError => AETHER_ERROR_PROTOCOL_ERROR,
        ErrorCode::OutcomeUnknown => AETHER_ERROR_OUTCOME_UNKNOWN,
        ErrorCode::TlsError => AETHER_ERROR_TLS_ERROR,
        ErrorCode::ProxyError => AETHER_ERROR_PROXY_ERROR,
        ErrorCode::Unknown(raw) if raw == PANIC_CODE => AETHER_ERROR_PANIC,
        ErrorCode::Unknown(_) => AETHER_ERROR_UNKNOWN,
    }
}

/// Code strings by status number, built once from the core's codes (so they are the same
/// strings as everywhere), plus "OK", "UNKNOWN" and "PANIC". (A plain list: a hash map's table
/// is only pointed into, which valgrind reports as a possible leak.)
fn code_strings() -> &'static [(c_int, CString)] {
    static STRINGS: OnceLock<Vec<(c_int, CString)>> = OnceLock::new();
    STRINGS.get_or_init(|| {
        let mut strings: Vec<(c_int, CString)> = ErrorCode::ALL
            .iter()
            .map(|code| (status_of(code) as c_int, crate::ffi::cstring(code.as_str())))
            .collect();
        strings.push((AETHER_OK as c_int, crate::ffi::cstring("OK")));
        strings.push((AETHER_ERROR_UNKNOWN as c_int, crate::ffi::cstring("UNKNOWN")));
        strings.push((AETHER_ERROR_PANIC as c_int, crate::ffi::cstring(PANIC_CODE)));
        strings
    })
}

/// The code's string, e.g. "POST_LIMIT_REACHED" for AETHER_ERROR_POST_LIMIT_REACHED, "OK"
/// for AETHER_OK; "UNKNOWN" for AETHER_ERROR_UNKNOWN and for any number that is not an
/// aether_status. Static: never free it.
#[no_mangle]
pub extern "C" fn aether_error_code_str(code: c_int) -> *const c_char {
    static FALLBACK: &std::ffi::CStr = c"UNKNOWN";
    crate::ffi::getter(FALLBACK.as_ptr(), || {
        code_strings()
            .iter()
            .find(|(number, _)| *number == code)
            .map_or(FALLBACK.as_ptr(), |(_, text)| text.as_ptr())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn every_core_code_has_its_own_status_and_the_same_string() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            let status = status_of(code);
            assert!(status != AETHER_ERROR_UNKNOWN && status != AETHER_OK, "{code}");
            assert!(seen.insert(status), "{code} shares a number");
            // SAFETY: a static string from this library.
            let text = unsafe { CStr::from_ptr(aether_error_code_str(status as c_int)) };
            assert_eq!(text.to_str().unwrap(), code.as_str());
        }
        assert_eq!(status_of(&ErrorCode::Unknown("BRAND_NEW".into())), AETHER_ERROR_UNKNOWN);
    }

    #[test]
    fn numbers_outside_the_enum_are_unknown() {
        // One past the highest server code, so a code added later moves the probe with it.
        let servers = ErrorCode::ALL.iter().map(|code| status_of(code) as c_int);
        let numbers: Vec<c_int> = servers.collect();
        let past_servers = numbers.iter().filter(|number| **number < 100).max().unwrap() + 1;
        // And one past the highest client-side code (101…), for the same reason.
        let past_clients = numbers.iter().filter(|n| (100..900).contains(*n)).max().unwrap() + 1;
        for number in [-1, past_servers, 99, past_clients, 899, 902, c_int::MAX, c_int::MIN] {
            // SAFETY: a static string from this library.
            let text = unsafe { CStr::from_ptr(aether_error_code_str(number)) };
            assert_eq!(text.to_str().unwrap(), "UNKNOWN");
        }
    }
}
