//! Reading a request body that a binding received as a dictionary (Node objects, Python dicts,
//! C JSON): unknown keys are refused with `INVALID_ARGUMENT` naming the key and the nearest
//! known name ("unknown field `platfroms` in posts.create params; did you mean `platforms`?"),
//! so a typo never silently drops what the caller meant. The suggestion logic lives here once.

use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use crate::error::Error;

/// Deserializes `value` as `T`; `what` names the parameters in messages (`posts.create params`).
/// A type with `deny_unknown_fields` gets the unknown key and a suggestion in the error.
pub fn from_json_value<T: DeserializeOwned>(what: &str, value: Value) -> Result<T, Error> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let message = error.inner().to_string();
        match parse_unknown_field(&message) {
            Some((name, known)) => {
                let refs: Vec<&str> = known.iter().map(String::as_str).collect();
                // The path ends with the unknown key itself; what comes before is where it was.
                let at = path.strip_suffix(name.as_str()).unwrap_or(&path).trim_end_matches('.');
                let at = if at.is_empty() || at == "." { None } else { Some(at) };
                unknown_field(what, at, &name, &refs)
            }
            None => {
                let at = if path.is_empty() || path == "." {
                    String::new()
                } else {
                    format!(" at {path}")
                };
                let error = Error::invalid_argument(format!("invalid {what}{at}: {message}"));
                if at.is_empty() {
                    error
                } else {
                    error.with_field(path)
                }
            }
        }
    })
}

/// The `INVALID_ARGUMENT` error for an unknown key `name` (found at `at`, a dotted path, or at
/// the top level), with the nearest of `known` as a suggestion when one is close enough.
pub fn unknown_field(what: &str, at: Option<&str>, name: &str, known: &[&str]) -> Error {
    let field = match at {
        Some(at) => format!("{at}.{name}"),
        None => name.to_owned(),
    };
    let place = at.map(|at| format!(" (in {at})")).unwrap_or_default();
    let suggestion = suggest(name, known);
    let message = match suggestion {
        Some(near) => format!("unknown field `{name}` in {what}{place}; did you mean `{near}`?"),
        None => {
            format!("unknown field `{name}` in {what}{place}; known fields: {}", known.join(", "))
        }
    };
    Error::invalid_argument(message).with_field(field.clone()).with_details(json!({
        "field": field,
        "unknown": name,
        "suggestion": suggestion,
        "known": known,
    }))
}

/// The known name nearest to `name` by edit distance (Damerau–Levenshtein, ignoring case), when
/// it is close enough to be a typo: at most 2 edits, or a third of the name's length.
pub fn suggest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    let lower = name.to_lowercase();
    let limit = (name.chars().count() / 3).max(2);
    known
        .iter()
        .map(|candidate| {
            (strsim::damerau_levenshtein(&lower, &candidate.to_lowercase()), *candidate)
        })
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// `(name, expected names)` from serde's "unknown field `x`, expected one of `a`, `b`".
fn parse_unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (name, rest) = rest.split_once('`')?;
    let known = rest.split('`').skip(1).step_by(2).map(str::to_owned).collect();
    Some((name.to_owned(), known))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_gets_the_nearest_name() {
        let known = ["profileId", "profileIds", "platforms", "mediaKeys", "scheduledFor"];
        assert_eq!(suggest("platfroms", &known), Some("platforms"));
        assert_eq!(suggest("mediaKey", &known), Some("mediaKeys"));
        assert_eq!(suggest("scheduledfor", &known), Some("scheduledFor"));
        assert_eq!(suggest("banana", &known), None);
    }

    #[test]
    fn serde_messages_are_read() {
        let (name, known) =
            parse_unknown_field("unknown field `x`, expected one of `a`, `bb`").unwrap();
        assert_eq!((name.as_str(), known), ("x", vec!["a".to_owned(), "bb".to_owned()]));
        let (_, known) = parse_unknown_field("unknown field `x`, expected `a` or `b`").unwrap();
        assert_eq!(known, ["a", "b"]);
    }
}
