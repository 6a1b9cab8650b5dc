//! The emulator over real HTTP, one module per resource, and the binary itself.
//! (One test binary rather than one per file: each binary links the whole dependency tree.)

mod common;
mod posts_support;

mod admin_client;
mod binary;
mod chaos;
mod connect_links;
mod idempotency;
mod infra;
mod media;
mod media_ingest;
mod poll_hints;
mod posts;
mod posts_bulk;
mod posts_retry;
mod posts_shapes;
mod profile_capabilities;
mod profiles;
mod publish_retries;
mod quota;
mod schedule;
mod stalls;
mod tls;
mod upload_integrity;
mod uploads;
mod webhooks;
