//! `posts().bulk(..)` against the emulator: a file from disk and rows written by the core, the
//! CSV edge cases end to end, the limits checked before sending, the server's BULK_INVALID, and
//! one idempotency key for the whole call across a retry.

use std::path::PathBuf;

use crate::client_common::Emulator;
use aether::model::{BulkRow, ListPostsQuery};
use aether::posts::BulkSource;
use aether::ErrorCode;
use futures_util::TryStreamExt;
use serde_json::json;

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

async fn post_count(client: &aether::Client) -> usize {
    let posts: Vec<_> = client.posts().list(ListPostsQuery::default()).try_collect().await.unwrap();
    posts.len()
}

#[tokio::test]
async fn a_file_with_quoting_newlines_bom_crlf_and_empty_rows_creates_each_row() {
    let emulator = Emulator::start().await;
    let client = emulator.client();
    let li = emulator.profile("linkedin").await;
    let th = emulator.profile("threads").await;
    let dir = tempfile::tempdir().unwrap();
    let csv = format!(
        "\u{feff}text,profileIds\r\n\"a, b\",{li}\r\n\r\n\"two\nlines\",\"{li},{th}\"\r\nnobody,li_x\r\n"
    );
    let path = write(&dir, "posts.csv", csv.as_bytes());

    let result = client.posts().bulk(path.as_path(), false).await.unwrap();
    assert!(!result.dry_run);
    assert_eq!((result.total, result.created, result.failed), (3, 2, 1));
    let lines: Vec<(u32, u64, bool)> =
        result.results.iter().map(|r| (r.row, r.line, r.ok)).collect();
    assert_eq!(lines, [(1, 2, true), (2, 4, true), (3, 6, false)]);
    let post = result.results[1].post.as_ref().unwrap();
    assert_eq!(post.content.text, "two\nlines");
    assert_eq!(post.profile_ids, [li, th]);
    assert_eq!(result.results[2].error.as_ref().unwrap().code, ErrorCode::NotFound);
    assert_eq!(post_count(&client).await, 2);
}

#[tokio::test]
async fn a_file_whose_name_has_quotes_and_a_line_break_is_sent_whole() {
    // The name goes into the multipart part's header: a quote or a line break in it must not
    // end the header early and cut the request.
    let emulator = Emulator::start().await;
    let client = emulator.client();
    let li = emulator.profile("linkedin").await;
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "my \"posts\"\r\nnext.csv",
        format!("text,profileIds\nhello,{li}\n").as_bytes(),
    );

    let result = client.posts().bulk(path.as_path(), false).await.unwrap();
    assert_eq!((result.total, result.created, result.failed), (1, 1, 0));
    assert_eq!(result.results[0].post.as_ref().unwrap().content.text, "hello");
}

#[tokio::test]
async fn rows_are_written_as_csv_and_a_dry_run_creates_nothing() {
    let emulator = Emulator::start().await;
    let client = emulator.client();
    let li = emulator.profile("linkedin").await;
    let mut quoted = BulkRow::new("say \"hi\", then\na new line", &[&li]);
    quoted.title = Some("T, with comma".into());
    let rows = vec![quoted, BulkRow::new("plain", &[&li])];

    let dry = client.posts().bulk(rows.clone(), true).await.unwrap();
    assert!(dry.dry_run);
    assert_eq!((dry.total, dry.created, dry.failed), (2, 0, 0));
    assert!(dry.results.iter().all(|r| r.ok && r.post.is_none()));
    assert_eq!(post_count(&client).await, 0);

    let result = client.posts().bulk(rows, false).await.unwrap();
    assert_eq!(result.created, 2);
    let post = result.results[0].post.as_ref().unwrap();
    assert_eq!(post.content.text, "say \"hi\", then\na new line");
    assert_eq!(post.content.title.as_deref(), Some("T, with comma"));
    assert_eq!(result.results[1].line, 4, "row 1's text spans lines 2-3");
}

#[tokio::test]
async fn the_limits_are_checked_before_anything_is_sent() {
    let emulator = Emulator::start().await;
    let client = emulator.client();
    let dir = tempfile::tempdir().unwrap();

    let mut csv = String::from("text,profileIds\n");
    for i in 0..1_001 {
        csv.push_str(&format!("post {i},li_x\n"));
    }
    let path = write(&dir, "many.csv", csv.as_bytes());
    let error = client.posts().bulk(path, false).await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::InvalidArgument);
    assert!(error.message().contains("1001 data rows") && error.message().contains("1000"));

    let rows = vec![BulkRow::new("x", &["li_x"]); 1_001];
    let error = client.posts().bulk(rows, false).await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::InvalidArgument);
    assert!(error.message().contains("1000"), "{}", error.message());

    let path = write(&dir, "big.csv", &vec![b'a'; 5 * 1024 * 1024 + 1]);
    let error = client.posts().bulk(path, false).await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::InvalidArgument);
    assert!(error.message().contains("5 MiB"), "{}", error.message());

    let error = client.posts().bulk(vec![BulkRow::new("x", &["a,b"])], false).await.unwrap_err();
    assert!(error.message().contains("rows[0].profileIds[0]"), "{}", error.message());

    let error = client.posts().bulk(dir.path().join("missing.csv"), false).await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::IoError);
    assert!(emulator.journal_for("POST", "/v1/posts/bulk").await.is_empty(), "nothing sent");
}

#[tokio::test]
async fn a_malformed_file_is_bulk_invalid_with_its_line() {
    let emulator = Emulator::start().await;
    let client = emulator.client();
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[u8], Option<u64>); 4] = [
        (b"text,profileIds\nok,p\n\"never closed,p\nmore,p\n", Some(3)),
        (b"text,profileIds\nok,p\nx,y,z\n", Some(3)),
        (b"text,profileIds,colour\nok,p,red\n", Some(1)),
        (b"profileIds\np\n", Some(1)),
    ];
    for (csv, line) in cases {
        let path = write(&dir, "bad.csv", csv);
        let error = client.posts().bulk(path, false).await.unwrap_err();
        assert_eq!(error.code(), &ErrorCode::BulkInvalid, "{error}");
        assert_eq!(error.status(), Some(400));
        let details = error.details().cloned().unwrap_or_default();
        assert_eq!(details["line"].as_u64(), line, "{error}");
    }
}

#[tokio::test]
async fn a_retry_after_a_lost_answer_replays_the_first_and_creates_nothing_twice() {
    let emulator = Emulator::start().await;
    let client = emulator.client();
    let li = emulator.profile("linkedin").await;
    emulator
        .fault(json!({"method": "POST", "path": "/v1/posts/bulk", "times": 1,
                      "action": {"type": "reset_after_body"}}))
        .await;
    let rows = vec![BulkRow::new("one", &[&li]), BulkRow::new("two", &[&li])];
    let result = client.posts().bulk(BulkSource::Rows(rows), false).await.unwrap();
    assert_eq!(result.created, 2);
    let attempts = emulator.journal_for("POST", "/v1/posts/bulk").await;
    assert_eq!(attempts.len(), 2, "{attempts:?}");
    let keys: Vec<_> = attempts.iter().map(|a| a["idempotencyKey"].clone()).collect();
    assert_eq!(keys[0], keys[1], "one key for every attempt: {attempts:?}");
    assert_eq!(attempts[1]["replayed"], true, "{attempts:?}");
    assert_eq!(post_count(&client).await, 2);
}
