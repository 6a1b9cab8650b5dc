//! `aether_connect_link`: the hosted OAuth page that connects an end user's social account.

use std::ffi::{c_char, CString};

use aether::model::{ConnectLink, CreateConnectLinkRequest, Platform};

use crate::client::{aether_client, block_on, client_arg, non_empty};
use crate::error::aether_error;
use crate::ffi::{borrowed_str, boundary, cstring, free_raw, getter, into_raw, opt_cstring};
use crate::ffi::{opt_str_arg, out_arg, ref_arg, str_arg, write_json};
use crate::status::aether_status;

/// A connect link as the server returned it. Immutable: read it from any thread. Free it with
/// aether_connect_link_free(); the strings its accessors return live as long as it does.
pub struct aether_connect_link {
    link: ConnectLink,
    id: CString,
    platform: CString,
    url: CString,
    redirect_url: CString,
    state: Option<CString>,
    status: CString,
    expires_at: CString,
    created_at: Option<CString>,
    profile_id: Option<CString>,
}

impl aether_connect_link {
    fn new(link: ConnectLink) -> aether_connect_link {
        aether_connect_link {
            id: cstring(&link.id),
            platform: cstring(link.platform.as_str()),
            url: cstring(&link.url),
            redirect_url: cstring(&link.redirect_url),
            state: opt_cstring(link.state.as_deref()),
            status: cstring(link.status.as_str()),
            expires_at: cstring(&link.expires_at),
            created_at: opt_cstring(link.created_at.as_deref()),
            profile_id: opt_cstring(link.profile_id.as_deref()),
            link,
        }
    }
}

/// Creates a connect link (POST /v1/connect-links) for `platform` ("tiktok", "instagram",
/// "linkedin", "facebook", "youtube", "threads", "reddit"). Send the end user to its URL
/// (aether_connect_link_url()); after they authorize, Aether redirects them to
/// `redirect_url` with `profileId`, `linkId` and `state`, and the link's status becomes
/// "completed". `state` (NULL: none) is echoed back on that redirect: pass a random value and
/// check it. Blocks until the server answers. On success writes the link to `*out_link`.
#[no_mangle]
pub extern "C" fn aether_connect_link_create(
    client: *const aether_client,
    platform: *const c_char,
    redirect_url: *const c_char,
    state: *const c_char,
    out_link: *mut *mut aether_connect_link,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let client = client_arg(client)?;
        // SAFETY: NUL-terminated strings valid for the call, by the header's conventions.
        let (platform, redirect_url, state) = unsafe {
            (
                str_arg(platform, "platform")?,
                str_arg(redirect_url, "redirect_url")?,
                opt_str_arg(state, "state")?,
            )
        };
        let out = out_arg(out_link, "out_link")?;
        let request = CreateConnectLinkRequest {
            platform: Platform::parse(non_empty(platform, "platform")?),
            redirect_url: redirect_url.to_owned(),
            state: state.map(str::to_owned),
        };
        let link = block_on(client.connect_links().create(&request))?;
        out.write(into_raw(aether_connect_link::new(link)));
        Ok(())
    })
}

/// Reads a connect link (GET /v1/connect-links/{id}): its status, and the profile id once
/// the end user has authorized. Blocks until the server answers. On success writes the link
/// to `*out_link`. Unknown id: AETHER_ERROR_NOT_FOUND.
#[no_mangle]
pub extern "C" fn aether_connect_link_get(
    client: *const aether_client,
    link_id: *const c_char,
    out_link: *mut *mut aether_connect_link,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let client = client_arg(client)?;
        // SAFETY: a NUL-terminated string valid for the call.
        let link_id = non_empty(unsafe { str_arg(link_id, "link_id") }?, "link_id")?;
        let out = out_arg(out_link, "out_link")?;
        let link = block_on(client.connect_links().get(link_id))?;
        out.write(into_raw(aether_connect_link::new(link)));
        Ok(())
    })
}

/// The link's id ("link_..."). Borrowed: valid until the link is freed; NULL if `link` is NULL.
#[no_mangle]
pub extern "C" fn aether_connect_link_id(link: *const aether_connect_link) -> *const c_char {
    borrowed_str(link, |l| Some(&l.id))
}

/// The platform being connected, e.g. "tiktok". Borrowed like aether_connect_link_id().
#[no_mangle]
pub extern "C" fn aether_connect_link_platform(link: *const aether_connect_link) -> *const c_char {
    borrowed_str(link, |l| Some(&l.platform))
}

/// The hosted authorization page to send the end user to. Borrowed like
/// aether_connect_link_id().
#[no_mangle]
pub extern "C" fn aether_connect_link_url(link: *const aether_connect_link) -> *const c_char {
    borrowed_str(link, |l| Some(&l.url))
}

/// Where Aether redirects the end user after authorization. Borrowed like
/// aether_connect_link_id().
#[no_mangle]
pub extern "C" fn aether_connect_link_redirect_url(
    link: *const aether_connect_link,
) -> *const c_char {
    borrowed_str(link, |l| Some(&l.redirect_url))
}

/// The state given at creation, or NULL. Borrowed like aether_connect_link_id().
#[no_mangle]
pub extern "C" fn aether_connect_link_state(link: *const aether_connect_link) -> *const c_char {
    borrowed_str(link, |l| l.state.as_deref())
}

/// Where the link stands: "pending", "completed", "denied" or "expired" (or a newer value).
/// Borrowed like aether_connect_link_id().
#[no_mangle]
pub extern "C" fn aether_connect_link_status(link: *const aether_connect_link) -> *const c_char {
    borrowed_str(link, |l| Some(&l.status))
}

/// When the link stops working (RFC 3339, UTC). Borrowed like aether_connect_link_id().
#[no_mangle]
pub extern "C" fn aether_connect_link_expires_at(
    link: *const aether_connect_link,
) -> *const c_char {
    borrowed_str(link, |l| Some(&l.expires_at))
}

/// When the link was created (RFC 3339, UTC), or NULL when the server did not say. Borrowed
/// like aether_connect_link_id().
#[no_mangle]
pub extern "C" fn aether_connect_link_created_at(
    link: *const aether_connect_link,
) -> *const c_char {
    borrowed_str(link, |l| l.created_at.as_deref())
}

/// The connected profile's id (opaque, e.g. "tiktok_...") once the link is "completed", else NULL. Borrowed
/// like aether_connect_link_id().
#[no_mangle]
pub extern "C" fn aether_connect_link_profile_id(
    link: *const aether_connect_link,
) -> *const c_char {
    borrowed_str(link, |l| l.profile_id.as_deref())
}

/// The link as JSON (the API's camelCase form). On success writes an owned string to
/// `*out_json`: free it with aether_string_free().
#[no_mangle]
pub extern "C" fn aether_connect_link_to_json(
    link: *const aether_connect_link,
    out_json: *mut *mut c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        // SAFETY: NULL or a live link.
        let link = unsafe { ref_arg(link, "link") }?;
        write_json(&link.link, out_json)
    })
}

/// Frees a connect link. NULL is ignored.
#[no_mangle]
pub extern "C" fn aether_connect_link_free(link: *mut aether_connect_link) {
    // SAFETY: NULL or a link from this library, not used afterwards.
    getter((), || unsafe { free_raw(link) })
}
