//! What a command can fail with, its exit code, and how it is shown: what went wrong and what
//! to do about it.

use std::process::ExitCode;

use aether::{Error, ErrorCode};
use serde_json::{json, Map, Value};

use crate::ui::{self, Ui};

/// Exit code of an API or validation error.
pub const EXIT_ERROR: u8 = 1;
/// Exit code of a usage error (clap's own, kept for ours).
pub const EXIT_USAGE: u8 = 2;
/// Exit code after Ctrl-C (128 + SIGINT).
pub const EXIT_INTERRUPTED: u8 = 130;

/// Why a command did not succeed.
#[derive(Debug)]
pub enum CliError {
    /// A bad or missing argument: exit 2.
    Usage(String),
    /// An error of the SDK or the server, with advice on what to do beyond the generic one.
    Api { error: Error, hint: Option<String> },
    /// The command already printed why it failed (e.g. validation violations): just exit.
    Reported(u8),
}

impl From<Error> for CliError {
    fn from(error: Error) -> CliError {
        CliError::Api { error, hint: None }
    }
}

impl CliError {
    pub fn usage(message: impl Into<String>) -> CliError {
        CliError::Usage(message.into())
    }

    /// The error with a specific piece of advice.
    pub fn with_hint(error: Error, hint: impl Into<String>) -> CliError {
        CliError::Api { error, hint: Some(hint.into()) }
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) => EXIT_USAGE,
            CliError::Api { error, .. } if *error.code() == ErrorCode::Cancelled => {
                EXIT_INTERRUPTED
            }
            CliError::Api { .. } => EXIT_ERROR,
            CliError::Reported(code) => *code,
        }
    }

    /// Prints the error (stderr for people; the one JSON document on stdout with `--json`) and
    /// returns the exit code.
    pub fn report(&self, ui: &Ui, base_url: &str) -> ExitCode {
        match self {
            CliError::Usage(message) => {
                if ui.json {
                    ui.print_json(&json!({ "error": { "code": "USAGE", "message": message } }));
                }
                eprintln!("{} {message}", ui.err.red("error:"));
                eprintln!("\nFor more information, try '--help'.");
            }
            CliError::Api { error, hint } => {
                let hint = hint.clone().or_else(|| generic_hint(error, base_url));
                if ui.json {
                    ui.print_json(&json!({ "error": error_json(error, hint.as_deref()) }));
                } else {
                    eprint!("{}", describe(ui, error, hint.as_deref()));
                }
            }
            CliError::Reported(_) => {}
        }
        ExitCode::from(self.exit_code())
    }
}

/// The error as JSON: the API's error body plus `status` and `hint`.
pub fn error_json(error: &Error, hint: Option<&str>) -> Value {
    let mut map = Map::new();
    map.insert("code".into(), json!(error.code().as_str()));
    map.insert("message".into(), json!(error.message()));
    let optional = [
        ("status", error.status().map(|s| json!(s))),
        ("requestId", error.request_id().map(|id| json!(id))),
        ("clientRequestId", error.client_request_id().map(|id| json!(id))),
        ("idempotencyKey", error.idempotency_key().map(|key| json!(key))),
        ("retryAfter", error.retry_after().map(|d| json!(d.as_secs_f64().ceil() as u64))),
        ("field", error.field().map(|f| json!(f))),
        ("platform", error.platform().map(|p| json!(p.as_str()))),
        ("details", error.details().cloned()),
        ("hint", hint.map(|h| json!(h))),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            map.insert(name.into(), value);
        }
    }
    Value::Object(map)
}

/// The error for people: code and message, then field, request id, retry time and advice, one
/// per line.
pub fn describe(ui: &Ui, error: &Error, hint: Option<&str>) -> String {
    let paint = &ui.err;
    let mut text = format!(
        "{} {}: {}\n",
        paint.red("error:"),
        paint.bold(error.code().as_str()),
        error.message()
    );
    let mut location = Vec::new();
    if let Some(field) = error.field() {
        location.push(format!("field {field}"));
    }
    if let Some(platform) = error.platform() {
        location.push(format!("platform {platform}"));
    }
    if !location.is_empty() {
        text.push_str(&format!("  {}\n", location.join(" · ")));
    }
    if let Some(request_id) = error.request_id() {
        text.push_str(&format!("  request id: {request_id}\n"));
    }
    if let Some(client_request_id) = error.client_request_id() {
        text.push_str(&format!("  client request id: {client_request_id}\n"));
    }
    if let Some(key) = error.idempotency_key() {
        text.push_str(&format!("  idempotency key: {key}\n"));
    }
    if let Some(retry_after) = error.retry_after() {
        let mut line = format!("  retry after: {}", ui::duration(retry_after));
        if let Some(reset_at) = reset_at(error) {
            line.push_str(&format!(" (at {reset_at})"));
        }
        text.push_str(&line);
        text.push('\n');
    }
    if let Some(hint) = hint {
        text.push_str(&format!("  {} {hint}\n", paint.cyan("→")));
    }
    text
}

/// `details.resetAt` of a `POST_LIMIT_REACHED`.
pub fn reset_at(error: &Error) -> Option<String> {
    error.details()?.get("resetAt")?.as_str().map(str::to_owned)
}

/// Advice for an error code, when there is any to give.
fn generic_hint(error: &Error, base_url: &str) -> Option<String> {
    let platform = error.platform().map(|p| p.as_str().to_owned());
    let platform = platform.as_deref().unwrap_or("PLATFORM");
    let hint = match error.code() {
        ErrorCode::Unauthorized => {
            "the server refused the API key: check it, then set AETHER_API_KEY or pass --api-key"
                .to_owned()
        }
        ErrorCode::Forbidden => "this API key may not touch that resource".to_owned(),
        ErrorCode::NotFound => "check the id; `aether profiles` lists the profiles".to_owned(),
        ErrorCode::RateLimited => "too many API calls: wait, then try again".to_owned(),
        ErrorCode::PostLimitReached => match reset_at(error) {
            Some(at) => format!(
                "the daily quota resets at {at}: schedule the post for then (--schedule {at}) \
                 or publish to another profile"
            ),
            None => "the daily quota is used up: schedule the post for tomorrow".to_owned(),
        },
        ErrorCode::CaptionTooLong | ErrorCode::TooManyHashtags | ErrorCode::TooManyMentions => {
            format!(
                "shorten the text; check it offline with `aether validate --platform {platform} \
                 --text …`"
            )
        }
        ErrorCode::VideoTooShort => format!(
            "use a longer video; check files offline with `aether validate FILE --platform \
             {platform}`"
        ),
        ErrorCode::VideoTooLong if platform == "tiktok" => {
            "trim the video, or for a TikTok creator account check with --tier creator (up to \
             10 min)"
                .to_owned()
        }
        ErrorCode::VideoTooLong => format!(
            "trim the video; check files offline with `aether validate FILE --platform {platform}`"
        ),
        ErrorCode::UnsupportedMediaType | ErrorCode::FileTooLarge => format!(
            "convert the file to a format the platform takes; `aether validate FILE --platform \
             {platform}` says which"
        ),
        ErrorCode::TitleRequired | ErrorCode::TitleTooLong => {
            "pass a title of at most the platform's length with --title".to_owned()
        }
        ErrorCode::SubredditRequired => "pass --option reddit.subreddit=NAME".to_owned(),
        ErrorCode::BulkInvalid => match error.details().and_then(|d| d.get("line")) {
            Some(line) => format!(
                "fix line {line} of the CSV (RFC 4180: quote a cell holding a comma, a quote or \
                 a newline, and double the quotes inside), then run it again with --dry-run"
            ),
            None => "fix the CSV's header row, then run it again with --dry-run".to_owned(),
        },
        ErrorCode::PostNotRetryable => {
            "only a failed or partially published post can be retried: `aether status ID` \
             shows its status (follow one still publishing with `aether status ID --wait`)"
                .to_owned()
        }
        ErrorCode::ProfileDisconnected => format!(
            "the account's token was revoked or expired: reconnect it with `aether connect \
             {platform} --redirect-url …`"
        ),
        ErrorCode::ScheduleInPast | ErrorCode::ScheduleTooFar => {
            "choose a --schedule time between now and the platform's horizon (TikTok 10 days)"
                .to_owned()
        }
        ErrorCode::InvalidTimezone => {
            "give --timezone as an IANA zone name, e.g. America/New_York".to_owned()
        }
        ErrorCode::UploadExpired => "start the upload again without --resume".to_owned(),
        ErrorCode::MediaFetchFailed => {
            "the server could not fetch the URL: check that it is public, not expired, and \
             serves a video or an image"
                .to_owned()
        }
        ErrorCode::NetworkError => format!(
            "could not reach {base_url}: check the address (--base-url or AETHER_BASE_URL) and \
             your connection"
        ),
        ErrorCode::TlsError => "a TLS problem, not a network one: the message above says \
             what to set (--ca-bundle or AETHER_CA_BUNDLE for a corporate or test CA; \
             --client-cert/--client-key for a server that wants a client certificate)"
            .to_owned(),
        ErrorCode::ProxyError => "a proxy problem, not the API's: the message above says what \
             to set (--proxy or HTTPS_PROXY with the proxy's address and credentials, or \
             NO_PROXY for hosts reached directly)"
            .to_owned(),
        ErrorCode::Timeout => "the server did not answer in time: try again".to_owned(),
        ErrorCode::OutcomeUnknown => {
            "no answer arrived, so the change may or may not have been made: check (e.g. \
             `aether status POST_ID`) before repeating it"
                .to_owned()
        }
        ErrorCode::InternalError | ErrorCode::ServiceUnavailable | ErrorCode::PlatformError => {
            "a problem on the server's or the platform's side: try again later, and quote the \
             request id if you contact support"
                .to_owned()
        }
        _ => return None,
    };
    Some(hint)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn json_has_the_api_fields() {
        let error = Error::new(ErrorCode::PostLimitReached, "quota used")
            .with_status(429)
            .with_request_id("req_1")
            .with_retry_after(Duration::from_millis(3_600_400))
            .with_details(json!({ "resetAt": "2026-06-16T00:00:00Z" }));
        let value = error_json(&error, Some("wait"));
        assert_eq!(value["code"], "POST_LIMIT_REACHED");
        assert_eq!(value["requestId"], "req_1");
        assert_eq!(value["retryAfter"], 3601);
        assert_eq!(value["details"]["resetAt"], "2026-06-16T00:00:00Z");
        assert_eq!(value["hint"], "wait");
        assert!(value.get("field").is_none());
        assert!(generic_hint(&error, "x").unwrap().contains("2026-06-16T00:00:00Z"));
    }

    #[test]
    fn exit_codes() {
        assert_eq!(CliError::usage("x").exit_code(), 2);
        assert_eq!(CliError::from(Error::invalid_argument("x")).exit_code(), 1);
        assert_eq!(CliError::from(Error::cancelled("x")).exit_code(), 130);
        assert_eq!(CliError::Reported(1).exit_code(), 1);
    }
}
