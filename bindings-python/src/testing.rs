//! `aether._aether.MockServer`: the emulator (`aether-mock`) linked into the extension, so
//! `pip install aether` users can test against it without a separate binary. It serves on the
//! SDK's embedded runtime, and its admin API is reached through [`aether_mock::Admin`] (the
//! core's transport): each admin method reads wire-shaped dicts and returns a [`Call`] whose
//! result is wire-shaped JSON; `aether.testing` gives them their Python shape.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use aether::model::Tier;
use aether::Error;
use aether_mock::admin_client::FaultRule;
use aether_mock::chaos::ChaosConfig;
use aether_mock::{
    Admin, CapabilitySettings, ForcedOutcome, MessagePatch, MockConfig, MockServer, NewComment,
    NewMessage, NewProfile, OutcomeRule, Settings,
};
use pyo3::prelude::*;
use serde::de::DeserializeOwned;

use crate::call::{json, Call};
use crate::convert::from_py;
use crate::errors::{invalid_argument, IntoPyResult};

/// A running emulator; `close()` (or garbage collection) stops it and removes its data dir.
#[pyclass(module = "aether._aether", name = "MockServer", frozen)]
pub struct PyMockServer {
    server: Mutex<Option<MockServer>>,
    /// The process that started it: a forked child must not stop the parent's server.
    pid: u32,
    url: String,
    api_key: String,
    admin_token: String,
    tls_files: aether_mock::TlsFiles,
    admin: Admin,
}

impl std::fmt::Debug for PyMockServer {
    // Not derived: the admin token is a secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer").field("url", &self.url).finish_non_exhaustive()
    }
}

/// A wire-shaped dict read as the admin client's request type; what it refuses is
/// `INVALID_ARGUMENT`.
fn body<T: DeserializeOwned>(py: Python<'_>, value: &Bound<'_, PyAny>, what: &str) -> PyResult<T> {
    serde_json::from_value(from_py(value)?)
        .map_err(|e| invalid_argument(py, format!("{what}: {e}")))
}

#[pymethods]
impl PyMockServer {
    /// Starts an emulator on 127.0.0.1 on a free port. `settings` are the emulator's knobs
    /// (camelCase, as `PATCH /_mock/settings` takes them, e.g. `{"processingMs": 50}`).
    #[new]
    /// `tls`: HTTPS with a generated CA (`aether-mock --tls`); `tls_client_auth`: client
    /// certificates signed by that CA required.
    #[pyo3(signature = (
        api_key=None, admin_token=None, settings=None, data_dir=None, tls=false,
        tls_client_auth=false,
    ))]
    fn new(
        py: Python<'_>,
        api_key: Option<String>,
        admin_token: Option<String>,
        settings: Option<&Bound<'_, PyAny>>,
        data_dir: Option<PathBuf>,
        tls: bool,
        tls_client_auth: bool,
    ) -> PyResult<PyMockServer> {
        let mut config = MockConfig::default();
        if let Some(key) = api_key {
            config.api_keys = vec![key];
        }
        config.admin_token = admin_token;
        config.data_dir = data_dir;
        if let Some(settings) = settings {
            config.settings = serde_json::from_value::<Settings>(from_py(settings)?)
                .map_err(|e| invalid_argument(py, format!("mock settings: {e}")))?;
        }
        if tls || tls_client_auth {
            let client_auth = if tls_client_auth {
                aether_mock::ClientAuth::GeneratedCa
            } else {
                aether_mock::ClientAuth::None
            };
            config.tls = Some(aether_mock::TlsConfig { client_auth, ..Default::default() });
        }
        let server = py
            .detach(|| {
                aether::runtime::block_on(async {
                    MockServer::start(config).await.map_err(|e| {
                        Error::io(format!("could not start the Aether emulator: {e}"), e)
                    })
                })
            })
            .py_err(py)?;
        Ok(PyMockServer {
            pid: std::process::id(),
            url: server.url().to_owned(),
            api_key: server.api_key().to_owned(),
            admin_token: server.admin_token().to_owned(),
            tls_files: server.tls_files().clone(),
            admin: Admin::for_server(&server).py_err(py)?,
            server: Mutex::new(Some(server)),
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`.
    #[getter]
    fn url(&self) -> &str {
        &self.url
    }

    /// The API key the emulator accepts.
    #[getter]
    fn api_key(&self) -> &str {
        &self.api_key
    }

    /// The bearer token of the `/_mock/` admin API.
    #[getter]
    fn admin_token(&self) -> &str {
        &self.admin_token
    }

    /// Over HTTPS: the generated CA's PEM file; else `None`.
    #[getter]
    fn ca_file(&self) -> Option<String> {
        self.tls_files.ca_file.as_ref().map(|p| p.display().to_string())
    }

    /// Over HTTPS: a client certificate signed by that CA; else `None`.
    #[getter]
    fn client_cert_file(&self) -> Option<String> {
        self.tls_files.client_cert_file.as_ref().map(|p| p.display().to_string())
    }

    /// Over HTTPS: its private key; else `None`.
    #[getter]
    fn client_key_file(&self) -> Option<String> {
        self.tls_files.client_key_file.as_ref().map(|p| p.display().to_string())
    }

    /// Whether the server is still running.
    #[getter]
    fn running(&self) -> bool {
        self.server.lock().unwrap_or_else(|e| e.into_inner()).is_some()
    }

    /// Stops the server and waits for it to stop (GIL released); closing twice is harmless.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let server = self.server.lock().unwrap_or_else(|e| e.into_inner()).take();
        let Some(server) = server else { return Ok(()) };
        if self.pid != std::process::id() {
            // Forked child: the server's tasks run in the parent; leave them alone.
            std::mem::forget(server);
            return Ok(());
        }
        py.detach(|| {
            aether::runtime::block_on(async {
                server.shutdown().await;
                Ok(())
            })
        })
        .py_err(py)
    }

    fn __repr__(&self) -> String {
        format!("MockServer(url={:?})", self.url)
    }

    // --- the admin API (`aether_mock::Admin`), each a `Call` -----------------------------------

    /// `settings`: camelCase knobs; absent ones take their defaults.
    #[pyo3(signature = (settings=None))]
    fn reset(&self, py: Python<'_>, settings: Option<&Bound<'_, PyAny>>) -> PyResult<Call> {
        let settings: Option<Settings> =
            settings.map(|s| body(py, s, "mock settings")).transpose()?;
        let admin = self.admin.clone();
        Ok(Call::new(async move {
            admin.reset(settings.as_ref()).await?;
            Ok(None)
        }))
    }

    fn settings(&self) -> Call {
        let admin = self.admin.clone();
        Call::new(async move { json(&admin.settings().await?) })
    }

    fn update_settings(&self, patch: &Bound<'_, PyAny>) -> PyResult<Call> {
        let patch = from_py(patch)?;
        let admin = self.admin.clone();
        Ok(Call::new(async move { json(&admin.update_settings(&patch).await?) }))
    }

    fn clock(&self) -> Call {
        let admin = self.admin.clone();
        Call::new(async move { json(&admin.clock().await?) })
    }

    /// By `seconds` (finite, ≥ 0) or by `ms`.
    #[pyo3(signature = (seconds=None, ms=None))]
    fn advance_clock(
        &self,
        py: Python<'_>,
        seconds: Option<f64>,
        ms: Option<u64>,
    ) -> PyResult<Call> {
        let by = match (seconds, ms) {
            (Some(secs), None) => Duration::try_from_secs_f64(secs).map_err(|_| {
                invalid_argument(py, format!("seconds must be finite and ≥ 0, not {secs}"))
            })?,
            (None, Some(ms)) => Duration::from_millis(ms),
            _ => return Err(invalid_argument(py, "give exactly one of seconds and ms")),
        };
        let admin = self.admin.clone();
        Ok(Call::new(async move { json(&admin.advance_clock(by).await?) }))
    }

    fn create_profile(&self, py: Python<'_>, profile: &Bound<'_, PyAny>) -> PyResult<Call> {
        let profile: NewProfile = body(py, profile, "profile")?;
        let admin = self.admin.clone();
        Ok(Call::new(async move { json(&admin.create_profile(&profile).await?) }))
    }

    fn revoke_profile(&self, id: String) -> Call {
        let admin = self.admin.clone();
        Call::new(async move { json(&admin.revoke_profile(&id).await?) })
    }

    fn set_capabilities(
        &self,
        py: Python<'_>,
        id: String,
        settings: &Bound<'_, PyAny>,
    ) -> PyResult<Call> {
        let settings: CapabilitySettings = body(py, settings, "capabilities")?;
        let admin = self.admin.clone();
        Ok(Call::new(async move { json(&admin.set_capabilities(&id, &settings).await?) }))
    }

    #[pyo3(signature = (id, tier=None))]
    fn approve_connect_link(&self, id: String, tier: Option<String>) -> Call {
        let admin = self.admin.clone();
        let tier = tier.map(|t| Tier::parse(&t));
        Call::new(async move { json(&admin.approve_connect_link(&id, tier.as_ref()).await?) })
    }

    fn deny_connect_link(&self, id: String) -> Call {
        let admin = self.admin.clone();
        Call::new(async move { json(&admin.deny_connect_link(&id).await?) })
    }

    fn force_outcome(
        &self,
        py: Python<'_>,
        post_id: String,
        outcome: &Bound<'_, PyAny>,
    ) -> PyResult<Call> {
        let outcome: ForcedOutcome = body(py, outcome, "outcome")?;
        let admin = self.admin.clone();
        Ok(Call::new(async move { json(&admin.force_outcome(&post_id, &outcome).await?) }))
    }

    fn add_outcome_rule(&self, py: Python<'_>, rule: &Bound<'_, PyAny>) -> PyResult<Call> {
        let rule: OutcomeRule = body(py, rule, "outcome rule")?;
        let admin = self.admin.clone();
        Ok(Call::new(async move { json(&admin.add_outcome_rule(&rule).await?) }))
    }

    fn outcome_rules(&self) -> Call {
        let admin = self.admin.clone();
        Call::new(async move { json(&admin.outcome_rules().await?) })
    }

    fn clear_outcome_rules(&self) -> Call {
        let admin = self.admin.clone();
        Call::new(async move {
            admin.clear_outcome_rules().await?;
            Ok(None)
        })
    }

    fn inject_fault(&self, py: Python<'_>, rule: &Bound<'_, PyAny>) -> PyResult<Call> {
        let rule: FaultRule = body(py, rule, "fault rule")?;
        let admin = self.admin.clone();
        Ok(Call::new(async move { json(&admin.inject_fault(&rule).await?) }))
    }

    fn faults(&self) -> Call {
        let admin = self.admin.clone();
        Call::new(async move { json(&admin.faults().await?) })
    }

    fn delete_fault(&self, id: String) -> Call {
        let admin = self.admin.clone();
        Call::new(async move {
            admin.delete_fault(&id).await?;
            Ok(None)
        })
    }

    fn clear_faults(&self) -> Call {
        let admin = self.admin.clone();
        Call::new(async move {
            admin.clear_faults().await?;
            Ok(None)
        })
    }

    /// Serves `data` from the emulator's loopback file server (media-by-URL tests).
    #[pyo3(signature = (name, data, content_type=None, free_box=None))]
    fn put_file(
        &self,
        name: String,
        data: Vec<u8>,
        content_type: Option<String>,
        free_box: Option<u32>,
    ) -> Call {
        let admin = self.admin.clone();
        Call::new(async move {
            json(&admin.put_file(&name, data, content_type.as_deref(), free_box).await?)
        })
    }

    fn file_stats(&self, name: String) -> Call {
        let admin = self.admin.clone();
        Call::new(async move { json(&admin.file_stats(&name).await?) })
    }

    fn journal(&self) -> Call {
        let admin = self.admin.clone();
        Call::new(async move { json(&admin.journal().await?) })
    }

    fn clear_journal(&self) -> Call {
        let admin = self.admin.clone();
        Call::new(async move {
            admin.clear_journal().await?;
            Ok(None)
        })
    }

    /// `config`: chaos mode's settings, camelCase (`seed`, `rate`, `kinds`, `maxPerCall`,
    /// `stallMs`, `delayMs`), read and checked by the emulator's own `ChaosConfig`.
    fn start_chaos(&self, py: Python<'_>, config: &Bound<'_, PyAny>) -> PyResult<Call> {
        let config = ChaosConfig::from_json(from_py(config)?).py_err(py)?;
        let admin = self.admin.clone();
        Ok(Call::new(async move { json(&admin.start_chaos(&config).await?) }))
    }

    fn stop_chaos(&self) -> Call {
        let admin = self.admin.clone();
        Call::new(async move {
            admin.stop_chaos().await?;
            Ok(None)
        })
    }

    fn chaos_report(&self) -> Call {
        let admin = self.admin.clone();
        Call::new(async move { json(&admin.chaos_report().await?) })
    }

    #[pyo3(signature = (webhook_id=None))]
    fn webhook_deliveries(&self, webhook_id: Option<String>) -> Call {
        let admin = self.admin.clone();
        Call::new(async move { json(&admin.webhook_deliveries(webhook_id.as_deref()).await?) })
    }

    fn simulate_comment(
        &self,
        py: Python<'_>,
        profile_id: String,
        comment: &Bound<'_, PyAny>,
    ) -> PyResult<Call> {
        let comment: NewComment = body(py, comment, "comment")?;
        let admin = self.admin.clone();
        Ok(Call::new(async move { json(&admin.simulate_comment(&profile_id, &comment).await?) }))
    }

    fn simulate_message(
        &self,
        py: Python<'_>,
        profile_id: String,
        message: &Bound<'_, PyAny>,
    ) -> PyResult<Call> {
        let message: NewMessage = body(py, message, "message")?;
        let admin = self.admin.clone();
        Ok(Call::new(async move { json(&admin.simulate_message(&profile_id, &message).await?) }))
    }

    fn update_message(
        &self,
        py: Python<'_>,
        message_id: String,
        patch: &Bound<'_, PyAny>,
    ) -> PyResult<Call> {
        let patch: MessagePatch = body(py, patch, "message patch")?;
        let admin = self.admin.clone();
        Ok(Call::new(async move { json(&admin.update_message(&message_id, &patch).await?) }))
    }
}

impl Drop for PyMockServer {
    fn drop(&mut self) {
        let server = self.server.get_mut().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(server) = server {
            if self.pid == std::process::id() {
                drop(server);
            } else {
                // In a forked child the temp dir is the parent's and the tasks are not here.
                std::mem::forget(server);
            }
        }
    }
}
