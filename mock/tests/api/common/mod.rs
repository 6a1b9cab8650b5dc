//! Shared test harness: an emulator on a port the OS picked, and a client for its public and
//! admin APIs over real HTTP on loopback.
#![allow(dead_code)]

use aether::model::{Platform, Tier};
use aether_mock::{Admin, MockConfig, MockServer, NewProfile};
use reqwest::{Method, RequestBuilder, Response, StatusCode};
use serde_json::Value;

pub struct TestServer {
    pub server: MockServer,
    pub http: reqwest::Client,
    /// The typed admin client; the raw `admin*` requests below are for tests of the admin
    /// API's own answers (its refusals, its status codes).
    pub admin: Admin,
}

impl TestServer {
    pub async fn start() -> TestServer {
        TestServer::with_config(MockConfig::default()).await
    }

    pub async fn with_config(config: MockConfig) -> TestServer {
        let server = MockServer::start(config).await.expect("emulator starts");
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let admin = Admin::for_server(&server).expect("admin client");
        TestServer { server, http, admin }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.server.url(), path)
    }

    /// A request to the public API with the emulator's API key.
    pub fn api(&self, method: Method, path: &str) -> RequestBuilder {
        self.http.request(method, self.url(path)).bearer_auth(self.server.api_key())
    }

    /// A request to the admin API with the admin token.
    pub fn admin(&self, method: Method, path: &str) -> RequestBuilder {
        self.http.request(method, self.url(path)).bearer_auth(self.server.admin_token())
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        send(self.api(Method::GET, path)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        send(self.api(Method::POST, path).json(&body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        send(self.api(Method::PATCH, path).json(&body)).await
    }

    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        send(self.api(Method::DELETE, path)).await
    }

    pub async fn admin_post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        send(self.admin(Method::POST, path).json(&body)).await
    }

    pub async fn admin_get(&self, path: &str) -> (StatusCode, Value) {
        send(self.admin(Method::GET, path)).await
    }

    /// Moves the virtual clock forward.
    pub async fn advance(&self, seconds: f64) {
        let by = std::time::Duration::from_secs_f64(seconds);
        self.admin.advance_clock(by).await.expect("the clock advances");
    }

    /// Creates an active profile directly (no OAuth), e.g. `("tiktok", "standard")`.
    pub async fn profile(&self, platform: &str, tier: &str) -> String {
        let profile = NewProfile::new(Platform::parse(platform)).tier(Tier::parse(tier));
        self.admin.create_profile(&profile).await.expect("a profile").id
    }

    /// The journal of API requests the emulator received.
    pub async fn journal(&self) -> Vec<Value> {
        let entries = self.admin.journal().await.expect("the journal");
        entries.iter().map(|e| serde_json::to_value(e).expect("an entry as JSON")).collect()
    }
}

/// Sends a request and returns the status and the JSON body (`null` when empty or not JSON).
pub async fn send(request: RequestBuilder) -> (StatusCode, Value) {
    let response: Response = request.send().await.expect("request reaches the emulator");
    let status = response.status();
    let bytes = response.bytes().await.expect("body");
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

/// Asserts an API error with this status and code and returns its body's `error` object.
pub fn assert_error(status: StatusCode, body: &Value, expected_status: u16, code: &str) -> Value {
    assert_eq!(status.as_u16(), expected_status, "unexpected status; body: {body}");
    assert_eq!(body["error"]["code"], code, "unexpected code; body: {body}");
    assert!(body["error"]["requestId"].as_str().is_some_and(|r| r.starts_with("req_")), "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    body["error"].clone()
}

pub fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/media").join(name)
}

/// An emulator whose data dir is a temp dir the test can look into (media and upload tests).
pub struct DataDirServer {
    pub ts: TestServer,
    pub dir: tempfile::TempDir,
}

impl DataDirServer {
    pub async fn start() -> DataDirServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let config =
            MockConfig { data_dir: Some(dir.path().to_path_buf()), ..MockConfig::default() };
        DataDirServer { ts: TestServer::with_config(config).await, dir }
    }

    /// Every file under the emulator's data dir.
    pub fn files(&self) -> Vec<std::path::PathBuf> {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    out.push(path);
                }
            }
        }
        let mut out = Vec::new();
        walk(self.dir.path(), &mut out);
        out
    }

    /// Polls the media until verification is done.
    pub async fn verified(&self, media_key: &str) -> Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let (status, media) = self.ts.get(&format!("/v1/media/{}", enc(media_key))).await;
            assert_eq!(status, StatusCode::OK, "{media}");
            if media["status"] != "processing" {
                return media;
            }
            assert!(std::time::Instant::now() < deadline, "still processing: {media}");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

/// A media key as one path segment.
pub fn enc(media_key: &str) -> String {
    media_key.replace('/', "%2F")
}
