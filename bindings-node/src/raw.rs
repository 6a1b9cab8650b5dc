//! Raw responses and the escape hatch. A call whose options carry a response sink (the
//! wrapper's `withResponse: true`) resolves with `{ data, response }`, `response` being the
//! status and headers of its last HTTP response; `lib/call.js` makes that `.withResponse()`
//! of the returned promise. `request` is `client.request(..)`: any method and path, JSON in
//! and out, through the core's transport.

use aether::transport::pairs_from_json;
use aether::{Response, ResponseSink};
use napi::bindgen_prelude::PromiseRaw;
use napi::Env;
use napi_derive::napi;
use serde::Serialize;
use serde_json::{json, Value};

use crate::cancel::{cancellable, CancelToken};
use crate::client::{request_options, spawn, token, NativeClient};
use crate::error::{invalid, IntoNapi};
use crate::json::{parse, text};

/// A response's status and headers as the wrapper reads them.
pub fn meta(response: &Response<()>) -> Value {
    let headers: Vec<Value> = response
        .headers
        .iter()
        .map(|(name, value)| json!([name.as_str(), String::from_utf8_lossy(value.as_bytes())]))
        .collect();
    json!({
        "status": response.status,
        "headers": headers,
        "requestId": response.request_id,
        "replayed": response.replayed,
        "idempotencyKey": response.idempotency_key,
        "clientRequestId": response.client_request_id,
    })
}

/// A call's result as JSON text: the value alone, or `{ data, response }` with a sink.
pub fn output<T: Serialize>(value: &T, sink: Option<ResponseSink>) -> napi::Result<String> {
    match sink {
        None => text(value),
        Some(sink) => {
            // Written straight to text: no JSON tree of the value on the way.
            #[derive(Serialize)]
            struct WithResponse<'a, T> {
                data: &'a T,
                response: Option<Value>,
            }
            text(&WithResponse { data: value, response: sink.take().map(|r| meta(&r)) })
        }
    }
}

#[napi]
impl NativeClient {
    /// `client.request`: `method path`, an optional JSON `body` and `query` (a JSON object),
    /// and the per-call options.
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn request<'env>(
        &self,
        env: &'env Env,
        method: String,
        path: String,
        body: Option<String>,
        query: Option<String>,
        options: Option<String>,
        cancel: Option<&CancelToken>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let body: Option<Value> = body.map(|b| parse("request body", &b)).transpose()?;
        let query = match query.map(|q| parse::<Value>("request query", &q)).transpose()? {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Object(map)) => pairs_from_json(&map, "query", true).into_napi()?,
            Some(_) => return Err(invalid("query must be an object of names to values")),
        };
        let options = request_options(options)?;
        let sink = options.response_sink.clone();
        let client = self.client().clone();
        let cancel = token(cancel);
        spawn(env, async move {
            let future = async {
                client.request_with_response(&method, &path, body.as_ref(), &query, &options).await
            };
            let response = cancellable(cancel, "the request", future).await.into_napi()?;
            match sink {
                None => text(&response.data),
                Some(_) => {
                    text(&json!({ "data": response.data, "response": meta(&response.meta()) }))
                }
            }
        })
    }
}
