//! The Aether SDK core.
//!
//! Everything the C, Python and Node bindings expose lives here once: the wire model, the
//! per-platform rules, the media probe, and (later) the client, transport and upload engine.
#![forbid(unsafe_code)]

pub mod error;
pub mod model;
pub mod platforms;
pub mod probe;

pub use error::ErrorCode;
