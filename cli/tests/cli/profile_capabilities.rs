//! `aether profiles capabilities ID` and `aether upload --profile ID`.

use aether_mock::CapabilitySettings;

use crate::common::{fixture, Emulator};

#[test]
fn capabilities_are_shown_and_preflight_an_upload() {
    let emulator = Emulator::start();
    let id = emulator.profile("tiktok", "standard");
    let settings =
        CapabilitySettings::new().privacy_level_options(&["SELF_ONLY"]).max_video_duration_sec(30);
    emulator.run(emulator.admin.set_capabilities(&id, &settings)).unwrap();

    let shown = emulator.aether(&["profiles", "capabilities", &id, "--json"]);
    shown.success();
    let caps = shown.json();
    assert_eq!(caps["profileId"], id.as_str());
    assert_eq!(caps["maxVideoDurationSec"], 30);
    assert_eq!(caps["privacyLevelOptions"], serde_json::json!(["SELF_ONLY"]));
    let plain = emulator.aether(&["profiles", "capabilities", &id]);
    plain.success();
    assert!(plain.stdout().contains("15–30 s"), "{}", plain.stdout());
    assert!(plain.stdout().contains("privacy levels    SELF_ONLY"), "{}", plain.stdout());
    // The list is still `aether profiles`.
    let listed = emulator.aether(&["profiles", "--platform", "tiktok", "--json"]);
    assert_eq!(listed.json().as_array().unwrap().len(), 1);

    let missing = emulator.aether(&["profiles", "capabilities", "tiktok_nobody", "--json"]);
    assert_eq!(missing.json()["error"]["code"], "NOT_FOUND");

    let long = fixture("h264_60s.mp4");
    let before = emulator.journal().len();
    let refused = emulator.aether(&["upload", long.to_str().unwrap(), "--profile", &id, "--json"]);
    refused.expect(1);
    let error = &refused.json()["error"];
    assert_eq!(error["code"], "VIDEO_TOO_LONG");
    assert!(error["message"].as_str().unwrap().contains("at most 30 s; the video is 60 s"));
    let sent = emulator.journal()[before..].to_vec();
    assert!(!sent.iter().any(|e| e.contains("/v1/media")), "{sent:?}");
}
