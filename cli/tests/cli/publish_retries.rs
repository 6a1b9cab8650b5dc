//! `aether status ID --wait` while the server retries a transient platform failure: a line per
//! attempt with the wait measured on the server's (virtual) clock, then the published post.

use std::time::{Duration, Instant};

use aether_mock::OutcomeRule;
use serde_json::json;

use crate::common::Emulator;

/// How many times the emulator has answered `GET /v1/posts/{id}` so far.
fn polls(emulator: &Emulator, id: &str) -> usize {
    let path = format!("GET /v1/posts/{id}");
    emulator.journal().iter().filter(|entry| **entry == path).count()
}

/// Blocks until the CLI has polled the post again after `seen` polls (so it has seen the state
/// the test just made).
fn wait_for_poll(emulator: &Emulator, id: &str, seen: usize) -> usize {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now = polls(emulator, id);
        if now > seen {
            return now;
        }
        assert!(Instant::now() < deadline, "the CLI stopped polling post {id}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn status_wait_prints_each_attempt_of_a_retried_publish() {
    let emulator = Emulator::start();
    let profile = emulator.profile("linkedin", "standard");
    let rule = OutcomeRule::transient(2);
    emulator.run(emulator.admin.add_outcome_rule(&rule)).unwrap();
    let post = emulator.api(
        reqwest::Method::POST,
        "/v1/posts",
        Some(json!({ "profileId": profile, "content": { "text": "third time lucky" } })),
    );
    let id = post["id"].as_str().unwrap().to_owned();
    // The first attempt fails after the emulator's 200 ms of processing.
    std::thread::sleep(Duration::from_millis(400));

    let run = std::thread::scope(|scope| {
        let follower = scope.spawn(|| emulator.aether(&["status", &id, "--wait"]));
        let seen = wait_for_poll(&emulator, &id, 0);
        emulator.run(emulator.admin.advance_clock(Duration::from_secs(30))).unwrap();
        std::thread::sleep(Duration::from_millis(400));
        let seen = wait_for_poll(&emulator, &id, seen);
        wait_for_poll(&emulator, &id, seen);
        emulator.run(emulator.admin.advance_clock(Duration::from_secs(60))).unwrap();
        follower.join().expect("the CLI thread")
    });
    run.success();
    let stderr = run.stderr();
    assert!(
        stderr.contains("linkedin: attempt 1 of 6 failed (transient); next attempt in 30 s"),
        "{stderr}"
    );
    assert!(
        stderr.contains("linkedin: attempt 2 of 6 failed (transient); next attempt in 1 min"),
        "{stderr}"
    );
    let stdout = run.stdout();
    assert!(stdout.contains("published") && stdout.contains("(3 attempts)"), "{stdout}");
}
