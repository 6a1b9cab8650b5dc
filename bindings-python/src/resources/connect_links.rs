//! `connect_links_*`: the hosted OAuth flow that connects a social account, and the check of
//! the redirect back from it (a pure function of the core, no I/O).

use aether::model::CreateConnectLinkRequest;
use pyo3::prelude::*;

use crate::call::{json, Call};
use crate::client::{body, PyClient};
use crate::errors::IntoPyResult;

#[pymethods]
impl PyClient {
    fn connect_links_create(&self, py: Python<'_>, request: &Bound<'_, PyAny>) -> PyResult<Call> {
        let request: CreateConnectLinkRequest = body(py, request, "connect link")?;
        let links = self.client.connect_links().with_options(self.options.clone());
        Ok(Call::new(async move { json(&links.create(&request).await?) }))
    }

    fn connect_links_get(&self, id: String) -> Call {
        let links = self.client.connect_links().with_options(self.options.clone());
        Call::new(async move { json(&links.get(&id).await?) })
    }
}

/// Checks the redirect back from a connect link; returns `(profile_id, link_id)`.
#[pyfunction]
pub fn verify_callback(
    py: Python<'_>,
    url: &str,
    expected_state: &str,
) -> PyResult<(String, String)> {
    let outcome = aether::connect_links::verify_callback(url, expected_state).py_err(py)?;
    Ok((outcome.profile_id, outcome.link_id))
}
