//! `aether_capabilities`: what one account may post now (GET /v1/profiles/{id}/capabilities).

use std::ffi::{c_char, CString};

use aether::model::ProfileCapabilities;

use crate::client::{aether_client, block_on, client_arg, non_empty};
use crate::error::aether_error;
use crate::ffi::{borrowed_str, boundary, cstring, field, free_raw, getter, into_raw};
use crate::ffi::{out_arg, ref_arg, str_arg, write_json};
use crate::status::aether_status;

/// An account's capabilities: TikTok's creator info (privacy levels, longest video, the
/// comment/duet/stitch switches) and the same facts for other platforms, with the daily quota.
/// Immutable: read it from any thread. Free it with aether_capabilities_free(); its strings live
/// as long as it does.
pub struct aether_capabilities {
    caps: ProfileCapabilities,
    profile_id: CString,
    platform: CString,
    tier: CString,
    quota_reset_at: CString,
    privacy_level_options: Vec<CString>,
}

/// Reads an account's capabilities (GET /v1/profiles/{id}/capabilities) and refreshes the
/// client's preflight cache with them. Blocks until the server answers. On success writes them
/// to `*out_capabilities`. Unknown id: AETHER_ERROR_NOT_FOUND.
#[no_mangle]
pub extern "C" fn aether_profiles_capabilities(
    client: *const aether_client,
    profile_id: *const c_char,
    out_capabilities: *mut *mut aether_capabilities,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let client = client_arg(client)?;
        // SAFETY: a NUL-terminated string valid for the call.
        let id = non_empty(unsafe { str_arg(profile_id, "profile_id") }?, "profile_id")?;
        let out = out_arg(out_capabilities, "out_capabilities")?;
        let caps = block_on(client.profiles().capabilities(id))?;
        let levels = caps.privacy_level_options.iter().flatten();
        let handle = aether_capabilities {
            profile_id: cstring(&caps.profile_id),
            platform: cstring(caps.platform.as_str()),
            tier: cstring(caps.tier.as_str()),
            quota_reset_at: cstring(&caps.quota_reset_at),
            privacy_level_options: levels.map(|level| cstring(level.as_str())).collect(),
            caps,
        };
        out.write(into_raw(handle));
        Ok(())
    })
}

/// The profile these are for. Borrowed: valid until `caps` is freed; NULL if `caps` is NULL.
#[no_mangle]
pub extern "C" fn aether_capabilities_profile_id(
    caps: *const aether_capabilities,
) -> *const c_char {
    borrowed_str(caps, |c| Some(&c.profile_id))
}

/// The account's platform, e.g. "tiktok". Borrowed like aether_capabilities_profile_id().
#[no_mangle]
pub extern "C" fn aether_capabilities_platform(caps: *const aether_capabilities) -> *const c_char {
    borrowed_str(caps, |c| Some(&c.platform))
}

/// The account's tier, "standard" or "creator". Borrowed like aether_capabilities_profile_id().
#[no_mangle]
pub extern "C" fn aether_capabilities_tier(caps: *const aether_capabilities) -> *const c_char {
    borrowed_str(caps, |c| Some(&c.tier))
}

/// False when the profile is disconnected, the platform refuses posts from it for now, or
/// today's quota is used (and when `caps` is NULL).
#[no_mangle]
pub extern "C" fn aether_capabilities_can_post(caps: *const aether_capabilities) -> bool {
    field(caps, false, |c| c.caps.can_post)
}

/// Posts the account may still publish this UTC day; 0 when `caps` is NULL.
#[no_mangle]
pub extern "C" fn aether_capabilities_posts_remaining_today(
    caps: *const aether_capabilities,
) -> u64 {
    field(caps, 0, |c| c.caps.posts_remaining_today)
}

/// When the daily quota resets (RFC 3339, 00:00 UTC). Borrowed like
/// aether_capabilities_profile_id().
#[no_mangle]
pub extern "C" fn aether_capabilities_quota_reset_at(
    caps: *const aether_capabilities,
) -> *const c_char {
    borrowed_str(caps, |c| Some(&c.quota_reset_at))
}

/// Longest video the account may post, in seconds; 0 when `caps` is NULL.
#[no_mangle]
pub extern "C" fn aether_capabilities_max_video_duration_sec(
    caps: *const aether_capabilities,
) -> u64 {
    field(caps, 0, |c| c.caps.max_video_duration_sec)
}

/// Shortest video the account may post, in seconds; 0 when `caps` is NULL.
#[no_mangle]
pub extern "C" fn aether_capabilities_min_video_duration_sec(
    caps: *const aether_capabilities,
) -> u64 {
    field(caps, 0, |c| c.caps.min_video_duration_sec)
}

/// How many privacy levels the account offers (TikTok); 0 on other platforms or when `caps`
/// is NULL.
#[no_mangle]
pub extern "C" fn aether_capabilities_privacy_level_option_count(
    caps: *const aether_capabilities,
) -> usize {
    field(caps, 0, |c| c.privacy_level_options.len())
}

/// The privacy level at `index` (0-based), e.g. "SELF_ONLY", or NULL when out of range.
/// Borrowed like aether_capabilities_profile_id().
#[no_mangle]
pub extern "C" fn aether_capabilities_privacy_level_option_at(
    caps: *const aether_capabilities,
    index: usize,
) -> *const c_char {
    borrowed_str(caps, |c| c.privacy_level_options.get(index).map(CString::as_c_str))
}

fn tri_state(value: Option<bool>) -> i32 {
    value.map_or(-1, i32::from)
}

/// 1 when the account turned comments off (a post cannot turn them on), 0 when not, -1 when
/// the platform has no such switch (or `caps` is NULL).
#[no_mangle]
pub extern "C" fn aether_capabilities_comment_disabled(caps: *const aether_capabilities) -> i32 {
    field(caps, -1, |c| tri_state(c.caps.comment_disabled))
}

/// 1 when the account turned duets off, 0 when not, -1 when the platform has no such switch.
#[no_mangle]
pub extern "C" fn aether_capabilities_duet_disabled(caps: *const aether_capabilities) -> i32 {
    field(caps, -1, |c| tri_state(c.caps.duet_disabled))
}

/// 1 when the account turned stitches off, 0 when not, -1 when the platform has no such
/// switch.
#[no_mangle]
pub extern "C" fn aether_capabilities_stitch_disabled(caps: *const aether_capabilities) -> i32 {
    field(caps, -1, |c| tri_state(c.caps.stitch_disabled))
}

/// The capabilities as JSON (the API's camelCase form). On success writes an owned string to
/// `*out_json`: free it with aether_string_free().
#[no_mangle]
pub extern "C" fn aether_capabilities_to_json(
    caps: *const aether_capabilities,
    out_json: *mut *mut c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        // SAFETY: NULL or live capabilities.
        let caps = unsafe { ref_arg(caps, "caps") }?;
        write_json(&caps.caps, out_json)
    })
}

/// Frees capabilities from aether_profiles_capabilities(). NULL is ignored.
#[no_mangle]
pub extern "C" fn aether_capabilities_free(caps: *mut aether_capabilities) {
    // SAFETY: NULL or capabilities from this library, not used afterwards.
    getter((), || unsafe { free_raw(caps) })
}
