//! A real forward proxy for the tests: `scripts/proxy` (tinyproxy on a free port of
//! 127.0.0.1), stopped when dropped. Shared by the core's and the CLI's tests (the CLI's
//! include this file by path).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running tinyproxy; stopped when dropped.
pub struct Proxy {
    child: Child,
    pub port: u16,
    pub log_file: String,
}

impl Proxy {
    /// Starts one (demanding `auth`, "user:password", when given); `None` when tinyproxy is not
    /// installed and this is not CI (where that fails the test).
    pub fn start(auth: Option<&str>) -> Option<Proxy> {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/proxy");
        let mut command = Command::new(script);
        if let Some(auth) = auth {
            command.args(["--auth", auth]);
        }
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("scripts/proxy runs");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("its stdout"))
            .read_line(&mut line)
            .expect("a line from scripts/proxy");
        if line.trim().is_empty() {
            let status = child.wait().expect("scripts/proxy exits");
            if status.code() == Some(3) && std::env::var("CI").as_deref() != Ok("true") {
                eprintln!("SKIPPED: tinyproxy is not installed (apt-get install tinyproxy)");
                return None;
            }
            panic!("scripts/proxy did not start a proxy ({status})");
        }
        let info: serde_json::Value = serde_json::from_str(&line).expect("a JSON line");
        Some(Proxy {
            port: info["port"].as_u64().expect("a port") as u16,
            log_file: info["logFile"].as_str().expect("a log file").to_owned(),
            child,
        })
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The proxy's log so far (tinyproxy writes each request line as it reads it).
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_file).unwrap_or_default()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        // Closing its stdin stops it (and tinyproxy); kill in case it does not.
        drop(self.child.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
