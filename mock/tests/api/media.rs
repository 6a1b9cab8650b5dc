//! Media over real HTTP: single-shot uploads (checksums, limits, idempotency keys), the
//! verification that moves each file to `ready` or `failed`, and get/delete by media key with
//! its percent-encoding and path-traversal rules.

use crate::common::{assert_error, enc, fixture, send, DataDirServer};
use bytes::Bytes;
use reqwest::header::HeaderValue;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The shared data-dir emulator, with this file's helpers.
struct Harness(DataDirServer);

impl std::ops::Deref for Harness {
    type Target = DataDirServer;

    fn deref(&self) -> &DataDirServer {
        &self.0
    }
}

impl Harness {
    async fn start() -> Harness {
        Harness(DataDirServer::start().await)
    }

    fn single(
        &self,
        file_name: &str,
        mime: &str,
        data: impl Into<reqwest::Body>,
    ) -> RequestBuilder {
        self.ts
            .api(Method::POST, "/v1/media")
            .header("content-type", mime)
            .header("x-file-name", file_name)
            .body(data)
    }

    async fn upload_fixture(&self, name: &str, mime: &str) -> Value {
        let data = std::fs::read(fixture(name)).expect("fixture");
        let (status, media) = send(self.single(name, mime, data)).await;
        assert_eq!(status, StatusCode::CREATED, "{name}: {media}");
        media
    }
}

fn sha_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn manifest_entry(name: &str) -> Value {
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(fixture("manifest.json")).expect("manifest"))
            .expect("manifest JSON");
    manifest["files"]
        .as_array()
        .and_then(|files| files.iter().find(|f| f["file"] == name).cloned())
        .unwrap_or_else(|| panic!("{name} is not in the manifest"))
}

#[tokio::test]
async fn a_single_shot_fixture_is_stored_and_verified() {
    let h = Harness::start().await;
    let name = "h264_aac_moov_at_end.mp4";
    let data = std::fs::read(fixture(name)).unwrap();
    let request = h
        .single("moov at end.mp4", "video/mp4", data.clone())
        .header("x-content-sha256", sha_hex(&data).to_uppercase());
    let (status, media) = send(request).await;
    assert_eq!(status, StatusCode::CREATED, "{media}");
    let key = media["mediaKey"].as_str().unwrap().to_owned();
    assert!(key.starts_with("org_mock/") && key.ends_with(".mp4"), "{key}");
    assert_eq!(media["fileName"], "moov at end.mp4");
    assert_eq!(media["mimeType"], "video/mp4");
    assert_eq!(media["size"], data.len());
    assert_eq!(media["sha256"], sha_hex(&data));
    assert_eq!((&media["status"], &media["kind"]), (&json!("processing"), &json!("video")));

    let media = h.verified(&key).await;
    let entry = manifest_entry(name);
    let ffprobe = &entry["ffprobe"];
    assert_eq!(media["status"], "ready", "{media}");
    assert_eq!(media["container"], "mp4");
    assert_eq!((&media["width"], &media["height"]), (&ffprobe["width"], &ffprobe["height"]));
    assert_eq!((&media["videoCodec"], &media["audioCodec"]), (&json!("h264"), &json!("aac")));
    assert!(
        media["durationMs"].as_u64().unwrap().abs_diff(ffprobe["durationMs"].as_u64().unwrap())
            <= 10
    );

    // The journal names what was created.
    let journal = h.ts.journal().await;
    assert!(
        journal.iter().any(|e| e["created"] == key.as_str() && e["status"] == 201),
        "{journal:?}"
    );

    // Images are read from their bytes too, whatever the declared type says.
    let media = h.upload_fixture("image.jpg", "image/png").await;
    let media = h.verified(media["mediaKey"].as_str().unwrap()).await;
    assert_eq!(
        (&media["status"], &media["kind"], &media["container"]),
        (&json!("ready"), &json!("image"), &json!("jpeg"))
    );
    assert_eq!((&media["width"], &media["height"]), (&json!(64), &json!(112)));
}

#[tokio::test]
async fn broken_and_foreign_files_fail_verification_with_the_probe_s_reason() {
    let h = Harness::start().await;
    for (name, mime) in [
        ("truncated.webm", "video/webm"),
        ("truncated_faststart.mp4", "video/mp4"),
        ("random.bin", "video/mp4"),
    ] {
        let media = h.upload_fixture(name, mime).await;
        let media = h.verified(media["mediaKey"].as_str().unwrap()).await;
        assert_eq!(media["status"], "failed", "{name}: {media}");
        assert_eq!(media["error"]["code"], "UNSUPPORTED_MEDIA_TYPE", "{name}: {media}");
        let wanted = manifest_entry(name)["expect"]["reasonContains"].as_str().unwrap().to_owned();
        assert!(media["error"]["message"].as_str().unwrap().contains(&wanted), "{name}: {media}");
    }
    // Audio alone is not publishable media.
    let media = h.upload_fixture("aac_audio_only_12s.m4a", "video/mp4").await;
    let media = h.verified(media["mediaKey"].as_str().unwrap()).await;
    assert_eq!((&media["status"], &media["kind"]), (&json!("failed"), &json!("audio")), "{media}");
    assert_eq!(media["error"]["code"], "UNSUPPORTED_MEDIA_TYPE");
    assert!(media["error"]["message"].as_str().unwrap().contains("no video track"), "{media}");
}

#[tokio::test]
async fn single_shot_checks_checksum_size_and_headers() {
    let h = Harness::start().await;
    let data = std::fs::read(fixture("h264_15s.mp4")).unwrap();

    // Checksum mismatch: nothing stored.
    let request =
        h.single("a.mp4", "video/mp4", data.clone()).header("x-content-sha256", sha_hex(b"x"));
    let (status, body) = send(request).await;
    let error = assert_error(status, &body, 422, "CHECKSUM_MISMATCH");
    assert_eq!(error["details"]["actual"], sha_hex(&data));
    assert!(h.files().is_empty(), "{:?}", h.files());
    let request = h.single("a.mp4", "video/mp4", data.clone()).header("x-content-sha256", "nothex");
    let (status, body) = send(request).await;
    assert_eq!(assert_error(status, &body, 400, "INVALID_REQUEST")["field"], "X-Content-Sha256");

    // Empty body.
    let (status, body) = send(h.single("a.mp4", "video/mp4", Vec::new())).await;
    assert_error(status, &body, 400, "INVALID_REQUEST");

    // File names: missing, not UTF-8, or naming another path.
    let request =
        h.ts.api(Method::POST, "/v1/media").header("content-type", "video/mp4").body(data.clone());
    let (status, body) = send(request).await;
    assert_eq!(assert_error(status, &body, 400, "INVALID_REQUEST")["field"], "X-File-Name");
    let latin1 = HeaderValue::from_bytes(b"caf\xe9.mp4").unwrap();
    let request =
        h.ts.api(Method::POST, "/v1/media")
            .header("content-type", "video/mp4")
            .header("x-file-name", latin1)
            .body(data.clone());
    let (status, body) = send(request).await;
    assert_eq!(assert_error(status, &body, 400, "INVALID_REQUEST")["field"], "X-File-Name");
    for name in ["../../etc/passwd", "..", "a\\b.mp4", "dir/a.mp4"] {
        let (status, body) = send(h.single(name, "video/mp4", data.clone())).await;
        assert_eq!(
            assert_error(status, &body, 400, "INVALID_REQUEST")["field"],
            "X-File-Name",
            "{name}"
        );
    }
    let utf8 = HeaderValue::from_bytes("café.mp4".as_bytes()).unwrap();
    let request =
        h.ts.api(Method::POST, "/v1/media")
            .header("content-type", "video/mp4")
            .header("x-file-name", utf8)
            .body(data.clone());
    let (status, media) = send(request).await;
    assert_eq!((status, &media["fileName"]), (StatusCode::CREATED, &json!("café.mp4")), "{media}");

    // Content types: missing or malformed, and not a video or image.
    let request =
        h.ts.api(Method::POST, "/v1/media").header("x-file-name", "a.mp4").body(data.clone());
    let (status, body) = send(request).await;
    assert_eq!(assert_error(status, &body, 400, "INVALID_REQUEST")["field"], "Content-Type");
    let (status, body) = send(h.single("a.mp4", "application/pdf", data.clone())).await;
    assert_error(status, &body, 422, "UNSUPPORTED_MEDIA_TYPE");
    assert_eq!(h.files().len(), 1, "{:?}", h.files());
}

#[tokio::test]
async fn single_shot_over_the_limit_is_413_by_content_length_or_while_streaming() {
    let h = Harness::start().await;
    let request =
        h.ts.admin(Method::PATCH, "/_mock/settings").json(&json!({ "maxSingleUpload": 1000 }));
    let (status, settings) = send(request).await;
    assert_eq!((status, &settings["maxSingleUpload"]), (StatusCode::OK, &json!(1000)));

    let (status, body) = send(h.single("a.mp4", "video/mp4", vec![0u8; 5000])).await;
    let error = assert_error(status, &body, 413, "FILE_TOO_LARGE");
    assert!(error["message"].as_str().unwrap().contains("1000"), "{body}");
    // Without Content-Length: refused once the 1001st byte arrives.
    let chunks: Vec<Result<Bytes, std::io::Error>> =
        (0..10).map(|_| Ok(Bytes::from(vec![0u8; 500]))).collect();
    let request = h.single(
        "a.mp4",
        "video/mp4",
        reqwest::Body::wrap_stream(futures_util::stream::iter(chunks)),
    );
    let (status, body) = send(request).await;
    assert_error(status, &body, 413, "FILE_TOO_LARGE");
    assert!(h.files().is_empty(), "{:?}", h.files());
    // At the limit it is fine.
    let (status, body) = send(h.single("a.mp4", "video/mp4", vec![0u8; 1000])).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_upload_and_refuses_other_bytes() {
    let h = Harness::start().await;
    let data = std::fs::read(fixture("h264_15s.mp4")).unwrap();
    let first = h.single("a.mp4", "video/mp4", data.clone()).header("idempotency-key", "k-1");
    let response = first.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(response.headers().get("idempotent-replayed").is_none());
    let media: Value = response.json().await.unwrap();

    // Same bytes (checksum found while streaming, then with X-Content-Crc32c up front).
    let crc = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        crc32c::crc32c(&data).to_be_bytes(),
    );
    for crc in [None, Some(crc)] {
        let mut again =
            h.single("a.mp4", "video/mp4", data.clone()).header("idempotency-key", "k-1");
        if let Some(crc) = crc {
            again = again.header("x-content-crc32c", crc);
        }
        let response = again.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        assert_eq!(response.headers()["idempotent-replayed"], "true");
        let replayed: Value = response.json().await.unwrap();
        assert_eq!(replayed, media);
    }
    assert_eq!(h.files().len(), 1, "stored once: {:?}", h.files());

    // Other bytes, or another file name, under the same key.
    let (status, body) =
        send(h.single("a.mp4", "video/mp4", b"other".to_vec()).header("idempotency-key", "k-1"))
            .await;
    assert_error(status, &body, 409, "IDEMPOTENCY_KEY_REUSED");
    let (status, body) =
        send(h.single("b.mp4", "video/mp4", data.clone()).header("idempotency-key", "k-1")).await;
    assert_error(status, &body, 409, "IDEMPOTENCY_KEY_REUSED");
    let request = h
        .single("a.mp4", "video/mp4", b"other".to_vec())
        .header("idempotency-key", "k-1")
        .header("x-content-sha256", sha_hex(b"other"));
    let (status, body) = send(request).await;
    assert_error(status, &body, 409, "IDEMPOTENCY_KEY_REUSED");
    assert_eq!(h.files().len(), 1, "{:?}", h.files());

    // A failed upload records nothing: the key can be used again.
    let request = h
        .single("a.mp4", "video/mp4", data.clone())
        .header("idempotency-key", "k-2")
        .header("x-content-sha256", sha_hex(b"x"));
    assert_eq!(send(request).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, second) =
        send(h.single("a.mp4", "video/mp4", data.clone()).header("idempotency-key", "k-2")).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_ne!(second["mediaKey"], media["mediaKey"]);

    // After 24 h the key is forgotten.
    h.ts.advance(24.0 * 3600.0 + 1.0).await;
    let (status, third) =
        send(h.single("a.mp4", "video/mp4", data.clone()).header("idempotency-key", "k-1")).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_ne!(third["mediaKey"], media["mediaKey"]);
}

#[tokio::test]
async fn media_keys_work_encoded_or_not_and_never_leave_the_store() {
    let h = Harness::start().await;
    let media = h.upload_fixture("image.gif", "image/gif").await;
    let key = media["mediaKey"].as_str().unwrap().to_owned();
    h.verified(&key).await;

    let (status, encoded) = h.ts.get(&format!("/v1/media/{}", enc(&key))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, plain) = h.ts.get(&format!("/v1/media/{key}")).await;
    assert_eq!((status, &plain), (StatusCode::OK, &encoded));
    let (status, lower) = h.ts.get(&format!("/v1/media/{}", key.replace('/', "%2f"))).await;
    assert_eq!((status, &lower), (StatusCode::OK, &encoded));

    for bad in [
        "..%2F..%2Fetc%2Fpasswd",
        "org_mock%2F..%2F..%2Fetc%2Fpasswd",
        "org_mock%2F%2E%2E%2Fx",
        "org_mock%5Cx.mp4",
        "org_mock%2Fx%00.mp4",
        "%FF%FE",
    ] {
        let (status, body) = h.ts.get(&format!("/v1/media/{bad}")).await;
        let error = assert_error(status, &body, 400, "INVALID_REQUEST");
        assert_eq!(error["field"], "mediaKey", "{bad}: {body}");
    }
    for unknown in ["nothing", "org_mock%2Fnothing.mp4", "org_mock%252Fx.mp4", "org_mock/a/b.mp4"] {
        let (status, body) = h.ts.get(&format!("/v1/media/{unknown}")).await;
        let error = assert_error(status, &body, 404, "NOT_FOUND");
        assert_eq!(error["details"]["resource"], "media", "{unknown}: {body}");
    }

    assert_eq!(h.files().len(), 1);
    let (status, body) = h.ts.delete(&format!("/v1/media/{}", enc(&key))).await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    assert!(h.files().is_empty(), "{:?}", h.files());
    let (status, body) = h.ts.get(&format!("/v1/media/{}", enc(&key))).await;
    assert_error(status, &body, 404, "NOT_FOUND");
    let (status, body) = h.ts.delete(&format!("/v1/media/{key}")).await;
    assert_error(status, &body, 404, "NOT_FOUND");
}

#[tokio::test]
async fn a_reset_deletes_media_files() {
    let h = Harness::start().await;
    h.upload_fixture("image.png", "image/png").await;
    assert_eq!(h.files().len(), 1);
    let (status, _) = h.ts.admin_post("/_mock/reset", json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(h.files().is_empty(), "{:?}", h.files());
}
