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
