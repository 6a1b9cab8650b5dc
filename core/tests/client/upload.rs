//! `client.media()` uploads against the emulator: every fixture single-shot and chunked,
//! preflight before any request, checksums, retried and resumed parts, cancellation, reader
//! failures, progress, and the resume state file.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use crate::client_common::Emulator;
use aether::media::MediaWaitOptions;
use aether::model::{MediaStatus, Platform, Tier, UploadStatus};
use aether::transport::ApiRequest;
use aether::upload::{crc32c_base64, ResumeState, UploadOptions, UploadProgress, UploadSource};
use aether::{CancellationToken, ErrorCode};
use serde_json::{json, Value};
use tokio::io::{AsyncRead, ReadBuf};

const MIB: u64 = 1024 * 1024;
/// The smallest part size the server accepts: keeps the chunked tests small.
const PART: u64 = 5 * MIB;

use crate::client_common::media_fixture as fixture;

fn manifest() -> Vec<Value> {
    let text = std::fs::read_to_string(fixture("manifest.json")).unwrap();
    let manifest: Value = serde_json::from_str(&text).unwrap();
    manifest["files"].as_array().unwrap().clone()
}

/// `size` bytes of a deterministic pseudo-random pattern.
fn pattern(size: u64, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    let mut out = Vec::with_capacity(size as usize);
    while (out.len() as u64) < size {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(size as usize);
    out
}

/// Writes a patterned file of `size` bytes in `dir` and returns its path and its whole-file
/// CRC32C (base64, as the media's `crc32c`).
fn patterned_file(dir: &Path, name: &str, size: u64, seed: u64) -> (PathBuf, String) {
    let data = pattern(size, seed);
    let path = dir.join(name);
    std::fs::File::create(&path).unwrap().write_all(&data).unwrap();
    (path, crc32c_base64(&data))
}

fn fast_wait() -> MediaWaitOptions {
    MediaWaitOptions::default()
        .poll_interval(Duration::from_millis(20))
        .timeout(Duration::from_secs(30))
}

/// Journal entries whose path starts with `prefix`.
async fn requests_under(emulator: &Emulator, prefix: &str) -> Vec<Value> {
    emulator
        .journal()
        .await
        .into_iter()
        .filter(|e| e["path"].as_str().is_some_and(|p| p.starts_with(prefix)))
        .collect()
}

/// Part PUTs the server answered 200, by part number.
async fn acknowledged_parts(emulator: &Emulator) -> BTreeMap<u32, usize> {
    let mut parts = BTreeMap::new();
    for entry in requests_under(emulator, "/v1/media/uploads/").await {
        let path = entry["path"].as_str().unwrap();
        if entry["method"] == "PUT" && entry["status"] == 200 {
            let number: u32 = path.rsplit('/').next().unwrap().parse().unwrap();
            *parts.entry(number).or_insert(0) += 1;
        }
    }
    parts
}

fn upload_id_of(error: &aether::Error) -> String {
    error
        .details()
        .and_then(|d| d["uploadId"].as_str())
        .expect("the error names the upload")
        .to_owned()
}

// ---------------------------------------------------------------------------------------------
// Checksums

#[test]
fn the_part_checksum_is_base64_of_the_big_endian_crc32c() {
    // The example of spec/openapi.yaml, and RFC 3720's 32 zero bytes (CRC32C 0x8A9136AA).
    assert_eq!(crc32c_base64(b"hello world"), "yZRlqg==");
    assert_eq!(crc32c_base64(&[0u8; 32]), "ipE2qg==");
    assert_eq!(crc32c_base64(b""), "AAAAAA==");
}

#[tokio::test]
async fn a_part_whose_checksum_header_is_wrong_is_refused_and_not_kept() {
    let emulator = Emulator::start().await;
    let client = emulator.client();
    let create = ApiRequest::post("/v1/media/uploads")
        .json(&json!({"fileName": "x.mp4", "mimeType": "video/mp4", "size": 11}))
        .unwrap();
    let session: Value = client.transport().send_json(create).await.unwrap().data;
    let upload_id = session["uploadId"].as_str().unwrap();
    let put = |crc: &str| {
        ApiRequest::put(format!("/v1/media/uploads/{upload_id}/parts/1"))
            .bytes(&b"hello world"[..], "application/octet-stream")
            .unwrap()
            .header("X-Part-Crc32c", crc)
            .unwrap()
    };

    let error = client.transport().send(put(&crc32c_base64(b"hello worle"))).await.unwrap_err();
    assert_eq!(*error.code(), ErrorCode::ChecksumMismatch, "{error}");
    let state = client.media().upload_state(upload_id).await.unwrap();
    assert!(state.parts.is_empty());

    client.transport().send(put(&crc32c_base64(b"hello world"))).await.unwrap();
    let state = client.media().upload_state(upload_id).await.unwrap();
    assert_eq!(state.parts[0].crc32c, "yZRlqg==");
}

// ---------------------------------------------------------------------------------------------
// Fixtures and preflight

#[tokio::test]
async fn every_fixture_uploads_and_is_verified_with_the_manifest_facts() {
    let emulator = Emulator::start().await;
    let media = emulator.client().media();
    for (index, entry) in manifest().iter().enumerate() {
        let name = entry["file"].as_str().unwrap();
        let expect = &entry["expect"];
        let ffprobe = &entry["ffprobe"];
        let bytes = std::fs::read(fixture(name)).unwrap();
        let mut options = UploadOptions::new();
        // Audio-only files and random bytes need a video type to reach verification at all.
        if expect["kind"] == "audio" || name.ends_with(".bin") || name.ends_with(".m4a") {
            options =
                options.mime_type(if name.ends_with(".webm") { "video/webm" } else { "video/mp4" });
        }
        // Alternate between the single shot and a (one-part) chunked upload.
        if index % 2 == 1 {
            options = options.single_shot_threshold(0);
        }
        let uploaded = media.upload(UploadSource::path(fixture(name)), options).await.unwrap();
        assert_eq!(uploaded.size, bytes.len() as u64, "{name}");
        assert_eq!(uploaded.crc32c, Some(crc32c_base64(&bytes)), "{name}");
        assert_eq!(uploaded.sha256, None, "{name}: no SHA-256 unless asked for");
        assert_eq!(uploaded.file_name, name);

        let verified = media.wait_ready(&uploaded.media_key, fast_wait()).await;
        if expect["outcome"] == "error" || expect["kind"] == "audio" {
            let error = verified.expect_err(name);
            assert_eq!(*error.code(), ErrorCode::UnsupportedMediaType, "{name}: {error}");
            let failed = &error.details().unwrap()["media"];
            assert_eq!(failed["status"], "failed", "{name}");
            if let Some(reason) = expect["reasonContains"].as_str() {
                assert!(error.message().contains(reason), "{name}: {error}");
            }
            continue;
        }
        let ready = verified.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(ready.status, MediaStatus::Ready);
        assert_eq!(ready.container.as_ref().map(|c| c.as_str()), expect["container"].as_str());
        assert_eq!(ready.kind.as_str(), expect["kind"].as_str().unwrap(), "{name}");
        assert_eq!(ready.width, ffprobe["width"].as_u64().map(|w| w as u32), "{name}");
        assert_eq!(ready.height, ffprobe["height"].as_u64().map(|h| h as u32), "{name}");
        if expect["kind"] == "video" {
            let codec =
                ffprobe["videoCodec"].as_str().map(|c| if c == "hevc" { "h265" } else { c });
            assert_eq!(ready.video_codec.as_ref().map(|c| c.as_str()), codec, "{name}");
            assert_eq!(ready.audio_codec.as_deref(), ffprobe["audioCodec"].as_str(), "{name}");
            let want = ffprobe["durationMs"].as_u64().unwrap();
            let got = ready.duration_ms.unwrap_or_else(|| panic!("{name}: no duration"));
            assert!(got.abs_diff(want) <= 10, "{name}: {got} ms, ffprobe says {want} ms");
        }
    }
}

#[tokio::test]
async fn preflight_refuses_a_short_video_before_any_request_reaches_the_server() {
    let emulator = Emulator::start().await;
    let media = emulator.client().media();
    let options = UploadOptions::new().platform(Platform::Tiktok).tier(Tier::Standard);

    let error = media
        .upload(UploadSource::path(fixture("h264_14.9s.mp4")), options.clone())
        .await
        .unwrap_err();
    assert_eq!(*error.code(), ErrorCode::VideoTooShort, "{error}");
    assert_eq!(error.platform(), Some(&Platform::Tiktok));
    assert_eq!(error.field(), Some("file"));
    let details = error.details().unwrap();
    assert!(details["measured"].as_u64().unwrap().abs_diff(14_900) <= 10, "{details}");
    assert_eq!(details["allowed"]["min"], 15_000);
    assert_eq!(details["unit"], "ms");
    assert_eq!(details["violations"].as_array().unwrap().len(), 1);

    // Bytes in memory are preflighted too; every violation is listed, the first is the error.
    let av1 = std::fs::read(fixture("av1_10s.mp4")).unwrap();
    let error = media
        .upload(UploadSource::bytes(av1), options.clone().file_name("av1.mp4"))
        .await
        .unwrap_err();
    let codes: Vec<&str> = error.details().unwrap()["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"UNSUPPORTED_MEDIA_TYPE") && codes.contains(&"VIDEO_TOO_SHORT"),
        "{codes:?}"
    );
    assert_eq!(error.code().as_str(), codes[0]);

    // Broken media is refused before upload as well.
    let error = media
        .upload(UploadSource::path(fixture("truncated_faststart.mp4")), options.clone())
        .await
        .unwrap_err();
    assert_eq!(*error.code(), ErrorCode::UnsupportedMediaType, "{error}");

    assert!(
        requests_under(&emulator, "/v1/media").await.is_empty(),
        "nothing may reach the server"
    );

    // A video within the rules goes through.
    let ok = media.upload(UploadSource::path(fixture("h264_15s.mp4")), options).await.unwrap();
    assert_eq!(ok.status, MediaStatus::Processing);
}

// ---------------------------------------------------------------------------------------------
// Chunked uploads: retries, progress, readers

#[tokio::test]
async fn a_part_whose_connection_resets_is_retried_and_the_upload_completes() {
    let emulator = Emulator::start().await;
    emulator
        .fault(json!({"method":"PUT","path":"/v1/media/uploads/*/parts/*","times":1,
                      "action":{"type":"reset_before_body"}}))
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (path, sha) = patterned_file(dir.path(), "clip.mp4", 2 * PART + 123, 7);
    let options = UploadOptions::new().part_size(PART).parallelism(2);

    let media = emulator.client().media().upload(UploadSource::path(&path), options).await.unwrap();
    assert_eq!(
        (media.crc32c.as_deref().unwrap_or_default(), media.size),
        (sha.as_str(), 2 * PART + 123)
    );

    let puts: Vec<Value> = requests_under(&emulator, "/v1/media/uploads/")
        .await
        .into_iter()
        .filter(|e| e["method"] == "PUT")
        .collect();
    assert_eq!(puts.len(), 4, "3 parts and one retry: {puts:?}");
    assert_eq!(puts.iter().filter(|e| e["status"].is_null()).count(), 1);
    assert!(acknowledged_parts(&emulator).await.values().all(|&n| n == 1));
}

#[tokio::test]
async fn progress_is_monotonic_throttled_and_ends_at_the_total() {
    let emulator = Emulator::start().await;
    let dir = tempfile::tempdir().unwrap();
    let size = 4 * PART + 1;
    let (path, _) = patterned_file(dir.path(), "clip.mp4", size, 11);
    let events = Arc::new(Mutex::new(Vec::<UploadProgress>::new()));
    let seen = events.clone();
    let options = UploadOptions::new()
        .part_size(PART)
        .parallelism(3)
        .on_progress(move |p| seen.lock().unwrap().push(p));

    emulator.client().media().upload(UploadSource::path(&path), options).await.unwrap();

    let events = events.lock().unwrap().clone();
    assert_eq!(events.first().unwrap().bytes_sent, 0);
    assert_eq!(
        *events.last().unwrap(),
        UploadProgress { bytes_sent: size, total: size, parts_done: 5, parts_total: 5 }
    );
    assert!(events
        .windows(2)
        .all(|w| w[0].bytes_sent <= w[1].bytes_sent && w[0].parts_done <= w[1].parts_done));
    assert!(events.len() <= 6, "at most one event per part and the first: {events:?}");
    assert_eq!(events.iter().filter(|e| e.bytes_sent == size).count(), 1, "one final event");
}

#[tokio::test]
async fn readers_of_known_and_unknown_size_upload_and_are_checked_whole() {
    let emulator = Emulator::start().await;
    let media = emulator.client().media();
    let dir = tempfile::tempdir().unwrap();
    let size = 2 * PART + 17;
    let (path, sha) = patterned_file(dir.path(), "clip.mp4", size, 3);

    // Known size: parts read in order, the CRC32C combined from them sent at completion.
    let reader = tokio::fs::File::open(&path).await.unwrap();
    let options =
        UploadOptions::new().file_name("clip.mp4").part_size(PART).single_shot_threshold(0);
    let uploaded = media.upload(UploadSource::reader(reader, size), options).await.unwrap();
    assert_eq!(
        (uploaded.crc32c.as_deref(), uploaded.sha256.as_deref()),
        (Some(sha.as_str()), None)
    );
    assert_eq!(uploaded.mime_type, "video/mp4");

    // Unknown size above the threshold: spooled, then chunked.
    let reader = tokio::fs::File::open(&path).await.unwrap();
    let options = UploadOptions::new().mime_type("video/mp4").part_size(PART);
    let uploaded = media.upload(UploadSource::reader_unknown_size(reader), options).await.unwrap();
    assert_eq!(
        (uploaded.crc32c.as_deref().unwrap_or_default(), uploaded.file_name.as_str()),
        (sha.as_str(), "upload.mp4")
    );

    // Unknown size under the threshold: one request.
    let small = std::fs::read(fixture("h264_15s.mp4")).unwrap();
    let options = UploadOptions::new().file_name("small.mp4");
    let before = requests_under(&emulator, "/v1/media").await.len();
    let uploaded = media
        .upload(UploadSource::reader_unknown_size(std::io::Cursor::new(small.clone())), options)
        .await
        .unwrap();
    assert_eq!(uploaded.size, small.len() as u64);
    let after = requests_under(&emulator, "/v1/media").await;
    assert_eq!(after.len(), before + 1);
    assert_eq!(
        (after[before]["method"].as_str(), after[before]["path"].as_str()),
        (Some("POST"), Some("/v1/media"))
    );

    // A reader holding more than it was declared with is refused, and its session aborted.
    let reader = std::io::Cursor::new(pattern(PART + 10, 5));
    let options = UploadOptions::new().file_name("x.mp4").single_shot_threshold(0);
    let error = media.upload(UploadSource::reader(reader, PART + 9), options).await.unwrap_err();
    assert_eq!(*error.code(), ErrorCode::InvalidArgument, "{error}");
    let state = media.upload_state(&upload_id_of(&error)).await.unwrap();
    assert_eq!(state.status, UploadStatus::Aborted);
}

/// Yields its data, then fails.
struct FailingReader {
    data: Vec<u8>,
    at: usize,
}

impl AsyncRead for FailingReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.at >= self.data.len() {
            return Poll::Ready(Err(std::io::Error::other("the disk is on fire")));
        }
        let n = buf.remaining().min(self.data.len() - self.at).min(64 * 1024);
        let at = self.at;
        buf.put_slice(&self.data[at..at + n]);
        self.at += n;
        Poll::Ready(Ok(()))
    }
}

#[tokio::test]
async fn a_reader_that_fails_mid_read_is_an_io_error_and_aborts_the_session() {
    let emulator = Emulator::start().await;
    let media = emulator.client().media();
    let reader = FailingReader { data: pattern(PART + MIB, 9), at: 0 };
    let options = UploadOptions::new().file_name("broken.mp4").part_size(PART).parallelism(2);

    let error = media.upload(UploadSource::reader(reader, 3 * PART), options).await.unwrap_err();
    assert_eq!(*error.code(), ErrorCode::IoError, "{error}");
    assert!(error.message().contains("the disk is on fire"), "{error}");
    assert_eq!(error.details().unwrap()["sessionAborted"], true);
    let state = media.upload_state(&upload_id_of(&error)).await.unwrap();
    assert_eq!(state.status, UploadStatus::Aborted);
    assert!(state.parts.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Cancellation

#[tokio::test]
async fn cancelling_aborts_the_session_on_the_server() {
    let emulator = Emulator::start().await;
    emulator
        .fault(json!({"method":"PUT","path":"/v1/media/uploads/*/parts/*",
                          "action":{"type":"delay","ms":100}}))
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = patterned_file(dir.path(), "clip.mp4", 6 * PART, 21);
    let token = CancellationToken::new();
    let cancel = token.clone();
    let options =
        UploadOptions::new().part_size(PART).parallelism(1).cancel_token(token).on_progress(
            move |p| {
                if p.parts_done >= 1 {
                    cancel.cancel();
                }
            },
        );

    let media = emulator.client().media();
    let error = media.upload(UploadSource::path(&path), options).await.unwrap_err();
    assert_eq!(*error.code(), ErrorCode::Cancelled, "{error}");
    assert_eq!(error.details().unwrap()["sessionAborted"], true);
    let state = media.upload_state(&upload_id_of(&error)).await.unwrap();
    assert_eq!(state.status, UploadStatus::Aborted);
    assert!(acknowledged_parts(&emulator).await.len() < 6);
}

/// Progress handed to a slow consumer on another thread, as the Python and Node bindings do,
/// with the barrier that lets the engine wait for it. `verdict` sees each event after a delay
/// and may cancel the upload.
fn queued_progress(
    options: UploadOptions,
    token: CancellationToken,
    verdict: impl Fn(UploadProgress) -> bool + Send + 'static,
) -> (UploadOptions, Arc<Mutex<Vec<UploadProgress>>>) {
    let handled = Arc::new(Mutex::new(Vec::new()));
    let (events, mut queue) = tokio::sync::mpsc::unbounded_channel::<UploadProgress>();
    let caught_up = Arc::new(tokio::sync::watch::channel(0usize));
    let (seen, progress) = (handled.clone(), caught_up.clone());
    std::thread::spawn(move || {
        while let Some(event) = queue.blocking_recv() {
            std::thread::sleep(Duration::from_millis(100));
            seen.lock().unwrap().push(event);
            if verdict(event) {
                token.cancel();
            }
            progress.0.send_modify(|count| *count += 1);
        }
    });
    let pushed = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = pushed.clone();
    let options = options
        .on_progress(move |event| {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let _ = events.send(event);
        })
        .progress_barrier(move || {
            let target = pushed.load(std::sync::atomic::Ordering::SeqCst);
            let mut handled = caught_up.0.subscribe();
            async move {
                let _ = handled.wait_for(|count| *count >= target).await;
            }
        });
    (options, handled)
}

#[tokio::test]
async fn an_upload_completes_only_after_a_queued_progress_callback_saw_the_final_event() {
    let emulator = Emulator::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (path, sha256) = patterned_file(dir.path(), "clip.mp4", 3 * PART, 25);
    let token = CancellationToken::new();
    let options = UploadOptions::new().part_size(PART).cancel_token(token.clone());
    let (options, handled) = queued_progress(options, token, |_| false);

    let media = emulator.client().media().upload(UploadSource::path(&path), options).await.unwrap();
    assert_eq!((media.crc32c.as_deref(), media.sha256.as_deref()), (Some(sha256.as_str()), None));
    let handled = handled.lock().unwrap().clone();
    let last = handled.last().expect("the final event was handled before the upload returned");
    assert_eq!((last.bytes_sent, last.parts_done), (3 * PART, 3));
}

#[tokio::test]
async fn a_queued_progress_callback_that_cancels_on_the_final_event_stops_the_complete() {
    let emulator = Emulator::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = patterned_file(dir.path(), "clip.mp4", 3 * PART, 27);
    let token = CancellationToken::new();
    let options = UploadOptions::new().part_size(PART).cancel_token(token.clone());
    let (options, _) = queued_progress(options, token, |p| p.bytes_sent == p.total);

    let media = emulator.client().media();
    let error = media.upload(UploadSource::path(&path), options).await.unwrap_err();
    assert_eq!(*error.code(), ErrorCode::Cancelled, "{error}");
    assert_eq!(error.details().unwrap()["sessionAborted"], true);
    // Every part was sent and acknowledged, yet the media was never made.
    assert_eq!(acknowledged_parts(&emulator).await.len(), 3);
    let completes = requests_under(&emulator, "/v1/media/uploads").await;
    assert!(completes.iter().all(|e| !e["path"].as_str().unwrap().ends_with("/complete")));
    let state = media.upload_state(&upload_id_of(&error)).await.unwrap();
    assert_eq!(state.status, UploadStatus::Aborted);
}

#[tokio::test]
async fn a_queued_progress_callback_that_cancels_at_the_start_stops_a_single_shot_upload() {
    let emulator = Emulator::start().await;
    let token = CancellationToken::new();
    let (options, _) = queued_progress(
        UploadOptions::new().mime_type("video/mp4").cancel_token(token.clone()),
        token,
        |p| p.bytes_sent == 0,
    );
    let source = UploadSource::bytes(pattern(MIB, 29));
    let error = emulator.client().media().upload(source, options).await.unwrap_err();
    assert_eq!(*error.code(), ErrorCode::Cancelled, "{error}");
    assert!(requests_under(&emulator, "/v1/media").await.is_empty());
}

#[tokio::test]
async fn dropping_the_upload_aborts_its_session() {
    let emulator = Emulator::start().await;
    emulator
        .fault(json!({"method":"PUT","path":"/v1/media/uploads/*/parts/*",
                          "action":{"type":"delay","ms":200}}))
        .await;
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = patterned_file(dir.path(), "clip.mp4", 4 * PART, 23);
    let (started_tx, started_rx) = tokio::sync::oneshot::channel();
    let started_tx = Mutex::new(Some(started_tx));
    let options = UploadOptions::new().part_size(PART).parallelism(1).on_progress(move |_| {
        if let Some(tx) = started_tx.lock().unwrap().take() {
            let _ = tx.send(());
        }
    });
    let media = emulator.client().media();
    let task = tokio::spawn({
        let media = media.clone();
        async move { media.upload(UploadSource::path(&path), options).await }
    });
    started_rx.await.unwrap();
    task.abort();
    let _ = task.await;

    let created = requests_under(&emulator, "/v1/media/uploads").await;
    let upload_id = created.iter().find_map(|e| e["created"].as_str()).unwrap().to_owned();
    let mut status = UploadStatus::Uploading;
    for _ in 0..200 {
        status = media.upload_state(&upload_id).await.unwrap().status;
        if status == UploadStatus::Aborted {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(status, UploadStatus::Aborted);
}

// ---------------------------------------------------------------------------------------------
// Resuming

/// Makes every attempt at part 4 break mid-body (the connection is reset after 64 KiB), more
/// times than the transport retries.
async fn break_part_four(emulator: &Emulator) {
    emulator
        .fault(json!({"method":"PUT","path":"/v1/media/uploads/*/parts/4","times":3,
                      "action":{"type":"drop_after_request_bytes","bytes":65536}}))
        .await;
}

#[tokio::test]
async fn resume_after_a_failed_upload_sends_only_what_the_server_lacks() {
    let emulator = Emulator::start().await;
    break_part_four(&emulator).await;
    let dir = tempfile::tempdir().unwrap();
    let (path, sha) = patterned_file(dir.path(), "clip.mp4", 5 * PART + 99, 31);
    let options = UploadOptions::new().part_size(PART).parallelism(2);
    let media = emulator.client().media();

    // One part at a time before the failure: with two, part 5 can still be on its way when
    // part 4 gives up, be stored after the resume asked for the list, and be sent twice.
    let first = options.clone().parallelism(1);
    let error = media.upload(UploadSource::path(&path), first).await.unwrap_err();
    assert_eq!(*error.code(), ErrorCode::NetworkError, "{error}");
    assert_eq!(error.details().unwrap()["sessionAborted"], false);
    let upload_id = upload_id_of(&error);
    let state = media.upload_state(&upload_id).await.unwrap();
    assert_eq!(state.status, UploadStatus::Uploading);
    assert!(!state.parts.iter().any(|p| p.part_number == 4));

    let resumed = media.resume(&upload_id, UploadSource::path(&path), options).await.unwrap();
    assert_eq!((resumed.crc32c.as_deref(), resumed.sha256.as_deref()), (Some(sha.as_str()), None));
    // Every part was acknowledged exactly once: nothing the server held was sent again, and
    // the only re-sent part is the one whose every attempt broke.
    let acknowledged = acknowledged_parts(&emulator).await;
    assert_eq!(acknowledged, (1..=6).map(|n| (n, 1)).collect::<BTreeMap<_, _>>());
    let fourth: Vec<Value> =
        requests_under(&emulator, &format!("/v1/media/uploads/{upload_id}/parts/4")).await;
    assert_eq!(fourth.len(), 4, "three broken attempts and one after resuming: {fourth:?}");
}

#[tokio::test]
async fn resume_refuses_a_source_of_another_size() {
    let emulator = Emulator::start().await;
    break_part_four(&emulator).await;
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = patterned_file(dir.path(), "clip.mp4", 4 * PART, 41);
    let options = UploadOptions::new().part_size(PART).parallelism(1);
    let media = emulator.client().media();
    let error = media.upload(UploadSource::path(&path), options.clone()).await.unwrap_err();
    let upload_id = upload_id_of(&error);

    let (other, _) = patterned_file(dir.path(), "other.mp4", 4 * PART - 1, 41);
    let error =
        media.resume(&upload_id, UploadSource::path(&other), options.clone()).await.unwrap_err();
    assert_eq!(*error.code(), ErrorCode::InvalidArgument, "{error}");
    // The session is untouched and can still be finished with the right file.
    media.resume(&upload_id, UploadSource::path(&path), options).await.unwrap();
}

#[tokio::test]
async fn resuming_sends_again_a_part_the_server_holds_with_other_bytes() {
    let emulator = Emulator::start().await;
    break_part_four(&emulator).await;
    let dir = tempfile::tempdir().unwrap();
    let (path, sha) = patterned_file(dir.path(), "clip.mp4", 4 * PART, 51);
    let options = UploadOptions::new().part_size(PART).parallelism(1);
    let client = emulator.client();
    let media = client.media();
    let error = media.upload(UploadSource::path(&path), options.clone()).await.unwrap_err();
    let upload_id = upload_id_of(&error);

    // The server's part 2 now holds other bytes of the right size (with their own CRC32C).
    let garbage = pattern(PART, 99);
    let put = ApiRequest::put(format!("/v1/media/uploads/{upload_id}/parts/2"))
        .bytes(garbage.clone(), "application/octet-stream")
        .unwrap()
        .header("X-Part-Crc32c", &crc32c_base64(&garbage))
        .unwrap();
    client.transport().send(put).await.unwrap();

    let resumed =
        media.resume(&upload_id, UploadSource::path(&path), options.clone()).await.unwrap();
    assert_eq!((resumed.crc32c.as_deref(), resumed.sha256.as_deref()), (Some(sha.as_str()), None));
    let acknowledged = acknowledged_parts(&emulator).await;
    assert_eq!(acknowledged, BTreeMap::from([(1, 1), (2, 3), (3, 1), (4, 1)]));
}

#[tokio::test]
async fn a_file_changed_before_resuming_is_uploaded_as_it_is_now() {
    let emulator = Emulator::start().await;
    break_part_four(&emulator).await;
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = patterned_file(dir.path(), "clip.mp4", 4 * PART, 53);
    let options = UploadOptions::new().part_size(PART).parallelism(1);
    let media = emulator.client().media();
    let error = media.upload(UploadSource::path(&path), options.clone()).await.unwrap_err();
    let upload_id = upload_id_of(&error);

    let mut data = std::fs::read(&path).unwrap();
    data[PART as usize + 5] ^= 0xff;
    std::fs::write(&path, &data).unwrap();
    let uploaded = media.resume(&upload_id, UploadSource::path(&path), options).await.unwrap();
    // The changed part's CRC32C differs from the server's copy, so it is sent again, and the
    // whole-file SHA-256 sent at completion is the new file's: what the server keeps is exactly
    // what is on disk now, never a mix of the two versions.
    assert_eq!(acknowledged_parts(&emulator).await.get(&2), Some(&2));
    assert_eq!(uploaded.crc32c, Some(crc32c_base64(&data)));
}

#[tokio::test]
async fn a_new_process_continues_the_upload_of_the_resume_state_file() {
    let emulator = Emulator::start().await;
    break_part_four(&emulator).await;
    let dir = tempfile::tempdir().unwrap();
    let (path, sha) = patterned_file(dir.path(), "clip.mp4", 5 * PART, 61);
    let state_file = dir.path().join("clip.upload.json");
    let options =
        UploadOptions::new().part_size(PART).parallelism(1).resume_state_file(&state_file);

    let error = emulator
        .client()
        .media()
        .upload(UploadSource::path(&path), options.clone())
        .await
        .unwrap_err();
    assert_eq!(*error.code(), ErrorCode::NetworkError, "{error}");
    let state = ResumeState::load(&state_file).unwrap().expect("the state file is written");
    assert_eq!(state.upload_id, upload_id_of(&error));
    assert_eq!((state.size, state.part_size), (5 * PART, PART));
    assert_eq!(state.path.as_deref(), Some(std::fs::canonicalize(&path).unwrap().as_path()));
    assert!(state.mtime.is_some());

    // "Another process": a new client, the same call.
    let media = emulator.client().media().upload(UploadSource::path(&path), options).await.unwrap();
    assert_eq!(
        (media.crc32c.as_deref().unwrap_or_default(), media.media_key.as_str()),
        (sha.as_str(), state.media_key.as_str())
    );
    assert!(!state_file.exists(), "the state file is removed after completion");
    let creates: Vec<Value> = emulator.journal_for("POST", "/v1/media/uploads").await;
    assert_eq!(creates.len(), 1, "the second run opened no new session");
    assert_eq!(
        acknowledged_parts(&emulator).await,
        (1..=5).map(|n| (n, 1)).collect::<BTreeMap<_, _>>()
    );
}

#[tokio::test]
async fn a_state_file_for_another_file_is_ignored() {
    let emulator = Emulator::start().await;
    let dir = tempfile::tempdir().unwrap();
    let (path, sha) = patterned_file(dir.path(), "clip.mp4", PART + 1, 71);
    let state_file = dir.path().join("state.json");
    ResumeState {
        upload_id: "upl_gone".into(),
        media_key: "org_mock/gone.mp4".into(),
        path: Some(dir.path().join("elsewhere.mp4")),
        size: PART + 1,
        part_size: PART,
        mtime: None,
    }
    .save(&state_file)
    .unwrap();
    let options = UploadOptions::new()
        .part_size(PART)
        .single_shot_threshold(0)
        .resume_state_file(&state_file);
    let media = emulator.client().media().upload(UploadSource::path(&path), options).await.unwrap();
    assert_eq!((media.crc32c.as_deref(), media.sha256.as_deref()), (Some(sha.as_str()), None));
    assert!(!state_file.exists());
}
