//! `aether_profile` and `aether_profile_list`: the connected social accounts.

use std::ffi::{c_char, CString};

use aether::model::Profile;
use futures_util::TryStreamExt;

use crate::client::{aether_client, block_on, client_arg, non_empty};
use crate::error::aether_error;
use crate::ffi::{borrowed_str, boundary, cstring, field, free_raw, getter, into_raw};
use crate::ffi::{out_arg, ref_arg, str_arg, write_json};
use crate::status::aether_status;

/// A connected social account. Immutable: read it from any thread. Free it with
/// aether_profile_free() (not one borrowed from an aether_profile_list); its strings live as
/// long as it does.
pub struct aether_profile {
    profile: Profile,
    id: CString,
    platform: CString,
    username: CString,
    display_name: CString,
    tier: CString,
    status: CString,
    connected_at: CString,
}

impl aether_profile {
    fn new(profile: Profile) -> aether_profile {
        aether_profile {
            id: cstring(&profile.id),
            platform: cstring(profile.platform.as_str()),
            username: cstring(&profile.username),
            display_name: cstring(&profile.display_name),
            tier: cstring(profile.tier.as_str()),
            status: cstring(profile.status.as_str()),
            connected_at: cstring(&profile.connected_at),
            profile,
        }
    }
}

/// Every profile of the account, newest first. Immutable; free it with
/// aether_profile_list_free(), which also frees the profiles it lends.
pub struct aether_profile_list {
    profiles: Vec<aether_profile>,
}

/// Reads a profile (GET /v1/profiles/{id}). Blocks until the server answers. On success
/// writes it to `*out_profile`. Unknown id: AETHER_ERROR_NOT_FOUND.
#[no_mangle]
pub extern "C" fn aether_profile_get(
    client: *const aether_client,
    profile_id: *const c_char,
    out_profile: *mut *mut aether_profile,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let client = client_arg(client)?;
        // SAFETY: a NUL-terminated string valid for the call.
        let id = non_empty(unsafe { str_arg(profile_id, "profile_id") }?, "profile_id")?;
        let out = out_arg(out_profile, "out_profile")?;
        let profile = block_on(client.profiles().get(id))?;
        out.write(into_raw(aether_profile::new(profile)));
        Ok(())
    })
}

/// Disconnects a profile (DELETE /v1/profiles/{id}) and writes it, now "disconnected", to
/// `*out_profile`; posts to it then fail with AETHER_ERROR_PROFILE_DISCONNECTED.
/// Disconnecting twice is not an error.
#[no_mangle]
pub extern "C" fn aether_profile_disconnect(
    client: *const aether_client,
    profile_id: *const c_char,
    out_profile: *mut *mut aether_profile,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let client = client_arg(client)?;
        // SAFETY: a NUL-terminated string valid for the call.
        let id = non_empty(unsafe { str_arg(profile_id, "profile_id") }?, "profile_id")?;
        let out = out_arg(out_profile, "out_profile")?;
        let profile = block_on(client.profiles().disconnect(id))?;
        out.write(into_raw(aether_profile::new(profile)));
        Ok(())
    })
}

/// Reads every profile (GET /v1/profiles, all pages). Blocks until the last page arrives. On
/// success writes the list to `*out_list`.
#[no_mangle]
pub extern "C" fn aether_profile_list_all(
    client: *const aether_client,
    out_list: *mut *mut aether_profile_list,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let client = client_arg(client)?;
        let out = out_arg(out_list, "out_list")?;
        let profiles: Vec<Profile> = block_on(client.profiles().list().try_collect())?;
        let profiles = profiles.into_iter().map(aether_profile::new).collect();
        out.write(into_raw(aether_profile_list { profiles }));
        Ok(())
    })
}

/// How many profiles the list holds; 0 when `list` is NULL.
#[no_mangle]
pub extern "C" fn aether_profile_list_count(list: *const aether_profile_list) -> usize {
    field(list, 0, |l| l.profiles.len())
}

/// The profile at `index` (0-based), or NULL when out of range or `list` is NULL. Borrowed:
/// valid until the list is freed; do not free it.
#[no_mangle]
pub extern "C" fn aether_profile_list_at(
    list: *const aether_profile_list,
    index: usize,
) -> *const aether_profile {
    field(list, std::ptr::null(), |l| {
        l.profiles.get(index).map_or(std::ptr::null(), |p| p as *const aether_profile)
    })
}

/// Frees a profile list and the profiles it lends. NULL is ignored.
#[no_mangle]
pub extern "C" fn aether_profile_list_free(list: *mut aether_profile_list) {
    // SAFETY: NULL or a list from this library, not used afterwards.
    getter((), || unsafe { free_raw(list) })
}

/// The profile's id (opaque, e.g. "tiktok_..."), to use in posts. Borrowed: valid until the profile is
/// freed; NULL if `profile` is NULL.
#[no_mangle]
pub extern "C" fn aether_profile_id(profile: *const aether_profile) -> *const c_char {
    borrowed_str(profile, |p| Some(&p.id))
}

/// The account's platform, e.g. "tiktok". Borrowed like aether_profile_id().
#[no_mangle]
pub extern "C" fn aether_profile_platform(profile: *const aether_profile) -> *const c_char {
    borrowed_str(profile, |p| Some(&p.platform))
}

/// The account's handle on the platform. Borrowed like aether_profile_id().
#[no_mangle]
pub extern "C" fn aether_profile_username(profile: *const aether_profile) -> *const c_char {
    borrowed_str(profile, |p| Some(&p.username))
}

/// The account's display name. Borrowed like aether_profile_id().
#[no_mangle]
pub extern "C" fn aether_profile_display_name(profile: *const aether_profile) -> *const c_char {
    borrowed_str(profile, |p| Some(&p.display_name))
}

/// The account tier: "standard" or "creator" (TikTok creators may post longer videos).
/// Borrowed like aether_profile_id().
#[no_mangle]
pub extern "C" fn aether_profile_tier(profile: *const aether_profile) -> *const c_char {
    borrowed_str(profile, |p| Some(&p.tier))
}

/// "active", or "disconnected" (reconnect it through a new connect link). Borrowed like
/// aether_profile_id().
#[no_mangle]
pub extern "C" fn aether_profile_status(profile: *const aether_profile) -> *const c_char {
    borrowed_str(profile, |p| Some(&p.status))
}

/// When the account was connected (RFC 3339, UTC). Borrowed like aether_profile_id().
#[no_mangle]
pub extern "C" fn aether_profile_connected_at(profile: *const aether_profile) -> *const c_char {
    borrowed_str(profile, |p| Some(&p.connected_at))
}

/// The profile as JSON (the API's camelCase form). On success writes an owned string to
/// `*out_json`: free it with aether_string_free().
#[no_mangle]
pub extern "C" fn aether_profile_to_json(
    profile: *const aether_profile,
    out_json: *mut *mut c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        // SAFETY: NULL or a live profile.
        let profile = unsafe { ref_arg(profile, "profile") }?;
        write_json(&profile.profile, out_json)
    })
}

/// Frees a profile from aether_profile_get(). NULL is ignored. Never pass one borrowed from a
/// list.
#[no_mangle]
pub extern "C" fn aether_profile_free(profile: *mut aether_profile) {
    // SAFETY: NULL or a profile from this library, not used afterwards.
    getter((), || unsafe { free_raw(profile) })
}
