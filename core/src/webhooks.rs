//! Webhooks: endpoint registration, and verification of the signed deliveries a receiver gets.
//!
//! Each delivery carries `x-aether-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
//! "<t>.<raw body>")>`. [`verify_signature`] checks it in constant time against one or more
//! secrets (several during a rotation) and refuses a `t` too far from now, so a captured
//! delivery cannot be replayed later. Verify the **raw** body bytes, before any JSON parsing.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::{Stream, StreamExt};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use crate::error::{Error, Result};
use crate::model::{
    CreateWebhookRequest, ListDeliveriesQuery, ListQuery, Page, Webhook, WebhookDelivery,
    WebhookDeliveryStatus, WebhookEvent,
};
use crate::transport::{item_path, paginate, with_response, ApiRequest, RequestOptions, Transport};

/// The header a delivery's signature arrives in.
pub const SIGNATURE_HEADER: &str = "x-aether-signature";
/// How far a delivery's `t` may be from now (5 minutes), as PROTOCOL.md asks.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);
/// Longest signature header accepted.
const MAX_HEADER_LEN: usize = 4096;
/// Most `v1` signatures looked at in one header.
const MAX_SIGNATURES: usize = 8;

type HmacSha256 = Hmac<Sha256>;

/// `client.webhooks()`.
#[derive(Debug, Clone)]
pub struct Webhooks {
    transport: Transport,
    options: RequestOptions,
}

impl Webhooks {
    pub(crate) fn new(transport: Transport) -> Webhooks {
        Webhooks { transport, options: RequestOptions::default() }
    }

    /// The same resource with these per-call options.
    pub fn with_options(mut self, options: RequestOptions) -> Webhooks {
        self.options = options;
        self
    }

    /// `POST /v1/webhooks`: registers an endpoint. The returned `secret` is shown only here:
    /// store it to verify deliveries.
    pub async fn create(&self, request: &CreateWebhookRequest) -> Result<Webhook> {
        let request = ApiRequest::post("/v1/webhooks")
            .json(request)?
            .secret_in_response()
            .options(self.options.clone());
        Ok(self.transport.send_json(request).await?.data)
    }

    /// Every webhook endpoint, newest first (without secrets), page by page as the stream is
    /// read. An error is yielded once and ends the stream.
    pub fn list(&self) -> impl Stream<Item = Result<Webhook>> + Send + 'static {
        paginate(self.transport.clone(), "/v1/webhooks", Vec::new(), self.options.clone())
    }

    /// One page of `GET /v1/webhooks`.
    pub async fn list_page(&self, query: &ListQuery) -> Result<Page<Webhook>> {
        let mut request = ApiRequest::get("/v1/webhooks").options(self.options.clone());
        if let Some(limit) = query.limit {
            request = request.query("limit", limit.to_string());
        }
        if let Some(cursor) = &query.cursor {
            request = request.query("cursor", cursor.clone());
        }
        Ok(self.transport.send_json(request).await?.data)
    }

    /// `DELETE /v1/webhooks/{id}`: deliveries stop at once. Deleting twice is `NOT_FOUND`; a
    /// delete whose answer was lost, and whose retry finds the webhook gone, succeeds.
    pub async fn delete(&self, id: &str) -> Result<()> {
        let path = item_path("/v1/webhooks", "webhook", id)?;
        self.transport.send_delete(ApiRequest::delete(path).options(self.options.clone())).await
    }

    /// Every delivery of a webhook, newest first, optionally only those in `status` (`failed`:
    /// the dead letters, kept 30 days), page by page as the stream is read. An error is yielded
    /// once and ends the stream (an unknown webhook: `NOT_FOUND`).
    pub fn deliveries(
        &self,
        webhook_id: &str,
        status: Option<WebhookDeliveryStatus>,
    ) -> impl Stream<Item = Result<WebhookDelivery>> + Send + 'static {
        let query = ListDeliveriesQuery { status, ..ListDeliveriesQuery::default() };
        let path = deliveries_path(webhook_id);
        let transport = self.transport.clone();
        let options = self.options.clone();
        futures_util::stream::once(async move { path })
            .map(move |path| match path {
                Ok(path) => {
                    paginate(transport.clone(), path, deliveries_query(&query), options.clone())
                        .left_stream()
                }
                Err(error) => futures_util::stream::once(async move { Err(error) }).right_stream(),
            })
            .flatten()
    }

    /// One page of `GET /v1/webhooks/{id}/deliveries`.
    pub async fn deliveries_page(
        &self,
        webhook_id: &str,
        query: &ListDeliveriesQuery,
    ) -> Result<Page<WebhookDelivery>> {
        let mut request =
            ApiRequest::get(deliveries_path(webhook_id)?).options(self.options.clone());
        for (name, value) in deliveries_query(query) {
            request = request.query(name, value);
        }
        Ok(self.transport.send_json(request).await?.data)
    }

    /// `POST /v1/webhooks/{id}/deliveries/{deliveryId}/redeliver`: one new attempt now, with the
    /// same event id and body and a fresh signature. Returns the delivery, `pending` again.
    pub async fn redeliver(&self, webhook_id: &str, delivery_id: &str) -> Result<WebhookDelivery> {
        let deliveries = deliveries_path(webhook_id)?;
        let path = format!("{}/redeliver", item_path(&deliveries, "delivery", delivery_id)?);
        let request = ApiRequest::post(path).options(self.options.clone());
        Ok(self.transport.send_json(request).await?.data)
    }
}

fn deliveries_path(webhook_id: &str) -> Result<String> {
    Ok(format!("{}/deliveries", item_path("/v1/webhooks", "webhook", webhook_id)?))
}

fn deliveries_query(query: &ListDeliveriesQuery) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    if let Some(status) = &query.status {
        pairs.push(("status".to_owned(), status.as_str().to_owned()));
    }
    if let Some(limit) = query.limit {
        pairs.push(("limit".to_owned(), limit.to_string()));
    }
    if let Some(cursor) = &query.cursor {
        pairs.push(("cursor".to_owned(), cursor.clone()));
    }
    pairs
}

/// A parsed `x-aether-signature` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    /// `t`: when the delivery was signed, in unix seconds.
    pub timestamp: i64,
    /// `t` exactly as written, which is what was signed.
    pub timestamp_text: String,
    /// The `v1` signatures (HMAC-SHA256 outputs), in header order.
    pub signatures: Vec<Vec<u8>>,
}

/// Parses `t=<unix seconds>,v1=<hex>[,v1=<hex>…]`: a pure function (fuzzed). Whitespace
/// around parts is ignored, as are unknown schemes (`v0=…`) and `v1` values that are not
/// 64 hex digits; at most 8 `v1` values are kept. Fails with `INVALID_ARGUMENT` when the header
/// is longer than 4 KiB, has no valid `t` (decimal digits, one only) or no valid `v1`.
pub fn parse_signature_header(header: &str) -> Result<SignatureHeader> {
    let malformed = |why: &str| {
        Error::invalid_argument(format!("malformed {SIGNATURE_HEADER} header: {why}"))
            .with_details(json!({ "reason": "malformed_header" }))
    };
    if header.len() > MAX_HEADER_LEN {
        return Err(malformed("too long"));
    }
    let mut timestamp: Option<(i64, String)> = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        let Some((key, value)) = part.split_once('=') else { continue };
        let (key, value) = (key.trim(), value.trim());
        match key {
            "t" => {
                if timestamp.is_some() {
                    return Err(malformed("more than one t"));
                }
                if value.is_empty()
                    || value.len() > 18
                    || !value.bytes().all(|b| b.is_ascii_digit())
                {
                    return Err(malformed("t is not a unix time in seconds"));
                }
                let seconds = value.parse::<i64>().map_err(|_| malformed("t is out of range"))?;
                timestamp = Some((seconds, value.to_owned()));
            }
            "v1" if signatures.len() < MAX_SIGNATURES => {
                if let Ok(bytes) = hex::decode(value) {
                    if bytes.len() == 32 {
                        signatures.push(bytes);
                    }
                }
            }
            _ => {}
        }
    }
    let Some((timestamp, timestamp_text)) = timestamp else {
        return Err(malformed("no t"));
    };
    if signatures.is_empty() {
        return Err(malformed("no v1 signature"));
    }
    Ok(SignatureHeader { timestamp, timestamp_text, signatures })
}

/// Verifies a delivery: `payload` is the raw request body, `header` the value of
/// `x-aether-signature`, `secrets` every secret currently valid (the new and the old one during
/// a rotation), `tolerance` how far `t` may be from `now` ([`DEFAULT_TOLERANCE`]).
///
/// Each comparison runs in constant time. Fails with `INVALID_ARGUMENT` whose
/// `details.reason` is `malformed_header`, `no_secret`, `signature_mismatch` (a tampered body,
/// a wrong secret) or `timestamp_outside_tolerance` (a replay, or a badly wrong clock); the
/// signature is checked before the time, so the time that is judged is authentic.
pub fn verify_signature(
    payload: &[u8],
    header: &str,
    secrets: &[&str],
    tolerance: Duration,
    now: SystemTime,
) -> Result<()> {
    let parsed = parse_signature_header(header)?;
    if secrets.is_empty() || secrets.iter().all(|s| s.is_empty()) {
        return Err(Error::invalid_argument("no webhook secret to verify the signature with")
            .with_details(json!({ "reason": "no_secret" })));
    }
    let mut matched = false;
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        let mac = signed_mac(secret, &parsed.timestamp_text, payload);
        for signature in &parsed.signatures {
            // verify_slice compares in constant time; every pair is checked, match or not.
            matched |= mac.clone().verify_slice(signature).is_ok();
        }
    }
    if !matched {
        return Err(Error::invalid_argument(
            "the webhook signature does not match the payload with any of the given secrets",
        )
        .with_details(json!({ "reason": "signature_mismatch" })));
    }
    let now = unix_seconds(now);
    let skew = now.abs_diff(parsed.timestamp);
    if skew > tolerance.as_secs() {
        return Err(Error::invalid_argument(format!(
            "the webhook was signed {skew} s away from now, more than the tolerance of {} s; \
             refusing a possible replay",
            tolerance.as_secs()
        ))
        .with_details(json!({
            "reason": "timestamp_outside_tolerance",
            "timestamp": parsed.timestamp,
            "now": now,
        })));
    }
    Ok(())
}

/// Verifies a delivery as [`verify_signature`] does (now = the system clock) and parses its
/// body into a [`WebhookEvent`]; a body that is not an event is `PROTOCOL_ERROR`.
pub fn construct_event(
    payload: &[u8],
    header: &str,
    secrets: &[&str],
    tolerance: Duration,
) -> Result<WebhookEvent> {
    construct_event_at(payload, header, secrets, tolerance, SystemTime::now())
}

/// [`construct_event`] judged at `now` instead of the system clock: for a receiver whose clock
/// is not the system's (a test against an emulator with a virtual clock).
pub fn construct_event_at(
    payload: &[u8],
    header: &str,
    secrets: &[&str],
    tolerance: Duration,
    now: SystemTime,
) -> Result<WebhookEvent> {
    verify_signature(payload, header, secrets, tolerance, now)?;
    serde_json::from_slice(payload).map_err(|e| {
        Error::protocol(format!("the webhook body is not an event: {e}")).with_source(e)
    })
}

/// The `x-aether-signature` value for `payload` signed with `secret` at `timestamp` (unix
/// seconds): for testing receivers.
pub fn sign_test_payload(payload: &[u8], secret: &str, timestamp: i64) -> String {
    let mac = signed_mac(secret, &timestamp.to_string(), payload);
    format!("t={timestamp},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// HMAC-SHA256(secret, "<t>.<payload>"), not yet finalized.
fn signed_mac(secret: &str, timestamp: &str, payload: &[u8]) -> HmacSha256 {
    let mut mac =
        HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(payload);
    mac
}

fn unix_seconds(at: SystemTime) -> i64 {
    match at.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

with_response!(Webhooks {
    /// [`Webhooks::create`] with the status and headers of its response.
    create_with_response => create(request: &CreateWebhookRequest) -> Webhook;
    /// [`Webhooks::list_page`] with the status and headers of its response.
    list_page_with_response => list_page(query: &ListQuery) -> Page<Webhook>;
    /// [`Webhooks::delete`] with the status and headers of its response.
    delete_with_response => delete(id: &str) -> ();
    /// [`Webhooks::deliveries_page`] with the status and headers of its response.
    deliveries_page_with_response => deliveries_page(webhook_id: &str, query: &ListDeliveriesQuery) -> Page<WebhookDelivery>;
    /// [`Webhooks::redeliver`] with the status and headers of its response.
    redeliver_with_response => redeliver(webhook_id: &str, delivery_id: &str) -> WebhookDelivery;
});
