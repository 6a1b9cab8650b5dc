//! What the client writes to `tracing`: one span per attempt with method, path, attempt and
//! request id — and never the API key.

mod client_common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use client_common::{text_post, Emulator};
use serde_json::json;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn spans_name_the_request_and_never_the_key() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // The test runtime is single-threaded, so the client and the emulator run on this thread.
    let _guard = tracing::subscriber::set_default(subscriber);

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

    let output = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(output.contains("aether.request"), "{output}");
    assert!(output.contains("method=POST"), "{output}");
    assert!(output.contains("path=/v1/posts"), "{output}");
    assert!(output.contains("attempt=2"), "the retry has its own span: {output}");
    assert!(output.contains("request_id=req_"), "{output}");
    assert!(output.contains("retrying"), "{output}");
    assert!(!output.contains(emulator.server.api_key()), "the key was logged: {output}");
    assert!(!output.contains("do_not_log_me"), "the key was logged: {output}");
}
