//! `aether api METHOD PATH`: an endpoint the commands do not cover, status and headers with
//! --include, a POST under one idempotency key made once, extra headers and query parameters
//! reaching the server, a retried 503, and a full URL refused.

use serde_json::Value;

use crate::common::Emulator;

#[test]
fn api_reads_the_platforms_table_with_status_and_headers() {
    let emulator = Emulator::start();

    let plain = emulator.aether(&["api", "GET", "/v1/platforms"]);
    plain.success();
    assert!(plain.json()["platforms"]["tiktok"].is_object(), "{}", plain.stdout());

    let included = emulator.aether(&["api", "GET", "/v1/platforms", "--include"]);
    included.success();
    let out = included.stdout();
    assert!(out.starts_with("HTTP 200\n"), "{out}");
    assert!(out.contains("x-request-id: req_"), "{out}");
    assert!(out.contains("x-ratelimit-remaining: "), "{out}");

    let json = emulator.aether(&["api", "GET", "/v1/platforms", "-i", "--json"]);
    json.success();
    let doc = json.json();
    assert_eq!(doc["status"], 200);
    assert_eq!(doc["headers"]["x-request-id"], doc["requestId"]);
    assert!(doc["data"]["platforms"].is_object());
}

#[test]
fn api_posts_once_under_one_idempotency_key_with_extra_headers_and_query() {
    let emulator = Emulator::start();
    let profile = emulator.profile("linkedin", "standard");
    let body = format!(r#"{{"profileId": "{profile}", "content": {{"text": "from the shell"}}}}"#);
    let args = [
        "api",
        "POST",
        "/v1/posts",
        "--data",
        &body,
        "--idempotency-key",
        "cli-raw-1",
        "-H",
        "X-Trace-Tag: shell",
        "-q",
        "source=cli",
        "--json",
        "-i",
    ];

    let first = emulator.aether(&args);
    first.success();
    let second = emulator.aether(&args);
    second.success();

    let (first, second) = (first.json(), second.json());
    assert_eq!(first["status"], 201);
    assert_eq!(first["data"]["id"], second["data"]["id"]);
    assert_eq!(second["headers"]["idempotent-replayed"], "true");
    let journal = emulator.run(emulator.admin.journal()).unwrap();
    let posts: Vec<_> =
        journal.iter().filter(|e| e.method == "POST" && e.path == "/v1/posts").collect();
    assert_eq!(posts.len(), 2);
    assert!(posts.iter().all(|e| e.idempotency_key.as_deref() == Some("cli-raw-1")));
    assert!(posts
        .iter()
        .all(|e| e.headers.get("x-trace-tag").map(String::as_str) == Some("shell")));
    assert!(posts.iter().all(|e| e.query.as_deref() == Some("source=cli")));
    let listed = emulator.aether(&["api", "GET", "/v1/posts"]);
    assert_eq!(listed.json()["data"].as_array().map(Vec::len), Some(1));
}

#[test]
fn api_retries_a_503_and_refuses_a_full_url() {
    let emulator = Emulator::start();
    let rule: aether_mock::admin_client::FaultRule = serde_json::from_value(serde_json::json!({
        "method": "GET", "path": "/v1/platforms", "times": 1,
        "action": {"type": "status", "status": 503}
    }))
    .unwrap();
    emulator.run(emulator.admin.inject_fault(&rule)).unwrap();

    emulator.aether(&["api", "GET", "/v1/platforms"]).success();
    let statuses: Vec<Option<u16>> = emulator
        .run(emulator.admin.journal())
        .unwrap()
        .iter()
        .filter(|e| e.path == "/v1/platforms")
        .map(|e| e.status)
        .collect();
    assert_eq!(statuses, [Some(503), Some(200)]);

    let refused = emulator.aether(&["api", "GET", "https://evil.example/v1/posts", "--json"]);
    refused.expect(1);
    let error: Value = refused.json();
    assert_eq!(error["error"]["code"], "INVALID_ARGUMENT");
    let bad = emulator.aether(&["api", "GET", "/v1/posts", "-H", "no-colon"]);
    bad.expect(2);
}
