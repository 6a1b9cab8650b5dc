//! Placeholder until the resource lands.

use axum::Router;

use crate::state::SharedState;

#[derive(Debug, Default)]
pub struct Links {}

pub fn routes() -> Router<SharedState> {
    Router::new()
}

pub fn admin_routes() -> Router<SharedState> {
    Router::new()
}
