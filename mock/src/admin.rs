//! The admin API under `/_mock/`: reset, the clock, settings, faults, the journal, and the
//! per-resource helpers (approve a link, create a profile, force an outcome) that each
//! resource module contributes.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use jiff::SignedDuration;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api_error::{ApiError, ApiResult};
use crate::chaos::{Chaos, ChaosConfig};
use crate::clock::rfc3339;
use crate::config::Settings;
use crate::faults::FaultRule;
use crate::ids::new_id;
use crate::json::ApiJson;
use crate::resources;
use crate::state::SharedState;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/_mock/reset", post(reset))
        .route("/_mock/clock", get(clock))
        .route("/_mock/clock/advance", post(advance_clock))
        .route("/_mock/settings", get(settings).patch(update_settings))
        .route("/_mock/faults", get(list_faults).post(add_fault).delete(clear_faults))
        .route("/_mock/faults/{id}", delete(remove_fault))
        .route("/_mock/journal", get(journal).delete(clear_journal))
        .route("/_mock/chaos", get(chaos).put(start_chaos).delete(stop_chaos))
        .route("/_mock/chaos/report", get(chaos_report))
        .merge(resources::connect_links::admin_routes())
        .merge(resources::profiles::admin_routes())
        .merge(resources::profile_capabilities::admin_routes())
        .merge(resources::posts::admin_routes())
        .merge(resources::webhooks::admin_routes())
        .merge(resources::mock_files::admin_routes())
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ResetRequest {
    /// Settings after the reset; the start-up settings' defaults when absent.
    #[serde(default)]
    settings: Option<Settings>,
}

async fn reset(State(state): State<SharedState>, body: ApiJson<ResetRequest>) -> StatusCode {
    state.reset(body.0.settings.unwrap_or_default());
    StatusCode::NO_CONTENT
}

async fn clock(State(state): State<SharedState>) -> Json<Value> {
    Json(json!({ "now": rfc3339(state.clock.now()) }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AdvanceRequest {
    #[serde(default)]
    seconds: Option<f64>,
    #[serde(default)]
    ms: Option<u64>,
}

async fn advance_clock(
    State(state): State<SharedState>,
    ApiJson(body): ApiJson<AdvanceRequest>,
) -> ApiResult<Json<Value>> {
    let by = match (body.seconds, body.ms) {
        (Some(s), None) if s.is_finite() && s >= 0.0 => SignedDuration::try_from_secs_f64(s)
            .map_err(|_| ApiError::invalid("seconds", "seconds is too large"))?,
        (None, Some(ms)) => SignedDuration::from_millis(i64::try_from(ms).unwrap_or(i64::MAX)),
        _ => {
            return Err(ApiError::invalid(
                "seconds",
                "give exactly one of seconds (a non-negative number) or ms; the clock only moves forward",
            ))
        }
    };
    state.clock.advance(by);
    // Apply what became due before answering, so the caller sees the new state at once.
    crate::scheduler::tick(&state);
    Ok(Json(json!({ "now": rfc3339(state.clock.now()) })))
}

async fn settings(State(state): State<SharedState>) -> Json<Settings> {
    Json(state.settings())
}

async fn update_settings(
    State(state): State<SharedState>,
    ApiJson(patch): ApiJson<serde_json::Map<String, Value>>,
) -> ApiResult<Json<Settings>> {
    let mut current = serde_json::to_value(state.settings())
        .map_err(|e| ApiError::invalid("body", e.to_string()))?;
    if let Value::Object(fields) = &mut current {
        for (name, value) in patch {
            fields.insert(name, value);
        }
    }
    let updated: Settings = crate::json::parse_json(current.to_string().as_bytes())?;
    state.set_settings(updated.clone());
    Ok(Json(updated))
}

async fn list_faults(State(state): State<SharedState>) -> Json<Value> {
    Json(json!({ "data": state.faults().list() }))
}

async fn add_fault(
    State(state): State<SharedState>,
    ApiJson(mut rule): ApiJson<FaultRule>,
) -> ApiResult<(StatusCode, Json<FaultRule>)> {
    if let Some(p) = rule.probability {
        if !(0.0..=1.0).contains(&p) {
            return Err(ApiError::invalid("probability", "probability must be between 0 and 1"));
        }
    }
    if rule.times == Some(0) {
        return Err(ApiError::invalid("times", "times must be at least 1 (or absent for always)"));
    }
    if rule.id.is_empty() {
        rule.id = new_id("fault");
    }
    state.faults().add(rule.clone());
    Ok((StatusCode::CREATED, Json(rule)))
}

async fn clear_faults(State(state): State<SharedState>) -> StatusCode {
    state.faults().clear();
    StatusCode::NO_CONTENT
}

async fn remove_fault(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    if state.faults().remove(&id) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("fault", &id))
    }
}

async fn journal(State(state): State<SharedState>) -> Json<Value> {
    Json(json!({ "data": state.journal().entries() }))
}

async fn clear_journal(State(state): State<SharedState>) -> StatusCode {
    state.journal().clear();
    StatusCode::NO_CONTENT
}

async fn chaos(State(state): State<SharedState>) -> Json<Value> {
    Json(json!({ "chaos": state.chaos().as_ref().map(Chaos::config) }))
}

async fn start_chaos(
    State(state): State<SharedState>,
    ApiJson(config): ApiJson<ChaosConfig>,
) -> ApiResult<Json<ChaosConfig>> {
    config.check().map_err(|(field, message)| ApiError::invalid(field, message))?;
    *state.chaos() = Some(Chaos::new(config.clone()));
    Ok(Json(config))
}

async fn stop_chaos(State(state): State<SharedState>) -> StatusCode {
    *state.chaos() = None;
    StatusCode::NO_CONTENT
}

/// Whether the client kept its promises through the faults: see [`crate::chaos::report`].
async fn chaos_report(State(state): State<SharedState>) -> Json<Value> {
    let config = state.chaos().as_ref().map(|c| c.config().clone());
    let open = resources::uploads::open_sessions(&state);
    let journal: Vec<_> = state.journal().entries().iter().cloned().collect();
    Json(crate::chaos::report(config.as_ref(), &journal, &open))
}
