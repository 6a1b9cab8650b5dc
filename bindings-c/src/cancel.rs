//! `aether_cancel_token`: cancels blocking calls and waits from another thread.

use aether::CancellationToken;

use crate::error::aether_error;
use crate::ffi::{boundary, field, free_raw, getter, into_raw, out_arg};
use crate::status::aether_status;

/// A cancellation token: cancel it from any thread to stop the calls and waits it was given to
/// (they fail with AETHER_ERROR_CANCELLED; an upload also aborts its session on the server).
/// Once cancelled it stays cancelled: make a new one for the next operation. Thread-safe.
/// Free it with aether_cancel_token_free() once no call is using it (a running watch keeps its
/// own reference, so the token may be freed while the watch runs).
pub struct aether_cancel_token {
    pub(crate) token: CancellationToken,
}

/// The token inside an optional handle.
pub(crate) fn token_of(token: *const aether_cancel_token) -> Option<CancellationToken> {
    // SAFETY: NULL or a live token, by the header's conventions.
    unsafe { token.as_ref() }.map(|t| t.token.clone())
}

/// Creates a token that is not cancelled. On success writes it to `*out_token`.
#[no_mangle]
pub extern "C" fn aether_cancel_token_new(
    out_token: *mut *mut aether_cancel_token,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let out = out_arg(out_token, "out_token")?;
        out.write(into_raw(aether_cancel_token { token: CancellationToken::new() }));
        Ok(())
    })
}

/// Cancels: every call or wait using the token stops as soon as it can and fails with
/// AETHER_ERROR_CANCELLED. Thread-safe; cancelling twice is harmless; NULL is ignored. Not
/// async-signal-safe: from a signal handler, set a flag and cancel from a thread instead.
#[no_mangle]
pub extern "C" fn aether_cancel_token_cancel(token: *const aether_cancel_token) {
    getter((), || {
        if let Some(token) = token_of(token) {
            token.cancel();
        }
    })
}

/// Whether the token was cancelled. False when `token` is NULL.
#[no_mangle]
pub extern "C" fn aether_cancel_token_is_cancelled(token: *const aether_cancel_token) -> bool {
    field(token, false, |t| t.token.is_cancelled())
}

/// Frees a token. NULL is ignored. Calls still using it must have returned.
#[no_mangle]
pub extern "C" fn aether_cancel_token_free(token: *mut aether_cancel_token) {
    // SAFETY: NULL or a token from this library, not used afterwards.
    getter((), || unsafe { free_raw(token) })
}
