//! The create preflight against the named accounts' capabilities
//! (`GET /v1/profiles/{id}/capabilities`; the checks are `crate::platforms::check_options`).
//!
//! Asked only when the post's options name something a capability decides, so that a post
//! with nothing to check costs no extra request. A referenced media key's duration is not known
//! to the client, so durations are checked by the upload preflight (`profileIds`) and the
//! server, not here.

use serde_json::{Map, Value};

use crate::error::Result;
use crate::model::CreatePostRequest;
use crate::platforms::check_options;
use crate::profiles::Profiles;

/// The options capabilities decide.
const DECIDED: &[&str] = &["privacyLevel", "disableComment", "disableDuet", "disableStitch"];

pub(super) async fn preflight(profiles: &Profiles, request: &CreatePostRequest) -> Result<()> {
    let options = request.overrides.as_ref().unwrap_or(&request.platforms);
    let Ok(Value::Object(platforms)) = serde_json::to_value(options) else { return Ok(()) };
    let asks = platforms
        .values()
        .filter_map(Value::as_object)
        .any(|options| options.keys().any(|key| DECIDED.contains(&key.as_str())));
    if !asks {
        return Ok(());
    }
    let targets: Vec<(String, String)> = match (&request.profile_id, &request.profile_ids) {
        (Some(id), _) => vec![("profileId".to_owned(), id.clone())],
        (None, Some(ids)) => {
            ids.iter().enumerate().map(|(i, id)| (format!("profileIds[{i}]"), id.clone())).collect()
        }
        (None, None) => return Ok(()),
    };
    for caps in profiles.for_preflight(&targets).await? {
        let options = platforms
            .get(caps.platform.as_str())
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_else(Map::new);
        if let Some(mut found) = check_options(&caps, &options) {
            found.message.push_str(" (found before sending; nothing was sent)");
            return Err(found.into_error());
        }
    }
    Ok(())
}
