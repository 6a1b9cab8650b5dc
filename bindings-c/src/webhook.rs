//! `aether_webhook` and `aether_webhook_list`: the endpoints Aether delivers events to
//! (POST/GET/DELETE /v1/webhooks), and verification of the signed deliveries a receiver gets.

use std::ffi::{c_char, CString};
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aether::model::{CreateWebhookRequest, Webhook, WebhookEventType};
use aether::webhooks::{sign_test_payload, verify_signature, DEFAULT_TOLERANCE};
use futures_util::TryStreamExt;

use crate::client::{aether_client, block_on, client_arg, non_empty};
use crate::error::aether_error;
use crate::ffi::{borrowed_str, boundary, bytes_arg, cstring, field, free_raw, getter, into_raw};
use crate::ffi::{opt_cstring, out_arg, owned_string, ref_arg, str_arg, str_array_arg};
use crate::ffi::{write_json, Res};
use crate::status::aether_status;

/// A webhook endpoint: where Aether POSTs the events it subscribes to. Immutable: read it from
/// any thread. Free it with aether_webhook_free() (not one borrowed from an
/// aether_webhook_list); its strings live as long as it does. One from aether_webhook_create()
/// holds the signing secret (aether_webhook_secret()): the server shows it only then.
pub struct aether_webhook {
    webhook: Webhook,
    id: CString,
    url: CString,
    events: Vec<CString>,
    secret: Option<CString>,
    created_at: CString,
}

impl aether_webhook {
    fn new(webhook: Webhook) -> aether_webhook {
        aether_webhook {
            id: cstring(&webhook.id),
            url: cstring(&webhook.url),
            events: webhook.events.iter().map(|e| cstring(e.as_str())).collect(),
            secret: opt_cstring(webhook.secret.as_deref()),
            created_at: cstring(&webhook.created_at),
            webhook,
        }
    }
}

/// Never shows the secret (the core's `Webhook` redacts it the same way).
impl fmt::Debug for aether_webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("aether_webhook").field("webhook", &self.webhook).finish_non_exhaustive()
    }
}

/// Every webhook endpoint of the account, newest first, without their secrets. Immutable; free
/// it with aether_webhook_list_free(), which also frees the webhooks it lends.
#[derive(Debug)]
pub struct aether_webhook_list {
    webhooks: Vec<aether_webhook>,
}

/// Registers a webhook endpoint (POST /v1/webhooks): Aether will POST every event listed in
/// `events` to `url`, signed with the webhook's secret (verify each delivery with
/// aether_webhook_verify()). `events` / `event_count` is an array of event names,
/// "post.scheduled", "post.publishing", "post.published", "post.failed", "post.cancelled",
/// "comment.created", "message.created", "message.updated" (the same shape as the secrets of aether_webhook_verify() and the platforms of
/// aether_upload_options: a one-shot call takes its list as pointer and count, where a builder
/// would add items one by one; the strings are borrowed during the call only). The server
/// checks the list (at least one event, each known, none twice: AETHER_ERROR_INVALID_REQUEST
/// naming the field) and the URL. NULL `url`, `events` NULL with a non-zero count, a NULL or
/// empty event, or a string that is not UTF-8: AETHER_ERROR_INVALID_ARGUMENT. Blocks until the
/// server answers. On success writes the webhook to `*out_webhook`; its aether_webhook_secret()
/// is shown this once: store it (and never log it).
#[no_mangle]
pub extern "C" fn aether_webhook_create(
    client: *const aether_client,
    url: *const c_char,
    events: *const *const c_char,
    event_count: usize,
    out_webhook: *mut *mut aether_webhook,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let client = client_arg(client)?;
        // SAFETY: a NUL-terminated string and an array of `event_count` of them, valid for the
        // call, by the header's conventions.
        let (url, events) =
            unsafe { (str_arg(url, "url")?, str_array_arg(events, event_count, "events")?) };
        let events = events
            .iter()
            .enumerate()
            .map(|(i, event)| {
                Ok(WebhookEventType::parse(non_empty(event, &format!("events[{i}]"))?))
            })
            .collect::<Res<Vec<_>>>()?;
        let out = out_arg(out_webhook, "out_webhook")?;
        let request = CreateWebhookRequest { url: url.to_owned(), events };
        let webhook = block_on(client.webhooks().create(&request))?;
        out.write(into_raw(aether_webhook::new(webhook)));
        Ok(())
    })
}

/// Reads every webhook endpoint (GET /v1/webhooks, all pages), newest first, without their
/// secrets. Blocks until the last page arrives. On success writes the list to `*out_list`.
#[no_mangle]
pub extern "C" fn aether_webhook_list_all(
    client: *const aether_client,
    out_list: *mut *mut aether_webhook_list,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let client = client_arg(client)?;
        let out = out_arg(out_list, "out_list")?;
        let webhooks: Vec<Webhook> = block_on(client.webhooks().list().try_collect())?;
        let webhooks = webhooks.into_iter().map(aether_webhook::new).collect();
        out.write(into_raw(aether_webhook_list { webhooks }));
        Ok(())
    })
}

/// How many webhooks the list holds; 0 when `list` is NULL.
#[no_mangle]
pub extern "C" fn aether_webhook_list_count(list: *const aether_webhook_list) -> usize {
    field(list, 0, |l| l.webhooks.len())
}

/// The webhook at `index` (0-based), or NULL when out of range or `list` is NULL. Borrowed:
/// valid until the list is freed; do not free it.
#[no_mangle]
pub extern "C" fn aether_webhook_list_at(
    list: *const aether_webhook_list,
    index: usize,
) -> *const aether_webhook {
    field(list, std::ptr::null(), |l| {
        l.webhooks.get(index).map_or(std::ptr::null(), |w| w as *const aether_webhook)
    })
}

/// Frees a webhook list and the webhooks it lends. NULL is ignored.
#[no_mangle]
pub extern "C" fn aether_webhook_list_free(list: *mut aether_webhook_list) {
    // SAFETY: NULL or a list from this library, not used afterwards.
    getter((), || unsafe { free_raw(list) })
}

/// Deletes a webhook endpoint (DELETE /v1/webhooks/{id}): its deliveries stop at once.
/// Blocks until the server answers. Unknown id (or deleting twice): AETHER_ERROR_NOT_FOUND; a
/// delete whose answer was lost, and whose retry finds the webhook gone, succeeds.
#[no_mangle]
pub extern "C" fn aether_webhook_delete(
    client: *const aether_client,
    webhook_id: *const c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let client = client_arg(client)?;
        // SAFETY: a NUL-terminated string valid for the call.
        let id = non_empty(unsafe { str_arg(webhook_id, "webhook_id") }?, "webhook_id")?;
        block_on(client.webhooks().delete(id))
    })
}

/// The webhook's id ("wh_..."), for aether_webhook_delete(). Borrowed: valid until the webhook
/// (or the list it is borrowed from) is freed; NULL if `webhook` is NULL.
#[no_mangle]
pub extern "C" fn aether_webhook_id(webhook: *const aether_webhook) -> *const c_char {
    borrowed_str(webhook, |w| Some(&w.id))
}

/// Where deliveries are POSTed. Borrowed like aether_webhook_id().
#[no_mangle]
pub extern "C" fn aether_webhook_url(webhook: *const aether_webhook) -> *const c_char {
    borrowed_str(webhook, |w| Some(&w.url))
}

/// How many events the webhook subscribes to; 0 when `webhook` is NULL.
#[no_mangle]
pub extern "C" fn aether_webhook_event_count(webhook: *const aether_webhook) -> usize {
    field(webhook, 0, |w| w.events.len())
}

/// The event at `index` (0-based), e.g. "post.published", or NULL when out of range. Borrowed
/// like aether_webhook_id().
#[no_mangle]
pub extern "C" fn aether_webhook_event_at(
    webhook: *const aether_webhook,
    index: usize,
) -> *const c_char {
    borrowed_str(webhook, |w| w.events.get(index).map(CString::as_c_str))
}

/// The signing secret ("whsec_..."), to pass to aether_webhook_verify(); only a webhook from
/// aether_webhook_create() has it (the server shows it only then), else NULL. Borrowed like
/// aether_webhook_id(). It is a credential: store it safely, never log or print it.
#[no_mangle]
pub extern "C" fn aether_webhook_secret(webhook: *const aether_webhook) -> *const c_char {
    borrowed_str(webhook, |w| w.secret.as_deref())
}

/// When the webhook was created (RFC 3339, UTC). Borrowed like aether_webhook_id().
#[no_mangle]
pub extern "C" fn aether_webhook_created_at(webhook: *const aether_webhook) -> *const c_char {
    borrowed_str(webhook, |w| Some(&w.created_at))
}

/// The webhook as JSON (the API's camelCase form: id, url, events, createdAt, and "secret"
/// when the webhook has one, which makes the text as sensitive as the secret). On success
/// writes an owned string to `*out_json`: free it with aether_string_free().
#[no_mangle]
pub extern "C" fn aether_webhook_to_json(
    webhook: *const aether_webhook,
    out_json: *mut *mut c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        // SAFETY: NULL or a live webhook.
        let webhook = unsafe { ref_arg(webhook, "webhook") }?;
        write_json(&webhook.webhook, out_json)
    })
}

/// Frees a webhook from aether_webhook_create(). NULL is ignored. Never pass one borrowed from
/// a list.
#[no_mangle]
pub extern "C" fn aether_webhook_free(webhook: *mut aether_webhook) {
    // SAFETY: NULL or a webhook from this library, not used afterwards.
    getter((), || unsafe { free_raw(webhook) })
}

/// The body of aether_webhook_verify() and aether_webhook_verify_at().
///
/// # Safety
/// The pointers are as those functions document.
unsafe fn verify(
    payload: *const u8,
    payload_len: usize,
    signature_header: *const c_char,
    secrets: *const *const c_char,
    secret_count: usize,
    tolerance_s: u32,
    now: SystemTime,
) -> Res<()> {
    // SAFETY: buffers and strings valid for the call, by this function's contract.
    let (payload, header, secrets) = unsafe {
        (
            bytes_arg(payload, payload_len, "payload")?,
            str_arg(signature_header, "signature_header")?,
            str_array_arg(secrets, secret_count, "secrets")?,
        )
    };
    let tolerance = tolerance_of(tolerance_s);
    verify_signature(payload, header, &secrets, tolerance, now)
}

/// Verifies a webhook delivery: `payload` / `payload_len` are the raw request body, exactly as
/// received (verify before parsing it), `signature_header` the value of its
/// "x-aether-signature" header, and `secrets` / `secret_count` every secret currently valid
/// (the new and the old one during a rotation). `tolerance_s` is how far the signature's time
/// may be from now, in seconds (0: the default, 300). Comparisons run in constant time.
/// Returns AETHER_OK for an authentic, fresh delivery; otherwise
/// AETHER_ERROR_INVALID_ARGUMENT, whose aether_error_to_json() "details.reason" says why:
/// "malformed_header", "no_secret", "signature_mismatch" or "timestamp_outside_tolerance".
/// `payload` may be NULL only when `payload_len` is 0. Pure: no network, any thread.
#[no_mangle]
pub extern "C" fn aether_webhook_verify(
    payload: *const u8,
    payload_len: usize,
    signature_header: *const c_char,
    secrets: *const *const c_char,
    secret_count: usize,
    tolerance_s: u32,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let now = SystemTime::now();
        // SAFETY: the arguments as documented, by the header's conventions.
        unsafe {
            verify(payload, payload_len, signature_header, secrets, secret_count, tolerance_s, now)
        }
    })
}

/// aether_webhook_verify() judged at `now_unix_s` (unix seconds) instead of the system clock:
/// for a receiver whose clock is not the system's (e.g. a test against an emulator with a
/// virtual clock), or to test how a receiver treats an old delivery. Same arguments and
/// errors otherwise.
#[no_mangle]
pub extern "C" fn aether_webhook_verify_at(
    payload: *const u8,
    payload_len: usize,
    signature_header: *const c_char,
    secrets: *const *const c_char,
    secret_count: usize,
    tolerance_s: u32,
    now_unix_s: i64,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let now = system_time_at(now_unix_s)?;
        // SAFETY: the arguments as documented, by the header's conventions.
        unsafe {
            verify(payload, payload_len, signature_header, secrets, secret_count, tolerance_s, now)
        }
    })
}

/// The "x-aether-signature" value of `payload` signed with `secret` at `timestamp` (unix
/// seconds), as Aether would send it: for testing a receiver. On success writes an owned
/// string to `*out_header`: free it with aether_string_free().
#[no_mangle]
pub extern "C" fn aether_webhook_sign_test_payload(
    payload: *const u8,
    payload_len: usize,
    secret: *const c_char,
    timestamp: i64,
    out_header: *mut *mut c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        // SAFETY: a buffer and a string valid for the call.
        let (payload, secret) =
            unsafe { (bytes_arg(payload, payload_len, "payload")?, str_arg(secret, "secret")?) };
        let out = out_arg(out_header, "out_header")?;
        out.write(owned_string(&sign_test_payload(payload, secret, timestamp)));
        Ok(())
    })
}

/// `now_unix_s` (unix seconds, negative before 1970) as a `SystemTime`, for the `_at` variants
/// that judge a signature at a given time; one the system clock cannot hold is
/// `INVALID_ARGUMENT`.
pub(crate) fn system_time_at(now_unix_s: i64) -> aether::Result<SystemTime> {
    let offset = Duration::from_secs(now_unix_s.unsigned_abs());
    let now = if now_unix_s >= 0 {
        UNIX_EPOCH.checked_add(offset)
    } else {
        UNIX_EPOCH.checked_sub(offset)
    };
    now.ok_or_else(|| {
        aether::Error::invalid_argument(format!(
            "now_unix_s {now_unix_s} is outside the range of the system clock"
        ))
    })
}

/// `tolerance_s` as the core's tolerance: 0 means the default.
pub(crate) fn tolerance_of(tolerance_s: u32) -> Duration {
    match tolerance_s {
        0 => DEFAULT_TOLERANCE,
        seconds => Duration::from_secs(u64::from(seconds)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let webhook = aether_webhook::new(Webhook {
            id: "wh_1".to_owned(),
            url: "http://127.0.0.1:9/hooks".to_owned(),
            events: vec![WebhookEventType::PostPublished],
            secret: Some("whsec_do_not_print".to_owned()),
            created_at: "2026-01-01T00:00:00Z".to_owned(),
        });
        let list = aether_webhook_list { webhooks: vec![webhook] };
        let shown = format!("{list:?} {:#?}", list.webhooks[0]);
        assert!(!shown.contains("whsec_do_not_print"), "{shown}");
        assert!(shown.contains("wh_1") && shown.contains("<redacted>"), "{shown}");
        let secret = aether_webhook_secret(&list.webhooks[0]);
        // SAFETY: a borrowed string of the live webhook.
        let secret = unsafe { std::ffi::CStr::from_ptr(secret) };
        assert_eq!(secret.to_str().unwrap(), "whsec_do_not_print");
    }

    #[test]
    fn verify_at_judges_the_time_it_is_given() {
        let payload = br#"{"id":"evt_1"}"#;
        let header = sign_test_payload(payload, "whsec_a", 1_000);
        let header = CString::new(header).unwrap();
        let secrets = [c"whsec_a".as_ptr()];
        let at = |now| {
            aether_webhook_verify_at(
                payload.as_ptr(),
                payload.len(),
                header.as_ptr(),
                secrets.as_ptr(),
                1,
                0,
                now,
                std::ptr::null_mut(),
            )
        };
        assert_eq!(at(1_200), aether_status::AETHER_OK);
        assert_eq!(at(1_000 + 301), aether_status::AETHER_ERROR_INVALID_ARGUMENT);
        assert_eq!(at(-5), aether_status::AETHER_ERROR_INVALID_ARGUMENT);
        // The far ends of the range are refused as stale, never a panic.
        assert_eq!(at(i64::MAX), aether_status::AETHER_ERROR_INVALID_ARGUMENT);
        assert_eq!(at(i64::MIN), aether_status::AETHER_ERROR_INVALID_ARGUMENT);
    }
}
