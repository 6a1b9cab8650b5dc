//! `POST /v1/posts/bulk`: a CSV file of posts (PROTOCOL.md, second edition, "Bulk"), each row
//! created through the same path as `POST /v1/posts` ([`super::create_post`]), independently.
//!
//! Choices where PROTOCOL.md is silent (the spec states them):
//! - Parts: `file` (required) and `dryRun` (`true` or `false`); any other part is 400
//!   `INVALID_REQUEST` naming it.
//! - The file as a whole is judged first, and any fault refuses it all with 400 `BULK_INVALID`
//!   (`details.line` where it has a line): not UTF-8, no header row, a header naming an unknown
//!   column (`details.unknown`, `details.allowed`), a repeated or missing `text` column, a quoted
//!   field never closed, a row whose field count differs from the header's, more than
//!   1,000 data rows (`details.limit`). Over 5 MiB is 413 `FILE_TOO_LARGE` (`details.limit`).
//! - Empty rows (a blank line, or every cell empty) are skipped and not counted in `row`.
//! - Empty cells are absent fields. `profileIds`, `mediaUrls` and `mediaKeys` split on commas
//!   (spaces around an item trimmed); `platforms` is a JSON object (a cell that is not JSON
//!   fails that row with `INVALID_REQUEST`, field `platforms`).
//! - A dry run runs every check of the create path (the quota included, though rows of one
//!   file do not use it up between them) and stores nothing; `created` is 0 and `post` absent.

use aether::model::{BULK_COLUMNS, BULK_MAX_BYTES, BULK_MAX_ROWS};
use aether::ErrorCode;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::routing::{post, MethodRouter};
use axum::Json;
use serde_json::{json, Map, Value};

use crate::api_error::{ApiError, ApiResult};
use crate::resources::idempotency::idempotent;
use crate::state::SharedState;

/// Largest request body: the file's limit and room for the multipart framing and `dryRun`.
pub const BULK_MAX_BODY: usize = crate::resources::idempotency::MULTIPART_MAX_BODY;

/// The route, under an idempotency key like every create.
pub fn route() -> MethodRouter<SharedState> {
    idempotent(post(bulk)).layer(DefaultBodyLimit::max(BULK_MAX_BODY))
}

/// One data row: its number, the line it starts on, and its non-empty cells by column.
#[derive(Debug)]
struct Row {
    row: u32,
    line: u64,
    cells: Vec<(&'static str, String)>,
}

async fn bulk(State(state): State<SharedState>, request: Request) -> ApiResult<Json<Value>> {
    let (file, dry_run) = read_parts(request).await?;
    let rows = parse(&file)?;
    let mut results = Vec::with_capacity(rows.len());
    let (mut created, mut failed) = (0u32, 0u32);
    for row in rows {
        let outcome = row_body(&row).and_then(|body| super::create_post(&state, body, dry_run));
        let mut result = json!({ "row": row.row, "line": row.line });
        match outcome {
            Ok(post) => {
                result["ok"] = Value::Bool(true);
                if let Some(post) = post {
                    created += 1;
                    let post = serde_json::to_value(&post).unwrap_or(Value::Null);
                    // Warnings ride on the post when the create path gives any.
                    if let Some(warnings) = post.get("warnings").filter(|w| !w.is_null()) {
                        result["warnings"] = warnings.clone();
                    }
                    result["post"] = post;
                }
            }
            Err(error) => {
                failed += 1;
                result["ok"] = Value::Bool(false);
                result["error"] = row_error(&error);
            }
        }
        results.push(result);
    }
    Ok(Json(json!({
        "dryRun": dry_run,
        "total": results.len(),
        "created": created,
        "failed": failed,
        "results": results,
    })))
}

fn row_error(error: &ApiError) -> Value {
    let mut body = Map::new();
    body.insert("code".into(), Value::from(error.code.as_str()));
    body.insert("message".into(), Value::from(error.message.clone()));
    if let Some(field) = &error.field {
        body.insert("field".into(), Value::from(field.clone()));
    }
    if let Some(platform) = &error.platform {
        body.insert("platform".into(), Value::from(platform.clone()));
    }
    if let Some(details) = &error.details {
        body.insert("details".into(), details.clone());
    }
    Value::Object(body)
}

fn too_large(size: usize) -> ApiError {
    ApiError::new(
        ErrorCode::FileTooLarge,
        format!(
            "the CSV file is over the 5 MiB limit ({BULK_MAX_BYTES} bytes); got at least {size} \
             bytes: split it into several files"
        ),
    )
    .field("file")
    .details(json!({ "limit": BULK_MAX_BYTES, "size": size }))
}

/// The `file` part's bytes and the `dryRun` flag.
async fn read_parts(request: Request) -> ApiResult<(Vec<u8>, bool)> {
    let mut multipart = Multipart::from_request(request, &()).await.map_err(|e| {
        ApiError::invalid(
            "body",
            format!(
                "the body must be multipart/form-data with a `file` part (the CSV) and an \
                 optional `dryRun` part: {e}"
            ),
        )
    })?;
    let mut file: Option<Vec<u8>> = None;
    let mut dry_run = false;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or("").to_owned();
        match name.as_str() {
            "file" => {
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    bytes.extend_from_slice(&chunk);
                    if bytes.len() as u64 > BULK_MAX_BYTES {
                        return Err(too_large(bytes.len()));
                    }
                }
                file = Some(bytes);
            }
            "dryRun" => {
                let value = field.text().await.map_err(multipart_error)?;
                dry_run = match value.trim() {
                    "true" => true,
                    "false" | "" => false,
                    other => {
                        return Err(ApiError::invalid(
                            "dryRun",
                            format!("dryRun must be true or false; got {other:?}"),
                        ))
                    }
                };
            }
            other => {
                return Err(ApiError::invalid(
                    other,
                    format!("unknown part {other:?}; allowed: file, dryRun"),
                ))
            }
        }
    }
    let file = file.ok_or_else(|| {
        ApiError::invalid("file", "the `file` part (the CSV, with a header row) is required")
    })?;
    Ok((file, dry_run))
}

fn multipart_error(error: axum::extract::multipart::MultipartError) -> ApiError {
    if error.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        return too_large(BULK_MAX_BODY);
    }
    ApiError::invalid("body", format!("the multipart body cannot be read: {}", error.body_text()))
}

fn invalid(line: Option<u64>, message: String) -> ApiError {
    let error = ApiError::new(ErrorCode::BulkInvalid, message);
    match line {
        Some(line) => error.details(json!({ "line": line })),
        None => error,
    }
}

/// The file's data rows, or the first fault that makes the file unreadable as a whole.
fn parse(bytes: &[u8]) -> ApiResult<Vec<Row>> {
    // A BOM is allowed (spreadsheets write one); it is not part of the first column's name.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // `flexible`: field counts are checked below, after the quoting, so that a quote never
    // closed is reported as such rather than as a short row.
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut records = Vec::new();
    // Lines are counted here from the bytes: the crate's count lags by one after a CRLF (the
    // LF is read as the start of the next record).
    let (mut counted_to, mut line) = (0usize, 1u64);
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(csv::Position::line);
            let at = line.map(|l| format!("line {l}: ")).unwrap_or_default();
            invalid(line, format!("{at}the file is not valid UTF-8 CSV ({e}); save it as UTF-8"))
        })?;
        let mut position = record.position().cloned().unwrap_or_else(csv::Position::new);
        let mut start = (position.byte() as usize).min(bytes.len());
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        line += bytes[counted_to..start].iter().filter(|b| **b == b'\n').count() as u64;
        counted_to = start;
        position.set_byte(start as u64).set_line(line);
        records.push((position, record));
    }
    // A record's raw text holds an even number of quotes under RFC 4180 (each quoted field
    // opens and closes, and a quote inside is doubled); an odd count means one never closed.
    for (index, (position, _)) in records.iter().enumerate() {
        let start = position.byte() as usize;
        let end = records.get(index + 1).map_or(bytes.len(), |(p, _)| p.byte() as usize);
        let quotes = bytes[start.min(end)..end].iter().filter(|b| **b == b'"').count();
        if quotes % 2 == 1 {
            return Err(invalid(
                Some(position.line()),
                format!(
                    "line {}: a quoted field is never closed (RFC 4180: a field in quotes ends \
                     with a quote, and a quote inside it is written twice: \"say \"\"hi\"\"\")",
                    position.line()
                ),
            ));
        }
    }
    let mut records = records.into_iter();
    let Some((_, header)) = records.next() else {
        return Err(invalid(
            None,
            format!(
                "the file is empty; its first line must be a header row naming the columns ({})",
                BULK_COLUMNS.join(", ")
            ),
        ));
    };
    let columns = header_columns(&header)?;
    let mut rows = Vec::new();
    for (position, record) in records {
        let line = position.line();
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if record.len() != columns.len() {
            return Err(invalid(
                Some(line),
                format!(
                    "line {line}: the row has {} fields but the header has {}; quote a cell that \
                     contains a comma",
                    record.len(),
                    columns.len()
                ),
            ));
        }
        if rows.len() == BULK_MAX_ROWS {
            return Err(invalid(
                Some(line),
                format!(
                    "the file has more than {BULK_MAX_ROWS} data rows (the limit); the first \
                     over it starts on line {line}: split the file"
                ),
            )
            .details(json!({ "line": line, "limit": BULK_MAX_ROWS })));
        }
        let cells = columns
            .iter()
            .zip(record.iter())
            .filter(|(_, cell)| !cell.trim().is_empty())
            .map(|(column, cell)| (*column, cell.to_owned()))
            .collect();
        rows.push(Row { row: rows.len() as u32 + 1, line, cells });
    }
    Ok(rows)
}

/// The header's columns, each a known one, `text` among them, none twice.
fn header_columns(header: &csv::StringRecord) -> ApiResult<Vec<&'static str>> {
    let allowed = BULK_COLUMNS.join(", ");
    let names: Vec<&str> = header.iter().map(str::trim).collect();
    let unknown: Vec<&str> =
        names.iter().copied().filter(|name| !BULK_COLUMNS.contains(name)).collect();
    if !unknown.is_empty() {
        return Err(invalid(
            Some(1),
            format!(
                "unknown column{} {}; the columns are {allowed}",
                if unknown.len() == 1 { "" } else { "s" },
                unknown.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ")
            ),
        )
        .details(json!({ "line": 1, "unknown": unknown, "allowed": BULK_COLUMNS })));
    }
    let mut columns: Vec<&'static str> = Vec::new();
    for name in names {
        let column = BULK_COLUMNS.iter().copied().find(|c| *c == name).unwrap_or("text");
        if columns.contains(&column) {
            return Err(invalid(Some(1), format!("the column {column:?} appears twice")));
        }
        columns.push(column);
    }
    if !columns.contains(&"text") {
        return Err(invalid(
            Some(1),
            format!("the header has no `text` column (required); the columns are {allowed}"),
        ));
    }
    Ok(columns)
}

/// The row as a `POST /v1/posts` body, in the shape the create path takes.
fn row_body(row: &Row) -> ApiResult<Value> {
    let mut body = Map::new();
    let mut content = Map::new();
    content.insert("text".into(), Value::from(""));
    let list = |cell: &str| -> Value {
        cell.split(',').map(str::trim).filter(|item| !item.is_empty()).collect::<Vec<_>>().into()
    };
    for (column, cell) in &row.cells {
        match *column {
            "text" => {
                content.insert("text".into(), Value::from(cell.clone()));
            }
            "title" => {
                content.insert("title".into(), Value::from(cell.clone()));
            }
            "profileIds" | "mediaUrls" | "mediaKeys" => {
                body.insert((*column).into(), list(cell));
            }
            "platforms" => {
                let platforms: Value = serde_json::from_str(cell).map_err(|e| {
                    ApiError::invalid(
                        "platforms",
                        format!(
                            "the platforms cell must be a JSON object such as \
                             {{\"tiktok\": {{\"privacyLevel\": \"PUBLIC_TO_EVERYONE\"}}}}: {e}"
                        ),
                    )
                })?;
                body.insert("platforms".into(), platforms);
            }
            other => {
                body.insert(other.into(), Value::from(cell.trim()));
            }
        }
    }
    body.insert("content".into(), Value::Object(content));
    Ok(Value::Object(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(csv: &str) -> Vec<(u32, u64)> {
        parse(csv.as_bytes()).unwrap().iter().map(|r| (r.row, r.line)).collect()
    }

    fn fault(csv: &str) -> ApiError {
        parse(csv.as_bytes()).unwrap_err()
    }

    #[test]
    fn rows_and_lines_differ_with_embedded_newlines_and_empty_rows() {
        let csv = "text,profileIds\n\"two\nlines\",p1\n\n,\nthird,\"p1,p2\"\n";
        assert_eq!(lines(csv), [(1, 2), (2, 6)]);
        let rows = parse(csv.as_bytes()).unwrap();
        assert_eq!(rows[0].cells[0].1, "two\nlines");
        assert_eq!(row_body(&rows[1]).unwrap()["profileIds"], json!(["p1", "p2"]));
    }

    #[test]
    fn bom_and_crlf_are_read() {
        let rows = parse(b"\xEF\xBB\xBFtext,title\r\nhi,\"a, b\"\r\n").unwrap();
        assert_eq!(row_body(&rows[0]).unwrap()["content"], json!({"text": "hi", "title": "a, b"}));
    }

    #[test]
    fn a_quote_never_closed_names_its_line() {
        let error = fault("text,profileIds\nok,p1\n\"open,p1\nmore,p2\n");
        assert_eq!(error.code, ErrorCode::BulkInvalid);
        assert_eq!(error.details.unwrap()["line"], 3);
    }

    #[test]
    fn a_wrong_field_count_names_its_line() {
        let error = fault("text,profileIds\nok,p1\na,b,c\n");
        assert_eq!(error.details.unwrap()["line"], 3);
        assert!(error.message.contains("3 fields"), "{}", error.message);
    }

    #[test]
    fn unknown_and_missing_columns_are_named() {
        let error = fault("text,profileId,colour\nhi,p,red\n");
        assert!(error.message.contains("\"profileId\", \"colour\""), "{}", error.message);
        let error = fault("title,profileIds\nhi,p\n");
        assert!(error.message.contains("no `text` column"), "{}", error.message);
    }

    #[test]
    fn more_than_the_row_limit_is_refused() {
        let mut csv = String::from("text\n");
        for i in 0..=BULK_MAX_ROWS {
            csv.push_str(&format!("post {i}\n"));
        }
        let error = fault(&csv);
        assert_eq!(error.details.unwrap()["limit"], BULK_MAX_ROWS);
        csv.truncate(csv.trim_end().rfind('\n').unwrap() + 1);
        assert_eq!(parse(csv.as_bytes()).unwrap().len(), BULK_MAX_ROWS);
    }
}
