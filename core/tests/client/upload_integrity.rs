//! Upload integrity in one pass: the whole file's CRC32C combined from the parts' (checked by
//! the emulator at `complete`), `X-Content-Crc32c` on the single shot, a part damaged on the
//! way, and the SHA-256 only when asked for (`UploadOptions::sha256`).

use std::io::Write;

use crate::client_common::Emulator;
use aether::upload::{crc32c_base64, encode_crc32c, UploadOptions, UploadSource};
use aether::ErrorCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const MIB: u64 = 1024 * 1024;
const PART: u64 = 5 * MIB;

/// `size` bytes that differ from part to part.
fn data(size: u64, seed: u64) -> Vec<u8> {
    (0..size).map(|i| ((i * 31 + seed) ^ (i >> 11)) as u8).collect()
}

fn sha_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The journal's requests to `method` a path starting with `prefix`.
async fn requests(emulator: &Emulator, method: &str, prefix: &str) -> Vec<Value> {
    emulator
        .journal()
        .await
        .into_iter()
        .filter(|e| {
            e["method"] == method && e["path"].as_str().is_some_and(|p| p.starts_with(prefix))
        })
        .collect()
}

/// An emulator that flips the byte at `at` of the next `times` request bodies to `method path`.
async fn damaging(method: &str, path: &str, times: u32, at: u64) -> Emulator {
    let emulator = Emulator::start().await;
    emulator
        .fault(json!({"method": method, "path": path, "times": times,
                      "action": {"type": "flip_request_byte", "at": at}}))
        .await;
    emulator
}

/// Chunked whatever the size, in 5 MiB parts.
fn chunked_options() -> UploadOptions {
    UploadOptions::new().file_name("clip.mp4").part_size(PART).single_shot_threshold(0)
}

#[test]
fn the_whole_file_crc32c_is_the_one_of_its_bytes() {
    // What the engine combines from the parts equals the CRC32C computed in one go.
    let bytes = data(3 * 1000 + 7, 1);
    let mut combined = crc32c::crc32c(&bytes[..1000]);
    for part in bytes[1000..].chunks(1000) {
        combined = crc32c::crc32c_combine(combined, crc32c::crc32c(part), part.len());
    }
    assert_eq!(crc32c_base64(&bytes), encode_crc32c(combined));
}

/// `len` bytes of test data written to clip.mp4 in a new temporary folder (kept alive by the
/// returned guard).
fn clip_file(len: u64, seed: u64) -> (tempfile::TempDir, Vec<u8>, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let bytes = data(len, seed);
    let path = dir.path().join("clip.mp4");
    std::fs::File::create(&path).unwrap().write_all(&bytes).unwrap();
    (dir, bytes, path)
}

#[tokio::test]
async fn every_source_completes_with_the_file_s_crc32c_and_no_sha256_by_default() {
    let emulator = Emulator::start().await;
    let media = emulator.client().media();
    let (_dir, bytes, path) = clip_file(2 * PART + 4321, 7);
    let chunked =
        || UploadOptions::new().mime_type("video/mp4").part_size(PART).single_shot_threshold(0);
    let sources = [
        ("path", UploadSource::path(&path)),
        ("bytes", UploadSource::bytes(bytes.clone())),
        (
            "reader",
            UploadSource::reader(tokio::fs::File::open(&path).await.unwrap(), bytes.len() as u64),
        ),
        (
            "unknown size",
            UploadSource::reader_unknown_size(tokio::fs::File::open(&path).await.unwrap()),
        ),
    ];
    for (name, source) in sources {
        let uploaded = media.upload(source, chunked().file_name("clip.mp4")).await.unwrap();
        assert_eq!(uploaded.crc32c, Some(crc32c_base64(&bytes)), "{name}");
        assert_eq!(uploaded.sha256, None, "{name}: nothing computed or sent a SHA-256");
    }
}

#[tokio::test]
async fn sha256_opted_in_is_sent_and_checked_for_every_source() {
    let emulator = Emulator::start().await;
    let media = emulator.client().media();
    let (_dir, bytes, path) = clip_file(2 * PART + 99, 11);
    let options = || {
        UploadOptions::new()
            .file_name("clip.mp4")
            .mime_type("video/mp4")
            .part_size(PART)
            .sha256(true)
    };
    let sources = [
        ("path", UploadSource::path(&path), options().single_shot_threshold(0)),
        ("bytes", UploadSource::bytes(bytes.clone()), options().single_shot_threshold(0)),
        (
            "reader",
            UploadSource::reader(tokio::fs::File::open(&path).await.unwrap(), bytes.len() as u64),
            options().single_shot_threshold(0),
        ),
        (
            "unknown size",
            UploadSource::reader_unknown_size(tokio::fs::File::open(&path).await.unwrap()),
            options().single_shot_threshold(MIB),
        ),
        ("single shot", UploadSource::path(&path), options().single_shot_threshold(64 * MIB)),
    ];
    for (name, source, options) in sources {
        let uploaded = media.upload(source, options).await.unwrap();
        assert_eq!(uploaded.sha256, Some(sha_hex(&bytes)), "{name}");
        assert_eq!(uploaded.crc32c, Some(crc32c_base64(&bytes)), "{name}");
    }
    let singles = requests(&emulator, "POST", "/v1/media").await;
    let single = singles.iter().find(|e| e["path"] == "/v1/media").expect("the single shot");
    assert_eq!(single["headers"]["x-content-sha256"], sha_hex(&bytes));
    assert_eq!(single["headers"]["x-content-crc32c"], crc32c_base64(&bytes));
}

#[tokio::test]
async fn the_single_shot_sends_x_content_crc32c_and_no_sha256_by_default() {
    let emulator = Emulator::start().await;
    // Over one checksum slice (256 KiB): a file's CRC32C is computed slice by slice as it is read.
    let (_dir, bytes, path) = clip_file(300_000, 3);
    let sources =
        [("bytes", UploadSource::bytes(bytes.clone())), ("path", UploadSource::path(&path))];
    for (name, source) in sources {
        let options = UploadOptions::new().file_name("clip.mp4");
        let uploaded = emulator.client().media().upload(source, options).await.unwrap();
        assert_eq!((uploaded.crc32c, uploaded.sha256), (Some(crc32c_base64(&bytes)), None));
        let sent = requests(&emulator, "POST", "/v1/media").await;
        let sent = sent.last().expect("the single shot");
        assert_eq!(sent["headers"]["x-content-crc32c"], crc32c_base64(&bytes), "{name}");
        assert!(sent["headers"].get("x-content-sha256").is_none(), "{name}: {sent:?}");
    }
    assert_eq!(requests(&emulator, "POST", "/v1/media").await.len(), 2);
}

#[tokio::test]
async fn a_part_damaged_on_the_way_is_sent_again_and_the_upload_completes_whole() {
    let emulator = damaging("PUT", "/v1/media/uploads/*/parts/2", 1, 12345).await;
    let bytes = data(3 * PART, 5);
    let media = emulator.client().media();
    let uploaded =
        media.upload(UploadSource::bytes(bytes.clone()), chunked_options()).await.unwrap();
    assert_eq!(uploaded.crc32c, Some(crc32c_base64(&bytes)));
    let second: Vec<Value> = requests(&emulator, "PUT", "/v1/media/uploads/")
        .await
        .into_iter()
        .filter(|e| e["path"].as_str().unwrap().ends_with("/parts/2"))
        .collect();
    let statuses: Vec<&Value> = second.iter().map(|e| &e["status"]).collect();
    assert_eq!(statuses, [&json!(422), &json!(200)], "{second:?}");
    assert_eq!(second[0]["fault"], "flip_request_byte");
}

#[tokio::test]
async fn a_part_damaged_every_time_fails_checksum_mismatch_and_aborts_the_session() {
    let emulator = damaging("PUT", "/v1/media/uploads/*/parts/1", 5, 0).await;
    let media = emulator.client().media();
    let error =
        media.upload(UploadSource::bytes(data(2 * PART, 9)), chunked_options()).await.unwrap_err();
    assert_eq!(*error.code(), ErrorCode::ChecksumMismatch, "{error}");
    assert_eq!(error.details().unwrap()["sessionAborted"], true, "{error}");
    let completes: Vec<Value> = requests(&emulator, "POST", "/v1/media/uploads/").await;
    assert!(completes.iter().all(|e| !e["path"].as_str().unwrap().ends_with("/complete")));
}

#[tokio::test]
async fn a_single_shot_damaged_on_the_way_is_refused_checksum_mismatch() {
    let emulator = damaging("POST", "/v1/media", 5, 10).await;
    let options = UploadOptions::new().file_name("clip.mp4");
    let error = emulator
        .client()
        .media()
        .upload(UploadSource::bytes(data(100_000, 1)), options)
        .await
        .unwrap_err();
    assert_eq!(*error.code(), ErrorCode::ChecksumMismatch, "{error}");
    assert_eq!(error.field(), Some("X-Content-Crc32c"), "{error}");
}
