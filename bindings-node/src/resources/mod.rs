//! One module per API resource: each adds its calls to `NativeClient`.

pub mod connect_links;
pub mod media;
pub mod posts;
pub mod profiles;
pub mod webhooks;
