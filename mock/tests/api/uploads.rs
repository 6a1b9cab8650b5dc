//! Chunked, resumable uploads over real HTTP: sessions, parts checked by CRC32C and size,
//! resume listings, completion with the whole-file SHA-256, abort, expiry on the virtual clock,
//! and a 300 MB upload that must not grow the emulator's memory.

use crate::common::{assert_error, fixture, send, DataDirServer};
use base64::Engine;
use bytes::Bytes;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const MIB: usize = 1024 * 1024;

/// Serializes the memory test against the others in this binary: RSS is per process, and the
/// other tests hold a few MiB each while they run.
static HEAVY: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

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

    async fn create(&self, body: Value) -> Value {
        let (status, session) = self.ts.post("/v1/media/uploads", body).await;
        assert_eq!(status, StatusCode::CREATED, "{session}");
        session
    }

    async fn put_part(&self, upload_id: &str, n: u32, data: &[u8]) -> (StatusCode, Value) {
        let request = self
            .ts
            .api(Method::PUT, &format!("/v1/media/uploads/{upload_id}/parts/{n}"))
            .header("x-part-crc32c", crc_b64(data))
            .body(data.to_vec());
        send(request).await
    }

    async fn upload(&self, upload_id: &str) -> (StatusCode, Value) {
        self.ts.get(&format!("/v1/media/uploads/{upload_id}")).await
    }

    async fn complete(&self, upload_id: &str, body: Value) -> (StatusCode, Value) {
        self.ts.post(&format!("/v1/media/uploads/{upload_id}/complete"), body).await
    }
}

fn crc_b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(crc32c::crc32c(data).to_be_bytes())
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

/// Asserts that verified media carries what ffprobe found in the fixture.
fn assert_matches_manifest(media: &Value, name: &str) {
    let entry = manifest_entry(name);
    let (ffprobe, expect) = (&entry["ffprobe"], &entry["expect"]);
    assert_eq!(media["status"], "ready", "{name}: {media}");
    assert_eq!(media["container"], expect["container"], "{name}: {media}");
    assert_eq!(media["kind"], expect["kind"], "{name}: {media}");
    assert_eq!(media["width"], ffprobe["width"], "{name}: {media}");
    assert_eq!(media["height"], ffprobe["height"], "{name}: {media}");
    if expect["kind"] == "video" {
        let codec = match ffprobe["videoCodec"].as_str() {
            Some("hevc") => "h265",
            Some(other) => other,
            None => panic!("{name}: no codec in the manifest"),
        };
        assert_eq!(media["videoCodec"], codec, "{name}: {media}");
        assert_eq!(media["audioCodec"], ffprobe["audioCodec"], "{name}: {media}");
        let want = ffprobe["durationMs"].as_u64().expect("duration");
        let got = media["durationMs"].as_u64().expect("durationMs");
        assert!(got.abs_diff(want) <= 10, "{name}: {got} ms, ffprobe says {want} ms");
    }
    assert!(media.get("error").is_none(), "{name}: {media}");
}

/// A `size`-byte MP4: the fixture followed by a top-level `free` box that pads it, which the
/// probe (like every MP4 reader) skips.
fn padded_fixture(name: &str, size: usize) -> Vec<u8> {
    let mut data = std::fs::read(fixture(name)).expect("fixture");
    let pad = size - data.len();
    data.extend_from_slice(&u32::try_from(pad).unwrap().to_be_bytes());
    data.extend_from_slice(b"free");
    data.resize(size, 0x5a);
    data
}

#[tokio::test]
async fn a_12_mib_file_in_three_parts_out_of_order_ends_ready_with_the_fixture_s_facts() {
    let _shared = HEAVY.read().await;
    let h = Harness::start().await;
    let name = "h264_aac_faststart.mp4";
    let data = padded_fixture(name, 12 * MIB);
    let session = h
        .create(json!({
            "fileName": "Holiday Clip.MP4", "mimeType": "video/mp4", "size": data.len(),
            "partSize": 5 * MIB, "sha256": sha_hex(&data),
        }))
        .await;
    let upload_id = session["uploadId"].as_str().unwrap();
    assert!(upload_id.starts_with("upl_"), "{session}");
    assert_eq!(
        (session["partSize"].as_u64(), session["partCount"].as_u64()),
        (Some(5 << 20), Some(3))
    );
    let media_key = session["mediaKey"].as_str().unwrap().to_owned();
    assert!(media_key.starts_with("org_mock/") && media_key.ends_with(".mp4"), "{media_key}");
    assert!(session["expiresAt"].as_str().is_some_and(|t| t.ends_with('Z')), "{session}");

    for n in [3u32, 1, 2] {
        let start = (n as usize - 1) * 5 * MIB;
        let part = &data[start..(start + 5 * MIB).min(data.len())];
        let (status, receipt) = h.put_part(upload_id, n, part).await;
        assert_eq!(status, StatusCode::OK, "{receipt}");
        assert_eq!(
            receipt,
            json!({ "partNumber": n, "size": part.len(), "crc32c": crc_b64(part) })
        );
    }
    let (status, media) = h.complete(upload_id, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{media}");
    assert_eq!(media["mediaKey"], media_key.as_str());
    assert_eq!(media["size"], data.len());
    assert_eq!(media["sha256"], sha_hex(&data));
    assert_eq!(media["crc32c"], crc_b64(&data));
    assert_eq!(media["fileName"], "Holiday Clip.MP4");
    assert_eq!((&media["status"], &media["kind"]), (&json!("processing"), &json!("video")));

    let media = h.verified(&media_key).await;
    assert_matches_manifest(&media, name);
    assert_eq!(media["size"], 12 * MIB);

    // The parts are freed: the data dir holds exactly the assembled file.
    let (_, state) = h.upload(upload_id).await;
    assert_eq!(state["status"], "completed");
    assert_eq!(h.files().len(), 1, "{:?}", h.files());
    // Completing again answers the same media; aborting a completed upload is refused.
    let (status, again) = h.complete(upload_id, json!({})).await;
    assert_eq!((status, &again["mediaKey"]), (StatusCode::OK, &json!(media_key)));
    let (status, body) = h.ts.delete(&format!("/v1/media/uploads/{upload_id}")).await;
    assert_error(status, &body, 400, "INVALID_REQUEST");
}

#[tokio::test]
async fn fixtures_uploaded_in_one_part_are_verified_like_ffprobe_says() {
    let _shared = HEAVY.read().await;
    let h = Harness::start().await;
    for (name, mime) in [
        ("h265_hvc1_16s.mp4", "video/mp4"),
        ("h264_aac_20s.mov", "video/quicktime"),
        ("vp9_opus_18s.webm", "video/webm"),
        ("h264_fragmented_21s.mp4", "video/mp4"),
        ("image.png", "image/png"),
    ] {
        let data = std::fs::read(fixture(name)).unwrap();
        let session =
            h.create(json!({ "fileName": name, "mimeType": mime, "size": data.len() })).await;
        assert_eq!(
            (session["partSize"].as_u64(), session["partCount"].as_u64()),
            (Some(8 << 20), Some(1))
        );
        let upload_id = session["uploadId"].as_str().unwrap();
        let (status, receipt) = h.put_part(upload_id, 1, &data).await;
        assert_eq!(status, StatusCode::OK, "{name}: {receipt}");
        let (status, media) =
            h.complete(upload_id, json!({ "sha256": sha_hex(&data).to_uppercase() })).await;
        assert_eq!(status, StatusCode::OK, "{name}: {media}");
        let media = h.verified(media["mediaKey"].as_str().unwrap()).await;
        assert_matches_manifest(&media, name);
    }
}

#[tokio::test]
async fn the_listing_resumes_from_the_parts_received_and_a_resent_part_replaces_the_old_one() {
    let _shared = HEAVY.read().await;
    let h = Harness::start().await;
    let data: Vec<u8> = (0..11 * MIB + 7).map(|i| (i % 251) as u8).collect();
    let session = h
        .create(json!({ "fileName": "a.mp4", "mimeType": "video/mp4", "size": data.len(), "partSize": 5 * MIB }))
        .await;
    let upload_id = session["uploadId"].as_str().unwrap();
    assert_eq!(session["partCount"], 3);
    let part = |n: usize| &data[(n - 1) * 5 * MIB..(n * 5 * MIB).min(data.len())];

    // Part 1 first with wrong (but self-consistent) bytes, then parts 3 and 1 for real.
    let wrong = vec![7u8; 5 * MIB];
    assert_eq!(h.put_part(upload_id, 1, &wrong).await.0, StatusCode::OK);
    assert_eq!(h.put_part(upload_id, 3, part(3)).await.0, StatusCode::OK);
    let (status, state) = h.upload(upload_id).await;
    assert_eq!(status, StatusCode::OK, "{state}");
    assert_eq!(state["status"], "uploading");
    assert_eq!(state["parts"][0]["crc32c"], crc_b64(&wrong));
    assert_eq!(h.put_part(upload_id, 1, part(1)).await.0, StatusCode::OK);

    let (_, state) = h.upload(upload_id).await;
    assert_eq!(
        state["parts"],
        json!([
            { "partNumber": 1, "size": 5 * MIB, "crc32c": crc_b64(part(1)) },
            { "partNumber": 3, "size": MIB + 7, "crc32c": crc_b64(part(3)) },
        ])
    );
    assert_eq!(
        (&state["uploadId"], &state["mediaKey"]),
        (&session["uploadId"], &session["mediaKey"])
    );
    assert_eq!(
        (&state["size"], &state["partSize"], &state["partCount"]),
        (&json!(data.len()), &json!(5 * MIB), &json!(3))
    );
    assert_eq!(state["expiresAt"], session["expiresAt"]);

    // Completing now names the missing part.
    let (status, body) = h.complete(upload_id, json!({})).await;
    let error = assert_error(status, &body, 409, "UPLOAD_INCOMPLETE");
    assert_eq!(error["details"]["missingParts"], json!([2]));

    assert_eq!(h.put_part(upload_id, 2, part(2)).await.0, StatusCode::OK);
    let (status, media) = h.complete(upload_id, json!({ "sha256": sha_hex(&data) })).await;
    assert_eq!(status, StatusCode::OK, "{media}");
    // Random-ish bytes are not media: verification fails, saying why.
    let media = h.verified(media["mediaKey"].as_str().unwrap()).await;
    assert_eq!(media["status"], "failed");
    assert_eq!(media["error"]["code"], "UNSUPPORTED_MEDIA_TYPE", "{media}");
}

#[tokio::test]
async fn parts_with_a_wrong_checksum_or_size_are_refused_and_not_kept() {
    let _shared = HEAVY.read().await;
    let h = Harness::start().await;
    let size = 5 * MIB + 100;
    let session = h
        .create(json!({ "fileName": "a.mp4", "mimeType": "video/mp4", "size": size, "partSize": 5 * MIB }))
        .await;
    let id = session["uploadId"].as_str().unwrap();
    let path = |n: &str| format!("/v1/media/uploads/{id}/parts/{n}");
    let last = vec![1u8; 100];

    // Wrong CRC32C.
    let request =
        h.ts.api(Method::PUT, &path("2"))
            .header("x-part-crc32c", crc_b64(b"other"))
            .body(last.clone());
    let (status, body) = send(request).await;
    let error = assert_error(status, &body, 422, "CHECKSUM_MISMATCH");
    assert_eq!(error["details"]["actual"], crc_b64(&last), "{body}");

    // Too long and too short, by Content-Length.
    for data in [vec![1u8; 101], vec![1u8; 99]] {
        let (status, body) = h.put_part(id, 2, &data).await;
        let error = assert_error(status, &body, 422, "CHECKSUM_MISMATCH");
        assert!(error["message"].as_str().unwrap().contains("100 bytes"), "{body}");
    }
    // Too long and too short while streaming (no Content-Length): the server stops reading once
    // the body passes the expected size.
    for len in [5 * MIB + 1, 3 * MIB] {
        let data = Bytes::from(vec![2u8; len]);
        let crc = crc_b64(&data);
        let chunks: Vec<Result<Bytes, std::io::Error>> = (0..len)
            .step_by(64 * 1024)
            .map(|at| Ok(data.slice(at..(at + 64 * 1024).min(len))))
            .collect();
        let request =
            h.ts.api(Method::PUT, &path("1"))
                .header("x-part-crc32c", crc)
                .body(reqwest::Body::wrap_stream(futures_util::stream::iter(chunks)));
        let (status, body) = send(request).await;
        let error = assert_error(status, &body, 422, "CHECKSUM_MISMATCH");
        assert!(error["message"].as_str().unwrap().contains(&(5 * MIB).to_string()), "{body}");
    }
    // Missing or malformed checksum header.
    for crc in [None, Some("not base64!"), Some("AAAAAAA="), Some("")] {
        let mut request = h.ts.api(Method::PUT, &path("2")).body(last.clone());
        if let Some(crc) = crc {
            request = request.header("x-part-crc32c", crc);
        }
        let (status, body) = send(request).await;
        let error = assert_error(status, &body, 400, "INVALID_REQUEST");
        assert_eq!(error["field"], "X-Part-Crc32c", "{body}");
    }
    // Part numbers outside 1..=partCount.
    for n in ["0", "3", "-1", "abc", "4294967296"] {
        let request =
            h.ts.api(Method::PUT, &path(n))
                .header("x-part-crc32c", crc_b64(&last))
                .body(last.clone());
        let (status, body) = send(request).await;
        let error = assert_error(status, &body, 400, "INVALID_REQUEST");
        assert_eq!(error["field"], "partNumber", "{n}: {body}");
        assert!(error["message"].as_str().unwrap().contains("1–2"), "{body}");
    }

    let (_, state) = h.upload(id).await;
    assert_eq!(state["parts"], json!([]), "{state}");
    assert!(h.files().is_empty(), "nothing may be kept: {:?}", h.files());
    let (status, _) = h.put_part(id, 2, &last).await;
    assert_eq!(status, StatusCode::OK);

    // Unknown uploads.
    let (status, body) = h.put_part("upl_nope", 1, &last).await;
    assert_error(status, &body, 404, "NOT_FOUND");
    let (status, body) = h.upload("upl_nope").await;
    assert_error(status, &body, 404, "NOT_FOUND");
}

#[tokio::test]
async fn a_whole_file_checksum_mismatch_keeps_the_parts_for_a_retry() {
    let _shared = HEAVY.read().await;
    let h = Harness::start().await;
    let data = b"definitely not a video".to_vec();
    let session =
        h.create(json!({ "fileName": "a.mp4", "mimeType": "video/mp4", "size": data.len() })).await;
    let id = session["uploadId"].as_str().unwrap();
    assert_eq!(h.put_part(id, 1, &data).await.0, StatusCode::OK);
    let wrong = sha_hex(b"something else");
    let (status, body) = h.complete(id, json!({ "sha256": wrong })).await;
    let error = assert_error(status, &body, 422, "CHECKSUM_MISMATCH");
    assert_eq!(
        (&error["details"]["expected"], &error["details"]["actual"]),
        (&json!(wrong), &json!(sha_hex(&data)))
    );
    let (status, body) = h.complete(id, json!({ "sha256": "xyz" })).await;
    assert_eq!(assert_error(status, &body, 400, "INVALID_REQUEST")["field"], "sha256");

    let (_, state) = h.upload(id).await;
    assert_eq!(
        (&state["status"], state["parts"].as_array().map(Vec::len)),
        (&json!("uploading"), Some(1))
    );
    assert_eq!(h.files().len(), 1, "only the part: {:?}", h.files());
    let (status, media) = h.complete(id, json!({ "sha256": sha_hex(&data) })).await;
    assert_eq!(status, StatusCode::OK, "{media}");

    // A checksum given at creation is checked too.
    let session = h
        .create(json!({ "fileName": "b.mp4", "mimeType": "video/mp4", "size": data.len(), "sha256": wrong }))
        .await;
    let id = session["uploadId"].as_str().unwrap();
    assert_eq!(h.put_part(id, 1, &data).await.0, StatusCode::OK);
    let (status, body) = h.complete(id, json!({})).await;
    assert_error(status, &body, 422, "CHECKSUM_MISMATCH");
}

#[tokio::test]
async fn an_aborted_upload_frees_its_parts_and_takes_nothing_more() {
    let _shared = HEAVY.read().await;
    let h = Harness::start().await;
    let session = h
        .create(json!({ "fileName": "a.mp4", "mimeType": "video/mp4", "size": 6 * MIB, "partSize": 5 * MIB }))
        .await;
    let id = session["uploadId"].as_str().unwrap();
    assert_eq!(h.put_part(id, 2, &vec![3u8; MIB]).await.0, StatusCode::OK);
    assert_eq!(h.files().len(), 1);

    let (status, body) = h.ts.delete(&format!("/v1/media/uploads/{id}")).await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    assert!(h.files().is_empty(), "{:?}", h.files());
    let (status, state) = h.upload(id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((&state["status"], &state["parts"]), (&json!("aborted"), &json!([])));

    let (status, body) = h.put_part(id, 1, &vec![3u8; 5 * MIB]).await;
    assert!(assert_error(status, &body, 400, "INVALID_REQUEST")["message"]
        .as_str()
        .unwrap()
        .contains("aborted"));
    let (status, body) = h.complete(id, json!({})).await;
    assert_error(status, &body, 400, "INVALID_REQUEST");
    // Aborting again is fine.
    assert_eq!(h.ts.delete(&format!("/v1/media/uploads/{id}")).await.0, StatusCode::NO_CONTENT);
    assert!(h.files().is_empty(), "{:?}", h.files());
    let (status, body) = h.ts.delete("/v1/media/uploads/upl_nope").await;
    assert_error(status, &body, 404, "NOT_FOUND");
}

#[tokio::test]
async fn an_expired_upload_answers_410_everywhere_and_its_parts_are_freed() {
    let _shared = HEAVY.read().await;
    let h = Harness::start().await;
    let session =
        h.create(json!({ "fileName": "a.mp4", "mimeType": "video/mp4", "size": 10 })).await;
    let id = session["uploadId"].as_str().unwrap();
    assert_eq!(h.put_part(id, 1, b"0123456789").await.0, StatusCode::OK);
    assert_eq!(h.files().len(), 1);

    h.ts.advance(23.0 * 3600.0).await;
    assert_eq!(h.upload(id).await.0, StatusCode::OK);
    h.ts.advance(3600.0).await;
    // Advancing the clock alone frees the disk.
    assert!(h.files().is_empty(), "{:?}", h.files());
    let (status, body) = h.upload(id).await;
    let error = assert_error(status, &body, 410, "UPLOAD_EXPIRED");
    assert!(error["message"].as_str().unwrap().contains("expired"), "{body}");
    let (status, body) = h.put_part(id, 1, b"0123456789").await;
    assert_error(status, &body, 410, "UPLOAD_EXPIRED");
    let (status, body) = h.complete(id, json!({})).await;
    assert_error(status, &body, 410, "UPLOAD_EXPIRED");
    assert_eq!(h.ts.delete(&format!("/v1/media/uploads/{id}")).await.0, StatusCode::NO_CONTENT);
    assert!(h.files().is_empty(), "{:?}", h.files());
}

#[tokio::test]
async fn a_reset_deletes_the_parts() {
    let _shared = HEAVY.read().await;
    let h = Harness::start().await;
    let session =
        h.create(json!({ "fileName": "a.mp4", "mimeType": "video/mp4", "size": 10 })).await;
    let id = session["uploadId"].as_str().unwrap();
    assert_eq!(h.put_part(id, 1, b"0123456789").await.0, StatusCode::OK);
    assert_eq!(h.files().len(), 1);
    let (status, _) = h.ts.admin_post("/_mock/reset", json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(h.files().is_empty(), "{:?}", h.files());
    assert_error(h.upload(id).await.0, &h.upload(id).await.1, 404, "NOT_FOUND");
}

#[tokio::test]
async fn sessions_are_refused_with_the_field_and_what_is_allowed() {
    let _shared = HEAVY.read().await;
    let h = Harness::start().await;
    let ok = json!({ "fileName": "a.mp4", "mimeType": "video/mp4", "size": 1000 });
    let with = |field: &str, value: Value| {
        let mut body = ok.clone();
        body[field] = value;
        body
    };
    let cases = [
        (with("size", json!(0)), 400, "INVALID_REQUEST", "size"),
        (with("size", json!(-1)), 400, "INVALID_REQUEST", "size"),
        (with("size", json!(300_000_000_000u64)), 413, "FILE_TOO_LARGE", "size"),
        (with("partSize", json!(MIB)), 400, "INVALID_REQUEST", "partSize"),
        (with("partSize", json!(64 * MIB + 1)), 400, "INVALID_REQUEST", "partSize"),
        (with("mimeType", json!("mp4")), 400, "INVALID_REQUEST", "mimeType"),
        (with("mimeType", json!("application/pdf")), 422, "UNSUPPORTED_MEDIA_TYPE", "mimeType"),
        (with("sha256", json!("abc")), 400, "INVALID_REQUEST", "sha256"),
        (with("extra", json!(1)), 400, "INVALID_REQUEST", "body"),
    ];
    for (body, status_code, code, field) in cases {
        let (status, answer) = h.ts.post("/v1/media/uploads", body.clone()).await;
        let error = assert_error(status, &answer, status_code, code);
        if field != "body" {
            assert_eq!(error["field"], field, "{body}: {answer}");
        }
    }
    let (status, answer) = h.ts.post("/v1/media/uploads", with("partSize", json!(MIB))).await;
    let message = assert_error(status, &answer, 400, "INVALID_REQUEST")["message"].clone();
    assert!(
        message.as_str().unwrap().contains("5 MiB") && message.as_str().unwrap().contains("64 MiB"),
        "{message}"
    );

    for name in [
        "../../etc/passwd",
        "..",
        "a/b.mp4",
        "a\\b.mp4",
        "a\u{0}b.mp4",
        "a\nb.mp4",
        "",
        &"x".repeat(256),
    ] {
        let (status, answer) = h.ts.post("/v1/media/uploads", with("fileName", json!(name))).await;
        let error = assert_error(status, &answer, 400, "INVALID_REQUEST");
        assert_eq!(error["field"], "fileName", "{name:?}: {answer}");
    }
    // The file name never reaches the disk: the key is the server's.
    let session = h.create(with("fileName", json!("weird name.TAR%2Fgz"))).await;
    let key = session["mediaKey"].as_str().unwrap();
    assert!(key.starts_with("org_mock/") && !key.contains('%') && !key.contains(' '), "{key}");
    assert!(h.files().is_empty());
}

fn vm_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// 300 MB in 64 MiB parts, generated on the fly from one 1 MiB block and streamed (chunked
/// transfer encoding): neither the test nor the emulator may hold a part in memory. The
/// emulator runs in this process (`MockServer::start` on the test's runtime), so this
/// process's VmRSS is the emulator's memory plus the client's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_300_mb_upload_streams_through_without_growing_memory() {
    let _exclusive = HEAVY.write().await;
    let h = Harness::start().await;
    const SIZE: usize = 300_000_000;
    const PART: usize = 64 * MIB;
    let block = Bytes::from((0..MIB).map(|i| (i * 31 % 253) as u8).collect::<Vec<u8>>());
    // Part n (every part starts at a block boundary, since PART is a multiple of the block).
    let chunks = |len: usize| {
        let block = block.clone();
        (0..len.div_ceil(MIB)).map(move |i| block.slice(0..MIB.min(len - i * MIB)))
    };
    let part_len = |n: usize| PART.min(SIZE - (n - 1) * PART);
    let parts = SIZE.div_ceil(PART);
    let mut whole = Sha256::new();
    let mut crcs = Vec::new();
    for n in 1..=parts {
        let mut crc = 0;
        for chunk in chunks(part_len(n)) {
            crc = crc32c::crc32c_append(crc, &chunk);
            whole.update(&chunk);
        }
        crcs.push(base64::engine::general_purpose::STANDARD.encode(u32::to_be_bytes(crc)));
    }
    let sha256 = hex::encode(whole.finalize());

    let session = h
        .create(json!({ "fileName": "big.mp4", "mimeType": "video/mp4", "size": SIZE, "partSize": PART, "sha256": sha256 }))
        .await;
    let id = session["uploadId"].as_str().unwrap().to_owned();
    assert_eq!(session["partCount"], parts);
    // Warm up the connection pool and the blocking threads before measuring.
    assert_eq!(h.upload(&id).await.0, StatusCode::OK);
    let before = vm_rss_kib();

    for n in 1..=parts {
        let stream =
            futures_util::stream::iter(chunks(part_len(n)).map(Ok::<Bytes, std::io::Error>));
        let request =
            h.ts.api(Method::PUT, &format!("/v1/media/uploads/{id}/parts/{n}"))
                .header("x-part-crc32c", &crcs[n - 1])
                .body(reqwest::Body::wrap_stream(stream));
        let (status, receipt) = send(request).await;
        assert_eq!(status, StatusCode::OK, "part {n}: {receipt}");
        assert_eq!(receipt["size"], part_len(n));
    }
    let (status, media) = h.complete(&id, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{media}");
    assert_eq!((&media["size"], &media["sha256"]), (&json!(SIZE), &json!(sha256)));
    let media = h.verified(media["mediaKey"].as_str().unwrap()).await;
    assert_eq!(media["status"], "failed", "not a real video: {media}");

    let after = vm_rss_kib();
    let grown_mib = after.saturating_sub(before) / 1024;
    eprintln!("VmRSS {before} kB before, {after} kB after a {SIZE}-byte upload");
    assert!(grown_mib < 100, "RSS grew by {grown_mib} MiB ({before} kB → {after} kB)");
    let stored: u64 = h.files().iter().map(|p| p.metadata().unwrap().len()).sum();
    assert_eq!(stored, SIZE as u64, "only the assembled file remains: {:?}", h.files());
}

#[tokio::test]
async fn creating_and_completing_honour_idempotency_keys() {
    let _shared = HEAVY.read().await;
    let h = Harness::start().await;
    let body = json!({ "fileName": "a.mp4", "mimeType": "video/mp4", "size": 10 });
    let create = || h.ts.api(Method::POST, "/v1/media/uploads").header("idempotency-key", "c-1");
    let first = create().json(&body).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again = create().json(&body).send().await.unwrap();
    assert_eq!(
        (again.status(), again.headers()["idempotent-replayed"].to_str().unwrap()),
        (StatusCode::CREATED, "true")
    );
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    let (status, answer) =
        send(create().json(&json!({ "fileName": "b.mp4", "mimeType": "video/mp4", "size": 10 })))
            .await;
    assert_error(status, &answer, 409, "IDEMPOTENCY_KEY_REUSED");

    let id = first["uploadId"].as_str().unwrap();
    assert_eq!(h.put_part(id, 1, b"0123456789").await.0, StatusCode::OK);
    let path = format!("/v1/media/uploads/{id}/complete");
    let complete =
        || h.ts.api(Method::POST, &path).header("idempotency-key", "c-2").json(&json!({}));
    let (status, media) = send(complete()).await;
    assert_eq!(status, StatusCode::OK, "{media}");
    let (status, replayed) = send(complete()).await;
    assert_eq!((status, replayed), (StatusCode::OK, media));
    let created: Vec<Value> =
        h.ts.journal().await.into_iter().filter(|e| e["created"].is_string()).collect();
    assert_eq!(created.len(), 2, "one upload and one media, replays create nothing: {created:?}");
}

/// The bytes of the one file under the data dir (a completed upload's media).
fn only_file(h: &Harness) -> Vec<u8> {
    let files = h.files();
    assert_eq!(files.len(), 1, "{files:?}");
    std::fs::read(&files[0]).expect("the stored file")
}

#[tokio::test]
async fn parts_sent_at_once_in_any_order_are_written_in_place_and_hashed_right() {
    let _shared = HEAVY.read().await;
    let h = Harness::start().await;
    let data: Vec<u8> = (0..23 * MIB + 11).map(|i| (i * 7 % 241) as u8).collect();
    let session = h
        .create(json!({ "fileName": "a.mp4", "mimeType": "video/mp4", "size": data.len(), "partSize": 5 * MIB }))
        .await;
    let id = session["uploadId"].as_str().unwrap();
    assert_eq!(session["partCount"], 5);
    let part = |n: usize| &data[(n - 1) * 5 * MIB..(n * 5 * MIB).min(data.len())];
    // All five at once, the last first: the running hash has to wait for part 1.
    let puts = [5, 3, 4, 2, 1].map(|n| h.put_part(id, n, part(n as usize)));
    for (status, receipt) in futures_util::future::join_all(puts).await {
        assert_eq!(status, StatusCode::OK, "{receipt}");
    }
    let (status, media) = h.complete(id, json!({ "sha256": sha_hex(&data) })).await;
    assert_eq!(status, StatusCode::OK, "{media}");
    assert_eq!((&media["size"], &media["sha256"]), (&json!(data.len()), &json!(sha_hex(&data))));
    assert!(only_file(&h) == data, "the stored bytes differ from the parts sent");
}

#[tokio::test]
async fn a_resent_part_replaces_hashed_bytes_and_a_damaged_resend_keeps_the_old_part() {
    let _shared = HEAVY.read().await;
    let h = Harness::start().await;
    let data: Vec<u8> = (0..10 * MIB + 3).map(|i| (i % 253) as u8).collect();
    let session = h
        .create(json!({ "fileName": "a.mp4", "mimeType": "video/mp4", "size": data.len(), "partSize": 5 * MIB }))
        .await;
    let id = session["uploadId"].as_str().unwrap();
    let part = |n: usize| &data[(n - 1) * 5 * MIB..(n * 5 * MIB).min(data.len())];
    let wrong = vec![9u8; 5 * MIB];
    // Part 1 with other bytes, then parts 2 and 3: the running hash covers the wrong part 1.
    for (n, bytes) in [(1, &wrong[..]), (2, part(2)), (3, part(3))] {
        assert_eq!(h.put_part(id, n, bytes).await.0, StatusCode::OK);
    }
    let (status, body) = h.complete(id, json!({ "sha256": sha_hex(&data) })).await;
    assert_error(status, &body, 422, "CHECKSUM_MISMATCH");

    // A re-send whose CRC32C is wrong changes nothing: the old part is still listed.
    let request =
        h.ts.api(Method::PUT, &format!("/v1/media/uploads/{id}/parts/1"))
            .header("x-part-crc32c", crc_b64(b"other"))
            .body(part(1).to_vec());
    let (status, body) = send(request).await;
    assert_error(status, &body, 422, "CHECKSUM_MISMATCH");
    let (_, state) = h.upload(id).await;
    assert_eq!(state["parts"][0]["crc32c"], crc_b64(&wrong), "{state}");

    // The right part 1 replaces the hashed one; completing hashes the new bytes.
    assert_eq!(h.put_part(id, 1, part(1)).await.0, StatusCode::OK);
    let (_, state) = h.upload(id).await;
    assert_eq!(state["parts"][0]["crc32c"], crc_b64(part(1)), "{state}");
    let (status, media) = h.complete(id, json!({ "sha256": sha_hex(&data) })).await;
    assert_eq!(status, StatusCode::OK, "{media}");
    assert!(only_file(&h) == data, "the stored bytes differ from the parts sent");
}

#[tokio::test]
async fn the_same_part_sent_twice_at_once_ends_whole_as_one_of_them() {
    let _shared = HEAVY.read().await;
    let h = Harness::start().await;
    let size = 6 * MIB;
    let session = h
        .create(json!({ "fileName": "a.mp4", "mimeType": "video/mp4", "size": size, "partSize": 5 * MIB }))
        .await;
    let id = session["uploadId"].as_str().unwrap();
    let (a, b) = (vec![1u8; 5 * MIB], vec![2u8; 5 * MIB]);
    let tail = vec![3u8; MIB];
    let (first, second) = tokio::join!(h.put_part(id, 1, &a), h.put_part(id, 1, &b));
    assert_eq!((first.0, second.0), (StatusCode::OK, StatusCode::OK), "{first:?} {second:?}");
    assert_eq!(h.put_part(id, 2, &tail).await.0, StatusCode::OK);
    let (_, state) = h.upload(id).await;
    let listed = state["parts"][0]["crc32c"].clone();
    let (status, media) = h.complete(id, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{media}");
    let stored = only_file(&h);
    let winner = if listed == crc_b64(&a) { &a } else { &b };
    assert_eq!(listed, crc_b64(winner), "{state}");
    assert!(stored[..5 * MIB] == winner[..] && stored[5 * MIB..] == tail[..], "mixed bytes");
    // The CRC32C combined from the parts' is the one of the bytes stored; no SHA-256 was sent.
    assert_eq!(media["crc32c"], crc_b64(&stored));
    assert!(media.get("sha256").is_none(), "{media}");
}

#[tokio::test]
async fn completing_with_a_part_missing_is_refused_and_keeps_what_arrived() {
    let _shared = HEAVY.read().await;
    let h = Harness::start().await;
    let data: Vec<u8> = (0..15 * MIB).map(|i| (i % 239) as u8).collect();
    let session = h
        .create(json!({ "fileName": "a.mp4", "mimeType": "video/mp4", "size": data.len(), "partSize": 5 * MIB, "sha256": sha_hex(&data) }))
        .await;
    let id = session["uploadId"].as_str().unwrap();
    let part = |n: usize| &data[(n - 1) * 5 * MIB..n * 5 * MIB];
    assert_eq!(h.put_part(id, 3, part(3)).await.0, StatusCode::OK);
    assert_eq!(h.put_part(id, 1, part(1)).await.0, StatusCode::OK);
    let (status, body) = h.complete(id, json!({})).await;
    let error = assert_error(status, &body, 409, "UPLOAD_INCOMPLETE");
    assert_eq!(error["details"]["missingParts"], json!([2]));
    assert_eq!(h.files().len(), 1, "one data file: {:?}", h.files());
    assert_eq!(h.put_part(id, 2, part(2)).await.0, StatusCode::OK);
    let (status, media) = h.complete(id, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{media}");
    assert!(only_file(&h) == data, "the stored bytes differ from the parts sent");
}
