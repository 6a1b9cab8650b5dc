//! The `aether-mock` binary: one JSON line when ready, clean exit on SIGTERM and SIGINT, and
//! its temp data dir removed.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn start(extra: &[&str]) -> (std::process::Child, serde_json::Value) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_aether-mock"))
        .args(["--port", "0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let ready: serde_json::Value = serde_json::from_str(&line).expect("one JSON line on stdout");
    (child, ready)
}

fn wait_exit(child: &mut std::process::Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(Instant::now() < deadline, "the emulator did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[tokio::test]
async fn prints_its_url_and_serves_until_terminated() {
    for signal in ["-TERM", "-INT"] {
        let (mut child, ready) = start(&["--api-key", "sk_cli", "--admin-token", "adm_cli"]);
        let url = ready["url"].as_str().unwrap();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        assert!(!url.ends_with(":0"));
        assert_eq!(ready["adminToken"], "adm_cli");
        assert_eq!(ready["apiKey"], "sk_cli");

        let response = reqwest::Client::new()
            .get(format!("{url}/v1/platforms"))
            .bearer_auth("sk_cli")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);

        let killed = Command::new("kill").args([signal, &child.id().to_string()]).status().unwrap();
        assert!(killed.success());
        assert!(wait_exit(&mut child).success(), "clean exit on {signal}");
    }
}

#[test]
fn a_given_data_dir_is_used_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("media");
    let (mut child, _) = start(&["--data-dir", data_dir.to_str().unwrap()]);
    assert!(data_dir.is_dir());
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(wait_exit(&mut child).success());
    assert!(data_dir.is_dir(), "a directory the user chose is not deleted");
}

#[test]
fn a_taken_port_is_a_clear_failure() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output =
        Command::new(env!("CARGO_BIN_EXE_aether-mock")).args(["--port", &port]).output().unwrap();
    assert!(!output.status.success());
    assert!(output.stdout.is_empty(), "no ready line when not ready");
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot listen"));
}

/// A client trusting `ca` (PEM file), presenting `identity` (cert and key PEM files) if given.
fn https_client(ca: &str, identity: Option<(&str, &str)>) -> reqwest::Client {
    let ca = std::fs::read(ca).unwrap();
    let mut builder = reqwest::Client::builder()
        .no_proxy()
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap());
    if let Some((cert, key)) = identity {
        let mut pem = std::fs::read(cert).unwrap();
        pem.extend(std::fs::read(key).unwrap());
        builder = builder.identity(reqwest::Identity::from_pem(&pem).unwrap());
    }
    builder.build().unwrap()
}

#[tokio::test]
async fn tls_serves_https_with_its_generated_ca_and_client_certificates_when_asked() {
    let (mut first, ready) = start(&["--tls", "--tls-client-auth"]);
    let url = ready["url"].as_str().unwrap().to_owned();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let text =
        |key: &str| ready[key].as_str().unwrap_or_else(|| panic!("{key}: {ready}")).to_owned();
    let (ca, cert, key) = (text("caFile"), text("clientCertFile"), text("clientKeyFile"));
    let profiles = format!("{url}/v1/profiles");

    let with_cert = https_client(&ca, Some((&cert, &key)));
    let response = with_cert.get(&profiles).bearer_auth("sk_test_aether_mock").send().await;
    assert_eq!(response.unwrap().status(), 200);
    let without = https_client(&ca, None);
    assert!(without.get(&profiles).bearer_auth("sk_test_aether_mock").send().await.is_err());

    // --tls-client-ca: another emulator requiring certificates signed by the first one's CA.
    let (mut second, other) = start(&["--tls-client-ca", &ca]);
    let other_url = other["url"].as_str().unwrap();
    let other_ca = other["caFile"].as_str().unwrap();
    let client = https_client(other_ca, Some((&cert, &key)));
    let response =
        client.get(format!("{other_url}/v1/profiles")).bearer_auth("sk_test_aether_mock").send();
    assert_eq!(response.await.unwrap().status(), 200);
    let refused = https_client(other_ca, None).get(format!("{other_url}/v1/profiles")).send();
    assert!(refused.await.is_err());

    for child in [&mut first, &mut second] {
        Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
        assert!(wait_exit(child).success());
    }
}

#[tokio::test]
async fn chaos_flags_start_chaos_mode_and_a_bad_rate_is_refused() {
    let (mut child, ready) = start(&["--chaos-seed", "7", "--chaos-rate", "0.5"]);
    let url = format!("{}/_mock/chaos", ready["url"].as_str().unwrap());
    let token = ready["adminToken"].as_str().unwrap();
    let shown: serde_json::Value = reqwest::Client::new()
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (&shown["chaos"]["seed"], &shown["chaos"]["rate"]),
        (&7.into(), &0.5.into()),
        "{shown}"
    );
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    wait_exit(&mut child);

    let output = Command::new(env!("CARGO_BIN_EXE_aether-mock"))
        .args(["--port", "0", "--chaos-seed", "1", "--chaos-rate", "2"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("rate must be between 0 and 1"), "{stderr}");
}
