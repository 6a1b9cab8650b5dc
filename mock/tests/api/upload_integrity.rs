//! Upload integrity in one pass, over real HTTP: the whole file's CRC32C combined from the
//! parts' at `complete`, `X-Content-Crc32c` on the single shot, bytes damaged on the way, and
//! the SHA-256 computed only when a client sent one.

use crate::common::{assert_error, send, DataDirServer};
use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const MIB: usize = 1024 * 1024;

fn crc_b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(crc32c::crc32c(data).to_be_bytes())
}

fn sha_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// `size` bytes that differ from part to part.
fn data(size: usize) -> Vec<u8> {
    (0..size).map(|i| ((i * 31) ^ (i >> 12)) as u8).collect()
}

/// Opens a session for `data` in 5 MiB parts (with `extra` in the create body), sends every
/// part, and returns the upload id.
async fn upload_parts(h: &DataDirServer, data: &[u8], extra: Value) -> String {
    let mut body = json!({ "fileName": "a.mp4", "mimeType": "video/mp4", "size": data.len(),
                           "partSize": 5 * MIB });
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let (status, session) = h.ts.post("/v1/media/uploads", body).await;
    assert_eq!(status, StatusCode::CREATED, "{session}");
    let id = session["uploadId"].as_str().unwrap().to_owned();
    for (index, part) in data.chunks(5 * MIB).enumerate() {
        let (status, receipt) = put_part(h, &id, index as u32 + 1, part, &crc_b64(part)).await;
        assert_eq!(status, StatusCode::OK, "{receipt}");
    }
    id
}

async fn put_part(
    h: &DataDirServer,
    id: &str,
    n: u32,
    part: &[u8],
    crc: &str,
) -> (StatusCode, Value) {
    let request =
        h.ts.api(Method::PUT, &format!("/v1/media/uploads/{id}/parts/{n}"))
            .header("x-part-crc32c", crc)
            .body(part.to_vec());
    send(request).await
}

async fn complete(h: &DataDirServer, id: &str, body: Value) -> (StatusCode, Value) {
    h.ts.post(&format!("/v1/media/uploads/{id}/complete"), body).await
}

#[tokio::test]
async fn complete_checks_the_crc32c_combined_from_the_parts_and_keeps_them_on_a_mismatch() {
    let h = DataDirServer::start().await;
    let data = data(11 * MIB + 7);
    let id = upload_parts(&h, &data, json!({})).await;

    // A wrong whole-file value: refused, saying both, and the parts are kept.
    let wrong = crc_b64(b"not the file");
    let (status, body) = complete(&h, &id, json!({ "crc32c": wrong })).await;
    let error = assert_error(status, &body, 422, "CHECKSUM_MISMATCH");
    assert_eq!(error["field"], "crc32c");
    assert_eq!(error["details"], json!({ "expected": wrong, "actual": crc_b64(&data) }));
    let (_, state) = h.ts.get(&format!("/v1/media/uploads/{id}")).await;
    assert_eq!(
        (&state["status"], state["parts"].as_array().map(Vec::len)),
        (&json!("uploading"), Some(3))
    );
    // Malformed: 400 naming the field.
    let (status, body) = complete(&h, &id, json!({ "crc32c": "nope" })).await;
    assert_eq!(assert_error(status, &body, 400, "INVALID_REQUEST")["field"], "crc32c");

    // The right value: the media has it, and no SHA-256 (none was sent).
    let (status, media) = complete(&h, &id, json!({ "crc32c": crc_b64(&data) })).await;
    assert_eq!(status, StatusCode::OK, "{media}");
    assert_eq!(media["crc32c"], crc_b64(&data));
    assert!(media.get("sha256").is_none(), "{media}");
}

#[tokio::test]
async fn a_sha256_sent_only_at_complete_is_computed_then_and_checked() {
    let h = DataDirServer::start().await;
    let data = data(6 * MIB);
    let id = upload_parts(&h, &data, json!({})).await;
    let (status, body) = complete(&h, &id, json!({ "sha256": sha_hex(b"x") })).await;
    let error = assert_error(status, &body, 422, "CHECKSUM_MISMATCH");
    assert_eq!(
        (&error["field"], &error["details"]["actual"]),
        (&json!("sha256"), &json!(sha_hex(&data)))
    );
    let body = json!({ "sha256": sha_hex(&data), "crc32c": crc_b64(&data) });
    let (status, media) = complete(&h, &id, body).await;
    assert_eq!(status, StatusCode::OK, "{media}");
    assert_eq!(
        (&media["sha256"], &media["crc32c"]),
        (&json!(sha_hex(&data)), &json!(crc_b64(&data)))
    );

    // Sent at create instead: the running hash checks it (and the media has it).
    let id = upload_parts(&h, &data, json!({ "sha256": sha_hex(&data) })).await;
    let (status, media) = complete(&h, &id, json!({ "crc32c": crc_b64(&data) })).await;
    assert_eq!((status, &media["sha256"]), (StatusCode::OK, &json!(sha_hex(&data))), "{media}");
}

#[tokio::test]
async fn a_part_damaged_on_the_way_is_refused_and_the_good_copy_completes() {
    let h = DataDirServer::start().await;
    let data = data(6 * MIB);
    let (status, session) =
        h.ts.post(
            "/v1/media/uploads",
            json!({ "fileName": "a.mp4", "mimeType": "video/mp4",
                                           "size": data.len(), "partSize": 5 * MIB }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{session}");
    let id = session["uploadId"].as_str().unwrap();
    let rule = json!({ "method": "PUT", "path": "/v1/media/uploads/*/parts/2", "times": 1,
                       "action": { "type": "flip_request_byte", "at": 1000 } });
    assert_eq!(h.ts.admin_post("/_mock/faults", rule).await.0, StatusCode::CREATED);
    let (first, second) = (&data[..5 * MIB], &data[5 * MIB..]);
    assert_eq!(put_part(&h, id, 1, first, &crc_b64(first)).await.0, StatusCode::OK);
    let (status, body) = put_part(&h, id, 2, second, &crc_b64(second)).await;
    let error = assert_error(status, &body, 422, "CHECKSUM_MISMATCH");
    let mut damaged = second.to_vec();
    damaged[1000] ^= 0xFF;
    assert_eq!(error["details"]["actual"], crc_b64(&damaged));
    let (status, body) = complete(&h, id, json!({ "crc32c": crc_b64(&data) })).await;
    assert_error(status, &body, 409, "UPLOAD_INCOMPLETE");

    assert_eq!(put_part(&h, id, 2, second, &crc_b64(second)).await.0, StatusCode::OK);
    let (status, media) = complete(&h, id, json!({ "crc32c": crc_b64(&data) })).await;
    assert_eq!((status, &media["crc32c"]), (StatusCode::OK, &json!(crc_b64(&data))), "{media}");
}

#[tokio::test]
async fn the_single_shot_checks_x_content_crc32c_while_streaming() {
    let h = DataDirServer::start().await;
    let data = data(300_000);
    let single = || {
        h.ts.api(Method::POST, "/v1/media")
            .header("content-type", "video/mp4")
            .header("x-file-name", "a.mp4")
            .body(data.clone())
    };
    let wrong = crc_b64(b"x");
    let (status, body) = send(single().header("x-content-crc32c", &wrong)).await;
    let error = assert_error(status, &body, 422, "CHECKSUM_MISMATCH");
    assert_eq!(error["field"], "X-Content-Crc32c");
    assert_eq!(error["details"], json!({ "expected": wrong, "actual": crc_b64(&data) }));
    assert!(h.files().is_empty(), "nothing stored: {:?}", h.files());
    let (status, body) = send(single().header("x-content-crc32c", "abc")).await;
    assert_eq!(assert_error(status, &body, 400, "INVALID_REQUEST")["field"], "X-Content-Crc32c");

    let (status, media) = send(single().header("x-content-crc32c", crc_b64(&data))).await;
    assert_eq!(status, StatusCode::CREATED, "{media}");
    assert_eq!(media["crc32c"], crc_b64(&data));
    assert!(media.get("sha256").is_none(), "no SHA-256 unless sent: {media}");
    // Opted in: both checked, both on the media.
    let request = single()
        .header("x-content-crc32c", crc_b64(&data))
        .header("x-content-sha256", sha_hex(&data));
    let (status, media) = send(request).await;
    assert_eq!(status, StatusCode::CREATED, "{media}");
    assert_eq!(
        (&media["crc32c"], &media["sha256"]),
        (&json!(crc_b64(&data)), &json!(sha_hex(&data)))
    );
}
