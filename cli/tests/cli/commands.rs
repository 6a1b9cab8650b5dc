//! Every command of the built `aether` binary against an emulator in the test process: JSON
//! output parsed and checked, exit codes 0, 1 and 2, and the API key never printed.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::common::{fixture, run, run_with_env, Emulator, AETHER};
use aether::ErrorCode;
use aether_mock::admin_client::{FaultAction, FaultRule};
use aether_mock::{OutcomeKind, OutcomeRule};
use serde_json::{json, Value};

#[test]
fn version_and_help() {
    let version = run(&["--version"], None);
    version.success();
    assert!(version.stdout().starts_with(&format!("aether {}", env!("CARGO_PKG_VERSION"))));
    let help = run(&["--help"], None);
    help.success();
    let text = help.stdout();
    for needle in [
        "demo",
        "connect",
        "profiles",
        "upload",
        "post",
        "status",
        "validate",
        "webhooks",
        "mock",
        "Exit codes",
        "AETHER_API_KEY",
    ] {
        assert!(text.contains(needle), "--help lacks {needle}:\n{text}");
    }
    for command in [
        &["demo"][..],
        &["connect"],
        &["profiles"],
        &["upload"],
        &["post"],
        &["status"],
        &["validate"],
        &["webhooks", "verify"],
        &["mock"],
    ] {
        let mut args = command.to_vec();
        args.push("--help");
        let help = run(&args, None);
        help.success();
        assert!(help.stdout().contains("Examples:"), "{args:?}: {}", help.stdout());
    }
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["frobnicate"][..],
        &["post", "--text", "no profile"],
        &["validate", "x.mp4"],
        &["upload"],
        &["connect", "myspace", "--redirect-url", "https://x.example/cb"],
        &["post", "--profile", "prof_1", "--option", "privacyLevel=SELF_ONLY"],
    ] {
        let result = run(args, None);
        result.expect(2);
        assert!(!result.stderr().is_empty(), "{args:?} says why");
    }
}

#[test]
fn a_missing_key_says_what_to_do() {
    let result = run(&["profiles", "--base-url", "http://127.0.0.1:9"], None);
    result.expect(2);
    assert!(
        result.stderr().contains("set AETHER_API_KEY or pass --api-key"),
        "{}",
        result.stderr()
    );
    let result = run(&["profiles", "--base-url", "http://127.0.0.1:9", "--json"], None);
    result.expect(2);
    assert_eq!(result.json()["error"]["code"], "USAGE");
}

#[test]
fn the_api_key_is_never_printed() {
    let emulator = Emulator::start();
    let secret = "sk_live_do_not_print_me_123";
    let result = run(&["profiles", "--base-url", emulator.url(), "--api-key", secret], None);
    result.expect(1);
    assert!(result.stderr().contains("UNAUTHORIZED"), "{}", result.stderr());
    assert!(result.stderr().contains("request id: req_"), "{}", result.stderr());
    let json =
        run(&["profiles", "--base-url", emulator.url(), "--api-key", secret, "--json"], None);
    json.expect(1);
    let error = &json.json()["error"];
    assert_eq!(error["code"], "UNAUTHORIZED");
    assert!(error["requestId"].as_str().unwrap().starts_with("req_"));
    // From the environment too, and in --help.
    let env = [("AETHER_API_KEY", secret), ("AETHER_BASE_URL", emulator.url())];
    let from_env = run_with_env(&["profiles"], None, &env);
    from_env.expect(1);
    let help = run_with_env(&["--help"], None, &env);
    for output in [&result, &json, &from_env, &help] {
        assert!(!output.stdout().contains(secret) && !output.stderr().contains(secret));
    }
    // An unreachable server is a network error with advice.
    let down = run(&["profiles", "--base-url", "http://127.0.0.1:9", "--api-key", secret], None);
    down.expect(1);
    assert!(down.stderr().contains("NETWORK_ERROR") && down.stderr().contains("--base-url"));
    assert!(!down.stderr().contains(secret));
}

#[test]
fn connect_then_list_profiles() {
    let emulator = Emulator::start();
    let result = emulator.aether(&[
        "connect",
        "tiktok",
        "--redirect-url",
        "https://yourapp.com/cb",
        "--state",
        "s123",
        "--json",
    ]);
    result.success();
    let link = result.json();
    assert_eq!(link["platform"], "tiktok");
    assert_eq!(link["status"], "pending");
    assert_eq!(link["state"], "s123");
    let url = link["url"].as_str().unwrap();
    assert!(url.starts_with(emulator.url()), "{url}");

    // The user approves in a browser.
    let approved = emulator.runtime.block_on(async {
        let browser =
            reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        browser.get(format!("{url}?approve=1")).send().await.unwrap()
    });
    assert_eq!(approved.status(), 302);
    let location = approved.headers()["location"].to_str().unwrap().to_owned();
    let outcome = aether::connect_links::verify_callback(&location, "s123").unwrap();

    let people =
        emulator.aether(&["connect", "youtube", "--redirect-url", "https://yourapp.com/cb"]);
    people.success();
    assert!(people.stdout().contains("/connect/link_"), "{}", people.stdout());

    // 25 more profiles: more than one page of 20.
    for _ in 0..25 {
        emulator.profile("instagram", "standard");
    }
    let listed = emulator.aether(&["profiles", "--json"]);
    listed.success();
    let profiles = listed.json();
    let profiles = profiles.as_array().unwrap();
    assert_eq!(profiles.len(), 26);
    assert!(profiles
        .iter()
        .any(|p| p["id"] == outcome.profile_id.as_str() && p["platform"] == "tiktok"));
    let tiktok = emulator.aether(&["profiles", "--platform", "tiktok", "--json"]);
    assert_eq!(tiktok.json().as_array().unwrap().len(), 1);
    let plain = emulator.aether(&["profiles"]);
    plain.success();
    assert_eq!(plain.stdout().lines().count(), 26);
    assert!(plain.stdout().contains(&outcome.profile_id));
}

#[test]
fn upload_with_preflight_and_wait() {
    let emulator = Emulator::start();
    let path = fixture("h264_aac_faststart.mp4");
    let result = emulator.aether(&[
        "upload",
        path.to_str().unwrap(),
        "--platform",
        "tiktok",
        "--wait",
        "--json",
    ]);
    result.success();
    let media = result.json();
    assert_eq!(media["status"], "ready");
    assert_eq!(media["durationMs"], 20_000);
    assert!(media["mediaKey"].as_str().unwrap().starts_with("org_mock/"));
    // The file's CRC32C (checked by the server); no SHA-256 unless --sha256.
    assert_eq!(media["crc32c"], "KTQkrQ==");
    assert!(media.get("sha256").is_none(), "{media}");
    let hashed = emulator.aether(&["upload", path.to_str().unwrap(), "--sha256", "--json"]);
    hashed.success();
    assert_eq!(
        hashed.json()["sha256"],
        "9e18b78a33945203e8c7256b23cc0fbeba532e0034535516007f0c69c03f1ed9"
    );
    let human = emulator.aether(&["upload", path.to_str().unwrap(), "--sha256"]);
    human.success();
    assert!(human.stdout().contains("crc32c KTQkrQ== · sha256 9e18b78a"), "{}", human.stdout());

    // Too short for TikTok: refused by the client, before any upload request.
    let before = emulator.journal().len();
    let short = fixture("h264_14.9s.mp4");
    let refused =
        emulator.aether(&["upload", short.to_str().unwrap(), "--platform", "tiktok", "--json"]);
    refused.expect(1);
    let error = &refused.json()["error"];
    assert_eq!(error["code"], "VIDEO_TOO_SHORT");
    assert_eq!(error["platform"], "tiktok");
    assert!(error.get("requestId").is_none());
    assert!(error["hint"].as_str().unwrap().contains("preflight"), "{error}");
    assert_eq!(emulator.journal().len(), before, "nothing was sent");
    // Without --platform it goes up; for a creator the 60.1 s video is fine.
    let long = fixture("h264_60.1s.mp4");
    emulator
        .aether(&["upload", long.to_str().unwrap(), "--platform", "tiktok", "--tier", "creator"])
        .success();
    emulator.aether(&["upload", long.to_str().unwrap(), "--platform", "tiktok"]).expect(1);
    let plain = emulator.aether(&["upload", short.to_str().unwrap()]);
    plain.success();
    assert!(plain.stdout().contains("org_mock/"), "{}", plain.stdout());
}

#[test]
fn upload_by_url_with_preflight_wait_and_fetch_failures() {
    let emulator = Emulator::start();
    let bytes = std::fs::read(fixture("h264_15s.mp4")).unwrap();
    let file = emulator.run(emulator.admin.put_file("clip.mp4", bytes, Some("video/mp4"), None));
    let url = file.expect("served").url;
    let result =
        emulator.aether(&["upload", "--url", &url, "--platform", "tiktok", "--wait", "--json"]);
    result.success();
    let media = result.json();
    assert_eq!((&media["status"], &media["sourceUrl"]), (&json!("ready"), &json!(url)));
    let plain = emulator.aether(&["upload", "--url", &url]);
    plain.success();
    assert!(plain.stdout().contains("from http://127.0.0.1"), "{}", plain.stdout());

    // A URL the server cannot fetch: the wait fails with the reason.
    let missing = format!("{url}.gone");
    let failed = emulator.aether(&["upload", "--url", &missing, "--wait", "--json"]);
    failed.expect(1);
    let error = &failed.json()["error"];
    assert_eq!(error["code"], "MEDIA_FETCH_FAILED");
    assert_eq!(error["details"]["reason"], "not_found");
    assert!(error["message"].as_str().unwrap().contains("/mock-files/clip.mp4.gone"), "{error}");

    // Too short for TikTok: refused by the preflight's range requests, no ingest call.
    let short = std::fs::read(fixture("h264_14.9s.mp4")).unwrap();
    let file = emulator.run(emulator.admin.put_file("short.mp4", short, None, Some(2_000_000)));
    let short_url = file.expect("served").url;
    let before = emulator.journal().len();
    let refused =
        emulator.aether(&["upload", "--url", &short_url, "--platform", "tiktok", "--json"]);
    refused.expect(1);
    let error = &refused.json()["error"];
    assert_eq!((&error["code"], &error["field"]), (&json!("VIDEO_TOO_SHORT"), &json!("url")));
    assert!(error["hint"].as_str().unwrap().contains("range requests"), "{error}");
    let journal = emulator.journal();
    assert!(!journal[before..].iter().any(|line| line.contains("/v1/media/ingest")), "{journal:?}");
    // A file and --url together are refused by the argument parser.
    emulator.aether(&["upload", "x.mp4", "--url", &url]).expect(2);
    // So are the options of a file upload, which an ingest would silently ignore.
    for option in [&["--sha256"][..], &["--parallelism", "2"], &["--stall-timeout", "5"]] {
        let refused = emulator.aether(&[&["upload", "--url", &url][..], option].concat());
        refused.expect(2);
        assert!(
            refused.stderr().contains("cannot be used with"),
            "{option:?}: {}",
            refused.stderr()
        );
    }
}

#[test]
fn upload_resumes_a_session() {
    let emulator = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.mp4");
    let size: usize = 11 * 1024 * 1024;
    let bytes: Vec<u8> = (0..size).map(|i| (i * 31 % 251) as u8).collect();
    std::fs::write(&path, &bytes).unwrap();
    // A session opened elsewhere, with its first part sent.
    let session = emulator.api(
        reqwest::Method::POST,
        "/v1/media/uploads",
        Some(json!({ "fileName": "big.mp4", "mimeType": "video/mp4", "size": size, "partSize": 5 * 1024 * 1024 })),
    );
    let upload_id = session["uploadId"].as_str().unwrap().to_owned();
    let part_size = session["partSize"].as_u64().unwrap() as usize;
    let first = bytes[..part_size].to_vec();
    let url = format!("{}/v1/media/uploads/{upload_id}/parts/1", emulator.url());
    let status = emulator.runtime.block_on(async {
        reqwest::Client::new()
            .put(url)
            .bearer_auth(emulator.server.api_key())
            .header("X-Part-Crc32c", aether::upload::crc32c_base64(&first))
            .body(first)
            .send()
            .await
            .unwrap()
            .status()
    });
    assert!(status.is_success());

    let result =
        emulator.aether(&["upload", path.to_str().unwrap(), "--resume", &upload_id, "--json"]);
    result.success();
    assert_eq!(result.json()["mediaKey"], session["mediaKey"]);
    let parts_sent = emulator.journal().iter().filter(|e| e.starts_with("PUT ")).count();
    assert_eq!(parts_sent, 3, "part 1 by the test, 2 and 3 by the resume");
    // An unknown session is an API error.
    let unknown =
        emulator.aether(&["upload", path.to_str().unwrap(), "--resume", "upl_nope", "--json"]);
    unknown.expect(1);
    assert_eq!(unknown.json()["error"]["code"], "NOT_FOUND");
}

#[test]
fn a_failed_upload_says_how_to_resume_and_resuming_finishes_it() {
    let emulator = Emulator::start();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.mp4");
    let bytes: Vec<u8> = (0..11 * 1024 * 1024).map(|i: usize| (i * 17 % 253) as u8).collect();
    std::fs::write(&path, &bytes).unwrap();
    // Part 2 keeps failing with 503 past the client's retries.
    let part_2_fails = FaultRule {
        id: String::new(),
        method: Some("PUT".into()),
        path: "/v1/media/uploads/*/parts/2".into(),
        times: Some(20),
        probability: None,
        action: FaultAction::Status {
            status: 503,
            code: None,
            retry_after: None,
            retry_after_ms: None,
            should_retry: None,
        },
    };
    emulator.run(emulator.admin.inject_fault(&part_2_fails)).unwrap();
    let failed = emulator.aether(&["upload", path.to_str().unwrap(), "--json"]);
    failed.expect(1);
    let error = failed.json()["error"].clone();
    assert_eq!(error["code"], "SERVICE_UNAVAILABLE", "{error}");
    let upload_id = error["details"]["uploadId"].as_str().expect("the error names the session");
    let hint = error["hint"].as_str().unwrap();
    assert!(hint.contains(&format!("--resume {upload_id}")), "{hint}");

    emulator.run(emulator.admin.clear_faults()).unwrap();
    let resumed =
        emulator.aether(&["upload", path.to_str().unwrap(), "--resume", upload_id, "--json"]);
    resumed.success();
    assert_eq!(resumed.json()["mediaKey"], error["details"]["mediaKey"]);
}

#[test]
fn post_and_follow_its_status() {
    let emulator = Emulator::start();
    let profile = emulator.profile("tiktok", "standard");
    let media = emulator.upload("h264_aac_faststart.mp4");
    let text = "My first TikTok via API! #coding #developer";

    let result = emulator.aether(&[
        "post",
        "--profile",
        &profile,
        "--text",
        text,
        "--media",
        &media,
        "--option",
        "tiktok.privacyLevel=SELF_ONLY",
        "--option",
        "tiktok.disableDuet=true",
        "--wait",
        "--json",
    ]);
    result.success();
    let post = result.json();
    assert_eq!(post["status"], "published");
    assert_eq!(post["platforms"]["tiktok"]["privacyLevel"], "SELF_ONLY");
    assert_eq!(post["platforms"]["tiktok"]["disableDuet"], true);
    assert_eq!(post["results"][0]["status"], "published");
    let id = post["id"].as_str().unwrap().to_owned();

    let status = emulator.aether(&["status", &id, "--json"]);
    status.success();
    assert_eq!(status.json()["status"], "published");
    let plain = emulator.aether(&["status", &id]);
    plain.success();
    assert!(plain.stdout().contains("published") && plain.stdout().contains(&id));

    // Without --wait: publishing; then status --wait follows it.
    let quick = emulator.aether(&[
        "post",
        "--profile",
        &profile,
        "--text",
        text,
        "--media",
        &media,
        "--json",
    ]);
    quick.success();
    let quick = quick.json();
    assert_eq!(quick["status"], "publishing");
    let waited = emulator.aether(&["status", quick["id"].as_str().unwrap(), "--wait", "--json"]);
    waited.success();
    assert_eq!(waited.json()["status"], "published");
    let waited_plain = emulator.aether(&["status", quick["id"].as_str().unwrap(), "--wait"]);
    waited_plain.success();

    // Draft and schedule.
    let draft = emulator.aether(&[
        "post",
        "--profile",
        &profile,
        "--text",
        text,
        "--media",
        &media,
        "--draft",
        "--json",
    ]);
    draft.success();
    assert_eq!(draft.json()["status"], "draft");
    let tomorrow = jiff_free_tomorrow();
    let scheduled = emulator.aether(&[
        "post",
        "--profile",
        &profile,
        "--text",
        text,
        "--media",
        &media,
        "--schedule",
        &tomorrow,
        "--timezone",
        "America/New_York",
        "--json",
    ]);
    scheduled.success();
    let scheduled = scheduled.json();
    assert_eq!(scheduled["status"], "scheduled");
    assert_eq!(scheduled["timezone"], "America/New_York");
}

/// Tomorrow's local date at 09:00, from the system clock, without a date library.
fn jiff_free_tomorrow() -> String {
    let days = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() / 86_400 + 2;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T09:00:00")
}

#[test]
fn post_errors_exit_1_with_code_and_request_id() {
    let emulator = Emulator::start();
    let profile = emulator.profile("tiktok", "standard");
    let media = emulator.upload("h264_aac_faststart.mp4");
    let caption = "x".repeat(2_201);
    let result = emulator.aether(&[
        "post",
        "--profile",
        &profile,
        "--text",
        &caption,
        "--media",
        &media,
        "--json",
    ]);
    result.expect(1);
    let error = &result.json()["error"];
    assert_eq!(error["code"], "CAPTION_TOO_LONG");
    assert_eq!(error["status"], 422);
    assert_eq!(error["field"], "content.text");
    assert!(error["requestId"].as_str().unwrap().starts_with("req_"));
    let plain =
        emulator.aether(&["post", "--profile", &profile, "--text", &caption, "--media", &media]);
    plain.expect(1);
    let stderr = plain.stderr();
    assert!(
        stderr.contains("CAPTION_TOO_LONG")
            && stderr.contains("request id: req_")
            && stderr.contains("→"),
        "{stderr}"
    );
    assert!(plain.stdout().is_empty());

    let bad_option = emulator.aether(&[
        "post",
        "--profile",
        &profile,
        "--text",
        "x",
        "--media",
        &media,
        "--option",
        "tiktok.privacyLevel=FRIENDS",
        "--json",
    ]);
    bad_option.expect(1);
    assert_eq!(bad_option.json()["error"]["code"], "INVALID_PLATFORM_OPTION");

    let missing = emulator.aether(&["status", "post_doesnotexist", "--json"]);
    missing.expect(1);
    assert_eq!(missing.json()["error"]["code"], "NOT_FOUND");

    // A post that fails on the platform: --wait exits 1 and shows why.
    let tiktok_is_down = OutcomeRule {
        code: Some(ErrorCode::PlatformError),
        message: Some("TikTok is down".into()),
        ..OutcomeRule::new(OutcomeKind::Failed)
    };
    emulator.run(emulator.admin.add_outcome_rule(&tiktok_is_down)).unwrap();
    let failed = emulator.aether(&[
        "post",
        "--profile",
        &profile,
        "--text",
        "x",
        "--media",
        &media,
        "--wait",
        "--json",
    ]);
    failed.expect(1);
    let post = failed.json();
    assert_eq!(post["status"], "failed");
    assert_eq!(post["results"][0]["error"]["code"], "PLATFORM_ERROR");
    let id = post["id"].as_str().unwrap();
    emulator.aether(&["status", id]).success();
    let judged = emulator.aether(&["status", id, "--wait"]);
    judged.expect(1);
    assert!(judged.stdout().contains("PLATFORM_ERROR"), "{}", judged.stdout());
}

#[test]
fn the_eleventh_post_shows_when_the_quota_resets() {
    let emulator = Emulator::start();
    let profile = emulator.profile("tiktok", "standard");
    let media = emulator.upload("h264_aac_faststart.mp4");
    for n in 0..10 {
        let text = format!("post {n}");
        emulator
            .aether(&["post", "--profile", &profile, "--text", &text, "--media", &media, "--json"])
            .success();
    }
    let refused = emulator.aether(&[
        "post",
        "--profile",
        &profile,
        "--text",
        "eleven",
        "--media",
        &media,
        "--json",
    ]);
    refused.expect(1);
    let error = &refused.json()["error"];
    assert_eq!(error["code"], "POST_LIMIT_REACHED");
    assert!(error["retryAfter"].as_u64().unwrap() <= 86_400);
    assert!(error["details"]["resetAt"].as_str().unwrap().contains("T00:00:00"));
    let plain =
        emulator.aether(&["post", "--profile", &profile, "--text", "eleven", "--media", &media]);
    plain.expect(1);
    assert!(
        plain.stderr().contains("retry after") && plain.stderr().contains("--schedule"),
        "{}",
        plain.stderr()
    );
}

#[test]
fn webhooks_verify_accepts_a_signed_payload_and_rejects_a_tampered_one() {
    let dir = tempfile::tempdir().unwrap();
    let payload = br#"{"id":"evt_1","type":"post.published","createdAt":"2026-06-15T09:00:00Z","data":{"post":{"id":"post_1","status":"published","profileIds":["prof_1"],"content":{"text":"hi"},"mediaKeys":[],"platforms":{},"createdAt":"2026-06-15T09:00:00Z","updatedAt":"2026-06-15T09:00:00Z","results":[]}}}"#;
    let path = dir.path().join("body.json");
    std::fs::write(&path, payload).unwrap();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    let header = aether::webhooks::sign_test_payload(payload, "whsec_new", now);

    let ok = run(
        &[
            "webhooks",
            "verify",
            "--secret",
            "whsec_new",
            "--header",
            &header,
            "--payload",
            path.to_str().unwrap(),
            "--json",
        ],
        None,
    );
    ok.success();
    let doc = ok.json();
    assert_eq!(doc["valid"], true);
    assert_eq!(doc["event"]["type"], "post.published");
    // Stdin, and a rotation: the old secret first.
    let piped = run(
        &[
            "webhooks",
            "verify",
            "--secret",
            "whsec_old",
            "--secret",
            "whsec_new",
            "--header",
            &header,
        ],
        Some(payload),
    );
    piped.success();
    assert!(piped.stdout().contains("valid signature"), "{}", piped.stdout());

    let mut tampered = payload.to_vec();
    tampered[60] ^= 1;
    let refused = run(
        &["webhooks", "verify", "--secret", "whsec_new", "--header", &header, "--json"],
        Some(&tampered),
    );
    refused.expect(1);
    let error = &refused.json()["error"];
    assert_eq!(error["code"], "INVALID_ARGUMENT");
    assert_eq!(error["details"]["reason"], "signature_mismatch");
    let wrong_secret =
        run(&["webhooks", "verify", "--secret", "whsec_other", "--header", &header], Some(payload));
    wrong_secret.expect(1);
    assert!(wrong_secret.stderr().contains("does not match"), "{}", wrong_secret.stderr());
    let old = aether::webhooks::sign_test_payload(payload, "whsec_new", now - 3_600);
    let replay = run(
        &["webhooks", "verify", "--secret", "whsec_new", "--header", &old, "--json"],
        Some(payload),
    );
    replay.expect(1);
    assert_eq!(replay.json()["error"]["details"]["reason"], "timestamp_outside_tolerance");
    run(
        &["webhooks", "verify", "--secret", "whsec_new", "--header", &old, "--tolerance", "7200"],
        Some(payload),
    )
    .success();
    let malformed =
        run(&["webhooks", "verify", "--secret", "s", "--header", "nonsense"], Some(payload));
    malformed.expect(1);
}

/// `aether mock ARGS…` started, and its ready line.
fn spawn_mock(args: &[&str]) -> (std::process::Child, Value) {
    let mut child = Command::new(AETHER)
        .arg("mock")
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let ready: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    (child, ready)
}

/// Sends SIGTERM and asserts `aether mock` exits 0 within 10 s.
fn terminate_mock(mut child: std::process::Child) {
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "aether mock did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn mock_prints_the_ready_line_and_serves_until_terminated() {
    let (child, ready) = spawn_mock(&["--port", "0", "--processing-ms", "100"]);
    let url = ready["url"].as_str().unwrap().to_owned();
    assert!(ready["adminToken"].as_str().unwrap().len() > 8);
    assert_eq!(ready["apiKey"], aether_mock::DEFAULT_API_KEY);

    // The emulator answers the CLI itself.
    let connected = run(
        &[
            "connect",
            "tiktok",
            "--redirect-url",
            "https://x.example/cb",
            "--base-url",
            &url,
            "--api-key",
            aether_mock::DEFAULT_API_KEY,
            "--json",
        ],
        None,
    );
    connected.success();
    terminate_mock(child);
}

#[test]
fn mock_starts_in_chaos_mode_and_refuses_a_bad_rate() {
    let (child, ready) = spawn_mock(&["--port", "0", "--chaos-seed", "7", "--chaos-rate", "0.5"]);
    let url = format!("{}/_mock/chaos", ready["url"].as_str().unwrap());
    let token = ready["adminToken"].as_str().unwrap().to_owned();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let shown: Value = runtime.block_on(async {
        let response = reqwest::Client::new().get(url).bearer_auth(token).send().await.unwrap();
        response.json().await.unwrap()
    });
    assert_eq!(
        (&shown["chaos"]["seed"], &shown["chaos"]["rate"]),
        (&json!(7), &json!(0.5)),
        "{shown}"
    );
    terminate_mock(child);

    // Refused before listening: a usage error naming the flag and what it accepts.
    let refused = run(&["mock", "--port", "0", "--chaos-seed", "1", "--chaos-rate", "2"], None);
    refused.expect(2);
    let stderr = refused.stderr();
    assert!(stderr.contains("--chaos-rate") && stderr.contains("between 0 and 1"), "{stderr}");
    // --chaos-rate alone means nothing: clap says it needs a seed.
    run(&["mock", "--port", "0", "--chaos-rate", "0.5"], None).expect(2);
}
