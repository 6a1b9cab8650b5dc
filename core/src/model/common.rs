//! Error bodies and pages: the shapes every resource shares.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::platform::Platform;
use crate::error::ErrorCode;

/// The body of every error response: `{ "error": { … } }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// The error itself.
    pub error: ApiErrorPayload,
}

/// What went wrong, as the server reports it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiErrorPayload {
    /// Stable, machine-readable code, e.g. `POST_LIMIT_REACHED`.
    pub code: ErrorCode,
    /// Human-readable explanation.
    pub message: String,
    /// The request id (the `X-Request-Id` header repeated); empty if a server left it out.
    #[serde(default)]
    pub request_id: String,
    /// Where in the request body the problem is, e.g. `content.text`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The platform whose rule was broken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// Seconds to wait before retrying, where waiting helps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// Code-specific extra data, e.g. `resetAt`, `missingParts`, `resource`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

/// The error recorded on a failed post, target result or media: `{ code, message }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultError {
    /// Stable, machine-readable code, e.g. `VIDEO_TOO_SHORT`.
    pub code: ErrorCode,
    /// Human-readable explanation.
    pub message: String,
    /// Code-specific extra data, e.g. the measured and the allowed duration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

/// One page of a list: `{ "data": [...], "nextCursor": "..." | null }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    /// The items of this page.
    pub data: Vec<T>,
    /// Cursor for the next page; `null` on the last page.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// Query string of a list endpoint: `?limit=&cursor=`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListQuery {
    /// Page size, 1–100 (server default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Cursor from the previous page's `nextCursor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}
