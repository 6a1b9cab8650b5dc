//! Bulk CSV (`POST /v1/posts/bulk`): the rows a caller may hand the SDK instead of a file, and
//! the per-row answer.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::posts::Post;
use super::warnings::PostWarning;
use crate::error::ErrorCode;

/// Most data rows one file may carry (empty rows are skipped and not counted).
pub const BULK_MAX_ROWS: usize = 1_000;
/// Largest file, in bytes (5 MiB).
pub const BULK_MAX_BYTES: u64 = 5 * 1024 * 1024;
/// The columns a file may have, in the order the SDK writes them; `text` is required.
pub const BULK_COLUMNS: &[&str] = &[
    "text",
    "profileIds",
    "scheduledFor",
    "timezone",
    "mediaUrls",
    "mediaKeys",
    "title",
    "platforms",
];

/// One row of a bulk file, for callers that build the rows in code: the SDK writes the CSV
/// (with the `csv` crate, so commas, quotes and newlines in a cell are quoted correctly).
/// Unknown fields are refused, so a typo in a Python dict or a JS object is an error rather
/// than an empty column.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BulkRow {
    /// The post's text (required column; may be empty for platforms that allow it).
    #[serde(default)]
    pub text: String,
    /// The profiles to publish to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profile_ids: Vec<String>,
    /// When to publish (as `POST /v1/posts` takes it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_for: Option<String>,
    /// IANA zone of a local `scheduled_for`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Media to fetch by URL.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media_urls: Vec<String>,
    /// Media already uploaded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media_keys: Vec<String>,
    /// The title (YouTube, Reddit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Per-platform options, a JSON object as `POST /v1/posts` takes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platforms: Option<Value>,
}

impl BulkRow {
    /// A row with this text for these profiles.
    pub fn new(text: impl Into<String>, profile_ids: &[&str]) -> BulkRow {
        BulkRow {
            text: text.into(),
            profile_ids: profile_ids.iter().map(|id| (*id).to_owned()).collect(),
            ..BulkRow::default()
        }
    }
}

/// Why one row was not (or, in a dry run, would not be) created: the error `POST /v1/posts`
/// would have answered for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkRowError {
    /// The code, e.g. `CAPTION_TOO_LONG` or `NOT_FOUND`.
    pub code: ErrorCode,
    /// What was wrong.
    pub message: String,
    /// The row's field at fault (`profileIds[0]`, `platforms.tiktok`), when one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// The platform whose rule refused it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    /// The code's extra data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<Value>,
}

/// One row's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkRowResult {
    /// The data row, counted from 1 (the header and empty rows are not counted).
    pub row: u32,
    /// The physical line where the row starts (differs from `row` + 1 when a quoted cell spans
    /// lines or empty rows were skipped).
    pub line: u64,
    /// Whether the row was created (or, in a dry run, is valid).
    pub ok: bool,
    /// The created post (absent in a dry run and for a failed row).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post: Option<Post>,
    /// Non-fatal warnings about the row, as a post's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warnings: Option<Vec<PostWarning>>,
    /// Why the row failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<BulkRowError>,
}

/// The answer of `POST /v1/posts/bulk`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkResult {
    /// Whether this was a dry run (nothing created).
    pub dry_run: bool,
    /// Data rows in the file.
    pub total: u32,
    /// Rows created (0 in a dry run).
    pub created: u32,
    /// Rows that failed (in a dry run: that would fail).
    pub failed: u32,
    /// One per data row, in file order.
    pub results: Vec<BulkRowResult>,
}
