//! Raw responses and the escape hatch: `raw()` (a copy of the client whose calls leave their
//! last response in a sink), `last_response()` (that response's status and headers), and
//! `request()` (any method and path, JSON in and out, through the core's transport).

use aether::transport::pairs_from_json;
use aether::ResponseSink;
use pyo3::prelude::*;
use serde_json::{json, Map, Value};

use crate::call::Call;
use crate::client::PyClient;
use crate::convert::{from_py, to_py};
use crate::errors::invalid_argument;

/// A dict argument as a JSON object (`None` stays `None`).
pub fn object(
    py: Python<'_>,
    value: Option<&Bound<'_, PyAny>>,
    what: &str,
) -> PyResult<Option<Map<String, Value>>> {
    match value.map(from_py).transpose()? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(_) => Err(invalid_argument(py, format!("{what}= must be a dict of names to values"))),
    }
}

#[pymethods]
impl PyClient {
    /// The same client whose calls leave their last response for `last_response()`.
    fn raw(&self) -> PyClient {
        let options = self.options.clone().response_sink(ResponseSink::new());
        PyClient { client: self.client.clone(), options }
    }

    /// The status and headers of the last response of a call made through `raw()`'s copy, as
    /// a dict (`status`, `headers` as `[name, value]` pairs, `requestId`, `replayed`,
    /// `idempotencyKey`, `clientRequestId`), or `None`.
    fn last_response<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        let Some(meta) = self.options.response_sink.as_ref().and_then(ResponseSink::take) else {
            return Ok(None);
        };
        let headers: Vec<Value> = meta
            .headers
            .iter()
            .map(|(name, value)| json!([name.as_str(), String::from_utf8_lossy(value.as_bytes())]))
            .collect();
        let value = json!({
            "status": meta.status,
            "headers": headers,
            "requestId": meta.request_id,
            "replayed": meta.replayed,
            "idempotencyKey": meta.idempotency_key,
            "clientRequestId": meta.client_request_id,
        });
        to_py(py, &value).map(Some)
    }

    /// `method path` with an optional JSON `body` and `query` dict.
    #[pyo3(signature = (method, path, body=None, query=None, idempotency_key=None))]
    fn request(
        &self,
        py: Python<'_>,
        method: String,
        path: String,
        body: Option<&Bound<'_, PyAny>>,
        query: Option<&Bound<'_, PyAny>>,
        idempotency_key: Option<String>,
    ) -> PyResult<Call> {
        let body = match body.map(from_py).transpose()? {
            None | Some(Value::Null) => None,
            Some(value) => Some(value),
        };
        let query = match object(py, query, "query")? {
            Some(map) => pairs_from_json(&map, "query=", true)
                .map_err(|error| crate::errors::to_pyerr(py, &error))?,
            None => Vec::new(),
        };
        let mut options = self.options.clone();
        if let Some(key) = idempotency_key {
            options = options.idempotency_key(key);
        }
        let client = self.client.clone();
        Ok(Call::new(async move {
            let response = client
                .request_with_response(&method, &path, body.as_ref(), &query, &options)
                .await?;
            Ok(Some(response.data))
        }))
    }
}
