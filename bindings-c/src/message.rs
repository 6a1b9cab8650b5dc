//! `aether_message`: a direct message of a connected profile, the subject of the
//! "message.created" and "message.updated" events (borrowed from its aether_event).

use std::ffi::{c_char, CString};

use aether::model::Message;

use crate::error::aether_error;
use crate::ffi::{borrowed_str, boundary, cstring, opt_cstring, ref_arg, write_json};
use crate::status::aether_status;

/// A direct message. Borrowed from the aether_event it came with (aether_event_message()):
/// valid until the event is freed; never free it. Immutable.
#[derive(Debug)]
pub struct aether_message {
    message: Message,
    id: CString,
    profile_id: CString,
    platform: CString,
    conversation_id: CString,
    direction: CString,
    author_id: CString,
    author_username: CString,
    text: CString,
    created_at: CString,
    read_at: Option<CString>,
}

impl aether_message {
    pub(crate) fn new(message: Message) -> aether_message {
        aether_message {
            id: cstring(&message.id),
            profile_id: cstring(&message.profile_id),
            platform: cstring(message.platform.as_str()),
            conversation_id: cstring(&message.conversation_id),
            direction: cstring(message.direction.as_str()),
            author_id: cstring(&message.author.id),
            author_username: cstring(&message.author.username),
            text: cstring(&message.text),
            created_at: cstring(&message.created_at),
            read_at: opt_cstring(message.read_at.as_deref()),
            message,
        }
    }
}

/// The message's id ("msg_..."). Borrowed: valid until the event it is borrowed from is
/// freed; NULL if `message` is NULL.
#[no_mangle]
pub extern "C" fn aether_message_id(message: *const aether_message) -> *const c_char {
    borrowed_str(message, |m| Some(&m.id))
}

/// The connected profile whose inbox holds it. Borrowed like aether_message_id().
#[no_mangle]
pub extern "C" fn aether_message_profile_id(message: *const aether_message) -> *const c_char {
    borrowed_str(message, |m| Some(&m.profile_id))
}

/// The profile's platform, e.g. "facebook". Borrowed like aether_message_id().
#[no_mangle]
pub extern "C" fn aether_message_platform(message: *const aether_message) -> *const c_char {
    borrowed_str(message, |m| Some(&m.platform))
}

/// The conversation (thread) it belongs to. Borrowed like aether_message_id().
#[no_mangle]
pub extern "C" fn aether_message_conversation_id(message: *const aether_message) -> *const c_char {
    borrowed_str(message, |m| Some(&m.conversation_id))
}

/// "inbound" (sent to the profile) or "outbound" (sent by it). Borrowed like
/// aether_message_id().
#[no_mangle]
pub extern "C" fn aether_message_direction(message: *const aether_message) -> *const c_char {
    borrowed_str(message, |m| Some(&m.direction))
}

/// The author's id on the platform. Borrowed like aether_message_id().
#[no_mangle]
pub extern "C" fn aether_message_author_id(message: *const aether_message) -> *const c_char {
    borrowed_str(message, |m| Some(&m.author_id))
}

/// The author's handle on the platform. Borrowed like aether_message_id().
#[no_mangle]
pub extern "C" fn aether_message_author_username(message: *const aether_message) -> *const c_char {
    borrowed_str(message, |m| Some(&m.author_username))
}

/// What the message says (UTF-8). Borrowed like aether_message_id().
#[no_mangle]
pub extern "C" fn aether_message_text(message: *const aether_message) -> *const c_char {
    borrowed_str(message, |m| Some(&m.text))
}

/// When it was sent (RFC 3339). Borrowed like aether_message_id().
#[no_mangle]
pub extern "C" fn aether_message_created_at(message: *const aether_message) -> *const c_char {
    borrowed_str(message, |m| Some(&m.created_at))
}

/// When it was read (RFC 3339), or NULL while unread. Borrowed like aether_message_id().
#[no_mangle]
pub extern "C" fn aether_message_read_at(message: *const aether_message) -> *const c_char {
    borrowed_str(message, |m| m.read_at.as_deref())
}

/// The message as JSON (the API's camelCase form). On success writes an owned string to
/// `*out_json`: free it with aether_string_free().
#[no_mangle]
pub extern "C" fn aether_message_to_json(
    message: *const aether_message,
    out_json: *mut *mut c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        // SAFETY: NULL or a live message.
        let message = unsafe { ref_arg(message, "message") }?;
        write_json(&message.message, out_json)
    })
}
