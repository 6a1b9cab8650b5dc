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
pub mod poll;
pub mod posts;
pub mod probe;
pub mod profiles;
pub mod request;
pub mod runtime;
pub mod settings;
pub mod transport;
pub mod upload;
pub mod webhooks;

pub use client::{Client, ClientBuilder};
pub use error::{Error, ErrorCode, ErrorFamily, RateLimit, Result};
pub use poll::PollOptions;
pub use settings::{CallOptions, ClientOptions, Spelling};
pub use tokio_util::sync::CancellationToken;
pub use transport::observe::{AttemptEvent, Hooks, LogLevel, LogSink};
pub use transport::{decode_error, RequestOptions, Response, ResponseSink};

/// Every default of the core as JSON, in the option types' names (durations in milliseconds):
/// `{"client": {...}, "upload": {...}, "postsWait": {...}, "mediaWait": {...}, "webhooks":
/// {...}}`. The bindings expose it so that their tests, and their users, see the core's values
/// rather than copies.
pub fn defaults() -> serde_json::Value {
    serde_json::json!({
        "client": settings::ClientOptions::defaults(),
        "upload": upload::UploadSettings::defaults(),
        "postsWait": poll::PollOptions::defaults(&poll::POSTS),
        "mediaWait": poll::PollOptions::defaults(&poll::MEDIA),
        "webhooks": {
            "signatureHeader": webhooks::SIGNATURE_HEADER,
            "toleranceMs": settings::as_millis(webhooks::DEFAULT_TOLERANCE),
        },
    })
}
