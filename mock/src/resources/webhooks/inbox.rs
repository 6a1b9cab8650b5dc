//! The inbox, simulated through the admin API: an incoming comment or direct message on a
//! connected profile, and a change to a message (it was read). Each raises its webhook event
//! (`comment.created`, `message.created`, `message.updated`) to the subscribed webhooks.
//!
//! - `POST /_mock/profiles/{id}/comments` `{ text, postId?, platformPostId?, author?, createdAt? }`
//!   → 201 Comment.
//! - `POST /_mock/profiles/{id}/messages` `{ text, conversationId?, direction?, author?,
//!   createdAt? }` → 201 Message (`inbound` by default; an `outbound` one is written by the
//!   profile itself unless `author` says otherwise).
//! - `PATCH /_mock/messages/{id}` `{ readAt?, text? }` → 200 Message.
//!
//! An unknown profile or message is 404; a missing text or a bad time is 400 naming the field.
//! Times default to the virtual clock's now.

use aether::model::{
    Comment, InboxAuthor, Message, MessageDirection, Profile, WebhookEventData, WebhookEventType,
};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{patch, post};
use axum::{Json, Router};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::delivery::enqueue_event;
use crate::api_error::{ApiError, ApiResult};
use crate::clock::rfc3339;
use crate::ids::{new_id, random_token};
use crate::json::ApiJson;
use crate::resources::profiles::Profiles;
use crate::state::{Part, SharedState};

/// Longest comment or message text accepted.
const MAX_TEXT: usize = 10_000;

/// Messages simulated so far (comments need no store: nothing changes them).
#[derive(Debug, Default)]
pub struct Inbox {
    messages: Vec<Message>,
}

impl Part for Inbox {}

/// An author as the admin API takes it: either part may be left to the emulator.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewAuthor {
    /// The author's platform id; a generated one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The author's username; a generated one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// The body of `POST /_mock/profiles/{id}/comments`, shared with [`crate::Admin::simulate_comment`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewComment {
    /// Required; optional here so that a missing one gets the emulator's message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The post commented on, if it is one of Aether's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_id: Option<String>,
    /// The platform's id of the post commented on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_post_id: Option<String>,
    /// Who commented; generated when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<NewAuthor>,
    /// RFC 3339; the virtual clock's now when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

/// The body of `POST /_mock/profiles/{id}/messages`, shared with [`crate::Admin::simulate_message`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewMessage {
    /// Required; optional here so that a missing one gets the emulator's message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// A new conversation (`conv_…`) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// `inbound` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<MessageDirection>,
    /// Who wrote the message; generated when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<NewAuthor>,
    /// When it was written (RFC 3339); the emulator's now when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
}

/// The body of `PATCH /_mock/messages/{id}`, shared with [`crate::Admin::update_message`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MessagePatch {
    /// RFC 3339: when the message was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_at: Option<String>,
    /// The message's new text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

pub(super) fn admin_routes() -> Router<SharedState> {
    Router::new()
        .route("/_mock/profiles/{id}/comments", post(create_comment))
        .route("/_mock/profiles/{id}/messages", post(create_message))
        .route("/_mock/messages/{id}", patch(update_message))
}

fn text(text: Option<String>) -> ApiResult<String> {
    match text {
        None => {
            Err(ApiError::invalid("text", "text is required: what the comment or message says"))
        }
        Some(text) if text.chars().count() > MAX_TEXT => Err(ApiError::invalid(
            "text",
            format!("text is {} characters; at most {MAX_TEXT}", text.chars().count()),
        )),
        Some(text) => Ok(text),
    }
}

/// An RFC 3339 instant, written back the emulator's way; `now` when absent.
fn instant(field: &str, value: Option<String>, now: Timestamp) -> ApiResult<String> {
    match value {
        None => Ok(rfc3339(now)),
        Some(value) => value.parse::<Timestamp>().map(rfc3339).map_err(|_| {
            ApiError::invalid(
                field,
                format!("{field} {value:?} is not an RFC 3339 instant, e.g. 2026-06-15T13:00:00Z"),
            )
        }),
    }
}

/// Someone on the platform: `author` as given, the rest made up.
fn someone(author: Option<NewAuthor>) -> InboxAuthor {
    let author = author.unwrap_or_default();
    let token = random_token(8).to_ascii_lowercase();
    InboxAuthor {
        id: author.id.unwrap_or_else(|| format!("usr_{token}")),
        username: author.username.unwrap_or_else(|| format!("fan_{token}")),
    }
}

fn profile(state: &SharedState, id: &str) -> ApiResult<Profile> {
    state
        .store()
        .part::<Profiles>()
        .get(id)
        .cloned()
        .ok_or_else(|| ApiError::not_found("profile", id))
}

async fn create_comment(
    State(state): State<SharedState>,
    Path(profile_id): Path<String>,
    ApiJson(body): ApiJson<NewComment>,
) -> ApiResult<(StatusCode, Json<Comment>)> {
    let profile = profile(&state, &profile_id)?;
    let now = state.clock.now();
    let comment = Comment {
        id: new_id("cmt"),
        profile_id: profile.id,
        platform: profile.platform,
        post_id: body.post_id,
        platform_post_id: body.platform_post_id,
        author: someone(body.author),
        text: text(body.text)?,
        created_at: instant("createdAt", body.created_at, now)?,
    };
    let data = WebhookEventData { comment: Some(comment.clone()), ..WebhookEventData::default() };
    enqueue_event(&mut state.store(), now, WebhookEventType::CommentCreated, data, None);
    Ok((StatusCode::CREATED, Json(comment)))
}

async fn create_message(
    State(state): State<SharedState>,
    Path(profile_id): Path<String>,
    ApiJson(body): ApiJson<NewMessage>,
) -> ApiResult<(StatusCode, Json<Message>)> {
    let profile = profile(&state, &profile_id)?;
    let now = state.clock.now();
    let direction = body.direction.unwrap_or(MessageDirection::Inbound);
    if direction.is_unknown() {
        return Err(ApiError::invalid(
            "direction",
            format!("direction {:?} is not one; use inbound or outbound", direction.as_str()),
        ));
    }
    let author = match (&direction, body.author) {
        (MessageDirection::Outbound, None) => {
            InboxAuthor { id: profile.id.clone(), username: profile.username.clone() }
        }
        (_, author) => someone(author),
    };
    let message = Message {
        id: new_id("msg"),
        profile_id: profile.id,
        platform: profile.platform,
        conversation_id: body.conversation_id.unwrap_or_else(|| new_id("conv")),
        direction,
        author,
        text: text(body.text)?,
        created_at: instant("createdAt", body.created_at, now)?,
        read_at: None,
    };
    let mut store = state.store();
    store.part::<Inbox>().messages.push(message.clone());
    let data = WebhookEventData { message: Some(message.clone()), ..WebhookEventData::default() };
    enqueue_event(&mut store, now, WebhookEventType::MessageCreated, data, None);
    Ok((StatusCode::CREATED, Json(message)))
}

async fn update_message(
    State(state): State<SharedState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MessagePatch>,
) -> ApiResult<Json<Message>> {
    if body.read_at.is_none() && body.text.is_none() {
        return Err(ApiError::invalid("readAt", "nothing to change; give readAt and/or text"));
    }
    let now = state.clock.now();
    let read_at = match body.read_at {
        Some(value) => Some(instant("readAt", Some(value), now)?),
        None => None,
    };
    let text = match body.text {
        Some(value) => Some(text(Some(value))?),
        None => None,
    };
    let mut store = state.store();
    let Some(message) = store.part::<Inbox>().messages.iter_mut().find(|m| m.id == id) else {
        return Err(ApiError::not_found("message", &id));
    };
    if read_at.is_some() {
        message.read_at = read_at;
    }
    if let Some(text) = text {
        message.text = text;
    }
    let message = message.clone();
    let data = WebhookEventData { message: Some(message.clone()), ..WebhookEventData::default() };
    enqueue_event(&mut store, now, WebhookEventType::MessageUpdated, data, None);
    Ok(Json(message))
}
