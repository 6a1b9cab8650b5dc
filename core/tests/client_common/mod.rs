//! Shared by the `client_*` tests: an emulator on a port the OS picked (real HTTP on loopback),
//! a client for it, and helpers for the emulator's admin API (faults, journal, clock, settings).
#![allow(dead_code)]

use std::time::Duration;

use aether::model::Platform;
use aether::{Client, ClientBuilder};
use aether_mock::admin_client::FaultRule;
use aether_mock::{Admin, MockConfig, MockServer, NewProfile};
use serde_json::Value;

pub mod forward_proxy;

pub struct Emulator {
    pub server: MockServer,
    /// Plain HTTP, for what a browser does (the hosted connect page).
    pub http: reqwest::Client,
    /// The emulator's admin API.
    pub admin: Admin,
}

impl Emulator {
    pub async fn start() -> Emulator {
        Emulator::with_config(MockConfig::default()).await
    }

    pub async fn with_config(config: MockConfig) -> Emulator {
        let server = MockServer::start(config).await.expect("the emulator starts");
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        let admin = Admin::for_server(&server).expect("an admin client");
        Emulator { server, http, admin }
    }

    /// A builder aimed at the emulator, with the emulator's key and a fast backoff so retry
    /// tests do not sleep for seconds.
    pub fn builder(&self) -> ClientBuilder {
        Client::builder()
            .api_key(self.server.api_key())
            .base_url(self.server.url())
            .retry_backoff(Duration::from_millis(5), Duration::from_millis(50))
    }

    pub fn client(&self) -> Client {
        self.builder().build().expect("client builds")
    }

    /// Adds a fault rule, e.g. `json!({"method":"POST","path":"/v1/posts","times":1,
    /// "action":{"type":"reset_after_body"}})`.
    pub async fn fault(&self, rule: Value) {
        let rule: FaultRule = serde_json::from_value(rule).expect("a fault rule");
        self.admin.inject_fault(&rule).await.expect("the fault is added");
    }

    /// Changes settings, e.g. `json!({"processingMs": 200})`.
    pub async fn settings(&self, patch: Value) {
        self.admin.update_settings(&patch).await.expect("the settings change");
    }

    pub async fn advance(&self, seconds: f64) {
        let by = Duration::from_secs_f64(seconds);
        self.admin.advance_clock(by).await.expect("the clock advances");
    }

    /// The journal of API requests.
    pub async fn journal(&self) -> Vec<Value> {
        let entries = self.admin.journal().await.expect("the journal");
        entries.iter().map(|e| serde_json::to_value(e).expect("an entry as JSON")).collect()
    }

    /// The journal's entries of one method and path.
    pub async fn journal_for(&self, method: &str, path: &str) -> Vec<Value> {
        self.journal()
            .await
            .into_iter()
            .filter(|e| e["method"] == method && e["path"] == path)
            .collect()
    }

    /// An active profile created through the admin API (no OAuth).
    pub async fn profile(&self, platform: &str) -> String {
        let profile = NewProfile::new(Platform::parse(platform));
        self.admin.create_profile(&profile).await.expect("a profile").id
    }
}

/// The path of a file of `tests/fixtures/media` (its `manifest.json` says what each holds).
pub fn media_fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/media").join(name)
}

/// A text-only LinkedIn post (LinkedIn needs no media).
pub fn text_post(profile_id: &str, text: &str) -> aether::model::CreatePostRequest {
    aether::model::CreatePostRequest {
        profile_id: Some(profile_id.to_owned()),
        content: Some(aether::model::PostContent::new(text)),
        ..Default::default()
    }
}

/// What `tracing` writes, at every level, while the guard of [`CapturedLog::start`] lives.
/// The test runtimes are single-threaded, so the client's events are on the test's thread.
#[derive(Clone, Default)]
pub struct CapturedLog(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl CapturedLog {
    /// Starts capturing; `span_closes` also writes a line as each span closes.
    pub fn start(span_closes: bool) -> (CapturedLog, tracing::subscriber::DefaultGuard) {
        let captured = CapturedLog::default();
        let writer = captured.clone();
        let span_events = match span_closes {
            true => tracing_subscriber::fmt::format::FmtSpan::CLOSE,
            false => tracing_subscriber::fmt::format::FmtSpan::NONE,
        };
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(span_events)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        (captured, tracing::subscriber::set_default(subscriber))
    }

    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for CapturedLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
