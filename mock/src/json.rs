//! A JSON body extractor whose failures are API errors: the body's size is capped, and a wrong
//! type or a missing field names the field that was wrong.

use aether::ErrorCode;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use http_body_util::{BodyExt, Limited};
use serde::de::DeserializeOwned;

use crate::api_error::ApiError;
use crate::state::SharedState;

/// Like `axum::Json`, with the emulator's error body on failure.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<SharedState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &SharedState) -> Result<Self, ApiError> {
        let bytes = read_capped_body(request, state).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// The raw bytes of a JSON request, refused when over the configured cap or not JSON.
pub async fn read_capped_body(
    request: Request,
    state: &SharedState,
) -> Result<bytes::Bytes, ApiError> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let limit = state.settings().max_json_body;
    let body = Limited::new(request.into_body(), limit);
    let bytes = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => {
            return Err(ApiError::new(
                ErrorCode::FileTooLarge,
                format!("the JSON body is over the {limit}-byte limit"),
            ))
        }
        Err(_) => return Err(ApiError::invalid("body", "the request body could not be read")),
    };
    if !bytes.is_empty()
        && !content_type.is_empty()
        && !content_type.starts_with("application/json")
    {
        return Err(ApiError::invalid(
            "body",
            format!("Content-Type is {content_type:?}; this endpoint takes application/json"),
        ));
    }
    Ok(bytes)
}

/// Parses JSON, naming the field that did not fit on failure.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let bytes: &[u8] = if bytes.is_empty() { b"{}" } else { bytes };
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let field = if path == "." { "body".to_owned() } else { path };
        let message = if inner.is_syntax() || inner.is_eof() {
            format!("the body is not valid JSON: {inner}")
        } else {
            format!("{field}: {inner}")
        };
        ApiError::invalid(field, message)
    })
}
