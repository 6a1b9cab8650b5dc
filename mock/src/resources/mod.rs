//! One module per API resource: its state, its public routes and its admin helpers.

pub mod connect_links;
pub mod idempotency;
pub mod media;
pub mod media_ingest;
pub mod mock_files;
pub mod posts;
pub mod profile_capabilities;
pub mod profiles;
pub mod uploads;
pub mod webhooks;
