//! `aether._aether.MockServer`: the emulator (`aether-mock`) linked into the extension, so
//! `pip install aether` users can test against it without a separate binary. It serves on the
//! SDK's embedded runtime; the admin helpers are plain HTTP calls made by `aether.testing`.

use std::path::PathBuf;
use std::sync::Mutex;

use aether::Error;
use aether_mock::{MockConfig, MockServer, Settings};
use pyo3::prelude::*;

use crate::convert::from_py;
use crate::errors::{invalid_argument, IntoPyResult};

/// A running emulator; `close()` (or garbage collection) stops it and removes its data dir.
#[pyclass(module = "aether._aether", name = "MockServer", frozen)]
#[derive(Debug)]
pub struct PyMockServer {
    server: Mutex<Option<MockServer>>,
    /// The process that started it: a forked child must not stop the parent's server.
    pid: u32,
    url: String,
    api_key: String,
    admin_token: String,
}

#[pymethods]
impl PyMockServer {
    /// Starts an emulator on 127.0.0.1 on a free port. `settings` are the emulator's knobs
    /// (camelCase, as `PATCH /_mock/settings` takes them, e.g. `{"processingMs": 50}`).
    #[new]
    #[pyo3(signature = (api_key=None, admin_token=None, settings=None, data_dir=None))]
    fn new(
        py: Python<'_>,
        api_key: Option<String>,
        admin_token: Option<String>,
        settings: Option<&Bound<'_, PyAny>>,
        data_dir: Option<PathBuf>,
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
