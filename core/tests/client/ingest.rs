//! Media by URL (`client.media().ingest`, `UploadSource::Url`) against the emulator and its
//! loopback file server: the server's fetch and every way it fails, as `wait_ready` reports it,
//! and the preflight that reads only a few KiB with range requests.

use std::time::Duration;

use crate::client_common::Emulator;
use aether::media::MediaWaitOptions;
use aether::model::{MediaStatus, Platform};
use aether::upload::{UploadOptions, UploadSource, URL_MAX_PROBE_BYTES};
use aether::{Client, Error, ErrorCode};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(crate::client_common::media_fixture(name)).expect("fixture")
}

fn wait() -> MediaWaitOptions {
    MediaWaitOptions::default().poll_interval(Duration::from_millis(20))
}

/// Serves `fixture` as `name` and returns its URL.
async fn serve(e: &Emulator, name: &str, fixture_name: &str, free_box: Option<u32>) -> String {
    let file = e.admin.put_file(name, fixture(fixture_name), Some("video/mp4"), free_box).await;
    file.expect("the file is served").url
}

/// Ingests `url` and waits; returns the wait's error.
async fn failure(client: &Client, url: &str) -> Error {
    let media = client.media().ingest(url, UploadOptions::new()).await.expect("accepted");
    assert_eq!(media.status, MediaStatus::Processing);
    assert_eq!(media.source_url.as_deref(), Some(url));
    let error = client.media().wait_ready(&media.media_key, wait()).await.expect_err("it fails");
    assert_eq!(*error.code(), ErrorCode::MediaFetchFailed, "{error}");
    error
}

fn reason(error: &Error) -> (String, Option<u64>) {
    let details = error.details().expect("details");
    (details["reason"].as_str().unwrap_or("").to_owned(), details["httpStatus"].as_u64())
}

#[tokio::test]
async fn a_url_is_ingested_and_verified() {
    let e = Emulator::start().await;
    let client = e.client();
    let url = serve(&e, "clip.mp4", "h264_aac_moov_at_end.mp4", None).await;
    let media = client.media().ingest(&url, UploadOptions::new()).await.unwrap();
    assert_eq!(
        (media.status.clone(), media.file_name.as_str()),
        (MediaStatus::Processing, "clip.mp4")
    );
    let ready = client.media().wait_ready(&media.media_key, wait()).await.unwrap();
    assert_eq!(ready.size, fixture("h264_aac_moov_at_end.mp4").len() as u64);
    assert_eq!(ready.source_url.as_deref(), Some(url.as_str()));
    assert!(ready.duration_ms.is_some_and(|ms| ms > 0));
    // The same through upload() with a URL source, redirected twice, with a declared name.
    let options = UploadOptions::new().file_name("renamed.mp4");
    let redirected = format!("{url}?redirects=2");
    let media = client.media().upload(UploadSource::url(&redirected), options).await.unwrap();
    assert_eq!(media.file_name, "renamed.mp4");
    let ready = client.media().wait_ready(&media.media_key, wait()).await.unwrap();
    assert_eq!(ready.status, MediaStatus::Ready);
    assert_eq!(e.journal_for("POST", "/v1/media/ingest").await.len(), 2);
}

#[tokio::test]
async fn every_failed_fetch_is_a_typed_error_naming_the_url_and_why() {
    let e = Emulator::start().await;
    e.settings(serde_json::json!({ "ingestTimeoutMs": 300 })).await;
    let client = e.client();
    let url = serve(&e, "clip.mp4", "h264_15s.mp4", None).await;
    let cases = [
        (format!("{url}.gone?X-Signature=s3cr3t"), "not_found", Some(404)),
        (format!("{url}?status=500"), "http_error", Some(500)),
        (format!("{url}?stallMs=5000"), "timeout", None),
        (format!("{url}?declaredSize=300000000000"), "too_large", Some(200)),
        (format!("{url}?contentType=application/json"), "not_media", Some(200)),
        (format!("{url}?redirectLoop=true"), "redirect_loop", Some(302)),
    ];
    for (bad, expected, status) in cases {
        let error = failure(&client, &bad).await;
        assert_eq!(reason(&error), (expected.to_owned(), status), "{bad}: {error}");
        let message = error.message();
        assert!(
            message.contains("/mock-files/clip.mp4") && message.contains(expected),
            "{message}"
        );
        assert!(message.contains("could not be fetched"), "{message}");
        assert!(!format!("{error} {:?}", error.details()).contains("s3cr3t"), "{error}");
    }
}

#[tokio::test]
async fn a_host_other_than_loopback_is_refused_at_once() {
    let e = Emulator::start().await;
    let client = e.client();
    let url = "https://cdn.example.com/launch.mp4?X-Signature=abc";
    let error = client.media().ingest(url, UploadOptions::new()).await.unwrap_err();
    assert_eq!((error.code(), error.status()), (&ErrorCode::MediaFetchFailed, Some(422)));
    assert_eq!(error.field(), Some("url"));
    assert_eq!(reason(&error).0, "refused_host");
    assert!(error.message().contains("loopback") && !error.message().contains("abc"));
    // Not an http(s) URL: refused before anything is sent.
    let error = client.media().ingest("ftp://127.0.0.1/x.mp4", UploadOptions::new()).await;
    assert_eq!(*error.unwrap_err().code(), ErrorCode::InvalidArgument);
    assert_eq!(e.journal_for("POST", "/v1/media/ingest").await.len(), 1);
}

#[tokio::test]
async fn the_preflight_reads_a_few_kib_with_range_requests() {
    let e = Emulator::start().await;
    let client = e.client();
    // A 14.9 s video padded to 8 MB: too short for TikTok, found from a few KiB.
    let url = serve(&e, "short.mp4", "h264_14.9s.mp4", Some(8_000_000)).await;
    let options = UploadOptions::new().platform(Platform::Tiktok);
    let error = client.media().ingest(&url, options).await.unwrap_err();
    assert_eq!(*error.code(), ErrorCode::VideoTooShort, "{error}");
    assert_eq!((error.status(), error.field()), (None, Some("url")));
    assert_eq!(error.details().unwrap()["measured"], 14900);
    assert!(e.journal_for("POST", "/v1/media/ingest").await.is_empty(), "nothing was sent");
    let stats = e.admin.file_stats("short.mp4").await.unwrap();
    assert!(stats.size > 8_000_000);
    assert!(stats.range_requests >= 1 && stats.range_requests == stats.requests, "{stats:?}");
    assert!(stats.bytes_served <= 64 * 1024, "read {} bytes", stats.bytes_served);

    // The moov at the end of the file is found by reading the tail: a valid video passes.
    let url = serve(&e, "ok.mp4", "h264_aac_moov_at_end.mp4", Some(4_000_000)).await;
    let options = UploadOptions::new().platform(Platform::Tiktok);
    let media = client.media().ingest(&url, options).await.unwrap();
    assert_eq!(media.status, MediaStatus::Processing);
    let stats = e.admin.file_stats("ok.mp4").await.unwrap();
    // The preflight's ranges, then the server's one whole fetch.
    assert!(stats.range_requests >= 2, "{stats:?}");
    client.media().wait_ready(&media.media_key, wait()).await.unwrap();
}

#[tokio::test]
async fn a_server_that_ignores_ranges_is_read_up_to_a_bounded_prefix() {
    let e = Emulator::start().await;
    let client = e.client();
    // Small: the whole file fits in the prefix, so the preflight still judges it.
    let url = serve(&e, "short.mp4", "h264_14.9s.mp4", None).await;
    let options = UploadOptions::new().platform(Platform::Tiktok);
    let error = client.media().ingest(format!("{url}?ignoreRange=true"), options).await;
    assert_eq!(*error.unwrap_err().code(), ErrorCode::VideoTooShort);
    // Large, with the facts past the prefix: not judged here, the server checks it.
    let url = serve(&e, "big.mp4", "h264_14.9s.mp4", Some(12_000_000)).await;
    let options = UploadOptions::new().platform(Platform::Tiktok);
    let media = client.media().ingest(format!("{url}?ignoreRange=true"), options).await.unwrap();
    let stats = e.admin.file_stats("big.mp4").await.unwrap();
    // One request by the preflight (its prefix), one by the server; no range was honoured.
    assert_eq!((stats.requests, stats.range_requests), (2, 0), "{stats:?}");
    assert!(URL_MAX_PROBE_BYTES < stats.size);
    let ready = client.media().wait_ready(&media.media_key, wait()).await;
    // The server verifies it; TikTok's rule is for posts, so the media itself is ready.
    assert_eq!(ready.unwrap().status, MediaStatus::Ready);
}
