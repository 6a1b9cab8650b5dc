//! `-v` / `-vv` and `AETHER_LOG`: request lines on stderr (stdout stays the data), bodies only
//! at -vv, never the API key.

use aether_mock::admin_client::FaultRule;
use serde_json::json;

use crate::common::{run_with_env, Emulator};

fn fail_once(emulator: &Emulator) {
    let rule: FaultRule = serde_json::from_value(json!({
        "method": "POST", "path": "/v1/posts", "times": 1,
        "action": {"type": "status", "status": 503}
    }))
    .unwrap();
    emulator.run(emulator.admin.inject_fault(&rule)).unwrap();
}

#[test]
fn v_logs_each_attempt_and_vv_the_bodies_without_the_key() {
    let emulator = Emulator::start();
    let profile = emulator.profile("linkedin", "standard");
    let quiet = emulator.aether(&["post", "--profile", &profile, "--text", "quiet", "--json"]);
    quiet.success();
    assert!(!quiet.stderr().contains("attempt"), "{}", quiet.stderr());

    fail_once(&emulator);
    let v = emulator.aether(&["-v", "post", "--profile", &profile, "--text", "seen", "--json"]);
    v.success();
    assert!(v.json()["id"].is_string(), "stdout is still one JSON document");
    let stderr = v.stderr();
    assert!(stderr.contains("POST /v1/posts -> 503 SERVICE_UNAVAILABLE (attempt 1,"), "{stderr}");
    assert!(stderr.contains("POST /v1/posts -> 201 (attempt 2,"), "{stderr}");
    assert!(stderr.contains("request_id=req_"), "{stderr}");
    assert!(stderr.contains("idempotency_key="), "{stderr}");
    assert!(!stderr.contains("body"), "no body at -v: {stderr}");

    let vv = emulator.aether(&["-vv", "post", "--profile", &profile, "--text", "bodies", "--json"]);
    vv.success();
    let stderr = vv.stderr();
    assert!(stderr.contains("request body: {"), "{stderr}");
    assert!(stderr.contains("\"text\":\"bodies\""), "{stderr}");
    for run in [&v, &vv] {
        assert!(!run.stderr().contains(emulator.server.api_key()), "the key in {}", run.stderr());
    }
}

#[test]
fn aether_log_sets_the_level_without_a_flag() {
    let emulator = Emulator::start();
    let profile = emulator.profile("linkedin", "standard");
    fail_once(&emulator);
    let args = [
        "--base-url",
        emulator.url(),
        "--api-key",
        emulator.server.api_key(),
        "post",
        "--profile",
        &profile,
        "--text",
        "env",
        "--json",
    ];
    let run = run_with_env(&args, None, &[("AETHER_LOG", "info")]);
    run.success();
    let stderr = run.stderr();
    assert!(stderr.contains("aether info: POST /v1/posts attempt 1 failed (503"), "{stderr}");
    assert!(!stderr.contains("(attempt 2,"), "no debug line at info: {stderr}");
}
