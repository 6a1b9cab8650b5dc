//! `webhooks_*`: endpoint registration, and the signature checks of deliveries (pure
//! functions of the core, no I/O).

use std::time::SystemTime;

use aether::model::{CreateWebhookRequest, WebhookDeliveryStatus};
use pyo3::prelude::*;

use crate::call::{json, Call, Pager};
use crate::client::{body, seconds, PyClient};
use crate::convert::to_py;
use crate::errors::IntoPyResult;

#[pymethods]
impl PyClient {
    fn webhooks_create(&self, py: Python<'_>, request: &Bound<'_, PyAny>) -> PyResult<Call> {
        let request: CreateWebhookRequest = body(py, request, "webhook")?;
        let webhooks = self.client.webhooks().with_options(self.options.clone());
        Ok(Call::new(async move { json(&webhooks.create(&request).await?) }))
    }

    fn webhooks_list(&self) -> Pager {
        Pager::new(self.client.webhooks().with_options(self.options.clone()).list())
    }

    fn webhooks_delete(&self, id: String) -> Call {
        let webhooks = self.client.webhooks().with_options(self.options.clone());
        Call::new(async move {
            webhooks.delete(&id).await?;
            Ok(None)
        })
    }

    #[pyo3(signature = (id, status=None))]
    fn webhooks_deliveries(&self, id: String, status: Option<String>) -> Pager {
        let status = status.as_deref().map(WebhookDeliveryStatus::parse);
        let webhooks = self.client.webhooks().with_options(self.options.clone());
        Pager::new(webhooks.deliveries(&id, status))
    }

    fn webhooks_redeliver(&self, id: String, delivery_id: String) -> Call {
        let webhooks = self.client.webhooks().with_options(self.options.clone());
        Call::new(async move { json(&webhooks.redeliver(&id, &delivery_id).await?) })
    }
}

/// Verifies a delivery's `x-aether-signature` against one or more secrets; raises
/// `InvalidArgumentError` (with `details["reason"]`) when it does not hold.
#[pyfunction]
#[pyo3(signature = (payload, header, secrets, tolerance=None, now=None))]
pub fn verify_signature(
    py: Python<'_>,
    payload: &[u8],
    header: &str,
    secrets: Vec<String>,
    tolerance: Option<f64>,
    now: Option<f64>,
) -> PyResult<()> {
    let tolerance =
        seconds(py, tolerance, "tolerance")?.unwrap_or(aether::webhooks::DEFAULT_TOLERANCE);
    let now = match seconds(py, now, "now")? {
        Some(since_epoch) => SystemTime::UNIX_EPOCH + since_epoch,
        None => SystemTime::now(),
    };
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    aether::webhooks::verify_signature(payload, header, &secrets, tolerance, now).py_err(py)
}

/// Verifies a delivery and returns its event as a dict.
#[pyfunction]
#[pyo3(signature = (payload, header, secrets, tolerance=None))]
pub fn construct_event<'py>(
    py: Python<'py>,
    payload: &[u8],
    header: &str,
    secrets: Vec<String>,
    tolerance: Option<f64>,
) -> PyResult<Bound<'py, PyAny>> {
    let tolerance =
        seconds(py, tolerance, "tolerance")?.unwrap_or(aether::webhooks::DEFAULT_TOLERANCE);
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let event =
        aether::webhooks::construct_event(payload, header, &secrets, tolerance).py_err(py)?;
    let value = json(&event).py_err(py)?.unwrap_or_default();
    to_py(py, &value)
}

/// The signature header for `payload` signed with `secret` at `timestamp` (for tests).
#[pyfunction]
pub fn sign_test_payload(payload: &[u8], secret: &str, timestamp: i64) -> String {
    aether::webhooks::sign_test_payload(payload, secret, timestamp)
}
