//! One module per API resource: each adds its operations to `PyClient` in a `#[pymethods]`
//! block of its own, beside the resource's pure functions (such as webhook verification).

pub mod connect_links;
pub mod media;
pub mod posts;
pub mod profiles;
pub mod webhooks;
