//! The router: every resource's routes under one request-context middleware.

use axum::routing::get;
use axum::{Json, Router};

use crate::resources;
use crate::state::SharedState;

pub fn router(state: SharedState) -> Router {
    Router::new()
        .route("/v1/platforms", get(platforms))
        .merge(resources::connect_links::routes())
        .merge(resources::profiles::routes())
        .merge(resources::profile_capabilities::routes())
        .merge(resources::uploads::routes())
        .merge(resources::media_ingest::routes())
        .merge(resources::media::routes())
        .merge(resources::mock_files::routes())
        .merge(resources::posts::routes())
        .merge(resources::webhooks::routes())
        .merge(crate::admin::routes())
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::context::request_context))
        .with_state(state)
}

async fn platforms() -> Json<serde_json::Value> {
    Json(aether::platforms::rules_document())
}
