//! `aether post retry ID [--wait] [--json]`: the failed target of a cross-post publishes again;
//! a post with nothing to retry exits 1 with POST_NOT_RETRYABLE and a hint; `aether post
//! --profile …` is unchanged beside the subcommand.

use std::time::Duration;

use aether_mock::{ForcedOutcome, OutcomeKind};
use serde_json::json;

use crate::common::Emulator;

#[test]
fn post_retry_publishes_the_failed_target_and_refuses_a_published_post() {
    // Targets finish only when the test moves the clock, so the outcome can be forced first.
    let emulator = Emulator::with(|config| config.settings.processing_ms = 60_000);
    let linkedin = emulator.profile("linkedin", "standard");
    let threads = emulator.profile("threads", "standard");
    let created = emulator.aether(&[
        "post",
        "--profile",
        &linkedin,
        "--profile",
        &threads,
        "--text",
        "cross-post",
        "--json",
    ]);
    created.success();
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let forced = ForcedOutcome {
        profile_id: Some(threads.clone()),
        ..ForcedOutcome::new(OutcomeKind::Failed)
    };
    emulator.run(emulator.admin.force_outcome(&id, &forced)).unwrap();
    emulator.run(emulator.admin.advance_clock(Duration::from_secs(61))).unwrap();
    let partial = emulator.aether(&["status", &id, "--json"]);
    partial.success();
    let partial = partial.json();
    assert_eq!(partial["status"], "partially_published");

    emulator.run(emulator.admin.update_settings(&json!({ "processingMs": 200 }))).unwrap();
    let retried = emulator.aether(&["post", "retry", &id, "--wait", "--json"]);
    retried.success();
    let post = retried.json();
    assert_eq!(post["status"], "published", "{post}");
    assert_eq!(post["results"][0], partial["results"][0], "linkedin was not sent again");
    assert_eq!(post["results"][1]["status"], "published");
    let retries: Vec<String> =
        emulator.journal().into_iter().filter(|e| e.ends_with("/retry")).collect();
    assert_eq!(retries, [format!("POST /v1/posts/{id}/retry")]);

    let refused = emulator.aether(&["post", "retry", &id, "--json"]);
    refused.expect(1);
    let error = &refused.json()["error"];
    assert_eq!((&error["code"], &error["status"]), (&json!("POST_NOT_RETRYABLE"), &json!(409)));
    assert_eq!(error["details"]["status"], "published");
    let plain = emulator.aether(&["post", "retry", &id]);
    plain.expect(1);
    let stderr = plain.stderr();
    assert!(stderr.contains("POST_NOT_RETRYABLE") && stderr.contains("aether status"), "{stderr}");
}

#[test]
fn post_retry_arguments_are_checked_and_post_still_needs_a_profile() {
    let emulator = Emulator::start();
    emulator.aether(&["post", "retry"]).expect(2);
    emulator.aether(&["post", "retry", "post_x", "--profile", "li_1"]).expect(2);
    emulator.aether(&["post", "retry", "post_x", "--timeout", "5"]).expect(2);
    emulator.aether(&["post", "--text", "no profile"]).expect(2);
    let missing = emulator.aether(&["post", "retry", "post_doesnotexist", "--json"]);
    missing.expect(1);
    assert_eq!(missing.json()["error"]["code"], "NOT_FOUND");
}
