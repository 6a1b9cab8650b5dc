//! `aether webhooks deliveries` and `aether webhooks redeliver`: a dead letter listed (table
//! and JSON, filtered by status) and sent again to a loopback receiver, where it verifies.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

use crate::common::Emulator;
use aether_mock::NewComment;
use serde_json::json;

/// A loopback receiver on its own thread: answers each request with the next status of
/// `statuses` (then 200) and hands over (signature, body).
fn receiver(statuses: Vec<u16>) -> (String, mpsc::Receiver<(String, Vec<u8>)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut statuses = statuses.into_iter();
        for socket in listener.incoming() {
            let Ok(mut socket) = socket else { return };
            let mut data = Vec::new();
            let mut buf = [0u8; 8192];
            let (head, body) = loop {
                let Ok(n) = socket.read(&mut buf) else { break (String::new(), Vec::new()) };
                if n == 0 {
                    break (String::new(), Vec::new());
                }
                data.extend_from_slice(&buf[..n]);
                let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
                let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                if data.len() >= end + 4 + length {
                    break (head, data[end + 4..end + 4 + length].to_vec());
                }
            };
            let signature = head
                .lines()
                .find_map(|l| l.strip_prefix("x-aether-signature:"))
                .map(|v| v.trim().to_owned())
                .unwrap_or_default();
            let _ = tx.send((signature, body));
            let status = statuses.next().unwrap_or(200);
            let reply =
                format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            let _ = socket.write_all(reply.as_bytes());
        }
    });
    (url, rx)
}

#[test]
fn deliveries_lists_a_dead_letter_and_redeliver_sends_it_again() {
    let emulator = Emulator::with(|config| config.settings.webhook_max_attempts = 1);
    let (url, requests) = receiver(vec![500]);
    let hook = emulator.api(
        reqwest::Method::POST,
        "/v1/webhooks",
        Some(json!({ "url": url, "events": ["comment.created"] })),
    );
    let (id, secret) = (hook["id"].as_str().unwrap(), hook["secret"].as_str().unwrap());
    let profile = emulator.profile("tiktok", "standard");
    let comment = NewComment { text: Some("first!".into()), ..NewComment::default() };
    emulator.run(emulator.admin.simulate_comment(&profile, &comment)).unwrap();
    let (refused_signature, refused_body) = requests.recv_timeout(Duration::from_secs(10)).unwrap();

    let mut listed = json!([]);
    for _ in 0..100 {
        let run = emulator.aether(&["webhooks", "deliveries", id, "--status", "failed", "--json"]);
        run.success();
        listed = run.json();
        if listed.as_array().is_some_and(|l| !l.is_empty()) {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let dead = &listed[0];
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(
        (&dead["status"], &dead["attempts"], &dead["lastStatusCode"]),
        (&json!("failed"), &json!(1), &json!(500))
    );
    let dead_id = dead["id"].as_str().unwrap();
    let table = emulator.aether(&["webhooks", "deliveries", id]);
    table.success();
    assert!(
        table.stdout().contains(dead_id) && table.stdout().contains("failed"),
        "{}",
        table.stdout()
    );
    assert!(table.stdout().contains("last answer 500"), "{}", table.stdout());
    let pending = emulator.aether(&["webhooks", "deliveries", id, "--status", "pending", "--json"]);
    assert_eq!(pending.json(), json!([]));

    let again = emulator.aether(&["webhooks", "redeliver", id, dead_id]);
    again.success();
    assert!(again.stdout().contains(dead_id), "{}", again.stdout());
    let (signature, body) = requests.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(body, refused_body, "the same event");
    let t: i64 = signature[2..signature.find(',').unwrap()].parse().unwrap();
    let at = std::time::UNIX_EPOCH + Duration::from_secs(t as u64);
    aether::webhooks::verify_signature(&body, &signature, &[secret], Duration::from_secs(300), at)
        .expect("the redelivery verifies");
    assert!(refused_signature.starts_with("t="));

    let unknown = emulator.aether(&["webhooks", "redeliver", id, "dlv_nope", "--json"]);
    unknown.expect(1);
    assert_eq!(unknown.json()["error"]["code"], "NOT_FOUND");
    let usage = emulator.aether(&["webhooks", "deliveries", id, "--status", "lost"]);
    usage.expect(2);
}
