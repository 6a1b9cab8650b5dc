//! `Idempotency-Key` on POST requests (PROTOCOL.md, Basics), as a middleware any JSON POST route
//! can take: `post(handler).layer(axum::middleware::from_fn(idempotency::middleware))`, or
//! [`idempotent`] for short.
//!
//! - A key is 1–255 visible ASCII characters (else 400 `INVALID_REQUEST`, field
//!   `Idempotency-Key`) and is scoped to the API key that sent it.
//! - The first request under a key claims it with a fingerprint: method, path and the SHA-256
//!   of the body (of a multipart body, without its boundary, which clients draw per attempt). The same key and fingerprint within 24 h of the virtual clock replay the stored
//!   status, body and `Content-Type`, with `Idempotent-Replayed: true`; a replay creates nothing,
//!   so the journal shows one creation. Another fingerprint is 409 `IDEMPOTENCY_KEY_REUSED`; a
//!   request that arrives while the first is still being processed is 409
//!   `IDEMPOTENCY_KEY_IN_USE` (retryable, `Retry-After: 1`).
//! - What is stored: every answer below 500 except 429, the 4xx validation errors included (as
//!   Stripe does): the same request would be refused again. Not stored, so a retry runs the
//!   request again: 5xx (the server failed; retrying is the point) and 429 (waiting helps).
//! - The request is processed on its own task, so a connection that dies mid-request (a client
//!   timeout, the `reset_after_body` fault) still completes the record, and the client's retry
//!   with the same key gets the first answer instead of a second resource.
//! - A `delay` fault on a POST carrying a key is served here, after the key is claimed, so a
//!   concurrent retry sees `IDEMPOTENCY_KEY_IN_USE` as it would against a slow real server.

use std::collections::HashMap;

use aether::ErrorCode;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use http_body_util::{BodyExt, Limited};
use jiff::{SignedDuration, Timestamp};
use sha2::{Digest, Sha256};

use crate::api_error::ApiError;
use crate::context::{ApiKey, PendingDelay, RequestId};
use crate::state::{Part, SharedState};

/// Longest key accepted, in characters.
pub const KEY_MAX_CHARS: usize = 255;
/// How long a completed answer is replayed, on the virtual clock.
pub const RETENTION: SignedDuration = SignedDuration::from_hours(24);
/// Largest multipart body (a bulk CSV file): the file's 5 MiB and room for the framing.
pub const MULTIPART_MAX_BODY: usize = aether::model::BULK_MAX_BYTES as usize + 64 * 1024;
/// The header a replayed answer carries.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

/// Headers of the first answer that a replay repeats (besides the status and body).
const STORED_HEADERS: [HeaderName; 3] =
    [header::CONTENT_TYPE, header::RETRY_AFTER, header::LOCATION];

/// Every claimed key, by (API key, idempotency key).
#[derive(Debug, Default)]
pub struct Records {
    records: HashMap<(String, String), Record>,
    next_token: u64,
}

impl Part for Records {}

#[derive(Debug)]
struct Record {
    fingerprint: Fingerprint,
    claimed_at: Timestamp,
    /// Which claim this is, so a stale completion never overwrites a newer claim.
    token: u64,
    /// `None` while the first request is in flight.
    answer: Option<StoredAnswer>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Fingerprint {
    method: String,
    path: String,
    body_sha256: String,
}

#[derive(Debug, Clone)]
struct StoredAnswer {
    status: StatusCode,
    headers: Vec<(HeaderName, HeaderValue)>,
    body: Bytes,
}

enum Claim {
    Fresh(u64),
    Replay(StoredAnswer),
    InUse,
    Reused(Fingerprint),
}

impl Records {
    fn claim(
        &mut self,
        scope: &(String, String),
        fingerprint: Fingerprint,
        now: Timestamp,
    ) -> Claim {
        let fresh_after = now.checked_sub(RETENTION).unwrap_or(Timestamp::MIN);
        // Forget what has expired (and anything that was never completed that long ago).
        self.records.retain(|_, record| record.claimed_at > fresh_after);
        if let Some(record) = self.records.get(scope) {
            if record.fingerprint != fingerprint {
                return Claim::Reused(record.fingerprint.clone());
            }
            return match &record.answer {
                Some(answer) => Claim::Replay(answer.clone()),
                None => Claim::InUse,
            };
        }
        self.next_token += 1;
        let token = self.next_token;
        let record = Record { fingerprint, claimed_at: now, token, answer: None };
        self.records.insert(scope.clone(), record);
        Claim::Fresh(token)
    }

    /// Stores the answer of claim `token`, or frees the key when `answer` is `None`.
    fn complete(&mut self, scope: &(String, String), token: u64, answer: Option<StoredAnswer>) {
        let Some(record) = self.records.get_mut(scope) else { return };
        if record.token != token {
            return;
        }
        match answer {
            Some(answer) => record.answer = Some(answer),
            None => {
                self.records.remove(scope);
            }
        }
    }
}

/// `method_router` with idempotency keys honoured on its POST requests.
pub fn idempotent(method_router: MethodRouter<SharedState>) -> MethodRouter<SharedState> {
    method_router.layer(axum::middleware::from_fn(middleware))
}

/// The middleware: use with `axum::middleware::from_fn` on JSON POST routes. Needs the request
/// context (it reads the state, the API key and the request id from the request's extensions);
/// requests other than POST, and POSTs without a key, pass straight through.
pub async fn middleware(request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let Some(raw_key) = request.headers().get("idempotency-key").cloned() else {
        return next.run(request).await;
    };
    let Some(state) = request.extensions().get::<SharedState>().cloned() else {
        return next.run(request).await;
    };
    let key = match valid_key(&raw_key) {
        Ok(key) => key,
        Err(error) => return error.into_response(),
    };
    let api_key = request.extensions().get::<ApiKey>().map(|k| k.0.clone()).unwrap_or_default();
    let request_id =
        request.extensions().get::<RequestId>().map(|r| r.0.clone()).unwrap_or_default();
    let scope = (api_key, key);

    let (parts, body) = request.into_parts();
    let boundary = multipart_boundary(&parts.headers);
    // A multipart body is a bulk CSV file, whose own limit is larger than a JSON body's.
    let limit = match boundary {
        Some(_) => state.settings().max_json_body.max(MULTIPART_MAX_BODY),
        None => state.settings().max_json_body,
    };
    let bytes = match Limited::new(body, limit).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => {
            let what = if boundary.is_some() { "multipart" } else { "JSON" };
            return ApiError::new(
                ErrorCode::FileTooLarge,
                format!("the {what} body is over the {limit}-byte limit"),
            )
            .into_response();
        }
        Err(_) => {
            return ApiError::invalid("body", "the request body could not be read").into_response()
        }
    };
    let fingerprint = Fingerprint {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        body_sha256: body_digest(&bytes, boundary.as_deref()),
    };

    let claim =
        state.store().part::<Records>().claim(&scope, fingerprint.clone(), state.clock.now());
    let token = match claim {
        Claim::Fresh(token) => token,
        Claim::Replay(answer) => return replay(answer),
        Claim::InUse => {
            return ApiError::new(
                ErrorCode::IdempotencyKeyInUse,
                format!(
                    "a request with Idempotency-Key {:?} is still being processed; retry shortly \
                     to get its answer",
                    scope.1
                ),
            )
            .field("Idempotency-Key")
            .retry_after(1)
            .into_response();
        }
        Claim::Reused(first) => return reused(&scope.1, &first, &fingerprint).into_response(),
    };

    let request = Request::from_parts(parts, Body::from(bytes));
    let delay = request.extensions().get::<PendingDelay>().and_then(PendingDelay::take);
    let task_state = state.clone();
    let task_scope = scope.clone();
    // Its own task: the answer is recorded even when the client's connection is gone.
    let task = tokio::spawn(async move {
        if let Some(delay) = delay {
            tokio::time::sleep(delay).await;
        }
        let response = next.run(request).await;
        record_answer(&task_state, &task_scope, token, &request_id, response).await
    });
    match task.await {
        Ok(response) => response,
        Err(_) => {
            state.store().part::<Records>().complete(&scope, token, None);
            ApiError::new(ErrorCode::InternalError, "the request failed inside the emulator")
                .into_response()
        }
    }
}

/// The boundary of a `multipart/form-data` body, if the request has one.
fn multipart_boundary(headers: &axum::http::HeaderMap) -> Option<String> {
    let content_type = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let (essence, params) = content_type.split_once(';')?;
    if !essence.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|param| {
        let (name, value) = param.split_once('=')?;
        let value = value.trim().trim_matches('"');
        (name.trim().eq_ignore_ascii_case("boundary") && !value.is_empty())
            .then(|| value.to_owned())
    })
}

/// The body's SHA-256, hex. A multipart body is hashed with its boundary taken out: a client
/// draws a new random boundary for each attempt, and a retry with the same parts is the same
/// request.
fn body_digest(bytes: &[u8], boundary: Option<&str>) -> String {
    let mut hasher = Sha256::new();
    match boundary.map(str::as_bytes) {
        Some(boundary) => {
            let mut rest = bytes;
            while let Some(at) = rest.windows(boundary.len()).position(|w| w == boundary) {
                hasher.update(&rest[..at]);
                rest = &rest[at + boundary.len()..];
            }
            hasher.update(rest);
        }
        None => hasher.update(bytes),
    }
    hex::encode(hasher.finalize())
}

fn valid_key(raw: &HeaderValue) -> Result<String, ApiError> {
    let key = raw.to_str().ok().map(str::trim).unwrap_or("");
    let chars = key.chars().count();
    if key.is_empty() || chars > KEY_MAX_CHARS || !key.chars().all(|c| c.is_ascii_graphic()) {
        let got = if raw.to_str().is_err() {
            "a value with non-ASCII bytes".to_owned()
        } else if key.is_empty() {
            "an empty value".to_owned()
        } else if chars > KEY_MAX_CHARS {
            format!("{chars} characters")
        } else {
            "a value with spaces or control characters".to_owned()
        };
        return Err(ApiError::invalid(
            "Idempotency-Key",
            format!(
                "Idempotency-Key must be 1–{KEY_MAX_CHARS} visible ASCII characters (a UUID is \
                 typical); got {got}"
            ),
        ));
    }
    Ok(key.to_owned())
}

fn reused(key: &str, first: &Fingerprint, now: &Fingerprint) -> ApiError {
    let what = if first.method != now.method || first.path != now.path {
        format!("{} {}", first.method, first.path)
    } else {
        "a different body".to_owned()
    };
    ApiError::new(
        ErrorCode::IdempotencyKeyReused,
        format!(
            "Idempotency-Key {key:?} was already used with {what} in the last 24 h; use a new key \
             for a different request"
        ),
    )
    .field("Idempotency-Key")
}

fn replay(answer: StoredAnswer) -> Response {
    let mut response = Response::new(Body::from(answer.body));
    *response.status_mut() = answer.status;
    let headers = response.headers_mut();
    for (name, value) in answer.headers {
        headers.insert(name, value);
    }
    headers.insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    response
}

/// Stores the first answer under the key (or frees the key for answers that are not kept) and
/// hands the answer on unchanged.
async fn record_answer(
    state: &SharedState,
    scope: &(String, String),
    token: u64,
    request_id: &str,
    response: Response,
) -> Response {
    let status = response.status();
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
        state.store().part::<Records>().complete(scope, token, None);
        return response;
    }
    let (parts, body) = response.into_parts();
    let mut headers: Vec<(HeaderName, HeaderValue)> = STORED_HEADERS
        .iter()
        .filter_map(|name| parts.headers.get(name).map(|v| (name.clone(), v.clone())))
        .collect();
    let (stored_body, response) = match parts.extensions.get::<ApiError>() {
        // An error's body is rendered by the request context with this request's id; render it
        // the same way now, so a replay repeats it byte for byte.
        Some(error) => {
            let rendered = serde_json::to_vec(&error.body(request_id)).unwrap_or_default();
            headers.retain(|(name, _)| name != header::CONTENT_TYPE);
            headers.push((header::CONTENT_TYPE, HeaderValue::from_static("application/json")));
            (Bytes::from(rendered), Response::from_parts(parts, body))
        }
        None => match body.collect().await {
            Ok(collected) => {
                let bytes = collected.to_bytes();
                (bytes.clone(), Response::from_parts(parts, Body::from(bytes)))
            }
            Err(_) => {
                state.store().part::<Records>().complete(scope, token, None);
                return ApiError::new(ErrorCode::InternalError, "the answer could not be read")
                    .into_response();
            }
        },
    };
    let answer = StoredAnswer { status, headers, body: stored_body };
    state.store().part::<Records>().complete(scope, token, Some(answer));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(body: &str) -> Fingerprint {
        Fingerprint {
            method: "POST".into(),
            path: "/v1/posts".into(),
            body_sha256: hex::encode(Sha256::digest(body.as_bytes())),
        }
    }

    fn answer() -> StoredAnswer {
        StoredAnswer { status: StatusCode::CREATED, headers: Vec::new(), body: Bytes::from("{}") }
    }

    #[test]
    fn a_key_is_claimed_then_replayed_then_expires() {
        let mut records = Records::default();
        let scope = ("sk".to_owned(), "k1".to_owned());
        let now = Timestamp::UNIX_EPOCH;
        let Claim::Fresh(token) = records.claim(&scope, fp("a"), now) else { panic!("fresh") };
        assert!(matches!(records.claim(&scope, fp("a"), now), Claim::InUse));
        assert!(matches!(records.claim(&scope, fp("b"), now), Claim::Reused(_)));
        records.complete(&scope, token, Some(answer()));
        assert!(matches!(records.claim(&scope, fp("a"), now), Claim::Replay(_)));
        let other_api_key = ("sk2".to_owned(), "k1".to_owned());
        assert!(matches!(records.claim(&other_api_key, fp("b"), now), Claim::Fresh(_)));
        let later = now.checked_add(RETENTION + SignedDuration::from_secs(1)).unwrap();
        assert!(matches!(records.claim(&scope, fp("b"), later), Claim::Fresh(_)));
    }

    #[test]
    fn an_answer_that_is_not_kept_frees_the_key() {
        let mut records = Records::default();
        let scope = ("sk".to_owned(), "k1".to_owned());
        let now = Timestamp::UNIX_EPOCH;
        let Claim::Fresh(token) = records.claim(&scope, fp("a"), now) else { panic!("fresh") };
        records.complete(&scope, token, None);
        assert!(matches!(records.claim(&scope, fp("b"), now), Claim::Fresh(_)));
        // A stale completion of the first claim changes nothing.
        records.complete(&scope, token, Some(answer()));
        assert!(matches!(records.claim(&scope, fp("b"), now), Claim::InUse));
    }

    #[test]
    fn keys_are_checked_for_length_and_characters() {
        assert!(valid_key(&HeaderValue::from_static("abc-123")).is_ok());
        assert!(valid_key(&HeaderValue::from_str(&"k".repeat(255)).unwrap()).is_ok());
        assert!(valid_key(&HeaderValue::from_str(&"k".repeat(256)).unwrap()).is_err());
        assert!(valid_key(&HeaderValue::from_static("")).is_err());
        assert!(valid_key(&HeaderValue::from_static("a b")).is_err());
    }
}
