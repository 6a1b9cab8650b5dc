//! `aether/testing`: the emulator (`aether-mock`) embedded in the addon, serving on the same
//! runtime, and its admin API reached through [`aether_mock::Admin`] (the core's transport).
//! Each admin method takes JSON text (wire-shaped) and resolves with JSON text; `testing.js`
//! gives them their public shape.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aether::model::Tier;
use aether_mock::admin_client::FaultRule;
use aether_mock::chaos::ChaosConfig;
use aether_mock::{
    Admin, CapabilitySettings, ForcedOutcome, MessagePatch, MockConfig, MockServer, NewComment,
    NewMessage, NewProfile, OutcomeRule, Settings,
};
use napi::bindgen_prelude::PromiseRaw;
use napi::Env;
use napi_derive::napi;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{invalid, to_napi, IntoNapi};
use crate::json::{parse, text};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StartOptions {
    api_key: Option<String>,
    admin_token: Option<String>,
    data_dir: Option<String>,
    settings: Option<Settings>,
    /// HTTPS with a generated CA (`aether-mock --tls`).
    tls: Option<bool>,
    /// With `tls`: client certificates signed by that CA required (`--tls-client-auth`).
    tls_client_auth: Option<bool>,
}

/// How far `advanceClock` moves the clock: exactly one of the two.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    seconds: Option<f64>,
    ms: Option<u64>,
}

/// A running emulator; `stop()` shuts it down, and so does the end of the JavaScript
/// environment that started it (an env cleanup hook), so its temp dir never outlives the
/// process or the worker.
#[napi]
pub struct NativeMockServer {
    server: Arc<Mutex<Option<MockServer>>>,
    url: String,
    api_key: String,
    admin_token: String,
    tls_files: aether_mock::TlsFiles,
    admin: Admin,
}

impl std::fmt::Debug for NativeMockServer {
    // Not derived: the admin token is a secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NativeMockServer").field("url", &self.url).finish_non_exhaustive()
    }
}

/// Runs an admin call on the runtime; resolves with its result as JSON text.
fn admin_call<'env, T, F>(env: &'env Env, call: F) -> napi::Result<PromiseRaw<'env, String>>
where
    T: Serialize + Send + 'static,
    F: Future<Output = aether::Result<T>> + Send + 'static,
{
    env.spawn_future(async move { text(&call.await.into_napi()?) })
}

/// Starts an emulator on 127.0.0.1 and a free port.
#[napi]
pub fn start_mock_server<'env>(
    env: &'env Env,
    options: Option<String>,
) -> napi::Result<PromiseRaw<'env, NativeMockServer>> {
    let options: StartOptions = match options {
        Some(json) => parse("emulator options", &json)?,
        None => StartOptions::default(),
    };
    let mut config = MockConfig::default();
    if let Some(key) = options.api_key {
        config.api_keys = vec![key];
    }
    config.admin_token = options.admin_token;
    config.data_dir = options.data_dir.map(Into::into);
    if let Some(settings) = options.settings {
        config.settings = settings;
    }
    if options.tls == Some(true) || options.tls_client_auth == Some(true) {
        let client_auth = if options.tls_client_auth == Some(true) {
            aether_mock::ClientAuth::GeneratedCa
        } else {
            aether_mock::ClientAuth::None
        };
        config.tls = Some(aether_mock::TlsConfig { client_auth, ..Default::default() });
    }
    let started = async move {
        let server = MockServer::start(config).await.map_err(|e| {
            to_napi(aether::Error::io(format!("could not start the emulator: {e}"), e))
        })?;
        let admin = Admin::for_server(&server).into_napi()?;
        Ok(NativeMockServer {
            url: server.url().to_owned(),
            api_key: server.api_key().to_owned(),
            admin_token: server.admin_token().to_owned(),
            tls_files: server.tls_files().clone(),
            server: Arc::new(Mutex::new(Some(server))),
            admin,
        })
    };
    env.spawn_future_with_callback(started, |env, mock: NativeMockServer| {
        // Dropping the server stops it and removes its temp dir.
        env.add_env_cleanup_hook(mock.server.clone(), |slot| {
            drop(slot.lock().unwrap_or_else(|p| p.into_inner()).take());
        })?;
        Ok(mock)
    })
}

#[napi]
impl NativeMockServer {
    #[napi(getter)]
    pub fn url(&self) -> String {
        self.url.clone()
    }

    #[napi(getter)]
    pub fn api_key(&self) -> String {
        self.api_key.clone()
    }

    #[napi(getter)]
    pub fn admin_token(&self) -> String {
        self.admin_token.clone()
    }

    /// The generated CA's PEM file (HTTPS only).
    #[napi(getter)]
    pub fn ca_file(&self) -> Option<String> {
        self.tls_files.ca_file.as_ref().map(|p| p.display().to_string())
    }

    /// A client certificate signed by that CA (HTTPS only).
    #[napi(getter)]
    pub fn client_cert_file(&self) -> Option<String> {
        self.tls_files.client_cert_file.as_ref().map(|p| p.display().to_string())
    }

    /// Its private key (HTTPS only).
    #[napi(getter)]
    pub fn client_key_file(&self) -> Option<String> {
        self.tls_files.client_key_file.as_ref().map(|p| p.display().to_string())
    }

    // --- the admin API (`aether_mock::Admin`) ------------------------------------------------

    /// `settings`: JSON of the knobs after the reset (absent ones take their defaults).
    #[napi]
    pub fn reset<'env>(
        &self,
        env: &'env Env,
        settings: Option<String>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let settings: Option<Settings> =
            settings.map(|json| parse("emulator settings", &json)).transpose()?;
        let admin = self.admin.clone();
        admin_call(env, async move { admin.reset(settings.as_ref()).await })
    }

    #[napi]
    pub fn settings<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, String>> {
        let admin = self.admin.clone();
        admin_call(env, async move { admin.settings().await })
    }

    #[napi]
    pub fn update_settings<'env>(
        &self,
        env: &'env Env,
        patch: String,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let patch: Value = parse("settings", &patch)?;
        let admin = self.admin.clone();
        admin_call(env, async move { admin.update_settings(&patch).await })
    }

    #[napi]
    pub fn clock<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, String>> {
        let admin = self.admin.clone();
        admin_call(env, async move { admin.clock().await })
    }

    /// `by`: `{"seconds": n}` (finite, ≥ 0) or `{"ms": n}`.
    #[napi]
    pub fn advance_clock<'env>(
        &self,
        env: &'env Env,
        by: String,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let by = match parse::<Advance>("clock advance", &by)? {
            Advance { seconds: Some(secs), ms: None } => Duration::try_from_secs_f64(secs)
                .map_err(|_| invalid(format!("seconds must be finite and ≥ 0, not {secs}")))?,
            Advance { seconds: None, ms: Some(ms) } => Duration::from_millis(ms),
            _ => return Err(invalid("give exactly one of seconds and ms")),
        };
        let admin = self.admin.clone();
        admin_call(env, async move { admin.advance_clock(by).await })
    }

    #[napi]
    pub fn create_profile<'env>(
        &self,
        env: &'env Env,
        profile: String,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let profile: NewProfile = parse("profile", &profile)?;
        let admin = self.admin.clone();
        admin_call(env, async move { admin.create_profile(&profile).await })
    }

    #[napi]
    pub fn revoke_profile<'env>(
        &self,
        env: &'env Env,
        id: String,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let admin = self.admin.clone();
        admin_call(env, async move { admin.revoke_profile(&id).await })
    }

    #[napi]
    pub fn set_capabilities<'env>(
        &self,
        env: &'env Env,
        id: String,
        settings: String,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let settings: CapabilitySettings = parse("settings", &settings)?;
        let admin = self.admin.clone();
        admin_call(env, async move { admin.set_capabilities(&id, &settings).await })
    }

    #[napi]
    pub fn approve_connect_link<'env>(
        &self,
        env: &'env Env,
        id: String,
        tier: Option<String>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let tier = tier.map(|t| Tier::parse(&t));
        let admin = self.admin.clone();
        admin_call(env, async move { admin.approve_connect_link(&id, tier.as_ref()).await })
    }

    #[napi]
    pub fn deny_connect_link<'env>(
        &self,
        env: &'env Env,
        id: String,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let admin = self.admin.clone();
        admin_call(env, async move { admin.deny_connect_link(&id).await })
    }

    #[napi]
    pub fn force_outcome<'env>(
        &self,
        env: &'env Env,
        post_id: String,
        outcome: String,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let outcome: ForcedOutcome = parse("outcome", &outcome)?;
        let admin = self.admin.clone();
        admin_call(env, async move { admin.force_outcome(&post_id, &outcome).await })
    }

    #[napi]
    pub fn add_outcome_rule<'env>(
        &self,
        env: &'env Env,
        rule: String,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let rule: OutcomeRule = parse("outcome rule", &rule)?;
        let admin = self.admin.clone();
        admin_call(env, async move { admin.add_outcome_rule(&rule).await })
    }

    #[napi]
    pub fn outcome_rules<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, String>> {
        let admin = self.admin.clone();
        admin_call(env, async move { admin.outcome_rules().await })
    }

    #[napi]
    pub fn clear_outcome_rules<'env>(
        &self,
        env: &'env Env,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let admin = self.admin.clone();
        admin_call(env, async move { admin.clear_outcome_rules().await })
    }

    #[napi]
    pub fn inject_fault<'env>(
        &self,
        env: &'env Env,
        rule: String,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let rule: FaultRule = parse("fault rule", &rule)?;
        let admin = self.admin.clone();
        admin_call(env, async move { admin.inject_fault(&rule).await })
    }

    #[napi]
    pub fn faults<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, String>> {
        let admin = self.admin.clone();
        admin_call(env, async move { admin.faults().await })
    }

    #[napi]
    pub fn delete_fault<'env>(
        &self,
        env: &'env Env,
        id: String,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let admin = self.admin.clone();
        admin_call(env, async move { admin.delete_fault(&id).await })
    }

    #[napi]
    pub fn clear_faults<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, String>> {
        let admin = self.admin.clone();
        admin_call(env, async move { admin.clear_faults().await })
    }

    /// Serves `data` from the emulator's loopback file server (media-by-URL tests).
    #[napi]
    pub fn put_file<'env>(
        &self,
        env: &'env Env,
        name: String,
        data: napi::bindgen_prelude::Buffer,
        content_type: Option<String>,
        free_box: Option<u32>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let admin = self.admin.clone();
        let bytes = data.to_vec();
        admin_call(env, async move {
            admin.put_file(&name, bytes, content_type.as_deref(), free_box).await
        })
    }

    #[napi]
    pub fn file_stats<'env>(
        &self,
        env: &'env Env,
        name: String,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let admin = self.admin.clone();
        admin_call(env, async move { admin.file_stats(&name).await })
    }

    #[napi]
    pub fn journal<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, String>> {
        let admin = self.admin.clone();
        admin_call(env, async move { admin.journal().await })
    }

    #[napi]
    pub fn clear_journal<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, String>> {
        let admin = self.admin.clone();
        admin_call(env, async move { admin.clear_journal().await })
    }

    /// `config`: JSON of chaos mode's settings (`seed`, `rate`, `kinds`, `maxPerCall`,
    /// `stallMs`, `delayMs`), read and checked by the emulator's own `ChaosConfig`.
    #[napi]
    pub fn start_chaos<'env>(
        &self,
        env: &'env Env,
        config: String,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let config = ChaosConfig::from_json(parse("chaos settings", &config)?).into_napi()?;
        let admin = self.admin.clone();
        admin_call(env, async move { admin.start_chaos(&config).await })
    }

    #[napi]
    pub fn stop_chaos<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, String>> {
        let admin = self.admin.clone();
        admin_call(env, async move { admin.stop_chaos().await })
    }

    #[napi]
    pub fn chaos_report<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, String>> {
        let admin = self.admin.clone();
        admin_call(env, async move { admin.chaos_report().await })
    }

    #[napi]
    pub fn webhook_deliveries<'env>(
        &self,
        env: &'env Env,
        webhook_id: Option<String>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let admin = self.admin.clone();
        admin_call(env, async move { admin.webhook_deliveries(webhook_id.as_deref()).await })
    }

    #[napi]
    pub fn simulate_comment<'env>(
        &self,
        env: &'env Env,
        profile_id: String,
        comment: String,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let comment: NewComment = parse("comment", &comment)?;
        let admin = self.admin.clone();
        admin_call(env, async move { admin.simulate_comment(&profile_id, &comment).await })
    }

    #[napi]
    pub fn simulate_message<'env>(
        &self,
        env: &'env Env,
        profile_id: String,
        message: String,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let message: NewMessage = parse("message", &message)?;
        let admin = self.admin.clone();
        admin_call(env, async move { admin.simulate_message(&profile_id, &message).await })
    }

    #[napi]
    pub fn update_message<'env>(
        &self,
        env: &'env Env,
        message_id: String,
        patch: String,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let patch: MessagePatch = parse("message patch", &patch)?;
        let admin = self.admin.clone();
        admin_call(env, async move { admin.update_message(&message_id, &patch).await })
    }

    /// Stops the emulator at once, without waiting for its tasks (for `process.on('exit')`,
    /// where nothing asynchronous runs any more); removes its temp dir.
    #[napi]
    pub fn close(&self) {
        drop(self.server.lock().unwrap_or_else(|p| p.into_inner()).take());
    }

    /// Stops the emulator: it stops accepting, ends open connections, removes its temp dir.
    #[napi]
    pub fn stop<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, ()>> {
        let server = self.server.lock().unwrap_or_else(|p| p.into_inner()).take();
        env.spawn_future(async move {
            if let Some(server) = server {
                server.shutdown().await;
            }
            Ok(())
        })
    }
}
