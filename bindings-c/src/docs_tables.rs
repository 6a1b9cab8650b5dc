//! The documentation's generated tables (`scripts/docs` runs this test): the error codes with
//! their HTTP status, family, retry decision, C value and meaning, and the platform rules, both
//! read from the core's own data (`ErrorCode::ALL`, the rules table) and this crate's C
//! numbers, so the book never drifts from the code. It lives here because only this crate
//! knows the C values; it writes Markdown into `target/docs-gen/` (or `$AETHER_DOCS_GEN_DIR`),
//! which the book includes.

use std::fmt::Write as _;
use std::path::PathBuf;

use aether::platforms::{RulesDocument, ALL_RULES};
use aether::ErrorCode;
use serde_json::Value;

use crate::status::status_of;

fn out_dir() -> PathBuf {
    match std::env::var_os("AETHER_DOCS_GEN_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/docs-gen"),
    }
}

/// A table cell: rustdoc links become plain code, and `|` cannot end the cell.
fn cell(text: &str) -> String {
    text.replace("[`", "`").replace("`]", "`").replace('|', "\\|")
}

fn error_codes() -> String {
    let mut out = String::from(
        "| code | HTTP | family (Python/Node class) | retried | C (`AETHER_ERROR_` + code) | meaning |\n\
         |---|---|---|---|---|---|\n",
    );
    for code in ErrorCode::ALL {
        let status = code.http_status().map_or("client side".to_owned(), |s| s.to_string());
        let retried = if code.is_retryable() { "yes" } else { "no" };
        let c_value = status_of(code) as i32;
        writeln!(
            out,
            "| `{}` | {} | `{}` | {} | {} | {} |",
            code.as_str(),
            status,
            code.family().class_name(),
            retried,
            c_value,
            cell(&code.description()),
        )
        .unwrap();
    }
    out
}

fn list(value: &Value) -> String {
    match value {
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(", "),
        other => text(other),
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) if n.as_u64().is_some_and(|n| n >= 1_000) => {
            let digits = n.to_string();
            let mut grouped = String::new();
            for (i, digit) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i) % 3 == 0 {
                    grouped.push(',');
                }
                grouped.push(digit);
            }
            grouped
        }
        Value::Null => "—".to_owned(),
        other => other.to_string(),
    }
}

fn seconds(ms: &Value) -> String {
    let ms = ms.as_u64().unwrap_or(0);
    match ms {
        ms if ms.is_multiple_of(3_600_000) => format!("{} h", ms / 3_600_000),
        ms if ms.is_multiple_of(60_000) && ms >= 60_000 => format!("{} min", ms / 60_000),
        ms if ms.is_multiple_of(1_000) => format!("{} s", ms / 1_000),
        ms => format!("{ms} ms"),
    }
}

fn range(duration: &Value) -> String {
    format!("{}–{}", seconds(&duration["minMs"]), seconds(&duration["maxMs"]))
}

fn bytes(value: &Value) -> String {
    let n = value.as_u64().unwrap_or(0);
    if n.is_multiple_of(1_000_000_000) {
        format!("{} GB", n / 1_000_000_000)
    } else {
        format!("{} MB", n / 1_000_000)
    }
}

fn media(rules: &Value) -> String {
    let media = &rules["media"];
    let layouts: Vec<String> = media["layouts"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|layout| {
            let count = if layout["min"] == layout["max"] {
                text(&layout["min"])
            } else {
                format!("{}–{}", text(&layout["min"]), text(&layout["max"]))
            };
            format!(
                "{} ({} {})",
                text(&layout["name"]),
                count,
                list(&layout["kinds"]).replace(", ", " or ")
            )
        })
        .collect();
    let required = if media["required"] == Value::Bool(true) { "required" } else { "optional" };
    format!("{required}: {}", layouts.join("; "))
}

/// How a length is counted, in words (the wire names are long single words that stretch the
/// table); an unknown one as it is.
fn counting(value: &Value) -> String {
    match value.as_str() {
        Some("utf16CodeUnits") => "UTF-16 units".to_owned(),
        Some("codePoints") => "code points".to_owned(),
        Some("codePointsEmojiAsUtf8Bytes") => "code points, emoji as UTF-8 bytes".to_owned(),
        Some("utf8Bytes") => "UTF-8 bytes".to_owned(),
        _ => text(value),
    }
}

fn video_duration(video: &Value) -> String {
    let mut parts = vec![range(&video["duration"])];
    for key in ["durationByTier", "durationByContentType"] {
        if let Some(map) = video[key].as_object() {
            for (name, duration) in map {
                parts.push(format!("{name} {}", range(duration)));
            }
        }
    }
    parts.join("; ")
}

fn options(rules: &Value) -> String {
    let Some(map) = rules["options"].as_object().filter(|map| !map.is_empty()) else {
        return "—".to_owned();
    };
    map.iter()
        .map(|(name, rule)| {
            let mut line = format!("`{name}` ({})", text(&rule["type"]));
            if let Some(values) = rule["values"].as_array() {
                line.push_str(&format!(": {}", list(&Value::Array(values.clone()))));
            }
            if !rule["default"].is_null() {
                line.push_str(&format!(", default {}", text(&rule["default"])));
            }
            if rule["required"] == Value::Bool(true) {
                line.push_str(", required");
            }
            line
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn platform_rules() -> String {
    // ALL_RULES is in PLATFORMS.md's column order (the document's map is alphabetical).
    let platforms: Vec<Value> =
        ALL_RULES.iter().map(|rules| serde_json::to_value(rules).unwrap()).collect();
    let mut out = format!("Rules table version `{}`.\n\n", RulesDocument::builtin().version);
    type Row = (&'static str, fn(&Value) -> String);
    let rows: [Row; 12] = [
        ("media", media),
        ("text max (counted in)", |r| {
            let t = &r["text"];
            format!("{} {} ({})", text(&t["name"]), text(&t["max"]), counting(&t["counting"]))
        }),
        ("title", |r| match &r["title"] {
            Value::Null => "—".to_owned(),
            t => format!(
                "{}≤ {} ({}){}",
                if t["required"] == Value::Bool(true) { "required, " } else { "" },
                text(&t["max"]),
                counting(&t["counting"]),
                match t["forbiddenChars"].as_array() {
                    Some(chars) if !chars.is_empty() =>
                        format!(", not {}", list(&t["forbiddenChars"])),
                    _ => String::new(),
                }
            ),
        }),
        ("hashtags max", |r| {
            let h = &r["hashtags"];
            match (&h["max"], &h["recommended"]) {
                (Value::Null, Value::Null) => "—".to_owned(),
                (max, Value::Null) => text(max),
                (max, rec) => format!(
                    "{} ({}–{} recommended: a warning)",
                    if max.is_null() { "none".to_owned() } else { text(max) },
                    text(&rec["min"]),
                    text(&rec["max"])
                ),
            }
        }),
        ("mentions max", |r| text(&r["mentions"]["max"])),
        ("video containers", |r| list(&r["video"]["containers"])),
        ("video codecs", |r| list(&r["video"]["codecs"])),
        ("video duration", |r| {
            if r["video"].is_null() {
                "—".to_owned()
            } else {
                video_duration(&r["video"])
            }
        }),
        ("video max size", |r| {
            if r["video"].is_null() {
                "—".to_owned()
            } else {
                bytes(&r["video"]["maxBytes"])
            }
        }),
        ("images", |r| match &r["image"] {
            Value::Null => "not supported".to_owned(),
            i => format!("{} ≤ {}", list(&i["formats"]), bytes(&i["maxBytes"])),
        }),
        ("posts per day per profile", |r| text(&r["dailyPosts"])),
        ("schedule horizon", |r| format!("{} days", text(&r["scheduleHorizonDays"]))),
    ];
    out.push_str("| |");
    for rules in &platforms {
        write!(out, " {} |", text(&rules["platform"])).unwrap();
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(platforms.len()));
    out.push('\n');
    for (label, render) in &rows {
        write!(out, "| {label} |").unwrap();
        for rules in &platforms {
            write!(out, " {} |", cell(&render(rules))).unwrap();
        }
        out.push('\n');
    }
    // The options are long lists: a table of their own, a row per platform.
    out.push_str("\nThe options each platform takes under `platforms.<platform>`:\n\n");
    out.push_str("| platform | options |\n|---|---|\n");
    for rules in &platforms {
        writeln!(out, "| {} | {} |", text(&rules["platform"]), cell(&options(rules))).unwrap();
    }
    out
}

#[test]
fn write_docs_tables() {
    let dir = out_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let errors = error_codes();
    // Every code is in the table, and a code with no doc comment would leave its cell empty.
    assert_eq!(errors.lines().count(), ErrorCode::ALL.len() + 2);
    assert!(!errors.contains("|  |"), "an error code without a description:\n{errors}");
    std::fs::write(dir.join("error-codes.md"), errors).unwrap();
    let rules = platform_rules();
    assert!(rules.contains(" tiktok |"), "{rules}");
    std::fs::write(dir.join("platform-rules.md"), rules).unwrap();
}
