//! JSON text in and out: the wire types travel as strings and are parsed on the other side
//! (`JSON.parse` in V8 is fast, and numbers stay numbers whatever their size).

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::invalid;

/// Parses an argument the wrapper serialized with `JSON.stringify`; a shape the core refuses is
/// `INVALID_ARGUMENT` naming `what`.
pub fn parse<T: DeserializeOwned>(what: &str, text: &str) -> napi::Result<T> {
    serde_json::from_str(text).map_err(|e| invalid(format!("invalid {what}: {e}")))
}

/// Serializes a result for `JSON.parse` on the JavaScript side.
pub fn text<T: Serialize>(value: &T) -> napi::Result<String> {
    serde_json::to_string(value)
        .map_err(|e| aether::Error::protocol(format!("could not serialize a result: {e}")))
        .map_err(crate::error::to_napi)
}
