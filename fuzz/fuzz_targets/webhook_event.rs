//! Feeds arbitrary webhook bodies, signed with the receiver's secret so that they pass the
//! signature check, to `aether::webhooks::construct_event_at`: the decoder of
//! `WebhookEvent` (open event types, posts with their targets and warnings, comments,
//! messages). A panic, an overflow or a broken promise is a crash:
//! - a body that is not an event is `PROTOCOL_ERROR`, never a panic;
//! - an event that decodes encodes again, and that decodes to the same event, which still
//!   verifies when signed (its type, unknown or not, survives as itself);
//! - the same body with another secret is `INVALID_ARGUMENT` (`signature_mismatch`).
//!
//! Input: the body's bytes.
#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use aether::model::WebhookEvent;
use aether::webhooks::{construct_event_at, sign_test_payload};
use aether::ErrorCode;
use libfuzzer_sys::fuzz_target;

const SECRET: &str = "whsec_fuzz";
const T: i64 = 1_700_000_000;

fuzz_target!(|data: &[u8]| {
    let now = UNIX_EPOCH + Duration::from_secs(T as u64);
    let tolerance = Duration::from_secs(300);
    let header = sign_test_payload(data, SECRET, T);
    let wrong = construct_event_at(data, &header, &["whsec_other"], tolerance, now);
    assert_eq!(wrong.expect_err("another secret").code(), &ErrorCode::InvalidArgument);
    let event = match construct_event_at(data, &header, &[SECRET], tolerance, now) {
        Ok(event) => event,
        Err(error) => {
            assert_eq!(error.code(), &ErrorCode::ProtocolError, "{error}");
            return;
        }
    };
    let encoded = serde_json::to_vec(&event).expect("a decoded event encodes");
    let header = sign_test_payload(&encoded, SECRET, T);
    let again: WebhookEvent = construct_event_at(&encoded, &header, &[SECRET], tolerance, now)
        .expect("what the SDK encodes, it decodes");
    assert_eq!(again, event, "the round trip keeps every field");
});
