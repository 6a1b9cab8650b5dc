//! `libaether`: the C ABI of the Aether SDK, declared in `include/aether.h` (generated from
//! this crate by cbindgen; see `bindings-c/README.md` for the conventions).
//!
//! This crate is thin on purpose: it converts C arguments into the core's types, calls the core
//! (`aether`) through its blocking bridge (`aether::runtime`), and converts results and errors
//! back. Every export goes through the helpers of the `ffi` module (`src/ffi.rs`), which
//! enforce the conventions: a panic boundary, NULL and UTF-8 checks, out-parameters written only
//! on success, one free function per owned type. All `unsafe` code of the SDK lives in this
//! crate.
#![allow(non_camel_case_types)]
// The exports take raw pointers from C and check them (NULL) before use; marking them `unsafe`
// would change nothing for a C caller, whose contract is the header.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

use std::ffi::{c_char, CString};
use std::sync::OnceLock;

mod ffi;

mod bulk_result;
mod cancel;
mod capabilities;
mod client;
mod comment;
mod connect_link;
#[cfg(test)]
mod docs_tables;
mod error;
mod event;
mod media;
mod message;
mod observe;
mod post;
mod post_builder;
mod post_warning;
mod profile;
mod response;
mod status;
mod watch;
mod webhook;
mod webhook_delivery;

/// Major version of the library the header was generated for.
pub const AETHER_VERSION_MAJOR: u32 = 0;
/// Minor version of the library the header was generated for.
pub const AETHER_VERSION_MINOR: u32 = 1;
/// Patch version of the library the header was generated for.
pub const AETHER_VERSION_PATCH: u32 = 0;
// AETHER_VERSION_STRING is written in cbindgen.toml (`after_includes`): cbindgen 0.29 cannot
// emit string constants. scripts/test.d/40-c.sh checks all four against Cargo.toml.

/// The version of the library loaded at run time, e.g. "0.1.0". Static: never free it.
#[no_mangle]
pub extern "C" fn aether_version() -> *const c_char {
    static VERSION: OnceLock<CString> = OnceLock::new();
    ffi::getter(c"".as_ptr(), || {
        VERSION.get_or_init(|| ffi::cstring(aether::client::VERSION)).as_ptr()
    })
}

/// Frees a string this library gave you as owned (`char *`: the `_to_json` functions,
/// aether_webhook_sign_test_payload()). NULL is ignored. Never pass a borrowed `const char *`.
#[no_mangle]
pub extern "C" fn aether_string_free(string: *mut c_char) {
    ffi::getter((), || {
        if !string.is_null() {
            // SAFETY: an owned string from `ffi::owned_string` (CString::into_raw), by the
            // header's conventions, not used afterwards.
            drop(unsafe { CString::from_raw(string) });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_constants_match_cargo_toml() {
        let parse = |s: &str| s.parse::<u32>().unwrap();
        assert_eq!(AETHER_VERSION_MAJOR, parse(env!("CARGO_PKG_VERSION_MAJOR")));
        assert_eq!(AETHER_VERSION_MINOR, parse(env!("CARGO_PKG_VERSION_MINOR")));
        assert_eq!(AETHER_VERSION_PATCH, parse(env!("CARGO_PKG_VERSION_PATCH")));
        let numbers =
            format!("{AETHER_VERSION_MAJOR}.{AETHER_VERSION_MINOR}.{AETHER_VERSION_PATCH}");
        assert_eq!(numbers, aether::client::VERSION);
        // SAFETY: a static string from this library.
        let runtime = unsafe { std::ffi::CStr::from_ptr(aether_version()) };
        assert_eq!(runtime.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }
}
