//! [`Admin`]: the one client of the emulator's `/_mock/` admin API, used by the Rust test
//! harnesses and by the bindings' testing kits (`aether.testing`, `aether/testing`).
//!
//! It sends through the core's transport (an [`aether::Client`] holding the admin token), so
//! it has the core's timeouts, its error decoding and its redaction: the token is sent as the
//! `Authorization` header and never appears in `Debug` output or in an error. Errors are
//! [`aether::Error`]s with the emulator's codes (`INVALID_REQUEST`, `NOT_FOUND`,
//! `POST_NOT_EDITABLE`, `UNAUTHORIZED` for a wrong token…).
//!
//! The request bodies are the types the emulator's handlers read ([`Settings`],
//! [`FaultRule`], [`NewProfile`], [`ForcedOutcome`], [`OutcomeRule`]), so an admin endpoint
//! and its client are described once.
//!
//! ```no_run
//! # async fn demo() -> aether::Result<()> {
//! use aether::model::Platform;
//! let server = aether_mock::MockServer::start(aether_mock::MockConfig::default()).await.unwrap();
//! let admin = aether_mock::Admin::for_server(&server)?;
//! let profile = admin.create_profile(&aether_mock::NewProfile::new(Platform::Tiktok)).await?;
//! admin.advance_clock(std::time::Duration::from_secs(60)).await?;
//! # let _ = profile; Ok(()) }
//! ```

use std::fmt;
use std::time::Duration;

use aether::model::{
    Comment, ConnectLink, Message, Post, Profile, ProfileCapabilities, Tier, Timestamp,
};
use aether::transport::{encode_segment, ApiRequest};
use aether::{Client, Result};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

pub use crate::config::Settings;
pub use crate::faults::{FaultAction, FaultRule};
pub use crate::journal::JournalEntry;
pub use crate::resources::posts::{ForcedOutcome, OutcomeKind, OutcomeRule};
pub use crate::resources::profiles::capabilities::CapabilitySettings;
pub use crate::resources::profiles::NewProfile;
pub use crate::resources::webhooks::{MessagePatch, NewAuthor, NewComment, NewMessage};
use crate::MockServer;

/// The virtual clock's time, as `GET /_mock/clock` and `POST /_mock/clock/advance` answer it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Clock {
    /// RFC 3339.
    pub now: Timestamp,
}

/// What approving or denying a connect link did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkDecision {
    /// The link after the decision (`completed` or `denied`).
    pub link: ConnectLink,
    /// The connected profile (`None` when denied).
    #[serde(default)]
    pub profile: Option<Profile>,
    /// Where the end user's browser is sent.
    pub redirect: String,
}

/// A file of the emulator's loopback file server (`PUT`/`GET /_mock/files/{name}`): its URL,
/// and how it was fetched since it was stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServedFile {
    /// The name it was stored under.
    pub name: String,
    /// `{base}/mock-files/{name}`: fetchable without a key (see `resources::mock_files` for the
    /// query options that make it misbehave).
    pub url: String,
    /// Its size in bytes.
    pub size: u64,
    /// The `Content-Type` it is served with.
    pub content_type: String,
    /// Requests for the file (`HEAD` included).
    pub requests: u64,
    /// Requests answered 206 to a `Range`.
    pub range_requests: u64,
    /// Body bytes sent, in all.
    pub bytes_served: u64,
}

/// A list answer of the admin API: `{ "data": [...] }`.
#[derive(Deserialize)]
struct Data<T> {
    data: Vec<T>,
}

/// A client of one emulator's admin API. Cheap to clone.
#[derive(Clone)]
pub struct Admin {
    client: Client,
}

impl fmt::Debug for Admin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The token is a secret; say only where the client points.
        f.debug_struct("Admin")
            .field("base_url", &self.client.base_url())
            .field("admin_token", &"[redacted]")
            .finish()
    }
}

impl Admin {
    /// A client of the admin API at `base_url` (e.g. `http://127.0.0.1:41234`) with this token.
    pub fn new(base_url: &str, admin_token: &str) -> Result<Admin> {
        Ok(Admin { client: Admin::builder(base_url, admin_token).build()? })
    }

    fn builder(base_url: &str, admin_token: &str) -> aether::ClientBuilder {
        let builder = Client::builder()
            .api_key(admin_token)
            .base_url(base_url)
            // The admin API answers at once and its calls are not all idempotent (adding a
            // fault twice adds two): one attempt, and a failure is the test's to see.
            .max_retries(0)
            .user_agent_suffix("aether-mock-admin");
        // An emulator on this machine is reached directly, whatever proxy the environment
        // names (a CI's HTTPS_PROXY, or a test's): the proxy could not reach it anyway.
        let host = reqwest::Url::parse(base_url).ok().and_then(|u| u.host_str().map(str::to_owned));
        match host.as_deref() {
            Some("127.0.0.1" | "localhost" | "[::1]") => builder.proxy(""),
            _ => builder,
        }
    }

    /// A client of `server`'s admin API (over HTTPS trusting the server's generated CA and
    /// presenting its client certificate, when it serves TLS).
    pub fn for_server(server: &MockServer) -> Result<Admin> {
        let files = server.tls_files();
        let path = |p: &Option<std::path::PathBuf>| p.as_ref().map(|p| p.display().to_string());
        let mut builder = Admin::builder(server.url(), server.admin_token());
        if let Some(ca) = path(&files.ca_file) {
            builder = builder.ca_bundle(ca);
        }
        if let (Some(cert), Some(key)) =
            (path(&files.client_cert_file), path(&files.client_key_file))
        {
            builder = builder.client_cert(cert).client_key(key);
        }
        Ok(Admin { client: builder.build()? })
    }

    /// The emulator's base URL.
    pub fn base_url(&self) -> &str {
        self.client.base_url()
    }

    async fn call<T: DeserializeOwned>(&self, request: ApiRequest) -> Result<T> {
        Ok(self.client.transport().send_json(request).await?.data)
    }

    async fn call_empty(&self, request: ApiRequest) -> Result<()> {
        self.client.transport().send_empty(request).await.map(|_| ())
    }

    async fn list<T: DeserializeOwned>(&self, request: ApiRequest) -> Result<Vec<T>> {
        Ok(self.call::<Data<T>>(request).await?.data)
    }

    // --- state and settings ------------------------------------------------------------------

    /// `POST /_mock/reset`: forgets everything (posts, profiles, media, faults, the journal,
    /// the clock's offset); the settings become `settings`, or the defaults when `None`.
    pub async fn reset(&self, settings: Option<&Settings>) -> Result<()> {
        let body = match settings {
            Some(settings) => json!({ "settings": settings }),
            None => json!({}),
        };
        self.call_empty(ApiRequest::post("/_mock/reset").json(&body)?).await
    }

    /// `GET /_mock/settings`.
    pub async fn settings(&self) -> Result<Settings> {
        self.call(ApiRequest::get("/_mock/settings")).await
    }

    /// `PATCH /_mock/settings`: changes the fields of `patch` (camelCase, e.g.
    /// `{"processingMs": 10}`) and answers every setting.
    pub async fn update_settings(&self, patch: &Value) -> Result<Settings> {
        self.call(ApiRequest::patch("/_mock/settings").json(patch)?).await
    }

    // --- the clock ---------------------------------------------------------------------------

    /// `GET /_mock/clock`.
    pub async fn clock(&self) -> Result<Clock> {
        self.call(ApiRequest::get("/_mock/clock")).await
    }

    /// `POST /_mock/clock/advance`: moves the virtual clock forward; what became due
    /// (publishing, expiries, quotas) has happened when this returns.
    pub async fn advance_clock(&self, by: Duration) -> Result<Clock> {
        // Whole milliseconds travel exactly; anything finer as fractional seconds.
        let body = match u64::try_from(by.as_millis()) {
            Ok(ms) if by.subsec_nanos().is_multiple_of(1_000_000) => json!({ "ms": ms }),
            _ => json!({ "seconds": by.as_secs_f64() }),
        };
        self.call(ApiRequest::post("/_mock/clock/advance").json(&body)?).await
    }

    // --- profiles and connect links ----------------------------------------------------------

    /// `POST /_mock/profiles`: an active profile, connected without OAuth.
    pub async fn create_profile(&self, profile: &NewProfile) -> Result<Profile> {
        self.call(ApiRequest::post("/_mock/profiles").json(profile)?).await
    }

    /// `POST /_mock/profiles/{id}/revoke`: the platform revoked the token; the profile is
    /// `disconnected` from now on.
    pub async fn revoke_profile(&self, profile_id: &str) -> Result<Profile> {
        let path = format!("/_mock/profiles/{}/revoke", encode_segment(profile_id));
        self.call(ApiRequest::post(path).json(&json!({}))?).await
    }

    /// `PUT /_mock/profiles/{id}/capabilities`: sets what the account may post (the fields
    /// given replace the account's; the rest keep theirs) and returns its capabilities now.
    pub async fn set_capabilities(
        &self,
        profile_id: &str,
        settings: &CapabilitySettings,
    ) -> Result<ProfileCapabilities> {
        let path = format!("/_mock/profiles/{}/capabilities", encode_segment(profile_id));
        self.call(ApiRequest::put(path).json(settings)?).await
    }

    /// `POST /_mock/connect-links/{id}/approve`: the end user authorized the link; the profile
    /// gets `tier`, or the `approvedTier` setting when `None`.
    pub async fn approve_connect_link(
        &self,
        link_id: &str,
        tier: Option<&Tier>,
    ) -> Result<LinkDecision> {
        let path = format!("/_mock/connect-links/{}/approve", encode_segment(link_id));
        let body = match tier {
            Some(tier) => json!({ "tier": tier }),
            None => json!({}),
        };
        self.call(ApiRequest::post(path).json(&body)?).await
    }

    /// `POST /_mock/connect-links/{id}/deny`: the end user declined.
    pub async fn deny_connect_link(&self, link_id: &str) -> Result<LinkDecision> {
        let path = format!("/_mock/connect-links/{}/deny", encode_segment(link_id));
        self.call(ApiRequest::post(path).json(&json!({}))?).await
    }

    // --- outcomes ----------------------------------------------------------------------------

    /// `POST /_mock/posts/{id}/outcome`: how a post's unfinished targets (or one of them) end.
    pub async fn force_outcome(&self, post_id: &str, outcome: &ForcedOutcome) -> Result<Post> {
        let path = format!("/_mock/posts/{}/outcome", encode_segment(post_id));
        self.call(ApiRequest::post(path).json(outcome)?).await
    }

    /// `POST /_mock/outcomes`: how targets that finish later end (the first matching rule
    /// wins); answers the rule with its id.
    pub async fn add_outcome_rule(&self, rule: &OutcomeRule) -> Result<OutcomeRule> {
        self.call(ApiRequest::post("/_mock/outcomes").json(rule)?).await
    }

    /// `GET /_mock/outcomes`: the outcome rules in force, first match first.
    pub async fn outcome_rules(&self) -> Result<Vec<OutcomeRule>> {
        self.list(ApiRequest::get("/_mock/outcomes")).await
    }

    /// `DELETE /_mock/outcomes`.
    pub async fn clear_outcome_rules(&self) -> Result<()> {
        self.call_empty(ApiRequest::delete("/_mock/outcomes")).await
    }

    // --- faults ------------------------------------------------------------------------------

    /// `POST /_mock/faults`: makes matching requests fail; answers the rule with its id.
    pub async fn inject_fault(&self, rule: &FaultRule) -> Result<FaultRule> {
        self.call(ApiRequest::post("/_mock/faults").json(rule)?).await
    }

    /// `GET /_mock/faults`: the fault rules in force, first match first.
    pub async fn faults(&self) -> Result<Vec<FaultRule>> {
        self.list(ApiRequest::get("/_mock/faults")).await
    }

    /// `DELETE /_mock/faults/{id}`.
    pub async fn delete_fault(&self, fault_id: &str) -> Result<()> {
        let path = format!("/_mock/faults/{}", encode_segment(fault_id));
        self.call_empty(ApiRequest::delete(path)).await
    }

    /// `DELETE /_mock/faults`.
    pub async fn clear_faults(&self) -> Result<()> {
        self.call_empty(ApiRequest::delete("/_mock/faults")).await
    }

    // --- the loopback file server ------------------------------------------------------------

    /// `PUT /_mock/files/{name}`: serves `bytes` at [`ServedFile::url`] as `content_type`
    /// (default `application/octet-stream`); `free_box` pads an MP4 with a `free` box of that
    /// many bytes after its first box. Replaces a file of the same name and its counters.
    pub async fn put_file(
        &self,
        name: &str,
        bytes: impl Into<bytes::Bytes>,
        content_type: Option<&str>,
        free_box: Option<u32>,
    ) -> Result<ServedFile> {
        let path = format!("/_mock/files/{}", encode_segment(name));
        let kind = content_type.unwrap_or("application/octet-stream");
        let mut request = ApiRequest::put(path).bytes(bytes, kind)?;
        if let Some(size) = free_box {
            request = request.query("freeBox", size.to_string());
        }
        self.call(request).await
    }

    /// `GET /_mock/files/{name}`: the file's URL and counters.
    pub async fn file_stats(&self, name: &str) -> Result<ServedFile> {
        self.call(ApiRequest::get(format!("/_mock/files/{}", encode_segment(name)))).await
    }

    // --- what the emulator saw and sent ------------------------------------------------------

    /// `GET /_mock/journal`: the API requests received, oldest first.
    pub async fn journal(&self) -> Result<Vec<JournalEntry>> {
        self.list(ApiRequest::get("/_mock/journal")).await
    }

    /// `DELETE /_mock/journal`.
    pub async fn clear_journal(&self) -> Result<()> {
        self.call_empty(ApiRequest::delete("/_mock/journal")).await
    }

    // --- chaos -------------------------------------------------------------------------------

    /// `PUT /_mock/chaos`: random faults, from `config.seed`, on a share of public requests.
    pub async fn start_chaos(&self, config: &crate::chaos::ChaosConfig) -> Result<Value> {
        self.call(ApiRequest::put("/_mock/chaos").json(config)?).await
    }

    /// `DELETE /_mock/chaos`: chaos mode off.
    pub async fn stop_chaos(&self) -> Result<()> {
        self.call_empty(ApiRequest::delete("/_mock/chaos")).await
    }

    /// `GET /_mock/chaos/report`: `duplicates`, `orphans`, the faults injected, and `ok`.
    pub async fn chaos_report(&self) -> Result<Value> {
        self.call(ApiRequest::get("/_mock/chaos/report")).await
    }

    /// `GET /_mock/webhooks/deliveries[?webhookId=]`: webhook deliveries made or attempted,
    /// oldest first (each with its attempts and their status).
    pub async fn webhook_deliveries(&self, webhook_id: Option<&str>) -> Result<Vec<Value>> {
        let mut request = ApiRequest::get("/_mock/webhooks/deliveries");
        if let Some(id) = webhook_id {
            request = request.query("webhookId", id);
        }
        self.list(request).await
    }

    // --- the inbox ---------------------------------------------------------------------------

    /// `POST /_mock/profiles/{id}/comments`: someone commented on the profile's post; raises
    /// `comment.created`.
    pub async fn simulate_comment(
        &self,
        profile_id: &str,
        comment: &NewComment,
    ) -> Result<Comment> {
        let path = format!("/_mock/profiles/{}/comments", encode_segment(profile_id));
        self.call(ApiRequest::post(path).json(comment)?).await
    }

    /// `POST /_mock/profiles/{id}/messages`: a direct message arrived (or was sent); raises
    /// `message.created`.
    pub async fn simulate_message(
        &self,
        profile_id: &str,
        message: &NewMessage,
    ) -> Result<Message> {
        let path = format!("/_mock/profiles/{}/messages", encode_segment(profile_id));
        self.call(ApiRequest::post(path).json(message)?).await
    }

    /// `PATCH /_mock/messages/{id}`: the message changed (e.g. `readAt`); raises
    /// `message.updated`.
    pub async fn update_message(&self, message_id: &str, patch: &MessagePatch) -> Result<Message> {
        let path = format!("/_mock/messages/{}", encode_segment(message_id));
        self.call(ApiRequest::patch(path).json(patch)?).await
    }
}
