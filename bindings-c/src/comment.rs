//! `aether_comment`: a comment on a connected profile's post, the subject of a
//! "comment.created" event (borrowed from its aether_event).

use std::ffi::{c_char, CString};

use aether::model::Comment;

use crate::error::aether_error;
use crate::ffi::{borrowed_str, boundary, cstring, opt_cstring, ref_arg, write_json};
use crate::status::aether_status;

/// A comment on a connected profile's post. Borrowed from the aether_event it came with
/// (aether_event_comment()): valid until the event is freed; never free it. Immutable.
#[derive(Debug)]
pub struct aether_comment {
    comment: Comment,
    id: CString,
    profile_id: CString,
    platform: CString,
    post_id: Option<CString>,
    platform_post_id: Option<CString>,
    author_id: CString,
    author_username: CString,
    text: CString,
    created_at: CString,
}

impl aether_comment {
    pub(crate) fn new(comment: Comment) -> aether_comment {
        aether_comment {
            id: cstring(&comment.id),
            profile_id: cstring(&comment.profile_id),
            platform: cstring(comment.platform.as_str()),
            post_id: opt_cstring(comment.post_id.as_deref()),
            platform_post_id: opt_cstring(comment.platform_post_id.as_deref()),
            author_id: cstring(&comment.author.id),
            author_username: cstring(&comment.author.username),
            text: cstring(&comment.text),
            created_at: cstring(&comment.created_at),
            comment,
        }
    }
}

/// The comment's id ("cmt_..."). Borrowed: valid until the event it is borrowed from is
/// freed; NULL if `comment` is NULL.
#[no_mangle]
pub extern "C" fn aether_comment_id(comment: *const aether_comment) -> *const c_char {
    borrowed_str(comment, |c| Some(&c.id))
}

/// The connected profile whose post was commented on. Borrowed like aether_comment_id().
#[no_mangle]
pub extern "C" fn aether_comment_profile_id(comment: *const aether_comment) -> *const c_char {
    borrowed_str(comment, |c| Some(&c.profile_id))
}

/// The profile's platform, e.g. "instagram". Borrowed like aether_comment_id().
#[no_mangle]
pub extern "C" fn aether_comment_platform(comment: *const aether_comment) -> *const c_char {
    borrowed_str(comment, |c| Some(&c.platform))
}

/// The Aether post commented on ("post_..."), or NULL when it was not published through
/// Aether. Borrowed like aether_comment_id().
#[no_mangle]
pub extern "C" fn aether_comment_post_id(comment: *const aether_comment) -> *const c_char {
    borrowed_str(comment, |c| c.post_id.as_deref())
}

/// The platform's id of the post commented on, or NULL. Borrowed like aether_comment_id().
#[no_mangle]
pub extern "C" fn aether_comment_platform_post_id(comment: *const aether_comment) -> *const c_char {
    borrowed_str(comment, |c| c.platform_post_id.as_deref())
}

/// The author's id on the platform. Borrowed like aether_comment_id().
#[no_mangle]
pub extern "C" fn aether_comment_author_id(comment: *const aether_comment) -> *const c_char {
    borrowed_str(comment, |c| Some(&c.author_id))
}

/// The author's handle on the platform. Borrowed like aether_comment_id().
#[no_mangle]
pub extern "C" fn aether_comment_author_username(comment: *const aether_comment) -> *const c_char {
    borrowed_str(comment, |c| Some(&c.author_username))
}

/// What the comment says (UTF-8). Borrowed like aether_comment_id().
#[no_mangle]
pub extern "C" fn aether_comment_text(comment: *const aether_comment) -> *const c_char {
    borrowed_str(comment, |c| Some(&c.text))
}

/// When it was written (RFC 3339). Borrowed like aether_comment_id().
#[no_mangle]
pub extern "C" fn aether_comment_created_at(comment: *const aether_comment) -> *const c_char {
    borrowed_str(comment, |c| Some(&c.created_at))
}

/// The comment as JSON (the API's camelCase form). On success writes an owned string to
/// `*out_json`: free it with aether_string_free().
#[no_mangle]
pub extern "C" fn aether_comment_to_json(
    comment: *const aether_comment,
    out_json: *mut *mut c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        // SAFETY: NULL or a live comment.
        let comment = unsafe { ref_arg(comment, "comment") }?;
        write_json(&comment.comment, out_json)
    })
}
