//! Per-platform rules (PLATFORMS.md) as data, text counting and validation.
//!
//! - [`ALL_RULES`] / [`rules`]: the table, one [`PlatformRules`] per platform, built from named
//!   constants ([`TIKTOK_TEXT_MAX`], [`TIKTOK_STANDARD_MAX_DURATION_MS`], …). Sizes are bytes in
//!   decimal units as the platforms publish them ([`MB`] = 10^6, [`GB`] = 10^9), durations are
//!   milliseconds, and every bound is inclusive.
//! - [`rules_document`]: the same table as the body of `GET /v1/platforms`; [`RulesDocument`]
//!   deserializes it again, so a client can validate against a fetched, newer table.
//! - [`count_text`], [`hashtags`], [`mentions`]: text measured exactly as each platform does.
//! - [`validate`]: every [`Violation`] of a [`PostDraft`] at once, plus [`Warning`]s.
//! - [`Platforms`]: the resource `GET /v1/platforms` that fetches a newer table
//!   (`Client::platforms`).

mod capabilities;
mod table;
mod text;
mod validate;

pub use capabilities::{check_duration, check_options, default_capabilities, CapabilityViolation};
pub use table::*;
pub use text::{count, count_text, hashtags, is_emoji, mentions, TextField};
pub use validate::{
    validate, Allowed, AllowedRange, PostDraft, Validation, Violation, Warning, WarningCode,
};

use crate::error::Result;
use crate::transport::{with_response, ApiRequest, RequestOptions, Transport};

/// `GET /v1/platforms`: the per-platform rules as the server publishes them.
#[derive(Debug, Clone)]
pub struct Platforms {
    transport: Transport,
    options: RequestOptions,
}

impl Platforms {
    pub(crate) fn new(transport: Transport) -> Platforms {
        Platforms { transport, options: RequestOptions::default() }
    }

    /// The same resource with these per-call options.
    pub fn with_options(mut self, options: RequestOptions) -> Platforms {
        self.options = options;
        self
    }

    /// The server's rules table; on any error (network, server, or a document this version
    /// cannot read) the table built into this SDK, [`RulesDocument::builtin`], so validation
    /// can always go on. Use [`Platforms::try_fetch`] to see the error.
    pub async fn fetch(&self) -> RulesDocument {
        match self.try_fetch().await {
            Ok(document) => document,
            Err(error) => {
                tracing::warn!(%error, "could not fetch the platform rules; using the built-in table");
                RulesDocument::builtin().clone()
            }
        }
    }

    /// The server's rules table, or the error that prevented fetching it.
    pub async fn try_fetch(&self) -> Result<RulesDocument> {
        let request = ApiRequest::get("/v1/platforms").options(self.options.clone());
        Ok(self.transport.send_json::<RulesDocument>(request).await?.data)
    }
}

with_response!(Platforms {
    /// [`Platforms::try_fetch`] with the status and headers of its response.
    try_fetch_with_response => try_fetch() -> RulesDocument;
});
