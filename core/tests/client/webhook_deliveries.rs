//! Inbox events and dead letters through the client: a simulated comment and message arrive
//! typed through `construct_event`; a delivery that exhausted its attempts is listed with
//! `deliveries(id, Some(Failed))` and `redeliver` sends the same event, signed afresh, to a
//! loopback receiver that verifies it.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aether::model::{
    CreateWebhookRequest, MessageDirection, Platform, WebhookDeliveryStatus, WebhookEventType,
};
use aether::webhooks::{construct_event_at, verify_signature, DEFAULT_TOLERANCE};
use aether::ErrorCode;
use aether_mock::{MessagePatch, NewAuthor, NewComment, NewMessage};
use futures_util::TryStreamExt;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

use crate::client_common::Emulator;

/// A loopback receiver answering `status` and handing over every (signature, body) it gets.
struct Receiver {
    url: String,
    status: Arc<AtomicU16>,
    requests: mpsc::UnboundedReceiver<(String, Vec<u8>)>,
}

async fn receiver() -> Receiver {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let status = Arc::new(AtomicU16::new(200));
    let (tx, requests) = mpsc::unbounded_channel();
    let answer = status.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (tx, answer) = (tx.clone(), answer.clone());
            tokio::spawn(async move {
                let mut data = Vec::new();
                let mut buf = [0u8; 8192];
                loop {
                    let Ok(n) = socket.read(&mut buf).await else { return };
                    if n == 0 {
                        return;
                    }
                    data.extend_from_slice(&buf[..n]);
                    let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") else {
                        continue;
                    };
                    let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
                    let header = |name: &str| {
                        head.lines().find_map(|l| l.strip_prefix(name)).map(|v| v.trim().to_owned())
                    };
                    let length: usize =
                        header("content-length:").and_then(|v| v.parse().ok()).unwrap_or(0);
                    if data.len() < end + 4 + length {
                        continue;
                    }
                    let body = data[end + 4..end + 4 + length].to_vec();
                    let _ = tx.send((header("x-aether-signature:").unwrap_or_default(), body));
                    let status = answer.load(Ordering::SeqCst);
                    let reply = format!(
                        "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    );
                    let _ = socket.write_all(reply.as_bytes()).await;
                    return;
                }
            });
        }
    });
    Receiver { url, status, requests }
}

impl Receiver {
    async fn next(&mut self) -> (String, Vec<u8>) {
        tokio::time::timeout(Duration::from_secs(10), self.requests.recv())
            .await
            .expect("a delivery in time")
            .expect("the receiver runs")
    }
}

async fn emulator_now(emulator: &Emulator) -> SystemTime {
    let clock = emulator.admin.clock().await.unwrap();
    let now: jiff::Timestamp = clock.now.parse().unwrap();
    UNIX_EPOCH + Duration::from_secs(now.as_second() as u64)
}

#[tokio::test]
async fn inbox_events_arrive_typed() {
    let emulator = Emulator::start().await;
    let mut rx = receiver().await;
    let client = emulator.client();
    let events = vec![
        WebhookEventType::CommentCreated,
        WebhookEventType::MessageCreated,
        WebhookEventType::MessageUpdated,
    ];
    let hook = client
        .webhooks()
        .create(&CreateWebhookRequest { url: rx.url.clone(), events: events.clone() })
        .await
        .unwrap();
    assert_eq!(hook.events, events);
    let secret = hook.secret.unwrap();
    let profile = emulator.profile("instagram").await;

    let author = NewAuthor { id: Some("1784".into()), username: Some("fan".into()) };
    let comment = NewComment {
        text: Some("wow".into()),
        author: Some(author),
        platform_post_id: Some("180123".into()),
        ..NewComment::default()
    };
    let simulated = emulator.admin.simulate_comment(&profile, &comment).await.unwrap();
    let (signature, body) = rx.next().await;
    let now = emulator_now(&emulator).await;
    let event = construct_event_at(&body, &signature, &[&secret], DEFAULT_TOLERANCE, now).unwrap();
    assert_eq!(event.r#type, WebhookEventType::CommentCreated);
    let typed = event.data.comment.expect("a comment event carries the comment");
    assert_eq!(typed, simulated);
    assert_eq!((typed.platform, typed.author.username.as_str()), (Platform::Instagram, "fan"));
    assert_eq!(typed.platform_post_id.as_deref(), Some("180123"));
    assert!(event.data.post.is_none() && event.data.message.is_none());

    let message = NewMessage { text: Some("hello?".into()), ..NewMessage::default() };
    let message = emulator.admin.simulate_message(&profile, &message).await.unwrap();
    let (signature, body) = rx.next().await;
    let event = construct_event_at(&body, &signature, &[&secret], DEFAULT_TOLERANCE, now).unwrap();
    assert_eq!(event.r#type, WebhookEventType::MessageCreated);
    let typed = event.data.message.unwrap();
    assert_eq!(typed.direction, MessageDirection::Inbound);
    assert_eq!(typed.read_at, None);

    let patch = MessagePatch { read_at: Some("2026-06-15T07:00:00Z".into()), text: None };
    emulator.admin.update_message(&message.id, &patch).await.unwrap();
    let (signature, body) = rx.next().await;
    let event = construct_event_at(&body, &signature, &[&secret], DEFAULT_TOLERANCE, now).unwrap();
    assert_eq!(event.r#type, WebhookEventType::MessageUpdated);
    let typed = event.data.message.unwrap();
    assert_eq!(
        (typed.id.as_str(), typed.read_at.as_deref()),
        (message.id.as_str(), Some("2026-06-15T07:00:00.000Z"))
    );
}

#[tokio::test]
async fn a_dead_letter_is_redelivered_to_a_loopback_receiver_with_a_valid_signature() {
    let emulator = Emulator::start().await;
    emulator.settings(json!({ "webhookMaxAttempts": 1 })).await;
    let mut rx = receiver().await;
    rx.status.store(500, Ordering::SeqCst);
    let client = emulator.client();
    let webhooks = client.webhooks();
    let request = CreateWebhookRequest {
        url: rx.url.clone(),
        events: vec![WebhookEventType::CommentCreated],
    };
    let hook = webhooks.create(&request).await.unwrap();
    let secret = hook.secret.clone().unwrap();
    let profile = emulator.profile("tiktok").await;
    let comment = NewComment { text: Some("first!".into()), ..NewComment::default() };
    emulator.admin.simulate_comment(&profile, &comment).await.unwrap();
    let (refused_signature, refused_body) = rx.next().await;

    let failed = Some(WebhookDeliveryStatus::Failed);
    let mut dead = Vec::new();
    for _ in 0..200 {
        dead = webhooks.deliveries(&hook.id, failed.clone()).try_collect().await.unwrap();
        if !dead.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(dead.len(), 1, "the refused delivery is a dead letter");
    assert_eq!((dead[0].attempts, dead[0].last_status_code), (1, Some(500)));
    assert_eq!(dead[0].status, WebhookDeliveryStatus::Failed);
    let all: Vec<_> = webhooks.deliveries(&hook.id, None).try_collect().await.unwrap();
    assert_eq!(all, dead);

    rx.status.store(200, Ordering::SeqCst);
    emulator.advance(600.0).await;
    let again = webhooks.redeliver(&hook.id, &dead[0].id).await.unwrap();
    assert_eq!(
        (again.id.as_str(), again.event_id.as_str()),
        (dead[0].id.as_str(), dead[0].event_id.as_str())
    );
    let (signature, body) = rx.next().await;
    assert_eq!(body, refused_body, "the same event, byte for byte");
    assert_ne!(signature, refused_signature, "signed afresh");
    let now = emulator_now(&emulator).await;
    verify_signature(&body, &signature, &[&secret], DEFAULT_TOLERANCE, now).unwrap();
    let old =
        verify_signature(&refused_body, &refused_signature, &[&secret], DEFAULT_TOLERANCE, now);
    assert_eq!(
        old.unwrap_err().code(),
        &ErrorCode::InvalidArgument,
        "the old one is ten minutes stale"
    );

    let unknown = webhooks.redeliver(&hook.id, "dlv_nope").await.unwrap_err();
    assert_eq!(unknown.code(), &ErrorCode::NotFound);
    let empty = webhooks.redeliver(&hook.id, "").await.unwrap_err();
    assert_eq!(empty.code(), &ErrorCode::InvalidArgument);
    let missing: Result<Vec<_>, _> = webhooks.deliveries("wh_nope", None).try_collect().await;
    assert_eq!(missing.unwrap_err().code(), &ErrorCode::NotFound);
}
