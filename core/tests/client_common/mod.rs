//! Shared by the `client_*` tests: an emulator on a port the OS picked (real HTTP on loopback),
//! a client for it, and helpers for the emulator's admin API (faults, journal, clock, settings).
#![allow(dead_code)]

use std::time::Duration;

use aether::{Client, ClientBuilder};
use aether_mock::{MockConfig, MockServer};
use reqwest::Method;
use serde_json::{json, Value};

pub struct Emulator {
    pub server: MockServer,
    pub http: reqwest::Client,
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
            .expect("admin client");
        Emulator { server, http }
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

    async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.server.url()))
            .bearer_auth(self.server.admin_token());
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("admin request");
        let status = response.status();
        let bytes = response.bytes().await.expect("admin body");
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        assert!(status.is_success(), "{method} {path}: {status} {value}");
        value
    }

    pub async fn admin_post(&self, path: &str, body: Value) -> Value {
        self.admin(Method::POST, path, Some(body)).await
    }

    pub async fn admin_get(&self, path: &str) -> Value {
        self.admin(Method::GET, path, None).await
    }

    /// Adds a fault rule, e.g. `json!({"method":"POST","path":"/v1/posts","times":1,
    /// "action":{"type":"reset_after_body"}})`.
    pub async fn fault(&self, rule: Value) {
        self.admin_post("/_mock/faults", rule).await;
    }

    pub async fn settings(&self, patch: Value) {
        self.admin(Method::PATCH, "/_mock/settings", Some(patch)).await;
    }

    pub async fn advance(&self, seconds: f64) {
        self.admin_post("/_mock/clock/advance", json!({ "seconds": seconds })).await;
    }

    /// The journal of API requests, optionally only those of one method and path.
    pub async fn journal(&self) -> Vec<Value> {
        let body = self.admin_get("/_mock/journal").await;
        body["data"].as_array().cloned().unwrap_or_default()
    }

    pub async fn journal_for(&self, method: &str, path: &str) -> Vec<Value> {
        self.journal()
            .await
            .into_iter()
            .filter(|e| e["method"] == method && e["path"] == path)
            .collect()
    }

    /// An active profile created through the admin API (no OAuth).
    pub async fn profile(&self, platform: &str) -> String {
        let body = self.admin_post("/_mock/profiles", json!({ "platform": platform })).await;
        body["id"].as_str().expect("profile id").to_owned()
    }
}

/// A text-only LinkedIn post (LinkedIn needs no media).
pub fn text_post(profile_id: &str, text: &str) -> aether::model::CreatePostRequest {
    aether::model::CreatePostRequest {
        profile_id: Some(profile_id.to_owned()),
        content: aether::model::PostContent::new(text),
        ..Default::default()
    }
}
