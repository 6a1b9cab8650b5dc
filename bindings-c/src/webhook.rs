//! Webhook signature verification, for receivers of Aether's signed deliveries.

use std::ffi::c_char;
use std::time::{Duration, SystemTime};

use aether::webhooks::{sign_test_payload, verify_signature, DEFAULT_TOLERANCE};

use crate::error::aether_error;
use crate::ffi::{boundary, bytes_arg, out_arg, owned_string, str_arg, str_array_arg};
use crate::status::aether_status;

/// Verifies a webhook delivery: `payload` / `payload_len` are the raw request body, exactly as
/// received (verify before parsing it), `signature_header` the value of its
/// "x-aether-signature" header, and `secrets` / `secret_count` every secret currently valid
/// (the new and the old one during a rotation). `tolerance_s` is how far the signature's time
/// may be from now, in seconds (0: the default, 300). Comparisons run in constant time.
/// Returns AETHER_OK for an authentic, fresh delivery; otherwise
/// AETHER_ERROR_INVALID_ARGUMENT, whose aether_error_to_json() "details.reason" says why:
/// "malformed_header", "no_secret", "signature_mismatch" or "timestamp_outside_tolerance".
/// `payload` may be NULL only when `payload_len` is 0. Pure: no network, any thread.
#[no_mangle]
pub extern "C" fn aether_webhook_verify(
    payload: *const u8,
    payload_len: usize,
    signature_header: *const c_char,
    secrets: *const *const c_char,
    secret_count: usize,
    tolerance_s: u32,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        // SAFETY: buffers and strings valid for the call, by the header's conventions.
        let (payload, header, secrets) = unsafe {
            (
                bytes_arg(payload, payload_len, "payload")?,
                str_arg(signature_header, "signature_header")?,
                str_array_arg(secrets, secret_count, "secrets")?,
            )
        };
        let tolerance = match tolerance_s {
            0 => DEFAULT_TOLERANCE,
            seconds => Duration::from_secs(u64::from(seconds)),
        };
        verify_signature(payload, header, &secrets, tolerance, SystemTime::now())
    })
}

/// The "x-aether-signature" value of `payload` signed with `secret` at `timestamp` (unix
/// seconds), as Aether would send it: for testing a receiver. On success writes an owned
/// string to `*out_header`: free it with aether_string_free().
#[no_mangle]
pub extern "C" fn aether_webhook_sign_test_payload(
    payload: *const u8,
    payload_len: usize,
    secret: *const c_char,
    timestamp: i64,
    out_header: *mut *mut c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        // SAFETY: a buffer and a string valid for the call.
        let (payload, secret) =
            unsafe { (bytes_arg(payload, payload_len, "payload")?, str_arg(secret, "secret")?) };
        let out = out_arg(out_header, "out_header")?;
        out.write(owned_string(&sign_test_payload(payload, secret, timestamp)));
        Ok(())
    })
}
