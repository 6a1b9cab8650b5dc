//! `aether_webhook_delivery` and `aether_webhook_delivery_list`: a webhook's deliveries
//! (GET /v1/webhooks/{id}/deliveries, the failed ones being the dead letters) and redelivery
//! (POST /v1/webhooks/{id}/deliveries/{deliveryId}/redeliver).

use std::ffi::{c_char, CString};

use aether::model::{WebhookDelivery, WebhookDeliveryStatus};
use futures_util::TryStreamExt;

use crate::client::{aether_client, block_on, client_arg, non_empty};
use crate::error::aether_error;
use crate::ffi::{borrowed_str, boundary, cstring, field, free_raw, getter, into_raw};
use crate::ffi::{opt_cstring, opt_str_arg, out_arg, ref_arg, str_arg, write_json, Res};
use crate::status::aether_status;

/// One event for one webhook, with its attempts. Immutable: read it from any thread. Free one
/// from aether_webhook_redeliver() with aether_webhook_delivery_free(); one borrowed from an
/// aether_webhook_delivery_list lives as long as the list.
#[derive(Debug)]
pub struct aether_webhook_delivery {
    delivery: WebhookDelivery,
    id: CString,
    event_id: CString,
    event_type: CString,
    status: CString,
    last_attempt_at: Option<CString>,
    last_error: Option<CString>,
    next_attempt_at: Option<CString>,
}

impl aether_webhook_delivery {
    fn new(delivery: WebhookDelivery) -> aether_webhook_delivery {
        aether_webhook_delivery {
            id: cstring(&delivery.id),
            event_id: cstring(&delivery.event_id),
            event_type: cstring(delivery.event_type.as_str()),
            status: cstring(delivery.status.as_str()),
            last_attempt_at: opt_cstring(delivery.last_attempt_at.as_deref()),
            last_error: opt_cstring(delivery.last_error.as_deref()),
            next_attempt_at: opt_cstring(delivery.next_attempt_at.as_deref()),
            delivery,
        }
    }
}

/// A webhook's deliveries, newest first. Immutable; free it with
/// aether_webhook_delivery_list_free(), which also frees the deliveries it lends.
#[derive(Debug)]
pub struct aether_webhook_delivery_list {
    deliveries: Vec<aether_webhook_delivery>,
}

fn webhook_id_arg<'a>(webhook_id: *const c_char) -> Res<&'a str> {
    // SAFETY: a NUL-terminated string valid for the call.
    non_empty(unsafe { str_arg(webhook_id, "webhook_id") }?, "webhook_id")
}

/// Reads every delivery of a webhook (GET /v1/webhooks/{id}/deliveries, all pages), newest
/// first: `status` "pending", "succeeded" or "failed" (the dead letters, kept 30 days; NULL:
/// any). Blocks until the last page arrives. On success writes the list to `*out_list`.
/// Unknown webhook: AETHER_ERROR_NOT_FOUND; an unknown status: AETHER_ERROR_INVALID_REQUEST.
#[no_mangle]
pub extern "C" fn aether_webhook_deliveries(
    client: *const aether_client,
    webhook_id: *const c_char,
    status: *const c_char,
    out_list: *mut *mut aether_webhook_delivery_list,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let client = client_arg(client)?;
        let id = webhook_id_arg(webhook_id)?;
        // SAFETY: NULL or a NUL-terminated string valid for the call.
        let status = unsafe { opt_str_arg(status, "status") }?.map(WebhookDeliveryStatus::parse);
        let out = out_arg(out_list, "out_list")?;
        let deliveries: Vec<WebhookDelivery> =
            block_on(client.webhooks().deliveries(id, status).try_collect())?;
        let deliveries = deliveries.into_iter().map(aether_webhook_delivery::new).collect();
        out.write(into_raw(aether_webhook_delivery_list { deliveries }));
        Ok(())
    })
}

/// Sends a delivery again now (POST …/deliveries/{deliveryId}/redeliver): the same event id
/// and body, a fresh signature. Blocks until the server accepts it. On success writes the
/// delivery ("pending" again) to `*out_delivery`: free it with aether_webhook_delivery_free().
/// Unknown webhook or delivery: AETHER_ERROR_NOT_FOUND.
#[no_mangle]
pub extern "C" fn aether_webhook_redeliver(
    client: *const aether_client,
    webhook_id: *const c_char,
    delivery_id: *const c_char,
    out_delivery: *mut *mut aether_webhook_delivery,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let client = client_arg(client)?;
        let id = webhook_id_arg(webhook_id)?;
        // SAFETY: a NUL-terminated string valid for the call.
        let delivery_id =
            non_empty(unsafe { str_arg(delivery_id, "delivery_id") }?, "delivery_id")?;
        let out = out_arg(out_delivery, "out_delivery")?;
        let delivery = block_on(client.webhooks().redeliver(id, delivery_id))?;
        out.write(into_raw(aether_webhook_delivery::new(delivery)));
        Ok(())
    })
}

/// How many deliveries the list holds; 0 when `list` is NULL.
#[no_mangle]
pub extern "C" fn aether_webhook_delivery_list_count(
    list: *const aether_webhook_delivery_list,
) -> usize {
    field(list, 0, |l| l.deliveries.len())
}

/// The delivery at `index` (0-based), or NULL when out of range or `list` is NULL. Borrowed:
/// valid until the list is freed; do not free it.
#[no_mangle]
pub extern "C" fn aether_webhook_delivery_list_at(
    list: *const aether_webhook_delivery_list,
    index: usize,
) -> *const aether_webhook_delivery {
    field(list, std::ptr::null(), |l| {
        l.deliveries.get(index).map_or(std::ptr::null(), |d| d as *const aether_webhook_delivery)
    })
}

/// Frees a delivery list and the deliveries it lends. NULL is ignored.
#[no_mangle]
pub extern "C" fn aether_webhook_delivery_list_free(list: *mut aether_webhook_delivery_list) {
    // SAFETY: NULL or a list from this library, not used afterwards.
    getter((), || unsafe { free_raw(list) })
}

/// The delivery's id ("dlv_..."), for aether_webhook_redeliver(). Borrowed: valid until the
/// delivery (or the list it is borrowed from) is freed; NULL if `delivery` is NULL.
#[no_mangle]
pub extern "C" fn aether_webhook_delivery_id(
    delivery: *const aether_webhook_delivery,
) -> *const c_char {
    borrowed_str(delivery, |d| Some(&d.id))
}

/// The event delivered ("evt_..."); a redelivery sends the same one. Borrowed like
/// aether_webhook_delivery_id().
#[no_mangle]
pub extern "C" fn aether_webhook_delivery_event_id(
    delivery: *const aether_webhook_delivery,
) -> *const c_char {
    borrowed_str(delivery, |d| Some(&d.event_id))
}

/// The event's type, e.g. "comment.created". Borrowed like aether_webhook_delivery_id().
#[no_mangle]
pub extern "C" fn aether_webhook_delivery_event_type(
    delivery: *const aether_webhook_delivery,
) -> *const c_char {
    borrowed_str(delivery, |d| Some(&d.event_type))
}

/// "pending", "succeeded" or "failed". Borrowed like aether_webhook_delivery_id().
#[no_mangle]
pub extern "C" fn aether_webhook_delivery_status(
    delivery: *const aether_webhook_delivery,
) -> *const c_char {
    borrowed_str(delivery, |d| Some(&d.status))
}

/// Attempts made so far; 0 when `delivery` is NULL.
#[no_mangle]
pub extern "C" fn aether_webhook_delivery_attempts(
    delivery: *const aether_webhook_delivery,
) -> u32 {
    field(delivery, 0, |d| d.delivery.attempts)
}

/// When the last attempt was made (RFC 3339), or NULL before the first. Borrowed like
/// aether_webhook_delivery_id().
#[no_mangle]
pub extern "C" fn aether_webhook_delivery_last_attempt_at(
    delivery: *const aether_webhook_delivery,
) -> *const c_char {
    borrowed_str(delivery, |d| d.last_attempt_at.as_deref())
}

/// The HTTP status the receiver answered the last attempt with, or 0 when it did not answer
/// (or no attempt was made, or `delivery` is NULL).
#[no_mangle]
pub extern "C" fn aether_webhook_delivery_last_status_code(
    delivery: *const aether_webhook_delivery,
) -> u16 {
    field(delivery, 0, |d| d.delivery.last_status_code.unwrap_or(0))
}

/// Why the last attempt failed, or NULL. Borrowed like aether_webhook_delivery_id().
#[no_mangle]
pub extern "C" fn aether_webhook_delivery_last_error(
    delivery: *const aether_webhook_delivery,
) -> *const c_char {
    borrowed_str(delivery, |d| d.last_error.as_deref())
}

/// When the next attempt is due (RFC 3339; pending deliveries only), or NULL. Borrowed like
/// aether_webhook_delivery_id().
#[no_mangle]
pub extern "C" fn aether_webhook_delivery_next_attempt_at(
    delivery: *const aether_webhook_delivery,
) -> *const c_char {
    borrowed_str(delivery, |d| d.next_attempt_at.as_deref())
}

/// The delivery as JSON (the API's camelCase form). On success writes an owned string to
/// `*out_json`: free it with aether_string_free().
#[no_mangle]
pub extern "C" fn aether_webhook_delivery_to_json(
    delivery: *const aether_webhook_delivery,
    out_json: *mut *mut c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        // SAFETY: NULL or a live delivery.
        let delivery = unsafe { ref_arg(delivery, "delivery") }?;
        write_json(&delivery.delivery, out_json)
    })
}

/// Frees a delivery from aether_webhook_redeliver(). NULL is ignored. Never pass one borrowed
/// from a list.
#[no_mangle]
pub extern "C" fn aether_webhook_delivery_free(delivery: *mut aether_webhook_delivery) {
    // SAFETY: NULL or a delivery from this library, not used afterwards.
    getter((), || unsafe { free_raw(delivery) })
}
