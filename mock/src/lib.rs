//! `aether-mock`: a stateful local emulator of the Aether API.
//!
//! It serves every endpoint of the contract (`spec/openapi.yaml`) with the same rules and error
//! codes as the real service, keeps media bytes on disk, simulates asynchronous publishing and
//! quotas on a clock that tests can move, delivers signed webhooks, and injects network and
//! server faults on request through its admin API under `/_mock/`.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let server = aether_mock::MockServer::start(aether_mock::MockConfig::default()).await?;
//! println!("Aether emulator at {} (key {})", server.url(), server.api_key());
//! # Ok(()) }
//! ```

// Handlers answer `Result<_, ApiError>`; the error is built at most once per request and moved
// straight into the response, so boxing it (what this lint asks) would buy nothing.
#![allow(clippy::result_large_err)]

mod admin;
pub mod admin_client;
mod api_error;
mod app;
pub mod chaos;
pub mod clock;
pub mod config;
mod context;
pub mod faults;
mod ids;
pub mod journal;
mod json;
mod pagination;
mod resources;
mod scheduler;
pub mod serve;
mod server;
mod stalls;
mod state;
mod stored_media;
pub mod tls;
mod validation;

pub use admin_client::{
    Admin, CapabilitySettings, Clock, ForcedOutcome, LinkDecision, MessagePatch, NewAuthor,
    NewComment, NewMessage, NewProfile, OutcomeKind, OutcomeRule, ServedFile,
};
pub use config::{MockConfig, Settings, DEFAULT_API_KEY};
pub use server::MockServer;
pub use tls::{ClientAuth, TlsConfig, TlsFiles, TlsIdentity};
