//! `--attempt-timeout` and `--connect-timeout` (every command) and `aether upload --stall-timeout`: in seconds, checked
//! by the core, which names the flag; a good value goes through.

use crate::common::{fixture, Emulator};

#[test]
fn timeouts_are_checked_by_the_core_and_named_as_flags() {
    let emulator = Emulator::start();
    let refused = emulator.aether(&["profiles", "--attempt-timeout", "0", "--json"]);
    assert_ne!(refused.code(), 0);
    let message = refused.json()["error"]["message"].as_str().unwrap_or_default().to_owned();
    assert!(message.starts_with("--attempt-timeout must be more than 0 seconds"), "{message}");

    let refused = emulator.aether(&["profiles", "--connect-timeout", "-1", "--json"]);
    assert_ne!(refused.code(), 0);
    let message = refused.json()["error"]["message"].as_str().unwrap_or_default().to_owned();
    assert!(message.starts_with("--connect-timeout must be a finite, non-negative"), "{message}");

    let video = fixture("h264_15s.mp4");
    let video = video.to_str().unwrap();
    let refused = emulator.aether(&["upload", video, "--stall-timeout", "-1", "--json"]);
    assert_ne!(refused.code(), 0);
    let message = refused.json()["error"]["message"].as_str().unwrap_or_default().to_owned();
    assert!(message.starts_with("--stall-timeout must be a finite, non-negative"), "{message}");

    let uploaded = emulator.aether(&[
        "upload",
        video,
        "--stall-timeout",
        "5",
        "--attempt-timeout",
        "20",
        "--connect-timeout",
        "5",
        "--json",
    ]);
    uploaded.success();
    assert!(uploaded.json()["mediaKey"].is_string());
}
