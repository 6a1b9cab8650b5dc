//! Wire types shared by the client and the emulator: every request and response body of
//! PROTOCOL.md, camelCase on the wire. Every type serializes *and* deserializes, because the
//! emulator (axum) reads what the client writes and the other way round.
//!
//! Choices, made once for the whole model:
//! - **Timestamps** are [`Timestamp`] = `String`, RFC 3339 as the server sent it. The wire
//!   round-trips byte for byte, and no time crate is forced on the client or the bindings; code
//!   that needs arithmetic (the emulator's clock, schedule checks) parses where it computes.
//!   `scheduledFor` is a raw string too: it is either an instant with an offset or a local
//!   date-time that only means something together with `timezone`.
//! - **Status and enum fields** are open enums (`open_enum!`): a value this version does not know
//!   is kept in `Unknown(String)` and serialized back unchanged, so a newer server never breaks an
//!   older client. A server that must refuse unknown values checks `is_unknown()`.
//! - **Per-platform options** are [`PlatformOptionsMap`]: one typed, optional field per platform
//!   (a client builds it with struct syntax, a server validates typed values) plus `other` for
//!   platforms this version does not know. Each options struct keeps unknown fields in `extra`,
//!   so `{ "tiktok": {} }` works and a server can refuse unknown fields with
//!   `INVALID_PLATFORM_OPTION` instead of dropping them silently.
//! - **Optional fields** are omitted when `None` and accept both absence and `null`; the one
//!   exception is [`Page::next_cursor`], which PROTOCOL.md spells as `null` at the end of a list.
//!
//! One file per resource (the same names as `crate::posts`, `mock/src/resources/posts.rs`, …),
//! every type re-exported here: `aether::model::Post`.

mod bulk;
mod common;
mod connect_links;
mod media;
pub mod params;
pub(crate) mod platform;
mod platform_options;
mod posts;
mod profiles;
mod warnings;
mod webhooks;

pub use bulk::*;
pub use common::*;
pub use connect_links::*;
pub use media::*;
pub use platform::*;
pub use platform_options::*;
pub use posts::*;
pub use profiles::*;
pub use warnings::*;
pub use webhooks::*;
