//! The SDK's side of `POST /v1/posts/bulk`: the row count that enforces the 1,000-row limit
//! before a file travels (over arbitrary bytes), and the CSV the SDK writes from rows (over
//! arbitrary rows). A panic, an overflow or a broken promise is a crash:
//! - counting never panics and never finds more rows than the text has lines;
//! - rows are either refused with `INVALID_ARGUMENT` (an empty list, an item that is empty or
//!   holds a comma, a `platforms` that is not an object) or written as CSV that the `csv`
//!   crate reads back to the same cells, with a header that starts with `text`, and that the
//!   count finds exactly the non-blank rows of.
//!
//! Input layout: `mode`, then for mode 0 the file's bytes; for mode 1 the rows, separated by
//! `\n`, each row's fields separated by `\t` (text, profileIds, scheduledFor, timezone,
//! mediaUrls, mediaKeys, title, platforms), list fields split on `|`.
#![no_main]

use aether::model::BulkRow;
use aether::posts::bulk_csv_fuzzing::{count_rows, write_rows};
use aether::ErrorCode;
use libfuzzer_sys::fuzz_target;

fn list(field: Option<&str>) -> Vec<String> {
    match field {
        None | Some("") => Vec::new(),
        Some(text) => text.split('|').map(str::to_owned).collect(),
    }
}

fn optional(field: Option<&str>) -> Option<String> {
    field.filter(|f| !f.is_empty()).map(str::to_owned)
}

fn row(line: &str) -> BulkRow {
    let mut fields = line.split('\t');
    BulkRow {
        text: fields.next().unwrap_or_default().to_owned(),
        profile_ids: list(fields.next()),
        scheduled_for: optional(fields.next()),
        timezone: optional(fields.next()),
        media_urls: list(fields.next()),
        media_keys: list(fields.next()),
        title: optional(fields.next()),
        platforms: fields.next().and_then(|f| serde_json::from_str(f).ok()),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    if mode % 2 == 0 {
        let lines = rest.iter().filter(|&&b| b == b'\n' || b == b'\r').count() + 1;
        assert!(count_rows(rest) <= lines);
        return;
    }
    let text = String::from_utf8_lossy(rest);
    let rows: Vec<BulkRow> = text.split('\n').map(row).collect();
    let csv = match write_rows(&rows) {
        Ok(csv) => csv,
        Err(error) => {
            assert_eq!(error.code(), &ErrorCode::InvalidArgument, "{error}");
            assert!(!error.message().is_empty());
            return;
        }
    };
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(&csv[..]);
    let header = reader.headers().expect("a header row").clone();
    assert_eq!(header.get(0), Some("text"));
    let records: Vec<csv::StringRecord> =
        reader.records().map(|r| r.expect("the SDK's CSV reads back")).collect();
    assert_eq!(records.len(), rows.len(), "one record per row");
    for (record, row) in records.iter().zip(&rows) {
        assert_eq!(record.get(0), Some(row.text.as_str()));
        if let Some(i) = header.iter().position(|h| h == "profileIds") {
            assert_eq!(record.get(i), Some(row.profile_ids.join(",").as_str()));
        }
    }
    let blank = |r: &csv::StringRecord| r.iter().all(|c| c.trim_ascii().is_empty());
    assert_eq!(count_rows(&csv), records.iter().filter(|r| !blank(r)).count());
});
