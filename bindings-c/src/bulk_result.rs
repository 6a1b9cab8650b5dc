//! `aether_bulk_result` and `aether_bulk_row_result`: creating posts from a CSV file
//! (POST /v1/posts/bulk) and reading the answer row by row.

use std::ffi::{c_char, CString};

use aether::model::{BulkResult, BulkRow, BulkRowResult};
use aether::posts::BulkSource;
use aether::RequestOptions;

use crate::client::{aether_client, block_on, client_arg, non_empty};
use crate::error::aether_error;
use crate::ffi::{borrowed_str, boundary, cstring, field, free_raw, getter, into_raw};
use crate::ffi::{opt_cstring, opt_str_arg, out_arg, str_arg, write_json, Res};
use crate::post::aether_post;
use crate::status::aether_status;

/// The answer of aether_posts_bulk_file() or aether_posts_bulk_rows_json(): totals and one
/// result per data row. Immutable: read it from any thread. Free it with
/// aether_bulk_result_free(); the rows, posts and strings it lends live as long as it does.
pub struct aether_bulk_result {
    result: BulkResult,
    rows: Vec<aether_bulk_row_result>,
}

/// One data row's outcome. Borrowed from its aether_bulk_result: valid until the result is
/// freed; never free it.
pub struct aether_bulk_row_result {
    row: u32,
    line: u64,
    ok: bool,
    post: Option<aether_post>,
    error_code: Option<CString>,
    error_message: Option<CString>,
    error_field: Option<CString>,
}

impl aether_bulk_row_result {
    fn new(result: &BulkRowResult) -> aether_bulk_row_result {
        let error = result.error.as_ref();
        aether_bulk_row_result {
            row: result.row,
            line: result.line,
            ok: result.ok,
            post: result.post.clone().map(aether_post::new),
            error_code: error.map(|e| cstring(e.code.as_str())),
            error_message: error.map(|e| cstring(&e.message)),
            error_field: opt_cstring(error.and_then(|e| e.field.as_deref())),
        }
    }
}

fn send(
    client: *const aether_client,
    source: impl FnOnce() -> Res<BulkSource>,
    dry_run: bool,
    idempotency_key: *const c_char,
    out_result: *mut *mut aether_bulk_result,
) -> Res<()> {
    let client = client_arg(client)?;
    let source = source()?;
    // SAFETY: NULL or a NUL-terminated string valid for the call.
    let key = unsafe { opt_str_arg(idempotency_key, "idempotency_key") }?;
    let out = out_arg(out_result, "out_result")?;
    let mut options = RequestOptions::new();
    if let Some(key) = key {
        options = options.idempotency_key(key);
    }
    let posts = client.posts().with_options(options);
    let result = block_on(posts.bulk(source, dry_run))?;
    let rows = result.results.iter().map(aether_bulk_row_result::new).collect();
    out.write(into_raw(aether_bulk_result { result, rows }));
    Ok(())
}

/// Creates a post from every row of the CSV file at `path` (UTF-8, a header row; columns
/// text, profileIds, scheduledFor, timezone, mediaUrls, mediaKeys, title, platforms), each as
/// aether_post_create() would, independently. With `dry_run` every row is checked and nothing
/// is created. Blocks until the server answers; on success writes the answer to
/// `*out_result` (a row that failed is a success of the call: read each row's ok and error).
/// One idempotency key covers the whole call, so a retry creates nothing twice:
/// `idempotency_key` (1-255 visible ASCII characters) makes it safe to repeat across process
/// restarts; NULL: one is generated. Over 5 MiB or 1,000 data rows: AETHER_ERROR_INVALID_ARGUMENT before anything is sent; a
/// file the server cannot read as CSV (a quote never closed, a wrong field count, an unknown
/// column): AETHER_ERROR_BULK_INVALID, whose aether_error_to_json() has "details.line".
#[no_mangle]
pub extern "C" fn aether_posts_bulk_file(
    client: *const aether_client,
    path: *const c_char,
    dry_run: bool,
    idempotency_key: *const c_char,
    out_result: *mut *mut aether_bulk_result,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let source = || {
            // SAFETY: a NUL-terminated string valid for the call.
            let path = non_empty(unsafe { str_arg(path, "path") }?, "path")?;
            Ok(BulkSource::File(path.into()))
        };
        send(client, source, dry_run, idempotency_key, out_result)
    })
}

/// As aether_posts_bulk_file(), with the rows given as a JSON array of objects
/// ([{"text": "...", "profileIds": ["..."], "scheduledFor": "...", "title": "..."}, ...], the
/// keys of the CSV's columns; list columns are arrays, platforms an object), which the library
/// writes as CSV. An unknown key: AETHER_ERROR_INVALID_ARGUMENT naming it.
#[no_mangle]
pub extern "C" fn aether_posts_bulk_rows_json(
    client: *const aether_client,
    rows_json: *const c_char,
    dry_run: bool,
    idempotency_key: *const c_char,
    out_result: *mut *mut aether_bulk_result,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let source = || {
            // SAFETY: a NUL-terminated string valid for the call.
            let json = unsafe { str_arg(rows_json, "rows_json") }?;
            let rows: Vec<BulkRow> = serde_json::from_str(json).map_err(|e| {
                aether::Error::invalid_argument(format!("rows_json is not an array of rows: {e}"))
            })?;
            Ok(BulkSource::Rows(rows))
        };
        send(client, source, dry_run, idempotency_key, out_result)
    })
}

/// Frees a bulk result and everything it lends. NULL is ignored.
#[no_mangle]
pub extern "C" fn aether_bulk_result_free(result: *mut aether_bulk_result) {
    // SAFETY: NULL or a result from this library, not used afterwards.
    getter((), || unsafe { free_raw(result) })
}

/// Whether this was a dry run (nothing created). False when `result` is NULL.
#[no_mangle]
pub extern "C" fn aether_bulk_result_dry_run(result: *const aether_bulk_result) -> bool {
    field(result, false, |r| r.result.dry_run)
}

/// Data rows in the file; 0 when `result` is NULL.
#[no_mangle]
pub extern "C" fn aether_bulk_result_total(result: *const aether_bulk_result) -> u32 {
    field(result, 0, |r| r.result.total)
}

/// Rows created (0 in a dry run); 0 when `result` is NULL.
#[no_mangle]
pub extern "C" fn aether_bulk_result_created(result: *const aether_bulk_result) -> u32 {
    field(result, 0, |r| r.result.created)
}

/// Rows that failed (in a dry run: that would fail); 0 when `result` is NULL.
#[no_mangle]
pub extern "C" fn aether_bulk_result_failed(result: *const aether_bulk_result) -> u32 {
    field(result, 0, |r| r.result.failed)
}

/// How many row results there are (one per data row); 0 when `result` is NULL.
#[no_mangle]
pub extern "C" fn aether_bulk_result_row_count(result: *const aether_bulk_result) -> usize {
    field(result, 0, |r| r.rows.len())
}

/// The row result at `index` (0-based, file order), or NULL when out of range. Borrowed:
/// valid until the result is freed; never free it.
#[no_mangle]
pub extern "C" fn aether_bulk_result_row(
    result: *const aether_bulk_result,
    index: usize,
) -> *const aether_bulk_row_result {
    field(result, std::ptr::null(), |r| {
        r.rows.get(index).map_or(std::ptr::null(), |row| row as *const aether_bulk_row_result)
    })
}

/// The whole answer as JSON ({"dryRun", "total", "created", "failed", "results": [...]}, each
/// result with its warnings). On success writes an owned string to `*out_json`: free it with
/// aether_string_free().
#[no_mangle]
pub extern "C" fn aether_bulk_result_to_json(
    result: *const aether_bulk_result,
    out_json: *mut *mut c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        // SAFETY: NULL or a live result, by the header's conventions.
        let result = unsafe { crate::ffi::ref_arg(result, "result") }?;
        write_json(&result.result, out_json)
    })
}

/// The data row's number, from 1 (the header and empty rows are not counted); 0 when `row` is
/// NULL.
#[no_mangle]
pub extern "C" fn aether_bulk_row_result_row(row: *const aether_bulk_row_result) -> u32 {
    field(row, 0, |r| r.row)
}

/// The physical line of the file where the row starts (a quoted cell may span lines); 0 when
/// `row` is NULL.
#[no_mangle]
pub extern "C" fn aether_bulk_row_result_line(row: *const aether_bulk_row_result) -> u64 {
    field(row, 0, |r| r.line)
}

/// Whether the row was created (in a dry run: is valid). False when `row` is NULL.
#[no_mangle]
pub extern "C" fn aether_bulk_row_result_ok(row: *const aether_bulk_row_result) -> bool {
    field(row, false, |r| r.ok)
}

/// The post the row created, or NULL (a dry run, a failed row). Borrowed from the bulk
/// result: valid until it is freed; never free it.
#[no_mangle]
pub extern "C" fn aether_bulk_row_result_post(
    row: *const aether_bulk_row_result,
) -> *const aether_post {
    field(row, std::ptr::null(), |r| {
        r.post.as_ref().map_or(std::ptr::null(), |p| p as *const aether_post)
    })
}

/// The id of the post the row created, or NULL. Borrowed like aether_bulk_row_result_post().
#[no_mangle]
pub extern "C" fn aether_bulk_row_result_post_id(
    row: *const aether_bulk_row_result,
) -> *const c_char {
    field(row, std::ptr::null(), |r| {
        r.post.as_ref().map_or(std::ptr::null(), |p| crate::post::aether_post_id(p))
    })
}

/// Why the row failed: its error code ("NOT_FOUND", "CAPTION_TOO_LONG", ...), or NULL when it
/// did not. Borrowed like aether_bulk_row_result_post().
#[no_mangle]
pub extern "C" fn aether_bulk_row_result_error_code(
    row: *const aether_bulk_row_result,
) -> *const c_char {
    borrowed_str(row, |r| r.error_code.as_deref())
}

/// The failed row's error message, or NULL. Borrowed like aether_bulk_row_result_post().
#[no_mangle]
pub extern "C" fn aether_bulk_row_result_error_message(
    row: *const aether_bulk_row_result,
) -> *const c_char {
    borrowed_str(row, |r| r.error_message.as_deref())
}

/// The failed row's field at fault ("profileIds[0]", "platforms"), or NULL. Borrowed like
/// aether_bulk_row_result_post().
#[no_mangle]
pub extern "C" fn aether_bulk_row_result_error_field(
    row: *const aether_bulk_row_result,
) -> *const c_char {
    borrowed_str(row, |r| r.error_field.as_deref())
}
