//! Placeholder until the resource lands.

use axum::Router;

use crate::state::SharedState;

#[derive(Debug, Default)]
pub struct Uploads {}

pub fn routes() -> Router<SharedState> {
    Router::new()
}

impl Uploads {
    pub fn file_paths(&self) -> impl Iterator<Item = std::path::PathBuf> + '_ {
        std::iter::empty()
    }
}
