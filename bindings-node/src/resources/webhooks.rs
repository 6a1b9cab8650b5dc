//! `webhooks.*`: endpoint registration, and the signature checks of deliveries — pure,
//! constant-time checks in the core, called synchronously (they do no I/O and take
//! microseconds).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aether::model::{CreateWebhookRequest, ListDeliveriesQuery};
use aether::webhooks::{self, DEFAULT_TOLERANCE};
use aether::Client;
use napi::bindgen_prelude::Buffer;
use napi_derive::napi;

use crate::client::NativeClient;
use crate::cursor::Cursor;
use crate::error::{invalid, IntoNapi};
use crate::json::{parse, text};
use crate::operations;

operations! {
    fn webhooks_create(body: String)
        let body: CreateWebhookRequest = parse("webhook", &body)?;
        => Client::webhooks, |webhooks| webhooks.create(&body);
    fn webhooks_delete(id: String) => Client::webhooks, |webhooks| webhooks.delete(&id);
    fn webhooks_redeliver(id: String, delivery_id: String)
        => Client::webhooks, |webhooks| webhooks.redeliver(&id, &delivery_id);
}

#[napi]
impl NativeClient {
    #[napi]
    pub fn webhooks_list(&self, options: Option<String>) -> napi::Result<Cursor> {
        self.pages(options, Client::webhooks, |webhooks| webhooks.list())
    }

    /// A webhook's deliveries, newest first; the query's `status` keeps only those.
    #[napi]
    pub fn webhooks_deliveries(
        &self,
        id: String,
        query: String,
        options: Option<String>,
    ) -> napi::Result<Cursor> {
        let query: ListDeliveriesQuery = parse("delivery list query", &query)?;
        self.pages(options, Client::webhooks, |webhooks| webhooks.deliveries(&id, query.status))
    }
}

fn tolerance(seconds: Option<f64>) -> napi::Result<Duration> {
    match seconds {
        None => Ok(DEFAULT_TOLERANCE),
        Some(s) => crate::client::millis("toleranceSeconds", s * 1000.0),
    }
}

fn instant(unix_seconds: Option<f64>) -> napi::Result<SystemTime> {
    match unix_seconds {
        None => Ok(SystemTime::now()),
        Some(s) if s.is_finite() && s >= 0.0 => Duration::try_from_secs_f64(s)
            .ok()
            .and_then(|d| UNIX_EPOCH.checked_add(d))
            .ok_or_else(|| invalid("now is out of range")),
        Some(_) => Err(invalid("now must be unix seconds")),
    }
}

/// Checks `header` (`x-aether-signature`) against the raw `payload` and any of `secrets`.
#[napi]
pub fn verify_signature(
    payload: Buffer,
    header: String,
    secrets: Vec<String>,
    tolerance_seconds: Option<f64>,
    now_seconds: Option<f64>,
) -> napi::Result<()> {
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    webhooks::verify_signature(
        &payload,
        &header,
        &secrets,
        tolerance(tolerance_seconds)?,
        instant(now_seconds)?,
    )
    .into_napi()
}

/// Verifies like `verify_signature` (now = the system clock) and returns the event as JSON.
#[napi]
pub fn construct_event(
    payload: Buffer,
    header: String,
    secrets: Vec<String>,
    tolerance_seconds: Option<f64>,
) -> napi::Result<String> {
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let event =
        webhooks::construct_event(&payload, &header, &secrets, tolerance(tolerance_seconds)?)
            .into_napi()?;
    text(&event)
}

/// A valid `x-aether-signature` for `payload`, for testing receivers.
#[napi]
pub fn sign_test_payload(payload: Buffer, secret: String, timestamp: Option<f64>) -> String {
    let timestamp = timestamp.map_or_else(
        || SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64),
        |t| t as i64,
    );
    webhooks::sign_test_payload(&payload, &secret, timestamp)
}
