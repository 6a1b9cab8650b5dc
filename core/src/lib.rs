//! The Aether SDK core.
//!
//! Everything the C, Python and Node bindings expose lives here once: the wire model, the
//! per-platform rules, the media probe, and (later) the client, transport and upload engine.
#![forbid(unsafe_code)]

pub mod client;
pub mod connect_links;
pub mod error;
pub mod media;
pub mod model;
mod open_enum;
pub mod platforms;
pub mod posts;
pub mod probe;
pub mod profiles;
pub mod runtime;
pub mod transport;
pub mod upload;
pub mod webhooks;

pub use client::{Client, ClientBuilder};
pub use error::{Error, ErrorCode, ErrorFamily, RateLimit, Result};
pub use tokio_util::sync::CancellationToken;
pub use transport::{decode_error, RequestOptions};
