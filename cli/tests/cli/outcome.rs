//! `aether post` when every answer is lost: OUTCOME_UNKNOWN with both ids, and the exact command
//! to re-run with `--idempotency-key`, which then returns the post made once.

use aether_mock::admin_client::FaultRule;
use serde_json::json;

use crate::common::Emulator;

#[test]
fn a_post_whose_answers_are_lost_prints_the_command_to_rerun_with_its_key() {
    let emulator = Emulator::start();
    let profile = emulator.profile("linkedin", "standard");
    let rule: FaultRule = serde_json::from_value(json!({
        "method": "POST", "path": "/v1/posts", "action": {"type": "reset_after_body"}
    }))
    .unwrap();
    emulator.run(emulator.admin.inject_fault(&rule)).unwrap();

    let lost = emulator.aether(&["post", "--profile", &profile, "--text", "it's maybe live"]);
    lost.expect(1);
    let stderr = lost.stderr();
    assert!(stderr.contains("OUTCOME_UNKNOWN"), "{stderr}");
    assert!(stderr.contains("client request id: creq_"), "{stderr}");
    let key = stderr
        .lines()
        .find_map(|line| line.trim().strip_prefix("idempotency key: "))
        .expect("the key is printed")
        .to_owned();
    assert!(stderr.contains(&format!("--idempotency-key {key}")), "{stderr}");
    assert!(stderr.contains("'it'\"'\"'s maybe live'") || stderr.contains("\"it's maybe live\""));
    assert!(!stderr.contains(emulator.server.api_key()), "the API key is never printed");

    let json = emulator.aether(&["post", "--profile", &profile, "--text", "another", "--json"]);
    json.expect(1);
    let error = &json.json()["error"];
    assert_eq!(error["code"], "OUTCOME_UNKNOWN");
    assert!(error["clientRequestId"].as_str().unwrap().starts_with("creq_"));
    assert!(error["idempotencyKey"].as_str().is_some());
    assert_eq!(error["details"]["cause"], "NETWORK_ERROR");

    emulator.run(emulator.admin.clear_faults()).unwrap();
    let again = emulator.aether(&[
        "post",
        "--profile",
        &profile,
        "--text",
        "it's maybe live",
        "--idempotency-key",
        &key,
        "--json",
    ]);
    again.success();
    let posts = emulator.api(reqwest::Method::GET, "/v1/posts", None);
    let texts: Vec<&str> = posts["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["content"]["text"].as_str())
        .collect();
    assert_eq!(texts.iter().filter(|t| **t == "it's maybe live").count(), 1, "{texts:?}");
    assert_eq!(
        again.json()["id"],
        posts["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["content"]["text"] == "it's maybe live")
            .unwrap()["id"]
    );
}
