//! What the client writes to `tracing`: one span per attempt with method, path, attempt and
//! request id — and never the API key.

mod client_common;

use client_common::{text_post, CapturedLog, Emulator};
use serde_json::json;

#[tokio::test]
async fn spans_name_the_request_and_never_the_key() {
    let (captured, _guard) = CapturedLog::start(true);

    let emulator = Emulator::start().await;
    let profile = emulator.profile("linkedin").await;
    emulator
        .fault(json!({"method": "POST", "path": "/v1/posts", "times": 1,
                      "action": {"type": "status", "status": 503}}))
        .await;
    let client = emulator.client();
    client.posts().create(&text_post(&profile, "traced")).await.unwrap();
    let wrong = emulator.builder().api_key("sk_test_do_not_log_me").build().unwrap();
    wrong.posts().get("post_x").await.unwrap_err();

    let output = captured.text();
    assert!(output.contains("aether.request"), "{output}");
    assert!(output.contains("method=POST"), "{output}");
    assert!(output.contains("path=/v1/posts"), "{output}");
    assert!(output.contains("attempt=2"), "the retry has its own span: {output}");
    assert!(output.contains("request_id=req_"), "{output}");
    assert!(output.contains("retrying"), "{output}");
    assert!(!output.contains(emulator.server.api_key()), "the key was logged: {output}");
    assert!(!output.contains("do_not_log_me"), "the key was logged: {output}");
}
