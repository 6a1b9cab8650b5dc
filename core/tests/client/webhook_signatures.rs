//! Webhook signatures: sign/verify round trip, tolerance, secret rotation, tampering, malformed
//! headers, and a real delivery from the emulator verified by the SDK.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::client_common::{text_post, Emulator};
use aether::model::{CreateWebhookRequest, PostStatus, WebhookEventType};
use aether::webhooks::{
    construct_event, parse_signature_header, sign_test_payload, verify_signature,
    DEFAULT_TOLERANCE, SIGNATURE_HEADER,
};
use aether::ErrorCode;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PAYLOAD: &[u8] = br#"{"id":"evt_1","type":"post.published","data":{}}"#;
const SECRET: &str = "whsec_current";
const OLD_SECRET: &str = "whsec_previous";

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds)
}

fn reason(error: &aether::Error) -> &str {
    error.details().and_then(|d| d["reason"].as_str()).unwrap_or("")
}

#[test]
fn a_signed_payload_verifies() {
    let header = sign_test_payload(PAYLOAD, SECRET, 1_800_000_000);
    assert!(header.starts_with("t=1800000000,v1="));
    assert_eq!(header.len(), "t=1800000000,v1=".len() + 64);
    verify_signature(PAYLOAD, &header, &[SECRET], DEFAULT_TOLERANCE, at(1_800_000_000)).unwrap();
}

#[test]
fn a_known_vector_matches_the_protocol() {
    // HMAC-SHA256(key "secret", message "1700000000.body"), computed with Python's hmac module.
    let header = sign_test_payload(b"body", "secret", 1_700_000_000);
    assert_eq!(
        header,
        "t=1700000000,v1=42ac6f0448c1d9c3e1e82b9726248f58fef84afffcbad5188246e96070e0ea46"
    );
}

#[test]
fn the_timestamp_must_be_within_the_tolerance() {
    let signed_at = 1_800_000_000;
    let header = sign_test_payload(PAYLOAD, SECRET, signed_at);
    let tolerance = Duration::from_secs(300);
    for now in [signed_at - 300, signed_at + 299, signed_at + 300] {
        verify_signature(PAYLOAD, &header, &[SECRET], tolerance, at(now as u64)).unwrap();
    }
    for now in [signed_at + 301, signed_at - 301, signed_at + 86_400] {
        let error =
            verify_signature(PAYLOAD, &header, &[SECRET], tolerance, at(now as u64)).unwrap_err();
        assert_eq!(error.code(), &ErrorCode::InvalidArgument);
        assert_eq!(reason(&error), "timestamp_outside_tolerance", "{error}");
    }
}

#[test]
fn several_secrets_allow_a_rotation() {
    let now = 1_800_000_000;
    let old = sign_test_payload(PAYLOAD, OLD_SECRET, now);
    verify_signature(PAYLOAD, &old, &[SECRET, OLD_SECRET], DEFAULT_TOLERANCE, at(now as u64))
        .unwrap();
    let error =
        verify_signature(PAYLOAD, &old, &[SECRET], DEFAULT_TOLERANCE, at(now as u64)).unwrap_err();
    assert_eq!(reason(&error), "signature_mismatch");

    // A header with two signatures (a sender mid-rotation) verifies with either secret.
    let new = sign_test_payload(PAYLOAD, SECRET, now);
    let both = format!("{old},v1={}", new.split("v1=").nth(1).unwrap());
    for secret in [SECRET, OLD_SECRET] {
        verify_signature(PAYLOAD, &both, &[secret], DEFAULT_TOLERANCE, at(now as u64)).unwrap();
    }
}

#[test]
fn a_tampered_payload_or_signature_is_refused() {
    let now = 1_800_000_000;
    let header = sign_test_payload(PAYLOAD, SECRET, now);
    let mut tampered = PAYLOAD.to_vec();
    tampered[10] ^= 1;
    let error = verify_signature(&tampered, &header, &[SECRET], DEFAULT_TOLERANCE, at(now as u64))
        .unwrap_err();
    assert_eq!(reason(&error), "signature_mismatch");

    // Re-signing under another timestamp without the secret is impossible: changing t breaks it.
    let moved = header.replacen("t=1800000000", "t=1800000100", 1);
    let error = verify_signature(PAYLOAD, &moved, &[SECRET], DEFAULT_TOLERANCE, at(now as u64))
        .unwrap_err();
    assert_eq!(reason(&error), "signature_mismatch");

    let error =
        verify_signature(PAYLOAD, &header, &[], DEFAULT_TOLERANCE, at(now as u64)).unwrap_err();
    assert_eq!(reason(&error), "no_secret");
}

#[test]
fn header_parsing_is_lenient_about_spacing_and_strict_about_content() {
    let sig = "ab".repeat(32);
    let parsed = parse_signature_header(&format!(" t=42 , v0=zz, v1={sig} ,x=y")).unwrap();
    assert_eq!(parsed.timestamp, 42);
    assert_eq!(parsed.signatures, vec![vec![0xab; 32]]);

    for bad in [
        String::new(),
        "garbage".to_owned(),
        format!("v1={sig}"),
        "t=42".to_owned(),
        format!("t=-1,v1={sig}"),
        format!("t=abc,v1={sig}"),
        format!("t=1,t=2,v1={sig}"),
        format!("t=99999999999999999999,v1={sig}"),
        "t=42,v1=nothex".to_owned(),
        format!("t=42,v1={}", "ab".repeat(31)),
        format!("t=42,{}", "v1=00,".repeat(2000)),
    ] {
        let error = parse_signature_header(&bad).unwrap_err();
        assert_eq!(error.code(), &ErrorCode::InvalidArgument, "{bad}");
        assert_eq!(reason(&error), "malformed_header", "{bad}");
    }
}

/// Accepts one HTTP request on `listener`, answers 200, and returns its headers and body.
async fn receive_one(listener: tokio::net::TcpListener) -> (String, Vec<u8>) {
    let (mut socket, _) = listener.accept().await.unwrap();
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = socket.read(&mut buf).await.unwrap();
        assert!(n > 0, "connection closed before a whole request");
        data.extend_from_slice(&buf[..n]);
        let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
        let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .map(|v| v.trim().parse().unwrap())
            .unwrap_or(0);
        if data.len() >= end + 4 + length {
            let body = data[end + 4..end + 4 + length].to_vec();
            let raw_head = String::from_utf8_lossy(&data[..end]).into_owned();
            socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").await.unwrap();
            return (raw_head, body);
        }
    }
}

#[tokio::test]
async fn a_delivery_from_the_emulator_verifies() {
    let emulator = Emulator::start().await;
    emulator.settings(json!({"processingMs": 100})).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let receiver = tokio::spawn(receive_one(listener));
    let client = emulator.client();
    let webhook = client
        .webhooks()
        .create(&CreateWebhookRequest { url, events: vec![WebhookEventType::PostPublished] })
        .await
        .unwrap();
    let secret = webhook.secret.unwrap();
    let profile = emulator.profile("linkedin").await;
    let post = client.posts().create(&text_post(&profile, "tell my webhook")).await.unwrap();

    let (head, body) =
        tokio::time::timeout(Duration::from_secs(20), receiver).await.unwrap().unwrap();

    let header = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case(SIGNATURE_HEADER).then(|| value.trim().to_owned())
        })
        .expect("the delivery is signed");
    verify_signature(&body, &header, &[&secret], DEFAULT_TOLERANCE, SystemTime::now()).unwrap();
    let event =
        construct_event(&body, &header, &["whsec_other", &secret], DEFAULT_TOLERANCE).unwrap();
    assert_eq!(event.r#type, WebhookEventType::PostPublished);
    let delivered = event.data.post.expect("a post event carries the post");
    assert_eq!(delivered.id, post.id);
    assert_eq!(delivered.status, PostStatus::Published);
    let error =
        verify_signature(&body, &header, &["whsec_other"], DEFAULT_TOLERANCE, SystemTime::now())
            .unwrap_err();
    assert_eq!(reason(&error), "signature_mismatch");
}
