//! The built `aether` binary against an emulator on a port the OS picked.
//! (One test binary rather than one per file: each binary links the whole dependency tree.)

mod common;

mod api;
mod bulk;
mod commands;
mod crash_resume;
mod demo;
mod generate;
mod observe;
mod outcome;
mod post_retry;
mod profile_capabilities;
mod proxy;
mod publish_retries;
mod steer;
mod timeouts;
mod tls;
mod validate;
mod warnings;
mod webhooks;
