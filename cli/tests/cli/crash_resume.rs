//! `aether upload --state-file` killed with SIGKILL mid-upload, then run again: the new process
//! continues the session the state file names, re-sends at most the one part that was on its
//! way, and the media's checksum is the file's.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use aether_mock::faults::FaultRule;
use serde_json::json;

use crate::common::{Emulator, AETHER};

/// The emulator's part size when the client asks for none.
const PART: usize = 8 * 1024 * 1024;

/// The part PUTs the journal holds: (part number, status).
fn part_puts(emulator: &Emulator) -> Vec<(u32, Option<u16>)> {
    let journal = emulator.run(emulator.admin.journal()).expect("the journal");
    journal
        .iter()
        .filter(|e| e.method == "PUT" && e.path.contains("/parts/"))
        .map(|e| (e.path.rsplit('/').next().unwrap().parse().unwrap(), e.status))
        .collect()
}

#[test]
fn a_killed_upload_is_continued_from_its_state_file() {
    let emulator = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.mp4");
    let bytes: Vec<u8> = (0..3 * PART + 12_345).map(|i| (i * 131 % 251) as u8).collect();
    std::fs::write(&path, &bytes).unwrap();
    let state = dir.path().join("big.upload.json");
    // Part 3 stalls a minute on arrival, so the kill lands while it is on its way: parts 1 and
    // 2 are stored, part 3 is not.
    let stall: FaultRule = serde_json::from_value(json!({
        "method": "PUT", "path": "/v1/media/uploads/*/parts/3", "times": 1,
        "action": {"type": "stall_request_body", "afterBytes": 0, "ms": 60_000}
    }))
    .unwrap();
    emulator.run(emulator.admin.inject_fault(&stall)).unwrap();
    let args = [
        "--base-url",
        emulator.url(),
        "--api-key",
        emulator.server.api_key(),
        "upload",
        path.to_str().unwrap(),
        "--state-file",
        state.to_str().unwrap(),
        "--parallelism",
        "1",
        "--json",
    ];
    let mut child = Command::new(AETHER)
        .args(args)
        .env_remove("HTTPS_PROXY")
        .env_remove("HTTP_PROXY")
        .env_remove("ALL_PROXY")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the aether binary runs");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !part_puts(&emulator).iter().any(|(n, _)| *n == 3) {
        assert!(Instant::now() < deadline, "part 3 never arrived: {:?}", part_puts(&emulator));
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL: no destructor, no clean-up runs.
    child.wait().unwrap();
    assert!(state.exists(), "the killed process left its state file");

    let resumed = emulator.aether(&args[4..]);
    resumed.success();
    let media = resumed.json();
    assert_eq!(media["crc32c"], aether::upload::crc32c_base64(&bytes).as_str(), "{media}");
    assert!(!state.exists(), "the state file is removed after completion");
    let puts = part_puts(&emulator);
    let creates = emulator.journal().iter().filter(|e| *e == "POST /v1/media/uploads").count();
    assert_eq!(creates, 1, "the second process opened no new session");
    // Four parts; the only one sent twice is the one the kill interrupted.
    assert!(puts.len() <= 4 + 1, "at most one part re-sent: {puts:?}");
    for n in 1..=4 {
        let stored = puts.iter().filter(|(p, s)| *p == n && *s == Some(200)).count();
        assert_eq!(stored, 1, "part {n} stored once: {puts:?}");
    }
}
