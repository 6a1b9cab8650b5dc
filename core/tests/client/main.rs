//! The client against the emulator on a port the OS picked: resources, runtime, transport,
//! uploads, waiting and webhook signatures.
//! (One test binary rather than one per file: each binary links the whole dependency tree.)

#[path = "../client_common/mod.rs"]
mod client_common;

mod ingest;
mod observe;
mod outcome;
mod posts_bulk;
mod profile_capabilities;
mod proxy;
mod raw;
mod resources;
mod runtime;
mod settings;
mod steer;
mod timeouts;
mod tls;
mod transport;
mod upload;
mod upload_integrity;
mod wait;
mod webhook_deliveries;
mod webhook_signatures;
