//! Shared by the CLI's tests: an emulator started in the test process on port 0, and the built
//! `aether` binary run against it.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use aether::model::{Platform, Tier};
use aether_mock::{Admin, MockConfig, MockServer, NewProfile};
use serde_json::Value;

/// The binary under test.
pub const AETHER: &str = env!("CARGO_BIN_EXE_aether");

/// `tests/fixtures/media` at the workspace root.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/media")
}

pub fn fixture(name: &str) -> PathBuf {
    fixtures().join(name)
}

/// An emulator on its own runtime, so the test thread can block on the binary.
pub struct Emulator {
    pub server: MockServer,
    pub runtime: tokio::runtime::Runtime,
    /// Its admin API; run a call with [`Emulator::run`].
    pub admin: Admin,
    http: reqwest::Client,
}

impl Emulator {
    pub fn start() -> Emulator {
        Emulator::with(|_| {})
    }

    pub fn with(configure: impl FnOnce(&mut MockConfig)) -> Emulator {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let mut config = MockConfig::default();
        config.settings.processing_ms = 200;
        configure(&mut config);
        let server = runtime.block_on(MockServer::start(config)).expect("the emulator starts");
        let admin = Admin::for_server(&server).expect("an admin client");
        // Straight to the emulator, whatever proxy the environment names.
        let http = reqwest::Client::builder().no_proxy().build().expect("an HTTP client");
        Emulator { server, runtime, admin, http }
    }

    pub fn url(&self) -> &str {
        self.server.url()
    }

    /// `aether --base-url <emulator> --api-key <its key> ARGS…`.
    pub fn aether(&self, args: &[&str]) -> Run {
        let mut full = vec!["--base-url", self.url(), "--api-key", self.server.api_key()];
        full.extend_from_slice(args);
        run(&full, None)
    }

    /// Runs a future (an admin call) on the emulator's runtime.
    pub fn run<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// A request to the public API with the emulator's key.
    pub fn api(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.url());
        self.runtime.block_on(async {
            let mut request = self.http.request(method, url).bearer_auth(self.server.api_key());
            if let Some(body) = body {
                request = request.json(&body);
            }
            let response = request.send().await.expect("the API answers");
            assert!(response.status().is_success(), "{path}: {}", response.status());
            response.json::<Value>().await.expect("JSON")
        })
    }

    /// A profile connected without OAuth.
    pub fn profile(&self, platform: &str, tier: &str) -> String {
        let profile = NewProfile::new(Platform::parse(platform)).tier(Tier::parse(tier));
        self.run(self.admin.create_profile(&profile)).expect("a profile").id
    }

    /// Uploads a fixture through the CLI and returns its media key (verified).
    pub fn upload(&self, name: &str) -> String {
        let run = self.aether(&["upload", fixture(name).to_str().unwrap(), "--wait", "--json"]);
        run.success();
        run.json()["mediaKey"].as_str().expect("a media key").to_owned()
    }

    /// The paths the emulator's journal recorded, as "METHOD path".
    pub fn journal(&self) -> Vec<String> {
        let journal = self.run(self.admin.journal()).expect("the journal");
        journal.iter().map(|e| format!("{} {}", e.method, e.path)).collect()
    }
}

/// Runs the binary with a clean environment (no AETHER_* variables, no colour).
pub fn run(args: &[&str], stdin: Option<&[u8]>) -> Run {
    run_with_env(args, stdin, &[])
}

pub fn run_with_env(args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(AETHER);
    command
        .args(args)
        .env_remove("AETHER_API_KEY")
        .env_remove("AETHER_BASE_URL")
        .env_remove("AETHER_CA_BUNDLE")
        .env_remove("AETHER_CLIENT_CERT")
        .env_remove("AETHER_CLIENT_KEY")
        .env_remove("AETHER_LOG")
        .env_remove("TRACEPARENT")
        // A proxy in the environment (a CI's) must not carry the emulator's traffic.
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in env {
        // An empty value removes the variable.
        if value.is_empty() {
            command.env_remove(name);
        } else {
            command.env(name, value);
        }
    }
    let mut child = command.spawn().expect("the aether binary runs");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin");
        pipe.write_all(input).expect("write stdin");
    }
    let output = child.wait_with_output().expect("the aether binary finishes");
    Run { args: args.iter().map(|a| a.to_string()).collect(), output }
}

/// One finished run.
pub struct Run {
    pub args: Vec<String>,
    pub output: Output,
}

impl Run {
    pub fn code(&self) -> i32 {
        self.output.status.code().expect("exited, not killed")
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// Stdout as exactly one JSON document.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.output.stdout).unwrap_or_else(|e| {
            panic!(
                "{:?}: stdout is not one JSON document ({e}):\n{}\nstderr:\n{}",
                self.args,
                self.stdout(),
                self.stderr()
            )
        })
    }

    /// Asserts the exit code, showing the output when it differs.
    pub fn expect(&self, code: i32) -> &Run {
        assert_eq!(
            self.code(),
            code,
            "{:?} exited {}\nstdout:\n{}\nstderr:\n{}",
            self.args,
            self.code(),
            self.stdout(),
            self.stderr()
        );
        self
    }

    pub fn success(&self) -> &Run {
        self.expect(0)
    }
}
