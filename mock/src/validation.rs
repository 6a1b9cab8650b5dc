//! Checks of request fields that several resources share: a platform or a tier must be one
//! this emulator knows, and a refusal lists the allowed values.

use aether::model::{Platform, Tier};
use serde_json::json;

use crate::api_error::{ApiError, ApiResult};

fn allowed<T>(all: &[T], as_str: impl Fn(&T) -> &str) -> Vec<String> {
    all.iter().map(|v| as_str(v).to_owned()).collect()
}

/// The platform of a request body, which must be present and known.
pub fn required_platform(platform: Option<Platform>) -> ApiResult<Platform> {
    match platform {
        Some(platform) => known_platform(platform, "platform"),
        None => Err(ApiError::invalid(
            "platform",
            format!(
                "platform is required; one of {}",
                allowed(Platform::ALL, Platform::as_str).join(", ")
            ),
        )),
    }
}

/// Refuses a platform this emulator does not know, listing the allowed ones.
pub fn known_platform(platform: Platform, field: &str) -> ApiResult<Platform> {
    if !platform.is_unknown() {
        return Ok(platform);
    }
    let allowed = allowed(Platform::ALL, Platform::as_str);
    Err(ApiError::invalid(
        field,
        format!(
            "{field} {:?} is not supported; use one of {}",
            platform.as_str(),
            allowed.join(", ")
        ),
    )
    .details(json!({ "allowed": allowed })))
}

/// Refuses a tier other than `standard` or `creator`.
pub fn known_tier(tier: Tier, field: &str) -> ApiResult<Tier> {
    if !tier.is_unknown() {
        return Ok(tier);
    }
    let allowed = allowed(Tier::ALL, Tier::as_str);
    Err(ApiError::invalid(
        field,
        format!("{field} {:?} is not a tier; use one of {}", tier.as_str(), allowed.join(", ")),
    )
    .details(json!({ "allowed": allowed })))
}
