//! `aether/testing`: the emulator (`aether-mock`) embedded in the addon, serving on the same
//! runtime, and its admin API reached through the core's transport.

use std::sync::{Arc, Mutex};

use aether::transport::ApiRequest;
use aether::Client;
use aether_mock::{MockConfig, MockServer, Settings};
use napi::bindgen_prelude::PromiseRaw;
use napi::Env;
use napi_derive::napi;
use serde::Deserialize;
use serde_json::Value;

use crate::error::{invalid, to_napi, IntoNapi};
use crate::json::parse;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StartOptions {
    api_key: Option<String>,
    admin_token: Option<String>,
    data_dir: Option<String>,
    settings: Option<Settings>,
}

/// A running emulator; `stop()` shuts it down, and so does the end of the JavaScript
/// environment that started it (an env cleanup hook), so its temp dir never outlives the
/// process or the worker.
#[napi]
#[derive(Debug)]
pub struct NativeMockServer {
    server: Arc<Mutex<Option<MockServer>>>,
    url: String,
    api_key: String,
    admin_token: String,
    admin: Client,
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
    let started = async move {
        let server = MockServer::start(config).await.map_err(|e| {
            to_napi(aether::Error::io(format!("could not start the emulator: {e}"), e))
        })?;
        let admin = Client::builder()
            .api_key(server.admin_token())
            .base_url(server.url())
            .max_retries(0)
            .user_agent_suffix("aether-testing")
            .build()
            .into_napi()?;
        Ok(NativeMockServer {
            url: server.url().to_owned(),
            api_key: server.api_key().to_owned(),
            admin_token: server.admin_token().to_owned(),
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

    /// Calls the admin API: `method` `path` (under `/_mock/`) with an optional JSON body;
    /// resolves with the response body (JSON text, empty for 204).
    #[napi]
    pub fn admin<'env>(
        &self,
        env: &'env Env,
        method: String,
        path: String,
        body: Option<String>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        if !path.starts_with("/_mock/") {
            return Err(invalid(format!("{path} is not an admin path (/_mock/…)")));
        }
        let mut request = match method.to_ascii_uppercase().as_str() {
            "GET" => ApiRequest::get(path),
            "POST" => ApiRequest::post(path),
            "PATCH" => ApiRequest::patch(path),
            "PUT" => ApiRequest::put(path),
            "DELETE" => ApiRequest::delete(path),
            other => return Err(invalid(format!("unsupported method {other}"))),
        };
        if let Some(body) = body {
            let value: Value = parse("admin request body", &body)?;
            request = request.json(&value).into_napi()?;
        }
        let admin = self.admin.clone();
        env.spawn_future(async move {
            let response = admin.transport().send(request).await.into_napi()?;
            Ok(String::from_utf8_lossy(&response.data).into_owned())
        })
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
