//! The OpenAPI file (`spec/openapi.yaml`) and the core agree on the vocabulary they share: the
//! server-side error codes with their HTTP statuses and retryability, and the platforms. The
//! shared error responses of the spec are checked against the codes' statuses too, so a code can
//! never be documented under a status it is not answered with.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use aether::model::Platform;
use aether::ErrorCode;
use serde_yaml_ng::Value;

fn spec() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/openapi.yaml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}

fn str_list(value: &Value, what: &str) -> Vec<String> {
    value
        .as_sequence()
        .unwrap_or_else(|| panic!("{what} is not a list"))
        .iter()
        .map(|v| v.as_str().unwrap_or_else(|| panic!("{what}: {v:?} is not a string")).to_owned())
        .collect()
}

fn unique(list: &[String], what: &str) -> BTreeSet<String> {
    let set: BTreeSet<String> = list.iter().cloned().collect();
    assert_eq!(set.len(), list.len(), "{what} has duplicates: {list:?}");
    set
}

fn server_codes() -> Vec<&'static ErrorCode> {
    ErrorCode::ALL.iter().filter(|c| c.http_status().is_some()).collect()
}

/// Follows a local `$ref` (`#/components/...`) if the node is one.
fn resolve<'a>(spec: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer = reference.strip_prefix("#/").expect("only local references");
            let target = pointer.split('/').fold(spec, |node, key| &node[key]);
            assert!(!target.is_null(), "dangling $ref {reference}");
            resolve(spec, target)
        }
        None => node,
    }
}

#[test]
fn error_code_enum_is_exactly_the_server_side_codes() {
    let spec = spec();
    let schema = &spec["components"]["schemas"]["ErrorCode"];
    let in_spec = unique(&str_list(&schema["enum"], "ErrorCode.enum"), "ErrorCode.enum");
    let in_core: BTreeSet<String> = server_codes().iter().map(|c| c.as_str().to_owned()).collect();

    let missing: Vec<_> = in_core.difference(&in_spec).collect();
    let extra: Vec<_> = in_spec.difference(&in_core).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "ErrorCode enum differs from aether::ErrorCode: missing in spec {missing:?}, \
         not in the core {extra:?}"
    );
    for code in ErrorCode::ALL.iter().filter(|c| c.is_client_side()) {
        assert!(!in_spec.contains(code.as_str()), "client-side {code} must not be in the spec");
    }
}

#[test]
fn each_code_documents_its_http_status_and_retryability() {
    let spec = spec();
    let schema = &spec["components"]["schemas"]["ErrorCode"];
    let statuses = schema["x-status"].as_mapping().expect("ErrorCode has an x-status map");

    let documented: BTreeMap<String, u64> = statuses
        .iter()
        .map(|(code, status)| {
            let code = code.as_str().expect("x-status keys are codes").to_owned();
            let status = status.as_u64().unwrap_or_else(|| panic!("x-status of {code}"));
            (code, status)
        })
        .collect();
    assert_eq!(documented.len(), statuses.len(), "x-status has duplicate codes");

    let expected: BTreeMap<String, u64> = server_codes()
        .iter()
        .map(|c| (c.as_str().to_owned(), u64::from(c.http_status().unwrap())))
        .collect();
    assert_eq!(documented, expected, "x-status must match ErrorCode::http_status()");

    let retryable = unique(&str_list(&schema["x-retryable"], "x-retryable"), "x-retryable");
    let expected: BTreeSet<String> =
        server_codes().iter().filter(|c| c.is_retryable()).map(|c| c.as_str().to_owned()).collect();
    assert_eq!(retryable, expected, "x-retryable must match ErrorCode::is_retryable()");
}

#[test]
fn platform_enum_is_exactly_the_core_platforms() {
    let spec = spec();
    let schemas = &spec["components"]["schemas"];
    let in_spec = str_list(&schemas["Platform"]["enum"], "Platform.enum");
    let in_core: Vec<String> = Platform::ALL.iter().map(|p| p.as_str().to_owned()).collect();
    assert_eq!(unique(&in_spec, "Platform.enum"), unique(&in_core, "Platform::ALL"));

    // The per-platform option map and the rules table name the same platforms.
    let options: BTreeSet<String> = schemas["PlatformOptions"]["properties"]
        .as_mapping()
        .expect("PlatformOptions.properties")
        .keys()
        .map(|k| k.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(options, unique(&in_core, "Platform::ALL"), "PlatformOptions properties");
    let rules = str_list(
        &schemas["PlatformRulesTable"]["properties"]["platforms"]["required"],
        "PlatformRulesTable.platforms.required",
    );
    assert_eq!(unique(&rules, "rules"), unique(&in_core, "Platform::ALL"), "rules table keys");
}

/// Every error response is a shared one, lists only codes answered with its status, carries the
/// headers every response carries, and 429/503 carry `Retry-After`.
#[test]
fn error_responses_agree_with_the_codes_statuses() {
    let spec = spec();
    let statuses: BTreeMap<String, u64> = spec["components"]["schemas"]["ErrorCode"]["x-status"]
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.as_str().unwrap().to_owned(), v.as_u64().unwrap()))
        .collect();
    let mut codes_seen = BTreeSet::new();
    let mut operations = 0;

    for (path, item) in spec["paths"].as_mapping().expect("paths") {
        let path = path.as_str().unwrap();
        for (method, op) in item.as_mapping().unwrap() {
            let method = method.as_str().unwrap();
            let Some(responses) = op.get("responses").and_then(Value::as_mapping) else {
                continue;
            };
            operations += 1;
            for (status, response) in responses {
                let status = status.as_str().unwrap_or_else(|| {
                    panic!("{method} {path}: quote status {status:?} in the YAML")
                });
                let where_ = format!("{method} {path} {status}");
                let numeric: u64 = status.parse().unwrap_or_else(|_| panic!("{where_}: status"));
                let body = resolve(&spec, response);
                let headers = body["headers"].as_mapping().unwrap_or_else(|| {
                    panic!("{where_}: no headers (X-Request-Id, X-RateLimit-*)")
                });
                for header in [
                    "X-Request-Id",
                    "X-RateLimit-Limit",
                    "X-RateLimit-Remaining",
                    "X-RateLimit-Reset",
                ] {
                    assert!(headers.contains_key(header), "{where_}: missing header {header}");
                }
                if numeric == 429 || numeric == 503 {
                    let retry = resolve(&spec, &body["headers"]["Retry-After"]);
                    assert_eq!(
                        retry["required"].as_bool(),
                        Some(true),
                        "{where_}: Retry-After must be required"
                    );
                }
                if numeric < 400 {
                    continue;
                }
                assert!(
                    response.get("$ref").is_some(),
                    "{where_}: error responses use components/responses"
                );
                let schema = &body["content"]["application/json"]["schema"];
                let parts = schema["allOf"].as_sequence().unwrap_or_else(|| {
                    panic!("{where_}: schema is allOf [ErrorBody, code subset]")
                });
                assert_eq!(
                    parts[0]["$ref"].as_str(),
                    Some("#/components/schemas/ErrorBody"),
                    "{where_}"
                );
                let codes = str_list(
                    &parts[1]["properties"]["error"]["properties"]["code"]["enum"],
                    &where_,
                );
                for code in codes {
                    let documented = statuses
                        .get(&code)
                        .unwrap_or_else(|| panic!("{where_}: {code} is not an ErrorCode"));
                    assert_eq!(
                        *documented, numeric,
                        "{where_}: {code} is answered with {documented}"
                    );
                    codes_seen.insert(code);
                }
            }
        }
    }
    assert!(operations >= 20, "only {operations} operations found");

    // Every server code but PLATFORM_ERROR (reported on post results) is some endpoint's answer.
    let unused: Vec<_> = statuses
        .keys()
        .filter(|c| !codes_seen.contains(*c) && c.as_str() != "PLATFORM_ERROR")
        .collect();
    assert!(unused.is_empty(), "codes no endpoint answers with: {unused:?}");
}
