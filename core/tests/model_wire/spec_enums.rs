//! Every string enum of `spec/openapi.yaml` (`components/schemas` with an `enum`) against its
//! open enum in `aether::model`: the same values both ways. A value the spec gains and the model
//! lacks would still parse (into `Unknown`), so nothing else notices it; a variant the model has
//! and the spec lacks is a value no server sends. `ErrorCode` has its own, stricter test
//! (`core/tests/spec_matches_error_codes.rs`), which also knows the client-only codes.

use std::collections::BTreeSet;
use std::path::Path;

use aether::model::*;
use serde_yaml_ng::Value as Yaml;

/// The wire strings of every known variant of an open enum.
macro_rules! known {
    ($ty:ty) => {
        <$ty>::ALL.iter().map(|v| v.as_str().to_owned()).collect::<BTreeSet<String>>()
    };
}

/// Each enum schema and the values its Rust type knows.
fn model_enums() -> Vec<(&'static str, BTreeSet<String>)> {
    vec![
        ("Platform", known!(Platform)),
        ("ConnectLinkStatus", known!(ConnectLinkStatus)),
        ("Tier", known!(Tier)),
        ("ProfileStatus", known!(ProfileStatus)),
        ("UploadStatus", known!(UploadStatus)),
        ("MediaStatus", known!(MediaStatus)),
        ("PostStatus", known!(PostStatus)),
        ("TargetStatus", known!(TargetStatus)),
        ("ScheduleResolution", known!(ScheduleResolution)),
        ("WebhookEventType", known!(WebhookEventType)),
        ("WebhookDeliveryStatus", known!(WebhookDeliveryStatus)),
        ("MessageDirection", known!(MessageDirection)),
        ("WarningCode", known!(WarningCode)),
    ]
}

/// Schemas whose enum is checked elsewhere.
const CHECKED_ELSEWHERE: &[&str] = &["ErrorCode"];

fn spec_enums() -> Vec<(String, BTreeSet<String>)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/openapi.yaml");
    let text = std::fs::read_to_string(&path).expect("reading spec/openapi.yaml");
    let spec: Yaml = serde_yaml_ng::from_str(&text).expect("spec/openapi.yaml parses");
    let schemas = spec["components"]["schemas"].as_mapping().expect("components/schemas");
    let mut enums = Vec::new();
    for (name, schema) in schemas {
        let Some(values) = schema.get("enum").and_then(Yaml::as_sequence) else { continue };
        let name = name.as_str().expect("schema names are strings").to_owned();
        // `null` in an enum is the spec's way to say "nullable", not a value.
        let values = values.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect();
        enums.push((name, values));
    }
    enums
}

#[test]
fn every_spec_enum_has_the_same_values_as_its_model_enum() {
    let model = model_enums();
    let mut faults = Vec::new();
    for (schema, in_spec) in spec_enums() {
        if CHECKED_ELSEWHERE.contains(&schema.as_str()) {
            continue;
        }
        let Some((_, in_model)) = model.iter().find(|(name, _)| *name == schema) else {
            faults.push(format!("{schema}: no open enum in the model for this spec enum"));
            continue;
        };
        for missing in in_spec.difference(in_model) {
            faults.push(format!("{schema}: the spec's {missing:?} is not a variant of the model"));
        }
        for extra in in_model.difference(&in_spec) {
            faults.push(format!("{schema}: the model's {extra:?} is not in the spec's enum"));
        }
    }
    assert!(faults.is_empty(), "spec and model enums differ:\n  {}", faults.join("\n  "));
}

#[test]
fn every_model_enum_names_a_spec_enum() {
    let spec: Vec<String> = spec_enums().into_iter().map(|(name, _)| name).collect();
    for (schema, _) in model_enums() {
        assert!(spec.contains(&schema.to_owned()), "{schema} is not an enum schema of the spec");
    }
}
