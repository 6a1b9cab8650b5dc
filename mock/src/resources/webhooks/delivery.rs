//! Deliveries: one per event and subscribed webhook, signed with the webhook's secret, sent by
//! the scheduler on its own task to a loopback receiver only, and retried after 1 s, 2 s, 4 s …
//! of virtual time until a 2xx or `webhookMaxAttempts` attempts (a setting, 8 by default).
//! A delivery that ran out of attempts is `failed`, the dead letter: kept for [`DEAD_LETTER_DAYS`]
//! days of virtual time, listed by `GET /v1/webhooks/{id}/deliveries` and sent once more by
//! `…/redeliver` (same event id and body, signed afresh at the time of the new attempt).

use aether::model::{
    Post, WebhookDelivery, WebhookDeliveryStatus, WebhookEvent, WebhookEventData, WebhookEventType,
};
use bytes::Bytes;
use hmac::{Hmac, Mac};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use sha2::Sha256;

use super::loopback::{loopback_url, resolves_to_loopback};
use super::Webhooks;
use crate::clock::rfc3339;
use crate::ids::new_id;
use crate::state::{SharedState, Store};

/// How long a failed delivery (a dead letter) is kept, in days of virtual time.
pub const DEAD_LETTER_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum DeliveryStatus {
    Pending,
    Succeeded,
    Failed,
}

impl DeliveryStatus {
    pub(super) fn api(self) -> WebhookDeliveryStatus {
        match self {
            DeliveryStatus::Pending => WebhookDeliveryStatus::Pending,
            DeliveryStatus::Succeeded => WebhookDeliveryStatus::Succeeded,
            DeliveryStatus::Failed => WebhookDeliveryStatus::Failed,
        }
    }
}

/// One event for one webhook, with its attempts so far.
#[derive(Debug, Clone)]
pub(super) struct Delivery {
    pub(super) id: String,
    pub(super) event_id: String,
    pub(super) webhook_id: String,
    pub(super) event_type: WebhookEventType,
    /// The post of a `post.*` event (for the admin log's filter).
    pub(super) post_id: Option<String>,
    /// Grows with creation; list cursors point at it.
    pub(super) seq: u64,
    /// The raw JSON sent (and signed) on every attempt.
    pub(super) body: Bytes,
    pub(super) attempts: u32,
    pub(super) status: DeliveryStatus,
    /// An attempt is on the wire; the scheduler does not start another.
    pub(super) in_flight: bool,
    pub(super) last_status_code: Option<u16>,
    pub(super) last_error: Option<String>,
    pub(super) next_attempt_at: Option<Timestamp>,
    pub(super) last_attempt_at: Option<Timestamp>,
    /// Set by a redelivery: the attempt count after which the delivery fails again.
    pub(super) attempt_limit: Option<u32>,
    pub(super) created_at: Timestamp,
    pub(super) delivered_at: Option<Timestamp>,
}

/// A delivery as the admin API shows it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct DeliveryView {
    id: String,
    event_id: String,
    webhook_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    post_id: Option<String>,
    #[serde(rename = "type")]
    event_type: WebhookEventType,
    /// Attempts made so far.
    attempt: u32,
    status: DeliveryStatus,
    last_status_code: Option<u16>,
    last_error: Option<String>,
    next_attempt_at: Option<String>,
    created_at: String,
    delivered_at: Option<String>,
}

impl Delivery {
    pub(super) fn view(&self) -> DeliveryView {
        DeliveryView {
            id: self.id.clone(),
            event_id: self.event_id.clone(),
            webhook_id: self.webhook_id.clone(),
            post_id: self.post_id.clone(),
            event_type: self.event_type.clone(),
            attempt: self.attempts,
            status: self.status,
            last_status_code: self.last_status_code,
            last_error: self.last_error.clone(),
            next_attempt_at: self.next_attempt_at.map(rfc3339),
            created_at: rfc3339(self.created_at),
            delivered_at: self.delivered_at.map(rfc3339),
        }
    }

    /// The delivery as `GET /v1/webhooks/{id}/deliveries` shows it.
    pub(super) fn api(&self) -> WebhookDelivery {
        WebhookDelivery {
            id: self.id.clone(),
            event_id: self.event_id.clone(),
            event_type: self.event_type.clone(),
            status: self.status.api(),
            attempts: self.attempts,
            last_attempt_at: self.last_attempt_at.map(rfc3339),
            last_status_code: self.last_status_code,
            last_error: self.last_error.clone(),
            next_attempt_at: self.next_attempt_at.map(rfc3339),
        }
    }

    /// A new attempt now, whatever the status; if it fails, the delivery is `failed` again.
    pub(super) fn redeliver(&mut self, now: Timestamp) {
        if self.in_flight {
            return; // an attempt is on the wire already; it is the redelivery
        }
        self.status = DeliveryStatus::Pending;
        self.next_attempt_at = Some(now);
        self.attempt_limit = Some(self.attempts + 1);
    }

    /// Whether a dead letter outlived [`DEAD_LETTER_DAYS`] at `now`.
    pub(super) fn expired(&self, now: Timestamp) -> bool {
        let last = self.last_attempt_at.unwrap_or(self.created_at);
        self.status == DeliveryStatus::Failed
            && now.duration_since(last) > SignedDuration::from_hours(24 * DEAD_LETTER_DAYS)
    }

    /// After a failed attempt: the next one after 1 s, 2 s, 4 s … or `failed` when none is left.
    fn retry_or_fail(&mut self, now: Timestamp, error: String, max_attempts: u32) {
        self.last_error = Some(error);
        if self.attempts >= self.attempt_limit.unwrap_or(max_attempts) {
            self.status = DeliveryStatus::Failed;
            self.next_attempt_at = None;
        } else {
            self.next_attempt_at =
                Some(now.checked_add(backoff(self.attempts)).unwrap_or(Timestamp::MAX));
        }
    }
}

/// The wait after attempt `attempt` (1-based) failed: 1 s, 2 s, 4 s, …
fn backoff(attempt: u32) -> SignedDuration {
    SignedDuration::from_secs(1i64 << attempt.saturating_sub(1).min(30))
}

/// Queues one delivery of `event` for `post` to every webhook subscribed to it, due at once.
/// Called by the posts resource on every status change, with the store already locked; the
/// scheduler sends it within a tick.
pub fn enqueue(store: &mut Store, now: Timestamp, event: WebhookEventType, post: &Post) {
    let data = WebhookEventData { post: Some(post.clone()), ..WebhookEventData::default() };
    enqueue_event(store, now, event, data, Some(post.id.clone()));
}

/// Queues one delivery of an event with this `data` to every webhook subscribed to `event`.
pub fn enqueue_event(
    store: &mut Store,
    now: Timestamp,
    event: WebhookEventType,
    data: WebhookEventData,
    post_id: Option<String>,
) {
    let webhooks = &mut store.part::<Webhooks>();
    let subscribed: Vec<String> = webhooks
        .hooks
        .iter()
        .filter(|h| h.webhook.events.contains(&event))
        .map(|h| h.webhook.id.clone())
        .collect();
    if subscribed.is_empty() {
        return;
    }
    let payload =
        WebhookEvent { id: new_id("evt"), r#type: event.clone(), created_at: rfc3339(now), data };
    let body = match serde_json::to_vec(&payload) {
        Ok(body) => Bytes::from(body),
        Err(error) => {
            tracing::error!(%error, "webhook event could not be serialized");
            return;
        }
    };
    for webhook_id in subscribed {
        webhooks.next_seq += 1;
        let seq = webhooks.next_seq;
        webhooks.deliveries.push(Delivery {
            id: new_id("dlv"),
            event_id: payload.id.clone(),
            webhook_id,
            event_type: event.clone(),
            post_id: post_id.clone(),
            seq,
            body: body.clone(),
            attempts: 0,
            status: DeliveryStatus::Pending,
            in_flight: false,
            last_status_code: None,
            last_error: None,
            next_attempt_at: Some(now),
            last_attempt_at: None,
            attempt_limit: None,
            created_at: now,
            delivered_at: None,
        });
    }
    webhooks.prune(now);
}

/// One attempt to send, taken out of the store so no lock is held while it is on the wire.
#[derive(Debug)]
struct SendJob {
    delivery_id: String,
    url: String,
    secret: String,
    body: Bytes,
}

/// Sends the deliveries that are due at `now` (first attempts and retries), each on its own
/// task. Does nothing outside a tokio runtime.
pub fn deliver_due(state: &SharedState, now: Timestamp) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
    let jobs: Vec<SendJob> = {
        let mut store = state.store();
        let Webhooks { hooks, deliveries, .. } = &mut store.part::<Webhooks>();
        let mut jobs = Vec::new();
        for delivery in deliveries.iter_mut() {
            let due = delivery.status == DeliveryStatus::Pending
                && !delivery.in_flight
                && delivery.next_attempt_at.is_some_and(|at| at <= now);
            if !due {
                continue;
            }
            let Some(hook) = hooks.iter().find(|h| h.webhook.id == delivery.webhook_id) else {
                delivery.status = DeliveryStatus::Failed;
                delivery.next_attempt_at = None;
                delivery.last_error = Some("the webhook was deleted".to_owned());
                continue;
            };
            delivery.in_flight = true;
            delivery.attempts += 1;
            delivery.last_attempt_at = Some(now);
            jobs.push(SendJob {
                delivery_id: delivery.id.clone(),
                url: hook.webhook.url.clone(),
                secret: hook.webhook.secret.clone().unwrap_or_default(),
                body: delivery.body.clone(),
            });
        }
        jobs
    };
    for job in jobs {
        runtime.spawn(send(state.clone(), job));
    }
}

/// How one attempt ended.
#[derive(Debug)]
enum Attempt {
    /// The receiver answered with this status.
    Answered(u16),
    /// No answer (connection refused, timeout, …); retried.
    NoAnswer(String),
    /// The URL is not (or no longer resolves to) loopback; never retried.
    Refused(String),
}

async fn send(state: SharedState, job: SendJob) {
    let outcome = attempt(&state, &job).await;
    let now = state.clock.now();
    let max_attempts = state.settings().webhook_max_attempts.max(1);
    let mut store = state.store();
    let Some(delivery) =
        store.part::<Webhooks>().deliveries.iter_mut().find(|d| d.id == job.delivery_id)
    else {
        return; // forgotten by a reset
    };
    delivery.in_flight = false;
    let still_pending = delivery.status == DeliveryStatus::Pending;
    match outcome {
        Attempt::Answered(code) => {
            delivery.last_status_code = Some(code);
            if !still_pending {
                // Deleted while on the wire: keep the answer, not the outcome.
            } else if (200..300).contains(&code) {
                delivery.status = DeliveryStatus::Succeeded;
                delivery.delivered_at = Some(now);
                delivery.next_attempt_at = None;
                delivery.last_error = None;
            } else {
                delivery.retry_or_fail(now, format!("the receiver answered {code}"), max_attempts);
            }
        }
        Attempt::NoAnswer(error) => {
            delivery.last_status_code = None;
            if still_pending {
                delivery.retry_or_fail(now, error, max_attempts);
            }
        }
        Attempt::Refused(error) => {
            delivery.last_status_code = None;
            delivery.last_error = Some(error);
            delivery.status = DeliveryStatus::Failed;
            delivery.next_attempt_at = None;
        }
    }
}

async fn attempt(state: &SharedState, job: &SendJob) -> Attempt {
    let url = match loopback_url(&job.url) {
        Ok(url) => url,
        Err(error) => return Attempt::Refused(error.message()),
    };
    if let Err(error) = resolves_to_loopback(&url).await {
        return Attempt::Refused(error);
    }
    let t = state.clock.now().as_second();
    let signature = format!("t={t},v1={}", sign(&job.secret, t, &job.body));
    let request = state
        .http
        .post(url)
        .header("content-type", "application/json")
        .header("user-agent", concat!("aether-mock/", env!("CARGO_PKG_VERSION")))
        .header("x-aether-signature", signature)
        .body(job.body.clone());
    match request.send().await {
        Ok(response) => Attempt::Answered(response.status().as_u16()),
        Err(error) if error.is_timeout() => {
            Attempt::NoAnswer("the receiver did not answer in time".into())
        }
        Err(error) => Attempt::NoAnswer(format!("the request failed: {error}")),
    }
}

/// Hex HMAC-SHA256 of `"<t>.<body>"` with the webhook's secret.
fn sign(secret: &str, t: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    use aether::model::Webhook;
    use axum::http::{HeaderMap, StatusCode};
    use serde_json::json;
    use tokio::sync::mpsc;

    use super::*;
    use crate::config::MockConfig;
    use crate::state::AppState;

    fn state() -> SharedState {
        Arc::new(AppState::new(
            &MockConfig::default(),
            "adm_test".into(),
            "http://127.0.0.1:9".into(),
            std::env::temp_dir(),
        ))
    }

    fn post(id: &str) -> Post {
        serde_json::from_value(json!({
            "id": id, "status": "published", "profileIds": ["prof_1"],
            "content": { "text": "hello" },
            "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z",
            "results": [{ "profileId": "prof_1", "platform": "tiktok", "status": "published" }]
        }))
        .expect("a post")
    }

    /// A receiver on loopback that answers 500 to the first `failures` requests, then 200,
    /// and reports every request it got.
    struct Receiver {
        url: String,
        requests: mpsc::UnboundedReceiver<(HeaderMap, Bytes)>,
        hits: Arc<AtomicUsize>,
    }

    async fn receiver(failures: usize) -> Receiver {
        let (tx, requests) = mpsc::unbounded_channel();
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let tx = tx.clone();
                let counter = counter.clone();
                async move {
                    let n = counter.fetch_add(1, Ordering::SeqCst);
                    let _ = tx.send((headers, body));
                    if n < failures {
                        StatusCode::INTERNAL_SERVER_ERROR
                    } else {
                        StatusCode::OK
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url, requests, hits }
    }

    fn register(state: &SharedState, url: &str, events: &[WebhookEventType]) -> Webhook {
        state.store().part::<Webhooks>().register(
            url.to_owned(),
            events.to_vec(),
            state.clock.now(),
        )
    }

    fn deliveries(state: &SharedState) -> Vec<Delivery> {
        state.store().part::<Webhooks>().deliveries.clone()
    }

    /// Waits (in real time) until no attempt is in flight and `done` holds.
    async fn settle(state: &SharedState, done: impl Fn(&[Delivery]) -> bool) -> Vec<Delivery> {
        for _ in 0..500 {
            let all = deliveries(state);
            if all.iter().all(|d| !d.in_flight) && done(&all) {
                return all;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("deliveries did not settle: {:#?}", deliveries(state));
    }

    fn verify(secret: &str, headers: &HeaderMap, body: &[u8]) -> i64 {
        let header = headers["x-aether-signature"].to_str().unwrap();
        let (t, v1) = header.split_once(',').unwrap();
        let t: i64 = t.strip_prefix("t=").unwrap().parse().unwrap();
        let v1 = hex::decode(v1.strip_prefix("v1=").unwrap()).unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.").as_bytes());
        mac.update(body);
        mac.verify_slice(&v1).expect("signature verifies");
        t
    }

    #[tokio::test]
    async fn a_subscribed_webhook_gets_a_signed_event_on_the_virtual_clock() {
        let state = state();
        let mut rx = receiver(0).await;
        let hook = register(&state, &rx.url, &[WebhookEventType::PostPublished]);
        let other = register(&state, &rx.url, &[WebhookEventType::PostFailed]);
        // The signature's t follows the virtual clock, not the wall clock.
        state.clock.advance(SignedDuration::from_hours(48));
        let now = state.clock.now();
        enqueue(&mut state.store(), now, WebhookEventType::PostPublished, &post("post_1"));
        deliver_due(&state, now);

        let (headers, body) = tokio::time::timeout(Duration::from_secs(5), rx.requests.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(headers["content-type"], "application/json");
        let t = verify(hook.secret.as_deref().unwrap(), &headers, &body);
        assert!((t - now.as_second()).abs() <= 2, "t={t} virtual now={}", now.as_second());
        let event: WebhookEvent = serde_json::from_slice(&body).unwrap();
        assert!(event.id.starts_with("evt_"));
        assert_eq!(event.r#type, WebhookEventType::PostPublished);
        assert_eq!(event.data.post.unwrap().id, "post_1");
        assert_eq!(event.created_at, rfc3339(now));

        let all = settle(&state, |d| d[0].status == DeliveryStatus::Succeeded).await;
        assert_eq!(all.len(), 1, "only the subscribed webhook gets a delivery");
        assert_eq!(all[0].webhook_id, hook.id);
        assert_ne!(all[0].webhook_id, other.id);
        assert_eq!((all[0].attempts, all[0].last_status_code), (1, Some(200)));
        assert_eq!(all[0].next_attempt_at, None);
        deliver_due(&state, state.clock.now());
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(rx.hits.load(Ordering::SeqCst), 1, "a delivered event is not sent again");
    }

    #[tokio::test]
    async fn a_failing_receiver_is_retried_with_backoff_when_the_clock_moves() {
        let state = state();
        let mut rx = receiver(2).await;
        let hook = register(&state, &rx.url, &[WebhookEventType::PostFailed]);
        let now = state.clock.now();
        enqueue(&mut state.store(), now, WebhookEventType::PostFailed, &post("post_2"));
        deliver_due(&state, now);
        let all = settle(&state, |d| d[0].attempts == 1).await;
        assert_eq!(all[0].status, DeliveryStatus::Pending);
        assert_eq!(all[0].last_status_code, Some(500));
        let next = all[0].next_attempt_at.unwrap();
        assert!(next.duration_since(now) >= SignedDuration::from_secs(1));

        // Not due yet: nothing is sent.
        deliver_due(&state, state.clock.now());
        assert_eq!(deliveries(&state)[0].attempts, 1);

        state.clock.advance(SignedDuration::from_secs(1));
        deliver_due(&state, state.clock.now());
        let all = settle(&state, |d| d[0].attempts == 2).await;
        assert_eq!(all[0].last_status_code, Some(500));
        let wait = all[0].next_attempt_at.unwrap().duration_since(state.clock.now());
        assert!(wait > SignedDuration::from_millis(1500), "second backoff is 2 s: {wait:?}");

        state.clock.advance(SignedDuration::from_secs(2));
        deliver_due(&state, state.clock.now());
        let all = settle(&state, |d| d[0].status == DeliveryStatus::Succeeded).await;
        assert_eq!((all[0].attempts, all[0].last_status_code), (3, Some(200)));

        // Every attempt carried the same event, signed afresh.
        let mut ids = Vec::new();
        while let Ok((headers, body)) = rx.requests.try_recv() {
            verify(hook.secret.as_deref().unwrap(), &headers, &body);
            ids.push(serde_json::from_slice::<WebhookEvent>(&body).unwrap().id);
        }
        assert_eq!(ids.len(), 3);
        assert!(ids.iter().all(|id| *id == ids[0]));
    }

    #[tokio::test]
    async fn a_receiver_that_never_succeeds_fails_after_the_last_attempt() {
        let state = state();
        let rx = receiver(usize::MAX).await;
        register(&state, &rx.url, &[WebhookEventType::PostCancelled]);
        let now = state.clock.now();
        enqueue(&mut state.store(), now, WebhookEventType::PostCancelled, &post("post_3"));
        let max_attempts = state.settings().webhook_max_attempts;
        assert_eq!(max_attempts, 8, "the default");
        for attempt in 1..=max_attempts {
            deliver_due(&state, state.clock.now());
            settle(&state, |d| d[0].attempts == attempt).await;
            state.clock.advance(SignedDuration::from_secs(1000));
        }
        deliver_due(&state, state.clock.now());
        let all = settle(&state, |d| d[0].status == DeliveryStatus::Failed).await;
        assert_eq!(all[0].attempts, max_attempts);
        assert_eq!(all[0].next_attempt_at, None);
        assert_eq!(rx.hits.load(Ordering::SeqCst), max_attempts as usize);
    }

    #[tokio::test]
    async fn an_unreachable_receiver_is_retried_and_a_non_loopback_one_never_contacted() {
        let state = state();
        // A port nobody listens on: no answer, retried.
        let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", closed.local_addr().unwrap());
        drop(closed);
        register(&state, &url, &[WebhookEventType::PostScheduled]);
        // Registered behind the API's back: the send-time check still refuses it.
        register(&state, "http://192.0.2.1/hook", &[WebhookEventType::PostScheduled]);
        let now = state.clock.now();
        enqueue(&mut state.store(), now, WebhookEventType::PostScheduled, &post("post_4"));
        deliver_due(&state, now);
        let all = settle(&state, |d| d.iter().all(|d| d.attempts == 1)).await;
        assert_eq!(all[0].status, DeliveryStatus::Pending);
        assert_eq!(all[0].last_status_code, None);
        assert!(all[0].last_error.as_deref().unwrap().contains("request failed"));
        assert_eq!(all[1].status, DeliveryStatus::Failed);
        assert!(all[1].last_error.as_deref().unwrap().contains("loopback"), "{:?}", all[1]);
    }

    #[tokio::test]
    async fn deleting_a_webhook_stops_its_pending_deliveries() {
        let state = state();
        let rx = receiver(usize::MAX).await;
        let hook = register(&state, &rx.url, &[WebhookEventType::PostPublishing]);
        let now = state.clock.now();
        enqueue(&mut state.store(), now, WebhookEventType::PostPublishing, &post("post_5"));
        deliver_due(&state, now);
        settle(&state, |d| d[0].attempts == 1).await;
        assert!(state.store().part::<Webhooks>().remove(&hook.id));
        state.clock.advance(SignedDuration::from_secs(60));
        deliver_due(&state, state.clock.now());
        let all = settle(&state, |d| d[0].status == DeliveryStatus::Failed).await;
        assert_eq!(all[0].attempts, 1);
        assert_eq!(rx.hits.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn backoff_doubles_from_one_second() {
        let waits: Vec<i64> = (1..=4).map(|a| backoff(a).as_secs()).collect();
        assert_eq!(waits, vec![1, 2, 4, 8]);
    }
}
