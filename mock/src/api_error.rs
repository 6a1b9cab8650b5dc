//! Errors as the API answers them: a status code and the one error body of PROTOCOL.md.
//!
//! Handlers return [`ApiError`]; the request-context middleware fills in the request id when it
//! renders the body, so every error repeats the `X-Request-Id` header.

use aether::ErrorCode;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

/// An error answer, rendered by the request-context middleware.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    pub field: Option<String>,
    pub platform: Option<String>,
    pub retry_after: Option<u64>,
    pub details: Option<Value>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    /// An error with the status the protocol assigns to `code`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        let status = code
            .http_status()
            .and_then(|s| StatusCode::from_u16(s).ok())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
            platform: None,
            retry_after: None,
            details: None,
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::InvalidRequest, message).field(field)
    }

    pub fn not_found(resource: &str, id: &str) -> ApiError {
        ApiError::new(ErrorCode::NotFound, format!("no {resource} with id {id:?}"))
            .details(json!({ "resource": resource }))
    }

    pub fn field(mut self, field: impl Into<String>) -> ApiError {
        self.field = Some(field.into());
        self
    }

    pub fn platform(mut self, platform: impl Into<String>) -> ApiError {
        self.platform = Some(platform.into());
        self
    }

    pub fn retry_after(mut self, seconds: u64) -> ApiError {
        self.retry_after = Some(seconds);
        self
    }

    pub fn details(mut self, details: Value) -> ApiError {
        self.details = Some(details);
        self
    }

    pub fn with_status(mut self, status: StatusCode) -> ApiError {
        self.status = status;
        self
    }

    /// The JSON body, with the request id of the request it answers.
    pub fn body(&self, request_id: &str) -> Value {
        let mut error = Map::new();
        error.insert("code".into(), Value::from(self.code.as_str()));
        error.insert("message".into(), Value::from(self.message.clone()));
        error.insert("requestId".into(), Value::from(request_id));
        if let Some(field) = &self.field {
            error.insert("field".into(), Value::from(field.clone()));
        }
        if let Some(platform) = &self.platform {
            error.insert("platform".into(), Value::from(platform.clone()));
        }
        if let Some(retry_after) = self.retry_after {
            error.insert("retryAfter".into(), Value::from(retry_after));
        }
        if let Some(details) = &self.details {
            error.insert("details".into(), details.clone());
        }
        json!({ "error": error })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert("retry-after", HeaderValue::from(seconds));
        }
        response.extensions_mut().insert(self);
        response
    }
}

impl From<aether::platforms::Violation> for ApiError {
    fn from(violation: aether::platforms::Violation) -> ApiError {
        let mut details = Map::new();
        if let Some(measured) = &violation.measured {
            details.insert("measured".into(), measured.clone());
        }
        if let Some(allowed) = &violation.allowed {
            details.insert("allowed".into(), serde_json::to_value(allowed).unwrap_or(Value::Null));
        }
        let mut error = ApiError::new(violation.code.clone(), violation.message.clone())
            .field(violation.field.clone())
            .platform(violation.platform.as_str());
        if !details.is_empty() {
            error = error.details(Value::Object(details));
        }
        error
    }
}
