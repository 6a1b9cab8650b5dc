//! `aether_event`: a verified webhook delivery, parsed (aether_webhook_construct_event()),
//! with its subject as a typed handle: a post, a comment or a message.

use std::ffi::{c_char, CString};
use std::time::SystemTime;

use aether::model::WebhookEvent;
use aether::webhooks::construct_event_at;

use crate::comment::aether_comment;
use crate::error::aether_error;
use crate::ffi::{borrowed_str, boundary, bytes_arg, cstring, free_raw, getter, into_raw};
use crate::ffi::{out_arg, ref_arg, str_arg, str_array_arg, write_json, Res};
use crate::message::aether_message;
use crate::post::aether_post;
use crate::status::aether_status;
use crate::webhook::{system_time_at, tolerance_of};

/// A webhook event: its id, its type and its subject, one of aether_event_post(),
/// aether_event_comment() and aether_event_message() (the others are NULL). Immutable: read
/// it from any thread. Free it with aether_event_free(), which also frees its subject.
pub struct aether_event {
    event: WebhookEvent,
    id: CString,
    kind: CString,
    created_at: CString,
    post: Option<aether_post>,
    comment: Option<aether_comment>,
    message: Option<aether_message>,
}

impl std::fmt::Debug for aether_event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("aether_event").field("event", &self.event).finish_non_exhaustive()
    }
}

impl aether_event {
    fn new(event: WebhookEvent) -> aether_event {
        let data = event.data.clone();
        aether_event {
            id: cstring(&event.id),
            kind: cstring(event.r#type.as_str()),
            created_at: cstring(&event.created_at),
            post: data.post.map(aether_post::new),
            comment: data.comment.map(aether_comment::new),
            message: data.message.map(aether_message::new),
            event,
        }
    }
}

/// Verifies a webhook delivery like aether_webhook_verify() (same arguments, same errors) and
/// parses its body into an event. A body that verifies but is not an event:
/// AETHER_ERROR_PROTOCOL_ERROR. On success writes the event to `*out_event`: free it with
/// aether_event_free(). Pure: no network, any thread.
#[no_mangle]
pub extern "C" fn aether_webhook_construct_event(
    payload: *const u8,
    payload_len: usize,
    signature_header: *const c_char,
    secrets: *const *const c_char,
    secret_count: usize,
    tolerance_s: u32,
    out_event: *mut *mut aether_event,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let now = SystemTime::now();
        // SAFETY: the arguments as documented, by the header's conventions.
        unsafe {
            construct(
                payload,
                payload_len,
                signature_header,
                secrets,
                secret_count,
                tolerance_s,
                now,
                out_event,
            )
        }
    })
}

/// aether_webhook_construct_event() judged at `now_unix_s` (unix seconds) instead of the
/// system clock, like aether_webhook_verify_at(): for a receiver whose clock is not the
/// system's (a test against an emulator with a virtual clock).
#[no_mangle]
pub extern "C" fn aether_webhook_construct_event_at(
    payload: *const u8,
    payload_len: usize,
    signature_header: *const c_char,
    secrets: *const *const c_char,
    secret_count: usize,
    tolerance_s: u32,
    now_unix_s: i64,
    out_event: *mut *mut aether_event,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let now = system_time_at(now_unix_s)?;
        // SAFETY: the arguments as documented, by the header's conventions.
        unsafe {
            construct(
                payload,
                payload_len,
                signature_header,
                secrets,
                secret_count,
                tolerance_s,
                now,
                out_event,
            )
        }
    })
}

/// The body of the two constructors.
///
/// # Safety
/// The pointers are as aether_webhook_construct_event() documents.
#[allow(clippy::too_many_arguments)]
unsafe fn construct(
    payload: *const u8,
    payload_len: usize,
    signature_header: *const c_char,
    secrets: *const *const c_char,
    secret_count: usize,
    tolerance_s: u32,
    now: SystemTime,
    out_event: *mut *mut aether_event,
) -> Res<()> {
    // SAFETY: buffers and strings valid for the call, by this function's contract.
    let (payload, header, secrets) = unsafe {
        (
            bytes_arg(payload, payload_len, "payload")?,
            str_arg(signature_header, "signature_header")?,
            str_array_arg(secrets, secret_count, "secrets")?,
        )
    };
    let out = out_arg(out_event, "out_event")?;
    let tolerance = tolerance_of(tolerance_s);
    let event = construct_event_at(payload, header, &secrets, tolerance, now)?;
    out.write(into_raw(aether_event::new(event)));
    Ok(())
}

/// The event's id ("evt_..."); a redelivery carries the same one, so use it to ignore a
/// duplicate. Borrowed: valid until the event is freed; NULL if `event` is NULL.
#[no_mangle]
pub extern "C" fn aether_event_id(event: *const aether_event) -> *const c_char {
    borrowed_str(event, |e| Some(&e.id))
}

/// What happened: "post.published", "comment.created", "message.updated", ... Borrowed like
/// aether_event_id().
#[no_mangle]
pub extern "C" fn aether_event_type(event: *const aether_event) -> *const c_char {
    borrowed_str(event, |e| Some(&e.kind))
}

/// When it happened (RFC 3339). Borrowed like aether_event_id().
#[no_mangle]
pub extern "C" fn aether_event_created_at(event: *const aether_event) -> *const c_char {
    borrowed_str(event, |e| Some(&e.created_at))
}

/// The post of a "post.*" event, else NULL. Borrowed: valid until the event is freed; never
/// pass it to aether_post_free().
#[no_mangle]
pub extern "C" fn aether_event_post(event: *const aether_event) -> *const aether_post {
    crate::ffi::field(event, std::ptr::null(), |e| {
        e.post.as_ref().map_or(std::ptr::null(), |p| p as *const aether_post)
    })
}

/// The comment of a "comment.created" event, else NULL. Borrowed like aether_event_post().
#[no_mangle]
pub extern "C" fn aether_event_comment(event: *const aether_event) -> *const aether_comment {
    crate::ffi::field(event, std::ptr::null(), |e| {
        e.comment.as_ref().map_or(std::ptr::null(), |c| c as *const aether_comment)
    })
}

/// The message of a "message.created" or "message.updated" event, else NULL. Borrowed like
/// aether_event_post().
#[no_mangle]
pub extern "C" fn aether_event_message(event: *const aether_event) -> *const aether_message {
    crate::ffi::field(event, std::ptr::null(), |e| {
        e.message.as_ref().map_or(std::ptr::null(), |m| m as *const aether_message)
    })
}

/// The event as JSON (the API's camelCase form: id, type, createdAt, data). On success writes
/// an owned string to `*out_json`: free it with aether_string_free().
#[no_mangle]
pub extern "C" fn aether_event_to_json(
    event: *const aether_event,
    out_json: *mut *mut c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        // SAFETY: NULL or a live event.
        let event = unsafe { ref_arg(event, "event") }?;
        write_json(&event.event, out_json)
    })
}

/// Frees an event and its subject. NULL is ignored.
#[no_mangle]
pub extern "C" fn aether_event_free(event: *mut aether_event) {
    // SAFETY: NULL or an event from this library, not used afterwards.
    getter((), || unsafe { free_raw(event) })
}
