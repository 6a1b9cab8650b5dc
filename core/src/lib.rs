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
pub mod platforms;
pub mod poll;
pub mod posts;
pub mod probe;
pub mod profiles;
pub mod runtime;
pub mod settings;
pub mod transport;
pub mod upload;
pub mod webhooks;

pub use client::{Client, ClientBuilder};
pub use error::{decode_error, Error, ErrorCode, ErrorFamily, Result};
pub use poll::PollOptions;
pub use settings::{CallOptions, ClientOptions, Spelling};
pub use tokio_util::sync::CancellationToken;
pub use transport::{RateLimit, RequestOptions};
