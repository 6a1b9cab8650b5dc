//! `aether validate` on every media fixture, with `tests/fixtures/media/manifest.json` (what
//! ffprobe says about each file) driving what TikTok's rules must answer.

use std::collections::BTreeSet;

use crate::common::{fixture, fixtures, run, run_with_env};
use serde_json::Value;

/// TikTok's rules, restated from PLATFORMS.md so the test does not borrow the code under test.
const TIKTOK_MIN_MS: u64 = 15_000;
const TIKTOK_STANDARD_MAX_MS: u64 = 60_000;
const TIKTOK_CREATOR_MAX_MS: u64 = 600_000;

/// The codes TikTok must refuse a manifest entry with, for a tier.
fn expected_tiktok_codes(entry: &Value, creator: bool) -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    let expect = &entry["expect"];
    if expect["outcome"] == "error" {
        codes.insert(expect["code"].as_str().unwrap().to_owned());
        return codes;
    }
    let unsupported = "UNSUPPORTED_MEDIA_TYPE".to_owned();
    if expect["kind"] != "video" {
        codes.insert(unsupported);
        return codes;
    }
    if !matches!(expect["container"].as_str(), Some("mp4" | "mov")) {
        codes.insert(unsupported.clone());
    }
    if !matches!(entry["ffprobe"]["videoCodec"].as_str(), Some("h264" | "hevc")) {
        codes.insert(unsupported);
    }
    let ms = entry["ffprobe"]["durationMs"].as_u64().expect("a video has a duration");
    let max = if creator { TIKTOK_CREATOR_MAX_MS } else { TIKTOK_STANDARD_MAX_MS };
    if ms < TIKTOK_MIN_MS {
        codes.insert("VIDEO_TOO_SHORT".into());
    } else if ms > max {
        codes.insert("VIDEO_TOO_LONG".into());
    }
    codes
}

#[test]
fn every_fixture_gets_the_answer_its_manifest_implies() {
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(fixtures().join("manifest.json")).unwrap()).unwrap();
    let files = manifest["files"].as_array().unwrap();
    let on_disk = std::fs::read_dir(fixtures()).unwrap().count() - 1; // less manifest.json
    assert_eq!(files.len(), on_disk, "every fixture is in the manifest");
    let mut checked = 0;
    for entry in files {
        let name = entry["file"].as_str().unwrap();
        let path = fixture(name);
        for creator in [false, true] {
            let tier = if creator { "creator" } else { "standard" };
            let args = [
                "validate",
                path.to_str().unwrap(),
                "--platform",
                "tiktok",
                "--tier",
                tier,
                "--json",
            ];
            let result = run(&args, None);
            let expected = expected_tiktok_codes(entry, creator);
            result.expect(if expected.is_empty() { 0 } else { 1 });
            let doc = result.json();
            assert_eq!(doc["ok"], expected.is_empty(), "{name} ({tier}): {doc}");
            let codes: BTreeSet<String> = doc["violations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["code"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(codes, expected, "{name} ({tier}): {doc}");
            for violation in doc["violations"].as_array().unwrap() {
                assert_eq!(violation["platform"], "tiktok");
                assert_eq!(violation["field"], "file", "the file given, not a mediaKeys index");
                assert!(violation["field"].is_string() && violation["message"].is_string());
            }
            assert!(doc["warnings"].is_array());
            // Facts are there when the probe could read the file, and agree with ffprobe.
            if entry["expect"]["outcome"] == "ok" {
                let facts = &doc["facts"];
                assert_eq!(facts["container"], entry["expect"]["container"], "{name}");
                assert_eq!(facts["kind"], entry["expect"]["kind"], "{name}");
                assert_eq!(facts["size"], entry["size"], "{name}");
            } else {
                assert!(doc["facts"].is_null(), "{name}");
                let message = doc["violations"][0]["message"].as_str().unwrap();
                let reason = entry["expect"]["reasonContains"].as_str().unwrap();
                assert!(message.contains(reason), "{name}: {message}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 50, "{checked}");
}

#[test]
fn the_tutorials_cases_by_name() {
    let check = |file: &str, tier: &str, expected: &[&str]| {
        let path = fixture(file);
        let result = run(
            &["validate", path.to_str().unwrap(), "--platform", "tiktok", "--tier", tier, "--json"],
            None,
        );
        let doc = result.json();
        let mut codes: Vec<&str> = doc["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["code"].as_str().unwrap())
            .collect();
        codes.dedup();
        assert_eq!(codes, expected, "{file} {tier}: {doc}");
    };
    check("h264_14.9s.mp4", "standard", &["VIDEO_TOO_SHORT"]);
    check("h264_15s.mp4", "standard", &[]);
    check("h264_60s.mp4", "standard", &[]);
    check("h264_60.1s.mp4", "standard", &["VIDEO_TOO_LONG"]);
    check("h264_60.1s.mp4", "creator", &[]);
    check("h264_601s.mp4", "creator", &["VIDEO_TOO_LONG"]);
    check("vp9_opus_18s.webm", "standard", &["UNSUPPORTED_MEDIA_TYPE"]);
    check("random.bin", "standard", &["UNSUPPORTED_MEDIA_TYPE"]);
}

#[test]
fn text_and_several_platforms_are_checked_too() {
    let path = fixture("h264_aac_faststart.mp4");
    let caption = "x".repeat(2_201);
    let result = run(
        &[
            "validate",
            path.to_str().unwrap(),
            "--platform",
            "tiktok",
            "--platform",
            "threads",
            "--text",
            &caption,
            "--json",
        ],
        None,
    );
    result.expect(1);
    let doc = result.json();
    let pairs: Vec<(String, String)> = doc["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["platform"].as_str().unwrap().into(), v["code"].as_str().unwrap().into()))
        .collect();
    assert!(pairs.contains(&("tiktok".into(), "CAPTION_TOO_LONG".into())), "{doc}");
    assert!(pairs.contains(&("threads".into(), "CAPTION_TOO_LONG".into())), "{doc}");
    // Text alone, with a bad option value: no file, so TikTok wants media.
    let result = run(
        &[
            "validate",
            "--platform",
            "tiktok",
            "--text",
            "hi #a #b #c",
            "--option",
            "tiktok.privacyLevel=FRIENDS",
            "--json",
        ],
        None,
    );
    result.expect(1);
    let codes: Vec<String> = result.json()["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes, ["MEDIA_REQUIRED", "INVALID_PLATFORM_OPTION"]);
}

#[test]
fn people_get_lines_not_json() {
    let path = fixture("h264_14.9s.mp4");
    let result = run(&["validate", path.to_str().unwrap(), "--platform", "tiktok"], None);
    result.expect(1);
    let out = result.stdout();
    assert!(out.contains("VIDEO_TOO_SHORT"), "{out}");
    assert!(out.contains("14.9 s"), "{out}");
    assert!(!out.contains('\u{1b}'), "no colour without a terminal: {out}");
    let ok =
        run(&["validate", fixture("h264_15s.mp4").to_str().unwrap(), "--platform", "tiktok"], None);
    ok.success();
    assert!(ok.stdout().contains("passes tiktok rules"), "{}", ok.stdout());
}

#[test]
fn a_missing_file_is_an_error_not_a_verdict() {
    let result =
        run(&["validate", "/nonexistent/clip.mp4", "--platform", "tiktok", "--json"], None);
    result.expect(1);
    assert_eq!(result.json()["error"]["code"], "IO_ERROR");
}

#[test]
fn no_colour_when_stdout_is_not_a_terminal_even_without_no_color() {
    let path = fixture("h264_14.9s.mp4");
    let result = run_with_env(
        &["validate", path.to_str().unwrap(), "--platform", "tiktok"],
        None,
        &[("NO_COLOR", "")],
    );
    result.expect(1);
    assert!(!result.stdout().contains('\u{1b}') && !result.stderr().contains('\u{1b}'));
}
