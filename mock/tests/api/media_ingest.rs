//! Media by URL over real HTTP: `POST /v1/media/ingest` fetching from the emulator's own
//! loopback file server (`/_mock/files`, `/mock-files`), and every way a fetch fails.

use crate::common::{assert_error, enc, fixture, send, DataDirServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Stores a fixture on the file server and returns its description (with `url`).
async fn put_file(h: &DataDirServer, name: &str, fixture_name: &str, query: &str) -> Value {
    let bytes = std::fs::read(fixture(fixture_name)).expect("fixture");
    let request =
        h.ts.admin(Method::PUT, &format!("/_mock/files/{name}{query}"))
            .header("content-type", "video/mp4")
            .body(bytes);
    let (status, file) = send(request).await;
    assert_eq!(status, StatusCode::CREATED, "{file}");
    file
}

async fn ingest(h: &DataDirServer, body: Value) -> (StatusCode, Value) {
    h.ts.post("/v1/media/ingest", body).await
}

/// Ingests `url` and waits for the media to be verified or to fail.
async fn ingest_done(h: &DataDirServer, url: &str) -> Value {
    let (status, media) = ingest(h, json!({ "url": url })).await;
    assert_eq!(status, StatusCode::CREATED, "{media}");
    assert_eq!(media["status"], "processing");
    h.verified(media["mediaKey"].as_str().unwrap()).await
}

fn fetch_failure(media: &Value, reason: &str) -> Value {
    assert_eq!(media["status"], "failed", "{media}");
    assert_eq!(media["error"]["code"], "MEDIA_FETCH_FAILED", "{media}");
    assert_eq!(media["error"]["details"]["reason"], reason, "{media}");
    let message = media["error"]["message"].as_str().unwrap();
    assert!(message.contains("/mock-files/") && message.contains(reason), "{message}");
    media["error"]["details"].clone()
}

#[tokio::test]
async fn a_url_is_fetched_stored_and_verified_like_an_upload() {
    let h = DataDirServer::start().await;
    let file = put_file(&h, "clip.mp4", "h264_aac_moov_at_end.mp4", "").await;
    let url = file["url"].as_str().unwrap();
    assert!(url.starts_with("http://127.0.0.1:") && url.ends_with("/mock-files/clip.mp4"));
    let (status, media) = ingest(&h, json!({ "url": url })).await;
    assert_eq!(status, StatusCode::CREATED, "{media}");
    assert_eq!((&media["status"], &media["sourceUrl"]), (&json!("processing"), &json!(url)));
    assert_eq!(media["fileName"], "clip.mp4");
    let key = media["mediaKey"].as_str().unwrap();
    assert!(key.starts_with("org_mock/") && key.ends_with(".mp4"), "{key}");
    let done = h.verified(key).await;
    assert_eq!(done["status"], "ready", "{done}");
    let size = std::fs::metadata(fixture("h264_aac_moov_at_end.mp4")).unwrap().len();
    assert_eq!(done["size"], size);
    assert_eq!(done["crc32c"].as_str().map(str::len), Some(8), "{done}");
    assert!(done.get("sha256").is_none(), "no SHA-256 unless a client sent one: {done}");
    assert_eq!((&done["container"], &done["videoCodec"]), (&json!("mp4"), &json!("h264")));
    assert_eq!(done["sourceUrl"], url);
    // The stored copy is the emulator's: removing the source changes nothing.
    let (status, stats) = h.ts.admin_get("/_mock/files/clip.mp4").await;
    assert_eq!((status, &stats["requests"]), (StatusCode::OK, &json!(1)));
    let (_, again) = h.ts.get(&format!("/v1/media/{}", enc(key))).await;
    assert_eq!(again["status"], "ready");
}

#[tokio::test]
async fn declared_names_and_types_win_and_redirects_are_followed() {
    let h = DataDirServer::start().await;
    let file = put_file(&h, "x.bin", "h264_15s.mp4", "?contentType=application/octet-stream").await;
    let url = format!("{}?redirects=3", file["url"].as_str().unwrap());
    let body = json!({ "url": url, "fileName": "Holiday.MP4", "mimeType": "video/mp4" });
    let (status, media) = ingest(&h, body).await;
    assert_eq!(status, StatusCode::CREATED, "{media}");
    assert_eq!(
        (&media["fileName"], &media["mimeType"]),
        (&json!("Holiday.MP4"), &json!("video/mp4"))
    );
    let done = h.verified(media["mediaKey"].as_str().unwrap()).await;
    assert_eq!((&done["status"], &done["durationMs"]), (&json!("ready"), &json!(15000)), "{done}");
}

#[tokio::test]
async fn a_missing_file_fails_with_not_found_and_its_status() {
    let h = DataDirServer::start().await;
    let url = h.ts.url("/mock-files/nothing-here.mp4?X-Signature=s3cr3t");
    let media = ingest_done(&h, &url).await;
    let details = fetch_failure(&media, "not_found");
    assert_eq!(details["httpStatus"], 404);
    assert!(details["url"].as_str().unwrap().ends_with("/mock-files/nothing-here.mp4?…"));
    assert!(!media["error"].to_string().contains("s3cr3t"), "the signature leaked: {media}");
}

#[tokio::test]
async fn server_errors_wrong_types_huge_files_and_loops_fail_with_their_reason() {
    let h = DataDirServer::start().await;
    let file = put_file(&h, "clip.mp4", "h264_15s.mp4", "").await;
    let base = file["url"].as_str().unwrap().to_owned();
    let cases = [
        ("?status=503", "http_error", Some(503)),
        ("?contentType=text/html", "not_media", Some(200)),
        ("?declaredSize=300000000000", "too_large", Some(200)),
        ("?redirectLoop=true", "redirect_loop", Some(302)),
        ("?redirects=6", "redirect_loop", Some(302)),
        ("?redirectTo=http://192.0.2.1/x.mp4", "refused_host", None),
    ];
    for (query, reason, status) in cases {
        let media = ingest_done(&h, &format!("{base}{query}")).await;
        let details = fetch_failure(&media, reason);
        assert_eq!(details["httpStatus"].as_u64().map(|s| s as u16), status, "{query}: {media}");
    }
}

#[tokio::test]
async fn a_stalled_server_times_out_after_the_configured_time() {
    let h = DataDirServer::start().await;
    put_file(&h, "slow.mp4", "h264_15s.mp4", "").await;
    let (status, _) =
        send(h.ts.admin(Method::PATCH, "/_mock/settings").json(&json!({ "ingestTimeoutMs": 300 })))
            .await;
    assert_eq!(status, StatusCode::OK);
    let started = std::time::Instant::now();
    let media = ingest_done(&h, &h.ts.url("/mock-files/slow.mp4?stallMs=5000")).await;
    fetch_failure(&media, "timeout");
    assert!(started.elapsed() < std::time::Duration::from_secs(3), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_file_over_the_size_limit_is_refused_while_reading() {
    let h = DataDirServer::start().await;
    put_file(&h, "clip.mp4", "h264_aac_moov_at_end.mp4", "").await;
    let settings = json!({ "maxUploadSize": 1000 });
    send(h.ts.admin(Method::PATCH, "/_mock/settings").json(&settings)).await;
    // Refused by its Content-Length, and, sent chunked (no length), while reading.
    for query in ["", "?chunked=true"] {
        let media = ingest_done(&h, &h.ts.url(&format!("/mock-files/clip.mp4{query}"))).await;
        let details = fetch_failure(&media, "too_large");
        assert_eq!(details["httpStatus"], 200);
        assert!(h.files().is_empty(), "the partial download is removed: {:?}", h.files());
    }
    let (_, stats) = h.ts.admin_get("/_mock/files/clip.mp4").await;
    assert_eq!(stats["requests"], 2);
}

#[tokio::test]
async fn other_hosts_and_bad_requests_are_refused_at_once() {
    let h = DataDirServer::start().await;
    let (status, body) =
        ingest(&h, json!({ "url": "https://cdn.example.com/v.mp4?sig=abc" })).await;
    let error = assert_error(status, &body, 422, "MEDIA_FETCH_FAILED");
    assert_eq!(error["field"], "url");
    assert_eq!(error["details"]["reason"], "refused_host");
    assert_eq!(error["details"]["url"], "https://cdn.example.com/v.mp4?…");
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("loopback") && message.contains("cdn.example.com"), "{message}");
    assert!(!message.contains("abc"), "{message}");
    for (body, code, field) in [
        (json!({ "url": "ftp://127.0.0.1/a.mp4" }), "INVALID_REQUEST", "url"),
        (json!({ "url": "not a url" }), "INVALID_REQUEST", "url"),
        (
            json!({ "url": "http://127.0.0.1/a", "mimeType": "text/plain" }),
            "UNSUPPORTED_MEDIA_TYPE",
            "mimeType",
        ),
        (
            json!({ "url": "http://127.0.0.1/a", "fileName": "../x.mp4" }),
            "INVALID_REQUEST",
            "fileName",
        ),
    ] {
        let (status, answer) = ingest(&h, body.clone()).await;
        let status_code = if code == "INVALID_REQUEST" { 400 } else { 422 };
        let error = assert_error(status, &answer, status_code, code);
        assert_eq!(error["field"], field, "{body}: {answer}");
    }
    let (status, answer) =
        ingest(&h, json!({ "url": "http://127.0.0.1/a", "mediaKey": "x" })).await;
    assert_error(status, &answer, 400, "INVALID_REQUEST");
    let (_, page) = h.ts.admin_get("/_mock/journal").await;
    assert!(page.to_string().contains("/v1/media/ingest"));
    assert!(h.files().is_empty(), "nothing was stored");
}

#[tokio::test]
async fn the_file_server_answers_ranges_and_counts_what_it_sent() {
    let h = DataDirServer::start().await;
    let file = put_file(&h, "big.mp4", "h264_15s.mp4", "?freeBox=1000000").await;
    let size = file["size"].as_u64().unwrap();
    assert!(size > 1_000_000, "{file}");
    let url = file["url"].as_str().unwrap();
    let head = h.ts.http.get(url).header("range", "bytes=0-99").send().await.unwrap();
    assert_eq!(head.status(), StatusCode::PARTIAL_CONTENT);
    let range = head.headers()["content-range"].to_str().unwrap().to_owned();
    assert_eq!(range, format!("bytes 0-99/{size}"));
    assert_eq!(head.bytes().await.unwrap().len(), 100);
    let tail = h.ts.http.get(url).header("range", "bytes=-10").send().await.unwrap();
    assert_eq!(tail.bytes().await.unwrap().len(), 10);
    let out = h.ts.http.get(url).header("range", format!("bytes={size}-")).send().await.unwrap();
    assert_eq!(out.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    let (_, stats) = h.ts.admin_get("/_mock/files/big.mp4").await;
    assert_eq!((&stats["requests"], &stats["rangeRequests"]), (&json!(3), &json!(2)));
    assert_eq!(stats["bytesServed"], 110);
    // The padded file is still a valid MP4: ingesting it ends ready.
    let media = ingest_done(&h, url).await;
    assert_eq!((&media["status"], &media["size"]), (&json!("ready"), &json!(size)), "{media}");
    let (status, _) = h.ts.admin_get("/_mock/files/nope.mp4").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// What posts see of URL media (`MediaStore::verdict` in publishing): a target waits while the
/// media is fetched and verified, publishes once it is ready, and fails with the fetch's
/// `MEDIA_FETCH_FAILED` (its details kept) when the fetch failed after the post was made.
#[tokio::test]
async fn a_post_waits_for_url_media_and_fails_with_the_fetch_error() {
    use crate::posts_support::{created, get_post, tiktok_post};
    let h = DataDirServer::start().await;
    put_file(&h, "clip.mp4", "h264_15s.mp4", "").await;
    let profile = h.ts.profile("tiktok", "standard").await;

    let url = h.ts.url("/mock-files/clip.mp4?stallMs=300");
    let (_, media) = ingest(&h, json!({ "url": url })).await;
    let key = media["mediaKey"].as_str().unwrap().to_owned();
    let post = created(&h.ts, tiktok_post(&profile, &key)).await;
    assert_eq!(post["results"][0]["status"], "pending", "{post}");
    assert_eq!(h.verified(&key).await["status"], "ready");
    h.ts.advance(0.1).await;
    h.ts.advance(2.0).await;
    let id = post["id"].as_str().unwrap();
    assert_eq!(get_post(&h.ts, id).await["status"], "published");

    let url = h.ts.url("/mock-files/clip.mp4?stallMs=300&status=404");
    let (_, media) = ingest(&h, json!({ "url": url })).await;
    let key = media["mediaKey"].as_str().unwrap().to_owned();
    let post = created(&h.ts, tiktok_post(&profile, &key)).await;
    assert_eq!(post["results"][0]["status"], "pending", "{post}");
    assert_eq!(h.verified(&key).await["status"], "failed");
    h.ts.advance(0.1).await;
    let post = get_post(&h.ts, post["id"].as_str().unwrap()).await;
    assert_eq!(post["status"], "failed", "{post}");
    let error = &post["results"][0]["error"];
    assert_eq!(error["code"], "MEDIA_FETCH_FAILED", "{post}");
    assert_eq!(
        (&error["details"]["reason"], &error["details"]["httpStatus"]),
        (&json!("not_found"), &json!(404))
    );
    assert!(error["message"].as_str().unwrap().contains("could not be fetched"), "{error}");
}

/// A scheduled post whose URL media fails fails at once, with `post.failed`; a post naming
/// media whose fetch already failed is refused with the fetch's code.
#[tokio::test]
async fn a_scheduled_post_fails_at_once_when_its_url_media_cannot_be_fetched() {
    use crate::posts_support::{create, created, get_post, now, tiktok_post};
    let h = DataDirServer::start().await;
    let profile = h.ts.profile("tiktok", "standard").await;
    let url = h.ts.url("/mock-files/clip.mp4?stallMs=200&status=500");
    let (_, media) = ingest(&h, json!({ "url": url })).await;
    let key = media["mediaKey"].as_str().unwrap().to_owned();
    let mut body = tiktok_post(&profile, &key);
    let at = now(&h.ts).await.checked_add(jiff::SignedDuration::from_hours(5)).unwrap();
    body["scheduledFor"] = json!(at.to_string());
    let post = created(&h.ts, body.clone()).await;
    assert_eq!(post["status"], "scheduled", "{post}");
    assert_eq!(h.verified(&key).await["status"], "failed");
    h.ts.advance(0.1).await;
    let post = get_post(&h.ts, post["id"].as_str().unwrap()).await;
    assert_eq!(post["status"], "failed", "five hours early: {post}");
    assert_eq!(post["results"][0]["error"]["code"], "MEDIA_FETCH_FAILED");
    assert_eq!(post["results"][0]["error"]["details"]["httpStatus"], 500);

    let (status, refused) = create(&h.ts, body).await;
    let error = assert_error(status, &refused, 422, "MEDIA_FETCH_FAILED");
    assert_eq!(error["field"], "mediaKeys[0]");
    assert_eq!(error["details"]["mediaError"]["details"]["reason"], "http_error");
}

#[tokio::test]
async fn an_idempotency_key_makes_one_media_of_a_retried_ingest() {
    let h = DataDirServer::start().await;
    let file = put_file(&h, "clip.mp4", "h264_15s.mp4", "").await;
    let body = json!({ "url": file["url"] });
    let send_once = || {
        send(
            h.ts.api(Method::POST, "/v1/media/ingest")
                .header("idempotency-key", "ingest-1")
                .json(&body),
        )
    };
    let (first_status, first) = send_once().await;
    let (second_status, second) = send_once().await;
    assert_eq!((first_status, second_status), (StatusCode::CREATED, StatusCode::CREATED));
    assert_eq!(first["mediaKey"], second["mediaKey"], "one media");
    h.verified(first["mediaKey"].as_str().unwrap()).await;
    let (_, stats) = h.ts.admin_get("/_mock/files/clip.mp4").await;
    assert_eq!(stats["requests"], 1, "fetched once: {stats}");
}
