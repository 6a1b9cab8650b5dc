//! Every object schema of `spec/openapi.yaml` (`components/schemas`) against its type in
//! `aether::model`: the same property names (camelCase on the wire), and the same split between
//! required and optional. A field added to the spec and not to the model (or renamed in one of
//! them) fails here, with the schema and the property named.
//!
//! How a type's fields are learnt: a plain struct tells its field names to any deserializer
//! (`deserialize_struct`), so [`struct_fields`] asks for them. A struct with a `#[serde(flatten)]`
//! catch-all (the per-platform options) does not, and a misspelt property would silently land
//! in the catch-all; so each property of those is given a value of the wrong type, which the
//! struct must refuse (it does only for a field it knows). On top of that every schema is
//! checked by round trips: an object with every property (values drawn from the schema) must
//! come back unchanged, one with only the required properties must parse, and one missing a
//! required property must not (unless [`Entry::lenient`] says why the model tolerates it).

use std::collections::BTreeSet;
use std::path::Path;

use aether::model::*;
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::Serialize;
use serde_json::{json, Map, Value};
use serde_yaml_ng::Value as Yaml;

/// A schema and the Rust type that mirrors it.
struct Entry {
    /// Path under `components/schemas`, `/`-separated for an inline schema (`ErrorBody/error`).
    schema: &'static str,
    /// The Rust type's name in `aether::model`, for messages and the coverage check.
    rust: &'static str,
    /// The type's field names as serde reads them; `None` for a struct with a flattened
    /// catch-all.
    fields: fn() -> Option<&'static [&'static str]>,
    /// Parses a wire object into the type and serializes it back.
    round_trip: fn(Value) -> Result<Value, String>,
    /// Fields of the type that are not properties of the schema, each with the reason.
    extra: &'static [(&'static str, &'static str)],
    /// Required properties the type accepts missing, each with the reason.
    lenient: &'static [(&'static str, &'static str)],
}

fn round_trip<T: Serialize + DeserializeOwned>(wire: Value) -> Result<Value, String> {
    let typed: T = serde_json::from_value(wire).map_err(|e| e.to_string())?;
    serde_json::to_value(&typed).map_err(|e| e.to_string())
}

macro_rules! entry {
    ($schema:literal => $ty:ty, $rust:literal) => {
        entry!($schema => $ty, $rust, extra: [], lenient: [])
    };
    ($schema:literal => $ty:ty, $rust:literal, extra: [$($e:expr),*], lenient: [$($l:expr),*]) => {
        Entry {
            schema: $schema,
            rust: $rust,
            fields: struct_fields::<$ty>,
            round_trip: round_trip::<$ty>,
            extra: &[$($e),*],
            lenient: &[$($l),*],
        }
    };
}

const NEXT_CURSOR: (&str, &str) =
    ("nextCursor", "`Option` with a default: a missing cursor reads as the last page");

/// Every object schema with a Rust type of its own.
fn entries() -> Vec<Entry> {
    vec![
        entry!("ErrorBody" => ErrorBody, "ErrorBody"),
        entry!("ErrorBody/error" => ApiErrorPayload, "ApiErrorPayload", extra: [], lenient: [
            ("requestId", "defaults to \"\": an error from a proxy in front of the API has none")
        ]),
        entry!("ErrorSummary" => ResultError, "ResultError"),
        entry!("CreateConnectLinkRequest" => CreateConnectLinkRequest, "CreateConnectLinkRequest"),
        entry!("ConnectLink" => ConnectLink, "ConnectLink"),
        entry!("Profile" => Profile, "Profile"),
        entry!("ProfileCapabilities" => ProfileCapabilities, "ProfileCapabilities"),
        entry!("ProfileList" => Page<Profile>, "Page", extra: [], lenient: [NEXT_CURSOR]),
        entry!("PlatformRulesTable" => PlatformsResponse, "PlatformsResponse"),
        entry!("CreateUploadRequest" => CreateUploadRequest, "CreateUploadRequest"),
        entry!("UploadSession" => UploadSession, "UploadSession"),
        entry!("UploadPart" => PartReceipt, "PartReceipt"),
        entry!("UploadState" => UploadState, "UploadState"),
        entry!("CompleteUploadRequest" => CompleteUploadRequest, "CompleteUploadRequest"),
        entry!("IngestMediaRequest" => IngestMediaRequest, "IngestMediaRequest"),
        entry!("Media" => Media, "Media"),
        entry!("PostContent" => PostContent, "PostContent"),
        entry!("CreatePostRequest" => CreatePostRequest, "CreatePostRequest"),
        entry!("UpdatePostRequest" => UpdatePostRequest, "UpdatePostRequest"),
        entry!("MediaInput" => MediaInput, "MediaInput"),
        entry!("PostMedia" => PostMedia, "PostMedia"),
        entry!("PostWarning" => PostWarning, "PostWarning"),
        entry!("TargetResult" => TargetResult, "TargetResult", extra: [], lenient: [
            ("attempts", "defaults to 0: a server from before publish retries does not send it")
        ]),
        entry!("Post" => Post, "Post", extra: [], lenient: [
            ("mediaKeys", "defaults to empty, the same as the server's `[]`"),
            ("media", "defaults to empty, the same as the server's `[]`"),
            ("platforms", "defaults to no options, the same as the server's `{}`"),
            ("results", "defaults to empty, the same as the server's `[]`")
        ]),
        entry!("PostList" => Page<Post>, "Page", extra: [], lenient: [NEXT_CURSOR]),
        entry!("BulkResult" => BulkResult, "BulkResult"),
        entry!("BulkRowResult" => BulkRowResult, "BulkRowResult"),
        entry!("BulkRowError" => BulkRowError, "BulkRowError"),
        entry!("PlatformOptions" => PlatformOptionsMap, "PlatformOptionsMap"),
        entry!("TiktokOptions" => TikTokOptions, "TikTokOptions"),
        entry!("InstagramOptions" => InstagramOptions, "InstagramOptions"),
        entry!("LinkedinOptions" => LinkedinOptions, "LinkedinOptions"),
        entry!("FacebookOptions" => FacebookOptions, "FacebookOptions"),
        entry!("YoutubeOptions" => YoutubeOptions, "YoutubeOptions"),
        entry!("ThreadsOptions" => ThreadsOptions, "ThreadsOptions"),
        entry!("RedditOptions" => RedditOptions, "RedditOptions", extra: [], lenient: [
            ("subreddit", "an `Option` so that the core's platform check refuses a missing \
              subreddit with its typed SUBREDDIT_REQUIRED, naming the field, not with serde's")
        ]),
        entry!("CreateWebhookRequest" => CreateWebhookRequest, "CreateWebhookRequest"),
        entry!("Webhook" => Webhook, "Webhook", extra: [
            ("secret", "the property `WebhookWithSecret` adds: one Rust type for both, the \
              secret an `Option`")
        ], lenient: []),
        entry!("WebhookList" => Page<Webhook>, "Page", extra: [], lenient: [NEXT_CURSOR]),
        entry!("WebhookEvent" => WebhookEvent, "WebhookEvent"),
        entry!("WebhookEvent/data" => WebhookEventData, "WebhookEventData"),
        entry!("InboxAuthor" => InboxAuthor, "InboxAuthor"),
        entry!("Comment" => Comment, "Comment"),
        entry!("Message" => Message, "Message"),
        entry!("WebhookDelivery" => WebhookDelivery, "WebhookDelivery"),
        entry!("WebhookDeliveryList" => Page<WebhookDelivery>, "Page", extra: [], lenient: [NEXT_CURSOR]),
    ]
}

/// Object schemas without a Rust type of their own, each with the reason.
const NO_RUST_TYPE: &[(&str, &str)] = &[
    (
        "PlatformRules",
        "kept as JSON in `PlatformsResponse::platforms`: the core's own rules table \
         (`aether::platforms`) is checked against the emulator's answer in platform_rules.rs",
    ),
    ("WebhookWithSecret", "the Rust `Webhook`, whose `secret` is an `Option`"),
];

/// Structs of `core/src/model/` that mirror no schema, each with the reason.
const NO_SCHEMA: &[(&str, &str)] = &[
    ("BulkRow", "a CSV row the SDK writes into the multipart `file` part, not a JSON body"),
    ("ListQuery", "a query string (`?limit=&cursor=`), described by the spec's parameters"),
    ("ListPostsQuery", "a query string (`?status=&profileId=&limit=&cursor=`)"),
    ("ListDeliveriesQuery", "a query string (`?status=&limit=&cursor=`)"),
];

// ---------------------------------------------------------------------------------------------
// The spec
// ---------------------------------------------------------------------------------------------

fn spec() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/openapi.yaml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let yaml: Yaml = serde_yaml_ng::from_str(&text)
        .unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()));
    serde_json::to_value(yaml).expect("the spec is JSON-shaped")
}

fn schema<'a>(spec: &'a Value, path: &str) -> &'a Value {
    let mut node = &spec["components"]["schemas"];
    for (i, key) in path.split('/').enumerate() {
        node = if i == 0 { &node[key] } else { &resolve(spec, node)["properties"][key] };
    }
    assert!(!node.is_null(), "spec/openapi.yaml has no schema {path}");
    resolve(spec, node)
}

/// Follows a local `$ref` if the node is one.
fn resolve<'a>(spec: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.strip_prefix('#').expect("only local references");
            let target = spec.pointer(pointer).unwrap_or_else(|| panic!("dangling {reference}"));
            resolve(spec, target)
        }
        None => node,
    }
}

fn properties(schema: &Value) -> Vec<String> {
    schema["properties"].as_object().map(|p| p.keys().cloned().collect()).unwrap_or_default()
}

fn required(schema: &Value) -> Vec<String> {
    schema["required"]
        .as_array()
        .map(|r| r.iter().map(|v| v.as_str().expect("required names").to_owned()).collect())
        .unwrap_or_default()
}

/// The schema's first type other than `null` (`type: [string, 'null']` gives `string`).
fn first_type(schema: &Value) -> Option<&str> {
    match &schema["type"] {
        Value::String(t) => Some(t),
        Value::Array(types) => types.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    }
}

/// A value the schema allows, with every property of every object.
fn sample(spec: &Value, node: &Value) -> Value {
    let node = resolve(spec, node);
    // An object's `oneOf` only says which properties it needs (`profileId` or `profileIds`).
    for key in ["oneOf", "anyOf"].into_iter().filter(|_| node.get("properties").is_none()) {
        if let Some(alternatives) = node[key].as_array() {
            let chosen = alternatives
                .iter()
                .find(|a| resolve(spec, a)["type"] != "null")
                .expect("an alternative other than null");
            return sample(spec, chosen);
        }
    }
    if let Some(value) = node["enum"].as_array().and_then(|e| e.iter().find(|v| !v.is_null())) {
        return value.clone();
    }
    if let Some(example) = node["examples"].as_array().and_then(|e| e.first()) {
        return example.clone();
    }
    match first_type(node) {
        Some("string") if node["format"] == "date-time" => json!("2026-03-08T07:30:00Z"),
        Some("string") if node["format"] == "uri" => json!("https://example.com/a"),
        Some("string") => json!("s"),
        Some("integer") => json!(node["minimum"].as_u64().unwrap_or(1).max(1)),
        Some("number") => json!(1.5),
        Some("boolean") => json!(true),
        Some("array") => json!([sample(spec, &node["items"])]),
        Some("object") => {
            let mut object = Map::new();
            for name in properties(node) {
                object.insert(name.clone(), sample(spec, &node["properties"][&name]));
            }
            // A map whose keys are given by `required` (e.g. the rules table's platforms).
            if let Some(values) = node.get("additionalProperties").filter(|v| v.is_object()) {
                for name in required(node) {
                    object.entry(name).or_insert_with(|| sample(spec, values));
                }
            }
            Value::Object(object)
        }
        other => panic!("no sample for a schema of type {other:?}: {node}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The Rust side
// ---------------------------------------------------------------------------------------------

/// The field names a derived `Deserialize` passes to `deserialize_struct`; `None` for a struct
/// that deserializes as a map (one with a `#[serde(flatten)]` field).
fn struct_fields<T: DeserializeOwned>() -> Option<&'static [&'static str]> {
    let mut fields = None;
    let _ = T::deserialize(FieldNames(&mut fields));
    fields
}

struct FieldNames<'a>(&'a mut Option<&'static [&'static str]>);

impl<'de> Deserializer<'de> for FieldNames<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("not a struct"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = Some(fields);
        Err(de::Error::custom("field names read"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// A value no field of the sample's type accepts.
fn wrong_type(sample: &Value) -> Value {
    if sample.is_object() {
        json!(12345)
    } else {
        json!({ "not": "this type" })
    }
}

/// What is wrong with one entry; empty when it matches its schema.
fn faults(spec: &Value, entry: &Entry) -> Vec<String> {
    let schema = schema(spec, entry.schema);
    let props = properties(schema);
    let required = required(schema);
    let mut faults = Vec::new();

    // Names.
    let spec_names: BTreeSet<&str> = props.iter().map(String::as_str).collect();
    match (entry.fields)() {
        Some(fields) => {
            let rust_names: BTreeSet<&str> = fields.iter().copied().collect();
            for missing in spec_names.difference(&rust_names) {
                faults.push(format!("property `{missing}` has no field in {}", entry.rust));
            }
            for extra in rust_names.difference(&spec_names) {
                if !entry.extra.iter().any(|(name, _)| name == extra) {
                    faults.push(format!("field `{extra}` of {} is not in the schema", entry.rust));
                }
            }
        }
        None => {
            // A flattened catch-all: only a field the struct knows refuses a wrong type.
            let full = sample(spec, schema);
            for name in &props {
                let mut wire = full.clone();
                wire[name.as_str()] = wrong_type(&full[name.as_str()]);
                if (entry.round_trip)(wire).is_ok() {
                    faults.push(format!(
                        "property `{name}` is no field of {} (it lands in its catch-all)",
                        entry.rust
                    ));
                }
            }
        }
    }

    // Every property survives a round trip unchanged.
    let full = sample(spec, schema);
    match (entry.round_trip)(full.clone()) {
        Err(e) => {
            faults.push(format!("{} refuses the object with every property: {e}", entry.rust))
        }
        Ok(back) => {
            for name in &props {
                if back.get(name) != full.get(name) {
                    faults.push(format!(
                        "property `{name}` does not survive a round trip through {}: sent {}, \
                         got back {}",
                        entry.rust,
                        full[name.as_str()],
                        back.get(name).unwrap_or(&Value::Null)
                    ));
                }
            }
        }
    }

    // The required properties alone are enough.
    let minimal: Map<String, Value> =
        required.iter().map(|name| (name.clone(), full[name.as_str()].clone())).collect();
    if let Err(e) = (entry.round_trip)(Value::Object(minimal)) {
        faults.push(format!(
            "{} refuses an object with only the required properties {required:?}: {e} \
             (is a field required in Rust but optional in the spec?)",
            entry.rust
        ));
    }

    // And none of them can be left out.
    for name in &required {
        let mut wire = full.clone();
        wire.as_object_mut().expect("an object").remove(name);
        let tolerated = entry.lenient.iter().any(|(n, _)| n == name);
        match ((entry.round_trip)(wire).is_ok(), tolerated) {
            (true, false) => faults.push(format!(
                "required property `{name}` may be missing in {} (optional in Rust?)",
                entry.rust
            )),
            (false, true) => faults.push(format!(
                "`{name}` is listed as tolerated missing in {}, but {} refuses it: drop it from \
                 `lenient`",
                entry.schema, entry.rust
            )),
            _ => {}
        }
    }
    for (name, _) in entry.lenient {
        if !required.iter().any(|r| r == name) {
            faults.push(format!(
                "`{name}` is listed as lenient but is not required in {}",
                entry.schema
            ));
        }
    }
    for (name, _) in entry.extra {
        if spec_names.contains(name) {
            faults
                .push(format!("`{name}` is listed as extra but is a property of {}", entry.schema));
        }
    }
    faults
}

#[test]
fn every_object_schema_matches_its_rust_type() {
    let spec = spec();
    let faults: Vec<String> = entries()
        .iter()
        .flat_map(|entry| {
            faults(&spec, entry).into_iter().map(|f| format!("{}: {f}", entry.schema))
        })
        .collect();
    assert!(
        faults.is_empty(),
        "spec/openapi.yaml and aether::model disagree:\n{}",
        faults.join("\n")
    );
}

#[test]
fn every_object_schema_has_a_rust_type() {
    let spec = spec();
    let mapped: BTreeSet<&str> = entries().iter().map(|e| e.schema).collect();
    let unmapped: Vec<&String> = spec["components"]["schemas"]
        .as_object()
        .expect("components/schemas")
        .iter()
        .filter(|(_, s)| s["type"] == "object" || s.get("allOf").is_some())
        .map(|(name, _)| name)
        .filter(|name| !mapped.contains(name.as_str()))
        .filter(|name| !NO_RUST_TYPE.iter().any(|(n, _)| n == name))
        .collect();
    assert!(
        unmapped.is_empty(),
        "object schemas with no Rust type in core/tests/model_wire/spec.rs's table: {unmapped:?} \
         (map each to its type in `entries`, or list it in NO_RUST_TYPE with the reason)"
    );
    for (name, _) in NO_RUST_TYPE {
        assert!(!mapped.contains(name), "{name} is both mapped and listed in NO_RUST_TYPE");
        assert!(!spec["components"]["schemas"][name].is_null(), "NO_RUST_TYPE: no schema {name}");
    }
}

#[test]
fn every_model_struct_has_a_schema() {
    // The model is a folder, one file per resource (core/src/model/*.rs).
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/model");
    let mut source = String::new();
    for entry in std::fs::read_dir(&folder).expect("reading core/src/model") {
        let path = entry.expect("a file of core/src/model").path();
        if path.extension().is_some_and(|e| e == "rs") {
            source += &std::fs::read_to_string(&path).expect("reading a model file");
        }
    }
    let mapped: BTreeSet<&str> = entries().iter().map(|e| e.rust).collect();
    let structs: Vec<&str> = source
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("pub struct "))
        .map(|rest| rest.split(|c: char| !c.is_alphanumeric() && c != '_').next().unwrap_or(""))
        .collect();
    assert!(structs.len() > 20, "found too few structs in core/src/model: {structs:?}");
    let unmapped: Vec<&&str> = structs
        .iter()
        .filter(|s| !mapped.contains(**s) && !NO_SCHEMA.iter().any(|(n, _)| n == *s))
        .collect();
    assert!(
        unmapped.is_empty(),
        "structs of aether::model with no schema in core/tests/model_wire/spec.rs's table: \
         {unmapped:?} (map each to its schema in `entries`, or list it in NO_SCHEMA with the reason)"
    );
}
