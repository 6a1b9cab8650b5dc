//! The helpers every export goes through, so the conventions of `include/aether.h` hold by
//! construction rather than by care in each function:
//!
//! - [`boundary`] wraps an export's body in `catch_unwind`, turns an `Err` into its
//!   `aether_status` and, when the caller asked for one, an `aether_error`; a panic becomes
//!   `AETHER_ERROR_PANIC`. Out-parameters are written by the body only at its end, through
//!   [`Out::write`], so a failure leaves them untouched.
//! - [`getter`] is the boundary of the infallible accessors: a panic gives the default value.
//! - [`str_arg`], [`opt_str_arg`], [`ref_arg`], [`out_arg`] turn a NULL pointer or invalid
//!   UTF-8 into `INVALID_ARGUMENT` naming the parameter, before any work is done.
//! - [`into_raw`] / [`free_raw`] are the only places a handle is created or destroyed;
//!   `free_raw(NULL)` does nothing.

use std::any::Any;
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use aether::{Error, ErrorCode};

use crate::error::aether_error;
use crate::status::aether_status;

/// Result of an export's body.
pub(crate) type Res<T> = Result<T, Error>;

/// Runs an export's body inside the panic boundary. On `Err` (or a panic) writes a new
/// `aether_error` to `*error` when `error` is not NULL, and returns the error's status.
pub(crate) fn boundary(
    error: *mut *mut aether_error,
    body: impl FnOnce() -> Res<()>,
) -> aether_status {
    let (status, failure) = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return aether_status::AETHER_OK,
        Ok(Err(failure)) => (crate::status::status_of(failure.code()), failure),
        Err(payload) => (aether_status::AETHER_ERROR_PANIC, panic_error(payload.as_ref())),
    };
    if !error.is_null() {
        // Building the error allocates; a panic there (out of memory aside, none is possible)
        // must not cross the boundary either.
        if let Ok(handle) = catch_unwind(AssertUnwindSafe(|| aether_error::new(status, failure))) {
            // SAFETY: `error` is not NULL and, by the header's conventions, points to writable
            // storage for one pointer.
            unsafe { *error = into_raw(handle) };
        }
    }
    status
}

/// The boundary of an accessor that cannot fail: `default` when the body panics.
pub(crate) fn getter<T>(default: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(default)
}

/// The error a caught panic becomes: code `PANIC` (a bug in the SDK, never the caller's).
fn panic_error(payload: &(dyn Any + Send)) -> Error {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    Error::new(
        ErrorCode::Unknown(crate::status::PANIC_CODE.to_owned()),
        format!("internal error in the Aether SDK (please report it): {what}"),
    )
}

fn null(name: &str) -> Error {
    Error::invalid_argument(format!("{name} is NULL"))
}

/// A NUL-terminated UTF-8 argument; NULL or invalid UTF-8 is `INVALID_ARGUMENT`.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that stays valid for `'a`.
pub(crate) unsafe fn str_arg<'a>(ptr: *const c_char, name: &str) -> Res<&'a str> {
    if ptr.is_null() {
        return Err(null(name));
    }
    // SAFETY: not NULL, and NUL-terminated and valid for 'a by this function's contract.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes.to_str().map_err(|e| {
        Error::invalid_argument(format!(
            "{name} is not valid UTF-8 (invalid byte at offset {})",
            e.valid_up_to()
        ))
    })
}

/// Like [`str_arg`], but NULL means "not given".
///
/// # Safety
/// As [`str_arg`].
pub(crate) unsafe fn opt_str_arg<'a>(ptr: *const c_char, name: &str) -> Res<Option<&'a str>> {
    if ptr.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded contract.
        unsafe { str_arg(ptr, name) }.map(Some)
    }
}

/// A byte buffer given as pointer and length; NULL is allowed only with length 0.
///
/// # Safety
/// `ptr` is NULL or points to `len` readable bytes that stay valid for `'a`.
pub(crate) unsafe fn bytes_arg<'a>(ptr: *const u8, len: usize, name: &str) -> Res<&'a [u8]> {
    if ptr.is_null() {
        return if len == 0 { Ok(&[]) } else { Err(null(name)) };
    }
    // SAFETY: not NULL; `len` readable bytes by this function's contract.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// An array of `count` strings; NULL is allowed only with count 0. Each must be valid UTF-8.
///
/// # Safety
/// `ptr` is NULL or points to `count` pointers, each as in [`str_arg`].
pub(crate) unsafe fn str_array_arg<'a>(
    ptr: *const *const c_char,
    count: usize,
    name: &str,
) -> Res<Vec<&'a str>> {
    if ptr.is_null() {
        return if count == 0 { Ok(Vec::new()) } else { Err(null(name)) };
    }
    // SAFETY: not NULL; `count` readable pointers by this function's contract.
    let pointers = unsafe { std::slice::from_raw_parts(ptr, count) };
    pointers
        .iter()
        .enumerate()
        // SAFETY: each element is a string pointer as in `str_arg`.
        .map(|(i, p)| unsafe { str_arg(*p, &format!("{name}[{i}]")) })
        .collect()
}

/// A borrowed handle; NULL is `INVALID_ARGUMENT`.
///
/// # Safety
/// `ptr` is NULL or a live handle of type `T` created by this library, valid for `'a`.
pub(crate) unsafe fn ref_arg<'a, T>(ptr: *const T, name: &str) -> Res<&'a T> {
    // SAFETY: by this function's contract.
    unsafe { ptr.as_ref() }.ok_or_else(|| null(name))
}

/// A mutable handle (builders); NULL is `INVALID_ARGUMENT`.
///
/// # Safety
/// As [`ref_arg`], and no other reference to the handle is used meanwhile.
pub(crate) unsafe fn mut_arg<'a, T>(ptr: *mut T, name: &str) -> Res<&'a mut T> {
    // SAFETY: by this function's contract.
    unsafe { ptr.as_mut() }.ok_or_else(|| null(name))
}

/// An out-parameter, checked for NULL before the work starts and written only at the end.
pub(crate) struct Out<T>(*mut T);

/// Checks an out-parameter; NULL is `INVALID_ARGUMENT`.
pub(crate) fn out_arg<T>(ptr: *mut T, name: &str) -> Res<Out<T>> {
    if ptr.is_null() {
        Err(null(name))
    } else {
        Ok(Out(ptr))
    }
}

impl<T> Out<T> {
    /// Stores the result: the last step of a successful export.
    pub(crate) fn write(self, value: T) {
        // SAFETY: checked not NULL by `out_arg`; by the header's conventions it points to
        // writable storage for one `T`. The old value is a plain pointer or number: nothing to
        // drop.
        unsafe { self.0.write(value) }
    }
}

/// Moves a value to the heap and hands it to C.
pub(crate) fn into_raw<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Frees a handle created by [`into_raw`]; NULL does nothing.
///
/// # Safety
/// `ptr` is NULL or came from `into_raw::<T>` and is not used afterwards.
pub(crate) unsafe fn free_raw<T>(ptr: *mut T) {
    if !ptr.is_null() {
        // SAFETY: by this function's contract.
        drop(unsafe { Box::from_raw(ptr) });
    }
}

/// A string for C: cut at the first NUL (a C string cannot hold one; the `_to_json` functions
/// give the whole value).
pub(crate) fn cstring(text: &str) -> CString {
    let end = text.find('\0').unwrap_or(text.len());
    CString::new(&text[..end]).unwrap_or_default()
}

/// A string field a C accessor lends out, made the first time it is read: a handle keeps its
/// Rust value, and only the fields the caller reads become C strings. (Making every field of a
/// post when it was answered was ~9,000 instructions of the ~96,000 an `aether_post_get` costs.)
/// The string lives as long as the handle; reading it from several threads at once is safe.
pub(crate) struct Lent<T = CString>(std::sync::OnceLock<T>);

impl<T> Default for Lent<T> {
    fn default() -> Lent<T> {
        Lent(std::sync::OnceLock::new())
    }
}

impl<T> Lent<T> {
    /// The value, made by `make` on the first call.
    pub(crate) fn get(&self, make: impl FnOnce() -> T) -> &T {
        self.0.get_or_init(make)
    }
}

impl Lent {
    /// The C string of `text`, made on the first call.
    pub(crate) fn of(&self, text: &str) -> &CStr {
        self.get(|| cstring(text))
    }
}

/// [`cstring`] of an optional string.
pub(crate) fn opt_cstring(text: Option<&str>) -> Option<CString> {
    text.map(cstring)
}

/// An owned string for C, freed with `aether_string_free`.
pub(crate) fn owned_string(text: &str) -> *mut c_char {
    cstring(text).into_raw()
}

/// The accessor of a borrowed string field: NULL when the handle is NULL or the field absent.
pub(crate) fn borrowed_str<T>(
    handle: *const T,
    field: impl FnOnce(&T) -> Option<&CStr>,
) -> *const c_char {
    getter(ptr::null(), || {
        // SAFETY: the handle is NULL or live, by the header's conventions.
        match unsafe { handle.as_ref() } {
            Some(handle) => field(handle).map_or(ptr::null(), CStr::as_ptr),
            None => ptr::null(),
        }
    })
}

/// The accessor of a plain field: `default` when the handle is NULL.
pub(crate) fn field<T, V>(handle: *const T, default: V, field: impl FnOnce(&T) -> V) -> V
where
    V: Copy,
{
    getter(default, || {
        // SAFETY: the handle is NULL or live, by the header's conventions.
        match unsafe { handle.as_ref() } {
            Some(handle) => field(handle),
            None => default,
        }
    })
}

/// An optional number for C: the value, or -1 when absent.
pub(crate) fn or_minus_one(value: Option<u64>) -> i64 {
    value.map_or(-1, |v| i64::try_from(v).unwrap_or(i64::MAX))
}

/// `value` as JSON text into `*out` (owned, freed with `aether_string_free`).
pub(crate) fn write_json<T: serde::Serialize + ?Sized>(
    value: &T,
    out: *mut *mut c_char,
) -> Res<()> {
    let out = out_arg(out, "out_json")?;
    let text = serde_json::to_string(value)
        .map_err(|e| Error::protocol(format!("could not serialize to JSON: {e}")))?;
    out.write(owned_string(&text));
    Ok(())
}

/// The `void *user_data` of a callback, carried to the thread that calls it. The header
/// documents that the callback and its data must be usable from that thread.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UserData(*mut std::ffi::c_void);

// SAFETY: the pointer is never dereferenced here, only handed back to the caller's callback,
// which the header requires to be callable from another thread with it.
unsafe impl Send for UserData {}
// SAFETY: as above.
unsafe impl Sync for UserData {}

impl UserData {
    pub(crate) fn new(pointer: *mut std::ffi::c_void) -> UserData {
        UserData(pointer)
    }

    /// The pointer (a method, so closures capture the whole `Send` wrapper).
    pub(crate) fn get(self) -> *mut std::ffi::c_void {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::aether_status::*;

    #[test]
    fn a_panic_becomes_an_error_and_leaves_the_out_parameter_alone() {
        let mut out: *mut u8 = ptr::null_mut();
        let mut error: *mut aether_error = ptr::null_mut();
        let status = boundary(&mut error, || {
            let _out = out_arg(&mut out, "out")?;
            panic!("boom");
        });
        assert_eq!(status, AETHER_ERROR_PANIC);
        assert!(out.is_null());
        assert!(!error.is_null());
        assert_eq!(crate::error::aether_error_code(error), AETHER_ERROR_PANIC);
        // SAFETY: strings from the live error.
        let (code, message) = unsafe {
            (
                CStr::from_ptr(crate::error::aether_error_raw_code(error)),
                CStr::from_ptr(crate::error::aether_error_message(error)),
            )
        };
        assert_eq!(code.to_str().unwrap(), "PANIC");
        assert!(message.to_str().unwrap().contains("boom"));
        crate::error::aether_error_free(error);
        assert_eq!(getter(7, || panic!("in a getter")), 7);
    }

    #[test]
    fn null_and_invalid_utf8_are_invalid_arguments() {
        // SAFETY: NULL, and NUL-terminated literals.
        unsafe {
            let error = str_arg(ptr::null(), "name").unwrap_err();
            assert_eq!(error.code(), &ErrorCode::InvalidArgument);
            assert_eq!(error.message(), "name is NULL");
            let error = str_arg(c"a\xffb".as_ptr(), "name").unwrap_err();
            assert_eq!(error.message(), "name is not valid UTF-8 (invalid byte at offset 1)");
            assert_eq!(opt_str_arg(ptr::null(), "x").unwrap(), None);
            assert_eq!(str_arg(c"ok".as_ptr(), "x").unwrap(), "ok");
            assert!(bytes_arg(ptr::null(), 1, "b").is_err());
            assert_eq!(bytes_arg(ptr::null(), 0, "b").unwrap(), &[] as &[u8]);
            assert!(str_array_arg(ptr::null(), 2, "a").is_err());
        }
        assert!(out_arg::<u8>(ptr::null_mut(), "out").is_err());
        let status = boundary(ptr::null_mut(), || Err(Error::invalid_argument("no details")));
        assert_eq!(status, AETHER_ERROR_INVALID_ARGUMENT);
    }

    #[test]
    fn strings_with_a_nul_are_cut_there() {
        assert_eq!(cstring("a\0b").to_str().unwrap(), "a");
        assert_eq!(cstring("plain").to_str().unwrap(), "plain");
    }
}
