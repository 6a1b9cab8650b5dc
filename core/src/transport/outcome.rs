//! What a call's error says about its outcome, and the ids every error of a call carries.
//!
//! A write (POST, PATCH, DELETE) whose last attempt failed on the network or ran out of time
//! may have been carried out: the server can have processed the request and lost only its
//! answer. Reporting that as `NETWORK_ERROR` invites the worst mistake in this field, a retry
//! with a new key that publishes the same post twice. So such a call ends with
//! `OUTCOME_UNKNOWN`, which carries the idempotency key to repeat it with.
//!
//! The outcome is *known* (nothing was done) when no attempt can have reached the server:
//! every network failure of the call happened while connecting (refused, DNS, connect
//! timeout), and every attempt that got an answer got an error answer. Then the error stays
//! `NETWORK_ERROR`. A GET has no outcome to lose, and a PUT (an upload part) is idempotent by
//! itself and resumable, so both keep `NETWORK_ERROR` / `TIMEOUT`.

use rand::Rng;
use reqwest::Method;

use crate::error::{Error, ErrorCode};

/// A fresh client request id: `creq_` and 24 random hex characters.
pub(super) fn new_client_request_id() -> String {
    // 96 random bits as 24 hex digits, written by hand: `format!` was a third of this call.
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bits: u128 = rand::rng().random();
    let mut id = String::with_capacity(29);
    id.push_str("creq_");
    id.extend((0..24).rev().map(|i| char::from(HEX[((bits >> (4 * i)) & 0xf) as usize])));
    id
}

/// Whether `method` changes state on the server, so that a lost answer leaves its outcome
/// unknown.
pub(super) fn is_write(method: &Method) -> bool {
    matches!(*method, Method::POST | Method::PATCH | Method::DELETE)
}

/// Whether the attempt that failed with `error` may have delivered the request to the server.
/// False only for a failure to connect (nothing was sent) and for an answer from the server
/// (it said what it did). A timeout may have struck at any point, so it counts as delivered.
pub(super) fn may_have_reached_server(error: &Error) -> bool {
    match error.code() {
        ErrorCode::NetworkError => !failed_to_connect(error),
        ErrorCode::Timeout => true,
        _ => false,
    }
}

/// A network error raised while connecting: hyper-util's client says so on the error kept as the source.
fn failed_to_connect(error: &Error) -> bool {
    std::error::Error::source(error)
        .and_then(|source| source.downcast_ref::<hyper_util::client::legacy::Error>())
        .is_some_and(hyper_util::client::legacy::Error::is_connect)
}

/// `error`, the last of a write whose attempts may have reached the server, as
/// `OUTCOME_UNKNOWN`: the message says what to do, `details` keep the cause, the idempotency
/// key and the number of attempts, and the source is the original error.
pub(super) fn outcome_unknown(
    error: Error,
    method: &Method,
    path: &str,
    idempotency_key: Option<&str>,
    attempts: u32,
) -> Error {
    let cause = error.code().as_str().to_owned();
    let what = if cause == "TIMEOUT" { "timed out" } else { "failed on the network" };
    let remedy = match idempotency_key {
        Some(key) => format!(
            "repeat the call with the same idempotency key ({key}): the server then returns \
             the first result if it was done, and does it once if it was not"
        ),
        None => "read the resource to see whether the change was made before repeating it \
                 (the call carried no idempotency key)"
            .to_owned(),
    };
    let mut details = serde_json::Map::new();
    details.insert("cause".into(), cause.into());
    details.insert("attempts".into(), attempts.into());
    if let Some(key) = idempotency_key {
        details.insert("idempotencyKey".into(), key.into());
    }
    let message = format!(
        "{method} {path}: the outcome is unknown: the request may have reached the server and \
         been carried out, but no answer arrived ({what} after {attempts} attempt{s}; last: \
         {last}); {remedy}",
        s = if attempts == 1 { "" } else { "s" },
        last = error.message().trim_start_matches(&format!("{method} {path}: ")),
    );
    Error::new(ErrorCode::OutcomeUnknown, message)
        .with_details(serde_json::Value::Object(details))
        .with_source(error)
}
