//! The preflight: probed facts checked against each named profile's capabilities (its longest
//! video), then each named platform's media rules and each named profile's platform rules for
//! its tier, before a byte is sent.

use serde_json::{json, Map, Value};

use super::options::Checked;
use crate::error::{Error, ErrorCode, Result};
use crate::platforms::{check_duration, rules, Violation};
use crate::probe::{MediaFacts, MediaKind, ProbeError};

/// Checks the probed facts against every named platform's media rules.
pub(super) fn preflight(
    facts: std::result::Result<&MediaFacts, &ProbeError>,
    options: &Checked,
) -> Result<()> {
    let first_platform = options
        .platforms
        .first()
        .cloned()
        .or_else(|| options.capabilities.first().map(|caps| caps.platform.clone()));
    let facts = match facts {
        Ok(facts) => facts,
        Err(ProbeError::Unsupported { reason }) => {
            let mut error = Error::new(
                ErrorCode::UnsupportedMediaType,
                format!("the file cannot be published: {reason} (found before upload)"),
            )
            .with_field("file")
            .with_details(json!({ "reason": reason }));
            if let Some(platform) = first_platform {
                error = error.with_platform(platform);
            }
            return Err(error);
        }
        Err(error) => {
            return Err(Error::new(ErrorCode::IoError, format!("probing the file: {error}")));
        }
    };
    // The account's own figures first: they are what the user can act on.
    if let Some(duration) = facts.duration_ms.filter(|_| facts.kind == MediaKind::Video) {
        for caps in &options.capabilities {
            if let Some(mut found) = check_duration(caps, "file", duration) {
                found.message.push_str("; nothing was uploaded");
                return Err(found.into_error());
            }
        }
    }
    let mut violations: Vec<Violation> = Vec::new();
    for caps in &options.capabilities {
        if let Some(rules) = rules(&caps.platform) {
            violations.extend(rules.check_media_item(&caps.tier, &Map::new(), 0, facts));
        }
    }
    for platform in &options.platforms {
        match rules(platform) {
            Some(rules) => {
                violations.extend(rules.check_media_item(&options.tier, &Map::new(), 0, facts))
            }
            None => tracing::warn!(%platform, "no rules for this platform; not preflighted"),
        }
    }
    let Some(first) = violations.first() else { return Ok(()) };
    let mut details = first.details();
    let all = serde_json::to_value(&violations).unwrap_or(Value::Null);
    details.insert("violations".into(), all);
    details.insert("facts".into(), serde_json::to_value(facts).unwrap_or(Value::Null));
    let others = match violations.len() - 1 {
        0 => String::new(),
        1 => " (and 1 more violation in details.violations)".to_owned(),
        n => format!(" (and {n} more violations in details.violations)"),
    };
    Err(Error::new(first.code.clone(), format!("{}{others}; nothing was uploaded", first.message))
        .with_field("file")
        .with_platform(first.platform.clone())
        .with_details(Value::Object(details)))
}
