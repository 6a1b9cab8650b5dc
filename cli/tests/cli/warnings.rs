//! `aether post` reports the post's warnings on stderr (yellow only on a colour terminal), and
//! the shapes the CLI can express: `--media-url` beside `--media` is refused.

use crate::common::Emulator;

#[test]
fn a_warning_is_printed_on_stderr_and_kept_in_the_json() {
    let emulator = Emulator::start();
    let profile = emulator.profile("tiktok", "standard");
    let media = emulator.upload("h264_aac_faststart.mp4");
    let text = "Too many tags #a #b #c #d #e #f #g";

    let plain =
        emulator.aether(&["post", "--profile", &profile, "--text", text, "--media", &media]);
    plain.success();
    let stderr = plain.stderr();
    assert!(
        stderr.contains("warning: HASHTAGS_ABOVE_RECOMMENDED [tiktok]: text has 7 hashtags"),
        "{stderr}"
    );
    assert!(!stderr.contains('\u{1b}'), "no colour when stderr is not a terminal: {stderr:?}");

    let json = emulator.aether(&[
        "post",
        "--profile",
        &profile,
        "--text",
        text,
        "--media",
        &media,
        "--json",
    ]);
    json.success();
    assert_eq!(json.json()["warnings"][0]["code"], "HASHTAGS_ABOVE_RECOMMENDED");
    assert!(!json.stderr().contains("warning:"), "--json keeps stderr for progress only");
}

#[test]
fn media_urls_and_media_keys_are_one_or_the_other() {
    let emulator = Emulator::start();
    let run = emulator.aether(&[
        "post",
        "--profile",
        "li_1",
        "--text",
        "hi",
        "--media",
        "org/key.jpg",
        "--media-url",
        "http://127.0.0.1:9/photo.jpg",
    ]);
    assert_eq!(run.code(), 2, "a usage error: {}", run.stderr());
    assert!(run.stderr().contains("--media-url"), "{}", run.stderr());
}
