//! `POST /v1/posts/bulk` over real HTTP: CSV edge cases (quoting, embedded newlines, BOM,
//! CRLF, empty rows), independent rows, dry runs, the file's limits and faults, and one
//! idempotency key for the whole file.

use crate::common::{assert_error, send, TestServer};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// Sends `csv` as the `file` part (with `dryRun` when asked, under `key` when given).
async fn bulk(
    ts: &TestServer,
    csv: &[u8],
    dry_run: bool,
    key: Option<&str>,
) -> (StatusCode, Value) {
    let mut form = Form::new().part("file", Part::bytes(csv.to_vec()).file_name("posts.csv"));
    if dry_run {
        form = form.text("dryRun", "true");
    }
    let mut request = ts.api(Method::POST, "/v1/posts/bulk").multipart(form);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    send(request).await
}

async fn post_count(ts: &TestServer) -> usize {
    let (_, page) = ts.get("/v1/posts?limit=100").await;
    page["data"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn quoting_newlines_bom_crlf_and_empty_rows_give_rows_and_their_lines() {
    let ts = TestServer::start().await;
    let li = ts.profile("linkedin", "standard").await;
    let th = ts.profile("threads", "standard").await;
    let csv = format!(
        "\u{feff}text,profileIds,title\r\n\
         \"Hello, world\",{li},\r\n\
         \r\n\
         \"Two\r\nlines with \"\"quotes\"\"\",\"{li}, {th}\",\r\n\
         ,,\r\n\
         last,{th},\r\n"
    );
    let (status, body) = bulk(&ts, csv.as_bytes(), false, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["total"].as_u64(), body["created"].as_u64()), (Some(3), Some(3)), "{body}");
    let rows: Vec<(u64, u64)> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["row"].as_u64().unwrap(), r["line"].as_u64().unwrap()))
        .collect();
    // Line 3 is blank and line 6 all empty cells: skipped; row 2 spans lines 4-5.
    assert_eq!(rows, [(1, 2), (2, 4), (3, 7)]);
    let results = &body["results"];
    assert_eq!(results[0]["post"]["content"]["text"], "Hello, world");
    assert_eq!(results[1]["post"]["content"]["text"], "Two\r\nlines with \"quotes\"");
    assert_eq!(results[1]["post"]["profileIds"], serde_json::json!([li, th]));
    assert_eq!(post_count(&ts).await, 3);
}

#[tokio::test]
async fn a_bad_row_fails_alone_with_the_code_create_would_answer() {
    let ts = TestServer::start().await;
    let li = ts.profile("linkedin", "standard").await;
    let csv = format!(
        "text,profileIds,platforms\n\
         good,{li},\n\
         nobody,li_nobody,\n\
         {long},{li},\n\
         bad json,{li},{{nope\n\
         also good,{li},\"{{\"\"linkedin\"\": {{}}}}\"\n",
        long = "x".repeat(3001)
    );
    let (status, body) = bulk(&ts, csv.as_bytes(), false, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["created"].as_u64(), body["failed"].as_u64()), (Some(2), Some(3)), "{body}");
    let results = &body["results"];
    assert_eq!(results[1]["ok"], false);
    assert_eq!(results[1]["error"]["code"], "NOT_FOUND");
    assert!(results[1].get("post").is_none(), "{body}");
    assert_eq!(results[2]["error"]["code"], "CAPTION_TOO_LONG");
    assert_eq!(results[2]["error"]["platform"], "linkedin");
    assert_eq!(results[3]["error"]["code"], "INVALID_REQUEST");
    assert_eq!(results[3]["error"]["field"], "platforms");
    assert_eq!(results[4]["ok"], true, "{body}");
    assert_eq!(post_count(&ts).await, 2);
}

#[tokio::test]
async fn a_dry_run_checks_every_row_and_creates_nothing() {
    let ts = TestServer::start().await;
    let li = ts.profile("linkedin", "standard").await;
    let csv = format!("text,profileIds\nfine,{li}\nnobody,li_nobody\n");
    let (status, body) = bulk(&ts, csv.as_bytes(), true, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["dryRun"], true);
    assert_eq!((body["created"].as_u64(), body["failed"].as_u64()), (Some(0), Some(1)));
    assert_eq!(body["results"][0]["ok"], true);
    assert!(body["results"][0].get("post").is_none(), "{body}");
    assert_eq!(body["results"][1]["error"]["code"], "NOT_FOUND");
    assert_eq!(post_count(&ts).await, 0);
}

#[tokio::test]
async fn a_file_that_cannot_be_read_is_refused_naming_the_line_or_the_columns() {
    let ts = TestServer::start().await;
    let cases: [(&str, Option<u64>, &str); 5] = [
        ("text,profileIds\nok,p\n\"open,p\nmore,p\n", Some(3), "never closed"),
        ("text,profileIds\nok,p\na,b,c\n", Some(3), "3 fields"),
        ("text,profileId,colour\nx,p,red\n", Some(1), "\"profileId\", \"colour\""),
        ("title,profileIds\nx,p\n", Some(1), "no `text` column"),
        ("", None, "header row"),
    ];
    for (csv, line, says) in cases {
        let (status, body) = bulk(&ts, csv.as_bytes(), false, None).await;
        let error = assert_error(status, &body, 400, "BULK_INVALID");
        assert_eq!(error["details"]["line"].as_u64(), line, "{csv:?}: {body}");
        assert!(error["message"].as_str().unwrap().contains(says), "{csv:?}: {body}");
    }
    let (status, body) = bulk(&ts, b"text\n\xff\xfe\n", false, None).await;
    assert_error(status, &body, 400, "BULK_INVALID");
    assert_eq!(post_count(&ts).await, 0);
}

#[tokio::test]
async fn the_row_and_size_limits_are_named() {
    let ts = TestServer::start().await;
    let mut csv = String::from("text\n");
    for i in 0..1_001 {
        csv.push_str(&format!("post {i}\n"));
    }
    let (status, body) = bulk(&ts, csv.as_bytes(), false, None).await;
    let error = assert_error(status, &body, 400, "BULK_INVALID");
    assert_eq!(error["details"]["limit"], 1000);
    assert!(error["message"].as_str().unwrap().contains("1000"), "{body}");

    let big = vec![b'a'; 5 * 1024 * 1024 + 1];
    for key in [None, Some("big-file")] {
        let (status, body) = bulk(&ts, &big, false, key).await;
        let error = assert_error(status, &body, 413, "FILE_TOO_LARGE");
        assert!(error["message"].as_str().unwrap().contains("5 MiB"), "{key:?}: {body}");
    }
    assert_eq!(post_count(&ts).await, 0);
}

#[tokio::test]
async fn a_body_that_is_not_the_expected_multipart_is_an_invalid_request() {
    let ts = TestServer::start().await;
    let (status, body) = ts.post("/v1/posts/bulk", serde_json::json!({ "text": "x" })).await;
    assert_eq!(assert_error(status, &body, 400, "INVALID_REQUEST")["field"], "body");
    let form = Form::new().text("dryRun", "maybe").part("file", Part::bytes(b"text\nx\n".to_vec()));
    let (status, body) = send(ts.api(Method::POST, "/v1/posts/bulk").multipart(form)).await;
    assert_eq!(assert_error(status, &body, 400, "INVALID_REQUEST")["field"], "dryRun");
    let form = Form::new().text("csv", "text\nx\n");
    let (status, body) = send(ts.api(Method::POST, "/v1/posts/bulk").multipart(form)).await;
    assert_eq!(assert_error(status, &body, 400, "INVALID_REQUEST")["field"], "csv");
    let form = Form::new().text("dryRun", "true");
    let (status, body) = send(ts.api(Method::POST, "/v1/posts/bulk").multipart(form)).await;
    assert_eq!(assert_error(status, &body, 400, "INVALID_REQUEST")["field"], "file");
}

#[tokio::test]
async fn one_key_covers_the_file_whatever_the_boundary() {
    let ts = TestServer::start().await;
    let li = ts.profile("linkedin", "standard").await;
    let csv = format!("text,profileIds\none,{li}\ntwo,{li}\n");
    // Each reqwest form draws its own boundary, as a client's retry does.
    let (status, first) = bulk(&ts, csv.as_bytes(), false, Some("bulk-1")).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (status, again) = bulk(&ts, csv.as_bytes(), false, Some("bulk-1")).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(first, again);
    assert_eq!(post_count(&ts).await, 2);

    let other = format!("text,profileIds\nthree,{li}\n");
    let (status, body) = bulk(&ts, other.as_bytes(), false, Some("bulk-1")).await;
    assert_error(status, &body, 409, "IDEMPOTENCY_KEY_REUSED");
    assert_eq!(post_count(&ts).await, 2);
}

#[tokio::test]
async fn rows_take_every_post_shape_with_warnings_and_url_media_errors() {
    let ts = TestServer::start().await;
    let li = ts.profile("linkedin", "standard").await;
    // Row 1: an offset in scheduledFor beside a zone whose offset differs (the offset wins,
    // with a warning); row 2: media by URL on a host the emulator never fetches.
    // A month ahead, on the hour, in UTC (New York is never at +00:00).
    let month_ahead = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 30);
    let at = month_ahead.strftime("%Y-%m-%dT%H:00:00Z").to_string();
    let csv = format!(
        "text,profileIds,scheduledFor,timezone,mediaUrls\n\
         Launch,{li},{at},America/New_York,\n\
         Photo,{li},,,https://cdn.example.com/a.jpg\n"
    );
    let (status, body) = bulk(&ts, csv.as_bytes(), false, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let results = &body["results"];
    assert_eq!(results[0]["ok"], true, "{body}");
    let publish_at = results[0]["post"]["publishAt"].as_str().unwrap_or("");
    assert!(publish_at.starts_with(&at[..19]), "{body}");
    assert_eq!(results[0]["warnings"][0]["code"], "TIMEZONE_IGNORED", "{body}");
    assert_eq!(results[1]["ok"], false, "{body}");
    assert_eq!(results[1]["error"]["code"], "MEDIA_FETCH_FAILED", "{body}");
    assert!(results[1]["error"]["field"].as_str().unwrap_or("").starts_with("mediaUrls"), "{body}");
}
