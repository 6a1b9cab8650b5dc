//! Webhooks: registration (`POST/GET /v1/webhooks`, `DELETE /v1/webhooks/{id}`), and signed
//! deliveries of post events with retries on the virtual clock.
//!
//! - The emulator only delivers to loopback receivers (`127.0.0.0/8`, `::1`, `localhost`): any
//!   other URL is refused at registration (400 `INVALID_REQUEST`, field `url`) and checked again
//!   before every send (`localhost` must resolve to loopback addresses only), so a test can never
//!   make it POST to the outside world.
//! - A delivery is a POST of the event's raw JSON with `content-type: application/json` and
//!   `x-aether-signature: t=<unix seconds of the virtual clock>,v1=<hex HMAC-SHA256(secret,
//!   "<t>.<raw body>")>`. Any 2xx acknowledges it. Anything else, a network error or no answer
//!   within the HTTP client's timeout (10 s) is retried after 1 s, 2 s, 4 s … of virtual time, for
//!   at most `webhookMaxAttempts` attempts (a setting, 8 by default); then the delivery is `failed`. Moving the clock with the
//!   admin API triggers the retries that became due.
//! - Choices where PROTOCOL.md is silent (they match `spec/openapi.yaml`): the secret is shown
//!   only by create; lists are newest first without secrets; `DELETE` answers 204 and a second
//!   `DELETE` 404; deliveries still pending for a deleted webhook stop at once (`failed`).
//! - `GET /v1/webhooks/{id}/deliveries[?status=pending|succeeded|failed]` lists a webhook's
//!   deliveries newest first (cursor-paginated); `failed` ones (dead letters) are kept 30 days of
//!   virtual time. `POST …/deliveries/{deliveryId}/redeliver` → 202 and the delivery, `pending`:
//!   one new attempt at once, with the same event id and body and a fresh signature; if it fails
//!   the delivery is `failed` again (no further retries). The deliveries of a deleted webhook
//!   are no longer listed (404, like the webhook).
//! - The admin API lists every delivery: `GET /_mock/webhooks/deliveries[?webhookId=]`.

mod delivery;
mod inbox;
mod loopback;

use aether::model::{Page, Webhook, WebhookDelivery, WebhookDeliveryStatus, WebhookEventType};
use aether::ErrorCode;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Extension, Json, Router};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{json, Value};

pub use self::delivery::{deliver_due, enqueue};
use self::delivery::{Delivery, DeliveryStatus, DeliveryView};
pub use self::inbox::{MessagePatch, NewAuthor, NewComment, NewMessage};
use self::loopback::{loopback_url, UrlProblem};
use crate::api_error::{ApiError, ApiResult};
use crate::clock::rfc3339;
use crate::context::Created;
use crate::ids::{new_id, random_token};
use crate::json::ApiJson;
use crate::pagination::ListParams;
use crate::resources::idempotency::idempotent;
use crate::state::{Part, SharedState};

/// Longest webhook URL accepted.
const MAX_URL: usize = 2048;
/// Finished deliveries beyond this many are forgotten, oldest first.
const MAX_LOG: usize = 10_000;
/// The cursor kind of the webhook list.
const WEBHOOK_CURSOR: &str = "wh";
/// The cursor kind of a webhook's delivery list.
const DELIVERY_CURSOR: &str = "dlv";

/// Registered webhooks (in creation order) and the log of every delivery. `next_seq` numbers
/// both, so list cursors of either kind only grow.
#[derive(Debug, Default)]
pub struct Webhooks {
    hooks: Vec<StoredWebhook>,
    next_seq: u64,
    deliveries: Vec<Delivery>,
}

impl Part for Webhooks {}

#[derive(Debug, Clone)]
struct StoredWebhook {
    /// Grows with creation; list cursors point at it.
    seq: u64,
    /// With its secret.
    webhook: Webhook,
}

impl Webhooks {
    fn register(&mut self, url: String, events: Vec<WebhookEventType>, now: Timestamp) -> Webhook {
        self.next_seq += 1;
        let webhook = Webhook {
            id: new_id("wh"),
            url,
            events,
            secret: Some(format!("whsec_{}", random_token(32))),
            created_at: rfc3339(now),
        };
        self.hooks.push(StoredWebhook { seq: self.next_seq, webhook: webhook.clone() });
        webhook
    }

    /// Removes a webhook; its pending deliveries stop. `false` for an unknown id.
    fn remove(&mut self, id: &str) -> bool {
        let before = self.hooks.len();
        self.hooks.retain(|h| h.webhook.id != id);
        if self.hooks.len() == before {
            return false;
        }
        for delivery in self.deliveries.iter_mut().filter(|d| d.webhook_id == id) {
            if delivery.status == DeliveryStatus::Pending {
                delivery.status = DeliveryStatus::Failed;
                delivery.next_attempt_at = None;
                delivery.last_error = Some("the webhook was deleted".to_owned());
            }
        }
        true
    }

    fn hook(&self, id: &str) -> Option<&Webhook> {
        self.hooks.iter().map(|h| &h.webhook).find(|w| w.id == id)
    }

    /// Forgets dead letters older than 30 days, then the oldest finished deliveries once the
    /// log is over [`MAX_LOG`].
    fn prune(&mut self, now: Timestamp) {
        self.deliveries.retain(|d| !d.expired(now));
        let mut excess = self.deliveries.len().saturating_sub(MAX_LOG);
        if excess == 0 {
            return;
        }
        self.deliveries.retain(|d| {
            if excess > 0 && d.status != DeliveryStatus::Pending {
                excess -= 1;
                false
            } else {
                true
            }
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/v1/webhooks", idempotent(post(create).get(list)))
        .route("/v1/webhooks/{id}", delete(remove))
        .route("/v1/webhooks/{id}/deliveries", get(list_deliveries))
        .route("/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver", idempotent(post(redeliver)))
}

pub fn admin_routes() -> Router<SharedState> {
    Router::new()
        .route("/_mock/webhooks/deliveries", get(admin_deliveries))
        .merge(inbox::admin_routes())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateWebhookBody {
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    events: Option<Vec<WebhookEventType>>,
}

async fn create(
    State(state): State<SharedState>,
    ApiJson(body): ApiJson<CreateWebhookBody>,
) -> ApiResult<(StatusCode, Extension<Created>, Json<Webhook>)> {
    let url = validate_url(body.url)?;
    let events = validate_events(body.events)?;
    let now = state.clock.now();
    let webhook = state.store().part::<Webhooks>().register(url, events, now);
    Ok((StatusCode::CREATED, Extension(Created(webhook.id.clone())), Json(webhook)))
}

fn validate_url(url: Option<String>) -> ApiResult<String> {
    let Some(url) = url else {
        return Err(ApiError::invalid(
            "url",
            "url is required: the http(s) address on loopback that receives deliveries",
        ));
    };
    if url.len() > MAX_URL {
        return Err(ApiError::invalid(
            "url",
            format!("url is {} bytes; at most {MAX_URL}", url.len()),
        ));
    }
    if !url.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::invalid("url", UrlProblem::NotHttp(url).message()));
    }
    match loopback_url(&url) {
        Ok(_) => Ok(url),
        Err(problem) => Err(ApiError::invalid("url", problem.message())),
    }
}

fn validate_events(events: Option<Vec<WebhookEventType>>) -> ApiResult<Vec<WebhookEventType>> {
    let allowed: Vec<&str> = WebhookEventType::ALL.iter().map(WebhookEventType::as_str).collect();
    let events = events.unwrap_or_default();
    if events.is_empty() {
        return Err(ApiError::invalid(
            "events",
            format!("events must list at least one of {}", allowed.join(", ")),
        )
        .details(json!({ "allowed": allowed })));
    }
    for (index, event) in events.iter().enumerate() {
        let field = format!("events[{index}]");
        if event.is_unknown() {
            return Err(ApiError::invalid(
                field.clone(),
                format!("{field} {:?} is not an event; use {}", event.as_str(), allowed.join(", ")),
            )
            .details(json!({ "allowed": allowed })));
        }
        if events[..index].contains(event) {
            return Err(ApiError::invalid(
                field.clone(),
                format!("{field}: {:?} is listed twice; list each event once", event.as_str()),
            ));
        }
    }
    Ok(events)
}

async fn list(
    State(state): State<SharedState>,
    Query(query): Query<Vec<(String, String)>>,
) -> ApiResult<Json<Page<Webhook>>> {
    let params = ListParams::parse(&query, WEBHOOK_CURSOR, &[])?;
    let mut store = state.store();
    let newest_first = store.part::<Webhooks>().hooks.iter().rev().map(|h| {
        let mut webhook = h.webhook.clone();
        webhook.secret = None;
        (h.seq, webhook)
    });
    Ok(Json(params.page(newest_first)))
}

/// `DELETE /v1/webhooks/{id}` → 204; an unknown (or already deleted) id is 404.
async fn remove(State(state): State<SharedState>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    if state.store().part::<Webhooks>().remove(&id) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("webhook", &id))
    }
}

/// `GET /v1/webhooks/{id}/deliveries[?status=]`: one page, newest first.
async fn list_deliveries(
    State(state): State<SharedState>,
    Path(id): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
) -> ApiResult<Json<Page<WebhookDelivery>>> {
    let params = ListParams::parse(&query, DELIVERY_CURSOR, &["status"])?;
    let status = match params.extra("status") {
        None => None,
        Some(value) => {
            let status = WebhookDeliveryStatus::parse(value);
            if status.is_unknown() {
                let allowed: Vec<&str> =
                    WebhookDeliveryStatus::ALL.iter().map(WebhookDeliveryStatus::as_str).collect();
                return Err(ApiError::invalid(
                    "status",
                    format!(
                        "status {value:?} is not a delivery status; use {}",
                        allowed.join(", ")
                    ),
                )
                .details(json!({ "allowed": allowed })));
            }
            Some(status)
        }
    };
    let now = state.clock.now();
    let mut store = state.store();
    let webhooks = &mut store.part::<Webhooks>();
    if webhooks.hook(&id).is_none() {
        return Err(ApiError::not_found("webhook", &id));
    }
    webhooks.prune(now);
    let newest_first = webhooks
        .deliveries
        .iter()
        .rev()
        .filter(|d| d.webhook_id == id)
        .filter(|d| status.as_ref().is_none_or(|s| d.status.api() == *s))
        .map(|d| (d.seq, d.api()));
    Ok(Json(params.page(newest_first)))
}

/// `POST /v1/webhooks/{id}/deliveries/{deliveryId}/redeliver` → 202 and the delivery, due now.
async fn redeliver(
    State(state): State<SharedState>,
    Path((id, delivery_id)): Path<(String, String)>,
) -> ApiResult<(StatusCode, Json<WebhookDelivery>)> {
    let now = state.clock.now();
    let delivery = {
        let mut store = state.store();
        let webhooks = &mut store.part::<Webhooks>();
        if webhooks.hook(&id).is_none() {
            return Err(ApiError::not_found("webhook", &id));
        }
        let Some(delivery) =
            webhooks.deliveries.iter_mut().find(|d| d.id == delivery_id && d.webhook_id == id)
        else {
            return Err(ApiError::not_found("delivery", &delivery_id));
        };
        delivery.redeliver(now);
        delivery.api()
    };
    // Sent now, not at the next tick.
    deliver_due(&state, now);
    Ok((StatusCode::ACCEPTED, Json(delivery)))
}

/// `GET /_mock/webhooks/deliveries[?webhookId=]`: every delivery, oldest first.
async fn admin_deliveries(
    State(state): State<SharedState>,
    Query(query): Query<Vec<(String, String)>>,
) -> ApiResult<Json<Value>> {
    let mut webhook_id = None;
    for (name, value) in &query {
        match name.as_str() {
            "webhookId" => webhook_id = Some(value.clone()),
            other => {
                return Err(ApiError::new(
                    ErrorCode::InvalidRequest,
                    format!("unknown query parameter {other:?}; this list takes webhookId"),
                )
                .field(other))
            }
        }
    }
    let mut store = state.store();
    if let Some(id) = &webhook_id {
        let known = store.part::<Webhooks>().hook(id).is_some()
            || store.part::<Webhooks>().deliveries.iter().any(|d| &d.webhook_id == id);
        if !known {
            return Err(ApiError::not_found("webhook", id));
        }
    }
    let data: Vec<DeliveryView> = store
        .part::<Webhooks>()
        .deliveries
        .iter()
        .filter(|d| webhook_id.as_ref().is_none_or(|id| &d.webhook_id == id))
        .map(Delivery::view)
        .collect();
    Ok(Json(json!({ "data": data })))
}
