//! `--traceparent` (and `TRACEPARENT`) reach the emulator's journal on every attempt; the
//! server's `X-Should-Retry` steers the CLI's retries, each of which carries its count.

use aether_mock::admin_client::{FaultAction, FaultRule, JournalEntry};

use crate::common::{run_with_env, Emulator};

const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

fn profile_lists(emulator: &Emulator) -> Vec<JournalEntry> {
    let journal = emulator.run(emulator.admin.journal()).expect("the journal");
    journal.into_iter().filter(|e| e.method == "GET" && e.path == "/v1/profiles").collect()
}

fn fault(emulator: &Emulator, times: u32, status: u16, should_retry: bool) {
    let rule = FaultRule {
        id: String::new(),
        method: Some("GET".into()),
        path: "/v1/profiles".into(),
        times: Some(times),
        probability: None,
        action: FaultAction::Status {
            status,
            code: None,
            retry_after: None,
            retry_after_ms: None,
            should_retry: Some(should_retry),
        },
    };
    emulator.run(emulator.admin.inject_fault(&rule)).expect("the fault is added");
}

#[test]
fn the_traceparent_flag_and_variable_reach_the_journal() {
    let emulator = Emulator::start();
    emulator.aether(&["profiles", "--traceparent", TRACEPARENT, "--json"]).success();
    let other = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";
    let args = ["--base-url", emulator.url(), "--api-key", emulator.server.api_key()];
    run_with_env(&[&args[..], &["profiles", "--json"]].concat(), None, &[("TRACEPARENT", other)])
        .success();
    emulator.aether(&["profiles", "--json"]).success();

    let sent: Vec<_> = profile_lists(&emulator).into_iter().map(|e| e.traceparent).collect();
    assert_eq!(sent, [Some(TRACEPARENT.to_owned()), Some(other.to_owned()), None]);
}

#[test]
fn a_malformed_traceparent_is_a_usage_error_naming_the_flag() {
    let emulator = Emulator::start();
    let refused = emulator.aether(&["profiles", "--traceparent", "00-abc-def-01", "--json"]);
    refused.expect(2);
    let message = refused.json()["error"]["message"].as_str().unwrap_or_default().to_owned();
    assert!(message.starts_with("--traceparent \"00-abc-def-01\" is not a W3C"), "{message}");
    assert!(profile_lists(&emulator).is_empty(), "nothing was sent");
}

#[test]
fn should_retry_false_on_a_503_stops_the_retries() {
    let emulator = Emulator::start();
    fault(&emulator, 3, 503, false);
    let failed = emulator.aether(&["profiles", "--json"]);
    assert_ne!(failed.code(), 0);
    assert_eq!(failed.json()["error"]["code"], "SERVICE_UNAVAILABLE");
    assert_eq!(profile_lists(&emulator).len(), 1, "one attempt");
}

#[test]
fn should_retry_true_retries_a_400_and_the_retry_carries_its_count() {
    let emulator = Emulator::start();
    fault(&emulator, 1, 400, true);
    emulator.aether(&["profiles", "--traceparent", TRACEPARENT, "--json"]).success();
    let attempts = profile_lists(&emulator);
    let counts: Vec<_> = attempts.iter().map(|e| e.retry_count).collect();
    assert_eq!(counts, [0, 1]);
    assert!(attempts.iter().all(|e| e.traceparent.as_deref() == Some(TRACEPARENT)));
}
