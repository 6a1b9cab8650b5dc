//! Feeds arbitrary `x-aether-signature` headers and payloads to
//! `aether::webhooks::parse_signature_header` and `verify_signature`. A panic, an overflow, or a
//! broken promise is a crash:
//! - a header the parser accepts is at most 4 KiB and has one non-negative `t` (its text is the
//!   number) and 1–8 signatures of 32 bytes; one it refuses is `INVALID_ARGUMENT`
//!   `malformed_header`;
//! - a header not made with the secret never verifies (the fuzzer cannot compute an HMAC);
//! - a header made by `sign_test_payload` verifies for its payload and secret at its time, also
//!   with whitespace and unknown parts around it, up to exactly the tolerance away and not one
//!   second more, and stops verifying for another payload or secret.
//!
//! Input layout: `mode`, `t` (8 bytes), tolerance (2 bytes), split point (2 bytes), then the
//! header (before the split, lossy UTF-8) and the payload (after it). Mode selects the secret.
#![no_main]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aether::webhooks::{parse_signature_header, sign_test_payload, verify_signature};
use aether::ErrorCode;
use libfuzzer_sys::fuzz_target;

/// The parser reads at most 18 digits of `t`, so signing times stay below this.
const T_LIMIT: u64 = 1_000_000_000_000_000_000;

fn reason(error: &aether::Error) -> String {
    assert_eq!(error.code(), &ErrorCode::InvalidArgument, "{error}");
    error.details().and_then(|d| d["reason"].as_str()).unwrap_or_default().to_owned()
}

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds)
}

fuzz_target!(|data: &[u8]| {
    let (head, rest) = data.split_at(data.len().min(13));
    let mut head_bytes = [0u8; 13];
    head_bytes[..head.len()].copy_from_slice(head);
    let mode = head_bytes[0];
    let t = u64::from_le_bytes(head_bytes[1..9].try_into().unwrap()) % T_LIMIT;
    let tolerance =
        Duration::from_secs(u64::from(u16::from_le_bytes([head_bytes[9], head_bytes[10]])));
    let split = usize::from(u16::from_le_bytes([head_bytes[11], head_bytes[12]]));
    let (header_bytes, payload) = rest.split_at(split.min(rest.len()));
    let header = String::from_utf8_lossy(header_bytes);
    let secret = ["whsec_fuzz", "s", "whsec_\u{e9}t\u{e9}"][usize::from(mode) % 3];

    // Any header.
    match parse_signature_header(&header) {
        Ok(parsed) => {
            assert!(header.len() <= 4096);
            assert!(parsed.timestamp >= 0);
            assert_eq!(parsed.timestamp_text.parse::<i64>().ok(), Some(parsed.timestamp));
            assert!((1..=8).contains(&parsed.signatures.len()));
            assert!(parsed.signatures.iter().all(|s| s.len() == 32));
        }
        Err(error) => assert_eq!(reason(&error), "malformed_header"),
    }
    match verify_signature(payload, &header, &[secret], tolerance, at(t)) {
        Ok(()) => panic!("a header the fuzzer made up verified: {header:?}"),
        Err(error) => {
            let reason = reason(&error);
            assert!(reason == "malformed_header" || reason == "signature_mismatch", "{reason}");
        }
    }

    // A header signed with the secret.
    let t = t as i64;
    let signed = sign_test_payload(payload, secret, t);
    let now = t as u64;
    verify_signature(payload, &signed, &[secret], tolerance, at(now)).expect("its own signature");
    let decorated = format!(" v0=00 ,{signed} , x=y,");
    verify_signature(payload, &decorated, &["other", secret], tolerance, at(now))
        .expect("whitespace and unknown parts around a signature");
    let edge = now + tolerance.as_secs();
    verify_signature(payload, &signed, &[secret], tolerance, at(edge)).expect("within tolerance");
    let late = verify_signature(payload, &signed, &[secret], tolerance, at(edge + 1));
    assert_eq!(reason(&late.expect_err("past the tolerance")), "timestamp_outside_tolerance");
    if let Some(earlier) = now.checked_sub(tolerance.as_secs() + 1) {
        let early = verify_signature(payload, &signed, &[secret], tolerance, at(earlier));
        assert_eq!(
            reason(&early.expect_err("before the tolerance")),
            "timestamp_outside_tolerance"
        );
    }
    let mut other_payload = payload.to_vec();
    other_payload.push(mode);
    let error = verify_signature(&other_payload, &signed, &[secret], tolerance, at(now));
    assert_eq!(reason(&error.expect_err("another payload")), "signature_mismatch");
    let error = verify_signature(payload, &signed, &["whsec_other"], tolerance, at(now));
    assert_eq!(reason(&error.expect_err("another secret")), "signature_mismatch");
});
