//! `posts().bulk(..)`: a CSV file (or rows the SDK writes as one) sent to `POST /v1/posts/bulk`
//! as `multipart/form-data`, under one idempotency key for the whole call.
//!
//! The limits (5 MiB, 1,000 data rows) are checked here before anything is sent, with the
//! server's figures, so a file that cannot pass never travels. A file is read once into memory
//! (it is at most 5 MiB, checked from its metadata before reading): the buffer is shared, not
//! copied, by every attempt, so a retry resends the same bytes.

use std::path::{Path, PathBuf};

use bytes::Bytes;

use crate::error::{Error, Result};
use crate::model::{BulkRow, BULK_COLUMNS, BULK_MAX_BYTES, BULK_MAX_ROWS};
use crate::transport::FormPart;

/// What to send: a CSV file on disk, or rows to write as one.
#[derive(Debug, Clone, PartialEq)]
pub enum BulkSource {
    /// A CSV file (UTF-8, a header row; see `POST /v1/posts/bulk`).
    File(PathBuf),
    /// Rows, written as CSV by the SDK.
    Rows(Vec<BulkRow>),
}

impl From<PathBuf> for BulkSource {
    fn from(path: PathBuf) -> BulkSource {
        BulkSource::File(path)
    }
}

impl From<&Path> for BulkSource {
    fn from(path: &Path) -> BulkSource {
        BulkSource::File(path.to_owned())
    }
}

impl From<Vec<BulkRow>> for BulkSource {
    fn from(rows: Vec<BulkRow>) -> BulkSource {
        BulkSource::Rows(rows)
    }
}

/// The multipart parts of a bulk call, after the client-side checks.
pub(crate) async fn parts(source: BulkSource, dry_run: bool) -> Result<Vec<FormPart>> {
    let (csv, file_name) = match source {
        BulkSource::File(path) => (read_file(&path).await?, file_name(&path)),
        BulkSource::Rows(rows) => (write_rows(&rows)?, "rows.csv".to_owned()),
    };
    let rows = count_rows(&csv);
    if rows > BULK_MAX_ROWS {
        return Err(Error::invalid_argument(format!(
            "the CSV has {rows} data rows, over the limit of {BULK_MAX_ROWS} rows per bulk \
             request: split it into several files"
        )));
    }
    let mut parts = vec![FormPart::file("file", csv, &file_name, "text/csv")];
    if dry_run {
        parts.push(FormPart::text("dryRun", "true"));
    }
    Ok(parts)
}

fn too_large(what: &str, size: u64) -> Error {
    Error::invalid_argument(format!(
        "{what} is {size} bytes, over the 5 MiB limit ({BULK_MAX_BYTES} bytes) of a bulk \
         request: split it into several files"
    ))
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(|| "posts.csv".to_owned(), |n| n.to_string_lossy().into_owned())
}

async fn read_file(path: &Path) -> Result<Bytes> {
    let shown = path.display();
    let metadata = tokio::fs::metadata(path)
        .await
        .map_err(|e| Error::io(format!("cannot read the CSV file {shown}"), e))?;
    if !metadata.is_file() {
        return Err(Error::invalid_argument(format!("{shown} is not a file")));
    }
    if metadata.len() > BULK_MAX_BYTES {
        return Err(too_large(&format!("the CSV file {shown}"), metadata.len()));
    }
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|e| Error::io(format!("cannot read the CSV file {shown}"), e))?;
    // It may have grown since the metadata was read.
    if bytes.len() as u64 > BULK_MAX_BYTES {
        return Err(too_large(&format!("the CSV file {shown}"), bytes.len() as u64));
    }
    Ok(Bytes::from(bytes))
}

/// Data rows that are not empty, as the server counts them. A file the `csv` crate cannot read
/// is counted as far as it goes: the server judges it and says where it is malformed.
fn count_rows(csv: &[u8]) -> usize {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(csv);
    reader
        .byte_records()
        .map_while(std::result::Result::ok)
        .filter(|record| record.iter().any(|cell| !cell.trim_ascii().is_empty()))
        .count()
}

/// The rows as CSV: a header of `text` and every column some row uses, cells quoted where
/// needed by the `csv` crate.
fn write_rows(rows: &[BulkRow]) -> Result<Bytes> {
    if rows.is_empty() {
        return Err(Error::invalid_argument("no rows to send: give at least one row"));
    }
    if rows.len() > BULK_MAX_ROWS {
        return Err(Error::invalid_argument(format!(
            "{} rows given, over the limit of {BULK_MAX_ROWS} rows per bulk request: send them \
             in several calls",
            rows.len()
        )));
    }
    let mut table: Vec<Vec<String>> = Vec::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        table.push(cells(index, row)?);
    }
    let used: Vec<usize> = (0..BULK_COLUMNS.len())
        .filter(|&column| column == 0 || table.iter().any(|cells| !cells[column].is_empty()))
        .collect();
    let mut writer = csv::Writer::from_writer(Vec::new());
    let write_error = |e: csv::Error| Error::invalid_argument(format!("cannot write the CSV: {e}"));
    writer.write_record(used.iter().map(|&c| BULK_COLUMNS[c])).map_err(write_error)?;
    for cells in &table {
        writer.write_record(used.iter().map(|&c| cells[c].as_str())).map_err(write_error)?;
    }
    let csv = writer.into_inner().map_err(|e| write_error(e.into_error().into()))?;
    if csv.len() as u64 > BULK_MAX_BYTES {
        return Err(too_large("the CSV written from the rows", csv.len() as u64));
    }
    Ok(Bytes::from(csv))
}

/// The client-side CSV handling, for the fuzz target `fuzz/fuzz_targets/bulk_csv.rs`: not an API
/// (hidden from the docs; it may change at any time).
#[doc(hidden)]
pub mod fuzzing {
    use super::*;

    /// The data rows the limit check counts in `csv`.
    pub fn count_rows(csv: &[u8]) -> usize {
        super::count_rows(csv)
    }

    /// The CSV the SDK writes for `rows`, or why it cannot.
    pub fn write_rows(rows: &[BulkRow]) -> Result<Bytes> {
        super::write_rows(rows)
    }
}

/// A row's cells, in [`BULK_COLUMNS`] order.
fn cells(index: usize, row: &BulkRow) -> Result<Vec<String>> {
    let list = |name: &str, items: &[String]| -> Result<String> {
        for (i, item) in items.iter().enumerate() {
            if item.contains(',') || item.trim().is_empty() {
                return Err(Error::invalid_argument(format!(
                    "rows[{index}].{name}[{i}] is {item:?}: an item may be neither empty nor \
                     contain a comma (the CSV cell separates items with commas)"
                )));
            }
        }
        Ok(items.join(","))
    };
    let platforms = match &row.platforms {
        None => String::new(),
        Some(value) if value.is_object() => value.to_string(),
        Some(_) => {
            return Err(Error::invalid_argument(format!(
                "rows[{index}].platforms must be an object keyed by platform, e.g. \
                 {{\"tiktok\": {{\"privacyLevel\": \"PUBLIC_TO_EVERYONE\"}}}}"
            )))
        }
    };
    Ok(vec![
        row.text.clone(),
        list("profileIds", &row.profile_ids)?,
        row.scheduled_for.clone().unwrap_or_default(),
        row.timezone.clone().unwrap_or_default(),
        list("mediaUrls", &row.media_urls)?,
        list("mediaKeys", &row.media_keys)?,
        row.title.clone().unwrap_or_default(),
        platforms,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_written_with_only_the_columns_used_and_quoted() {
        let mut row = BulkRow::new("hello, \"world\"\nline two", &["p1", "p2"]);
        row.title = Some("t".into());
        let csv = write_rows(&[row, BulkRow::new("plain", &["p3"])]).unwrap();
        assert_eq!(
            std::str::from_utf8(&csv).unwrap(),
            "text,profileIds,title\n\"hello, \"\"world\"\"\nline two\",\"p1,p2\",t\nplain,p3,\n"
        );
    }

    #[test]
    fn an_id_with_a_comma_is_refused_naming_it() {
        let error = write_rows(&[BulkRow::new("x", &["a,b"])]).unwrap_err();
        assert!(error.message().contains("rows[0].profileIds[0]"), "{}", error.message());
    }

    #[test]
    fn empty_rows_are_not_counted() {
        assert_eq!(count_rows(b"text,title\na,b\n\n,\nc,d\n"), 2);
    }
}
