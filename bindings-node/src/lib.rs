//! The native half of the npm package `aether`: a thin napi-rs layer over the Rust core.
//!
//! It converts and nothing else. Requests and results cross the boundary as JSON text (the
//! core's serde wire types, camelCase), so a 64-bit size never turns into a `BigInt` and an
//! `undefined` field never reaches the core; errors cross as a tagged JSON payload that
//! `lib/errors.js` turns into an `AetherError`. Every call that does I/O returns a Promise and
//! runs on the core's runtime for an event loop (one worker that spins briefly for answers and
//! for the next call; see [`init`]), which napi-rs starts with the first environment that loads
//! the addon and shuts down (bounded) when the last one — main thread or worker — goes away.
//! The JavaScript wrapper (`index.js`) is the public API; this module is private.
#![deny(clippy::all)]

// Public so that the exported functions count as used in every build (the `#[napi]`
// registration is compiled out of test builds).
pub mod cancel;
pub mod client;
pub mod cursor;
pub mod error;
pub mod json;
pub mod observe;
pub mod raw;
pub mod resources;
pub mod sink;
pub mod source;
pub mod testing;

/// Gives napi the core's runtime for an event loop's calls (one worker; see
/// `aether::runtime::event_loop_runtime`) in place of its own (a worker per core), before the
/// first call. Should it fail to start, napi's own serves.
#[napi_derive::module_init]
fn init() {
    if let Ok(runtime) = aether::runtime::event_loop_runtime() {
        napi::bindgen_prelude::create_custom_tokio_runtime(runtime);
    }
}
