//! `aether demo` runs the tutorial against its embedded emulator and reports the three errors.

use std::time::{Duration, Instant};

use crate::common::{self, fixture, run};

#[test]
fn demo_json_reports_the_tutorials_errors() {
    let started = Instant::now();
    let result = run(&["demo", "--json"], None);
    result.success();
    assert!(started.elapsed() < Duration::from_secs(30), "the demo took {:?}", started.elapsed());
    let doc = result.json();
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["status"], "published");
    assert!(doc["profileId"].as_str().unwrap().starts_with("tiktok_"));
    assert!(doc["postId"].as_str().unwrap().starts_with("post_"));
    let errors = doc["errors"].as_array().unwrap();
    let seen: Vec<(&str, &str)> = errors
        .iter()
        .map(|e| (e["code"].as_str().unwrap(), e["refusedBy"].as_str().unwrap()))
        .collect();
    assert_eq!(
        seen,
        [
            ("CAPTION_TOO_LONG", "server"),
            ("VIDEO_TOO_SHORT", "client"),
            ("VIDEO_TOO_SHORT", "server"),
            ("POST_LIMIT_REACHED", "server"),
        ]
    );
    for error in errors {
        let by_server = error["refusedBy"] == "server";
        assert_eq!(error["requestId"].is_string(), by_server, "{error}");
    }
    let limit = &errors[3];
    assert!(limit["retryAfter"].as_u64().unwrap() <= 86_400);
    assert!(limit["resetAt"].as_str().unwrap().contains("T00:00:00"));
}

#[test]
fn demo_for_people_narrates_and_exits_0() {
    let result = run(&["demo"], None);
    result.success();
    let out = result.stdout();
    for needle in [
        "Connect a TikTok account",
        "profileId tiktok_",
        "mediaKey",
        "published",
        "CAPTION_TOO_LONG",
        "VIDEO_TOO_SHORT",
        "POST_LIMIT_REACHED",
        "quota resets at",
        "Done in",
    ] {
        assert!(out.contains(needle), "the demo does not say {needle:?}:\n{out}");
    }
    assert!(!out.contains('\u{1b}'), "no colour when not on a terminal");
}

#[test]
fn demo_takes_another_video_and_fails_cleanly_on_a_short_one() {
    let ok =
        run(&["demo", "--json", "--video", fixture("h265_hvc1_16s.mp4").to_str().unwrap()], None);
    ok.success();
    let short =
        run(&["demo", "--json", "--video", fixture("h264_14.9s.mp4").to_str().unwrap()], None);
    short.expect(1);
    assert_eq!(short.json()["error"]["code"], "VIDEO_TOO_SHORT");
}

/// Runs `aether ARGS` under a pseudo-terminal (util-linux `script`), or `None` where there is
/// no `script`.
fn on_a_terminal(args: &str, no_color: bool) -> Option<String> {
    let mut command = std::process::Command::new("script");
    command
        .args(["-qec", &format!("{} {args}", common::AETHER), "/dev/null"])
        .env_remove("AETHER_API_KEY")
        .env_remove("AETHER_BASE_URL")
        .env("TERM", "xterm-256color")
        .env("COLUMNS", "160")
        .stdin(std::process::Stdio::null());
    if no_color {
        command.env("NO_COLOR", "1");
    } else {
        command.env_remove("NO_COLOR");
    }
    let output = command.output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() && !text.contains("Aether demo") {
        // `script` itself failed (no pseudo-terminals here); the other tests cover the demo.
        return None;
    }
    assert!(output.status.success(), "{text}");
    Some(text)
}

#[test]
fn on_a_terminal_there_are_colours_and_progress_bars_unless_no_color() {
    let Some(coloured) = on_a_terminal("demo", false) else {
        eprintln!("skipped: no `script` to make a pseudo-terminal");
        return;
    };
    assert!(coloured.contains("\u{1b}[32m"), "green on a terminal:\n{coloured}");
    assert!(coloured.contains("video.mp4 ["), "the upload's progress bar:\n{coloured}");
    assert!(coloured.contains("posts today ["), "the quota's progress bar:\n{coloured}");
    let plain = on_a_terminal("demo", true).unwrap();
    assert!(plain.contains("video.mp4 ["), "bars still drawn with NO_COLOR:\n{plain}");
    for colour in ["\u{1b}[31m", "\u{1b}[32m", "\u{1b}[36m", "\u{1b}[1m"] {
        assert!(!plain.contains(colour), "NO_COLOR means no colour:\n{plain}");
    }
}
