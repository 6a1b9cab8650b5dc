//! Placeholder until the resource lands.

#[derive(Debug, Default)]
pub struct Records {}
