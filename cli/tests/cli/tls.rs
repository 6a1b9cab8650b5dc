//! The CLI over HTTPS: the tutorial (connect, upload, post --wait) against an emulator serving
//! TLS with a generated CA, trusted with --ca-bundle or AETHER_CA_BUNDLE; TLS_ERROR (exit 1,
//! never a hang) saying what to set when it is not; mutual TLS; `aether mock --tls`.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use aether_mock::{ClientAuth, TlsConfig};
use serde_json::Value;

use crate::common::{fixture, run, run_with_env, Emulator, AETHER};

fn https(client_auth: ClientAuth) -> Emulator {
    Emulator::with(|config| config.tls = Some(TlsConfig { client_auth, ..Default::default() }))
}

fn path(file: &Option<std::path::PathBuf>) -> String {
    file.as_ref().expect("a generated file").display().to_string()
}

#[test]
fn the_tutorial_over_https_with_ca_bundle() {
    let emulator = https(ClientAuth::None);
    let ca = path(&emulator.server.tls_files().ca_file);
    let aether = |args: &[&str]| {
        let mut full = vec!["--ca-bundle", ca.as_str()];
        full.extend_from_slice(args);
        emulator.aether(&full)
    };
    let link = aether(&["connect", "tiktok", "--redirect-url", "https://x.example/cb", "--json"]);
    link.success();
    let link_id = link.json()["id"].as_str().unwrap().to_owned();
    let decision = emulator.run(emulator.admin.approve_connect_link(&link_id, None)).unwrap();
    let profile = decision.profile.unwrap().id;
    let video = fixture("h264_15s.mp4");
    let upload = aether(&["upload", video.to_str().unwrap(), "--wait", "--json"]);
    upload.success();
    let media_key = upload.json()["mediaKey"].as_str().unwrap().to_owned();
    let post = aether(&[
        "post",
        "--profile",
        &profile,
        "--text",
        "over TLS",
        "--media",
        &media_key,
        "--wait",
        "--json",
    ]);
    post.success();
    assert_eq!(post.json()["status"], "published", "{}", post.stdout());
}

#[test]
fn an_untrusted_server_is_tls_error_and_aether_ca_bundle_fixes_it() {
    let emulator = https(ClientAuth::None);
    let args = ["--base-url", emulator.url(), "--api-key", emulator.server.api_key()];
    let mut profiles = args.to_vec();
    profiles.extend(["profiles", "--json"]);

    let refused = run(&profiles, None);
    refused.expect(1);
    let error = &refused.json()["error"];
    assert_eq!(error["code"], "TLS_ERROR", "{error}");
    assert!(error["message"].as_str().unwrap().contains("--ca-bundle"), "{error}");

    let ca = path(&emulator.server.tls_files().ca_file);
    run_with_env(&profiles, None, &[("AETHER_CA_BUNDLE", &ca)]).success();

    let missing = run_with_env(&profiles, None, &[("AETHER_CA_BUNDLE", "/nonexistent/ca.pem")]);
    missing.expect(2);
    assert!(missing.stderr().contains("AETHER_CA_BUNDLE"), "{}", missing.stderr());
}

#[test]
fn mutual_tls_with_client_cert_and_refused_without() {
    let emulator = https(ClientAuth::GeneratedCa);
    let files = emulator.server.tls_files().clone();
    let (ca, cert, key) =
        (path(&files.ca_file), path(&files.client_cert_file), path(&files.client_key_file));
    let accepted = emulator.aether(&[
        "--ca-bundle",
        &ca,
        "--client-cert",
        &cert,
        "--client-key",
        &key,
        "profiles",
        "--json",
    ]);
    accepted.success();
    let refused = emulator.aether(&["--ca-bundle", &ca, "profiles", "--json"]);
    refused.expect(1);
    let error = &refused.json()["error"];
    assert_eq!(error["code"], "TLS_ERROR", "{error}");
    assert!(error["message"].as_str().unwrap().contains("--client-cert"), "{error}");
}

#[test]
fn aether_mock_tls_prints_the_ca_file_in_its_ready_line() {
    let mut child = Command::new(AETHER)
        .args(["mock", "--port", "0", "--tls"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let ready: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    let url = ready["url"].as_str().unwrap().to_owned();
    let ca = ready["caFile"].as_str().unwrap().to_owned();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let profiles = run(
        &[
            "--base-url",
            &url,
            "--api-key",
            aether_mock::DEFAULT_API_KEY,
            "--ca-bundle",
            &ca,
            "profiles",
        ],
        None,
    );
    let _ = child.kill();
    let _ = child.wait();
    profiles.success();
}
