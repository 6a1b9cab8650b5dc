//! Webhooks: registration, and signed deliveries of post events with retries.
//! (Interface in place; delivery lands with the webhooks work.)

use aether::model::{Post, WebhookEventType};
use axum::Router;
use jiff::Timestamp;

use crate::state::{SharedState, Store};

#[derive(Debug, Default)]
pub struct Webhooks {}

/// Queues one delivery of `event` for `post` to every webhook subscribed to it. Called by the
/// posts resource on every status change, with the store already locked.
pub fn enqueue(_store: &mut Store, _now: Timestamp, _event: WebhookEventType, _post: &Post) {}

/// Sends the deliveries that are due (first attempts and retries).
pub fn deliver_due(_state: &SharedState, _now: Timestamp) {}

pub fn routes() -> Router<SharedState> {
    Router::new()
}

pub fn admin_routes() -> Router<SharedState> {
    Router::new()
}
