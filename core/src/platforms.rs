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

mod table;
mod text;
mod validate;

pub use table::*;
pub use text::{count, count_text, hashtags, is_emoji, mentions, TextField};
pub use validate::{
    validate, Allowed, AllowedRange, PostDraft, Validation, Violation, Warning, WarningCode,
};
