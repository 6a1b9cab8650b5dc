//! Webhook endpoints and the events they receive.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::platform::{Platform, Timestamp};
use super::posts::Post;
use crate::open_enum::open_enum;

open_enum! {
    /// The event a webhook delivery reports.
    WebhookEventType {
        /// A post was scheduled.
        PostScheduled = "post.scheduled",
        /// A post started publishing.
        PostPublishing = "post.publishing",
        /// A post finished publishing.
        PostPublished = "post.published",
        /// A post failed.
        PostFailed = "post.failed",
        /// A post was cancelled.
        PostCancelled = "post.cancelled",
        /// Someone commented on a connected profile's post (`data.comment`).
        CommentCreated = "comment.created",
        /// A direct message arrived or was sent (`data.message`).
        MessageCreated = "message.created",
        /// A direct message changed, e.g. it was read (`data.message`).
        MessageUpdated = "message.updated",
    }
}

open_enum! {
    /// Where a webhook delivery stands.
    WebhookDeliveryStatus {
        /// Not yet acknowledged; another attempt is due at `nextAttemptAt`.
        Pending = "pending",
        /// The receiver acknowledged it with a 2xx.
        Succeeded = "succeeded",
        /// Every attempt failed (the dead letter); kept for 30 days, and can be redelivered.
        Failed = "failed",
    }
}

open_enum! {
    /// Which way a direct message went.
    MessageDirection {
        /// Sent to the connected profile.
        Inbound = "inbound",
        /// Sent by the connected profile.
        Outbound = "outbound",
    }
}

/// `POST /v1/webhooks` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateWebhookRequest {
    /// Where deliveries are POSTed.
    pub url: String,
    /// The events to deliver.
    pub events: Vec<WebhookEventType>,
}

/// A webhook endpoint. Its `Debug` output never shows the secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    /// Webhook id (`wh_…`).
    pub id: String,
    /// Where deliveries are POSTed.
    pub url: String,
    /// The events delivered.
    pub events: Vec<WebhookEventType>,
    /// The signing secret; returned only by create, so store it then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// When the webhook was created.
    pub created_at: Timestamp,
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("id", &self.id)
            .field("url", &self.url)
            .field("events", &self.events)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("created_at", &self.created_at)
            .finish()
    }
}

/// The body of a webhook delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEvent {
    /// Event id (`evt_…`).
    pub id: String,
    /// What happened.
    pub r#type: WebhookEventType,
    /// When it happened.
    pub created_at: Timestamp,
    /// The subject of the event.
    pub data: WebhookEventData,
}

/// The `data` of a webhook event: the subject named by the event type, one of the three.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEventData {
    /// `post.*`: the post as it is after the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post: Option<Post>,
    /// `comment.created`: the comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<Comment>,
    /// `message.created`, `message.updated`: the message as it is after the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<Message>,
}

/// Who wrote a comment or a message, on the platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboxAuthor {
    /// The author's id on the platform.
    pub id: String,
    /// The author's handle on the platform.
    pub username: String,
}

/// A comment on a connected profile's post (`comment.created`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Comment {
    /// Comment id (`cmt_…`).
    pub id: String,
    /// The connected profile whose post was commented on.
    pub profile_id: String,
    /// The profile's platform.
    pub platform: Platform,
    /// The Aether post commented on, when it was published through Aether.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_id: Option<String>,
    /// The platform's id of the post commented on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_post_id: Option<String>,
    /// Who commented.
    pub author: InboxAuthor,
    /// The comment's text.
    pub text: String,
    /// When it was written.
    pub created_at: Timestamp,
}

/// A direct message of a connected profile (`message.created`, `message.updated`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Message id (`msg_…`).
    pub id: String,
    /// The connected profile whose inbox holds it.
    pub profile_id: String,
    /// The profile's platform.
    pub platform: Platform,
    /// The conversation (thread) it belongs to.
    pub conversation_id: String,
    /// `inbound` (to the profile) or `outbound` (from it).
    pub direction: MessageDirection,
    /// Who wrote it.
    pub author: InboxAuthor,
    /// The message's text.
    pub text: String,
    /// When it was sent.
    pub created_at: Timestamp,
    /// When it was read; absent while unread.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_at: Option<Timestamp>,
}

/// One event for one webhook, with its attempts (`GET /v1/webhooks/{id}/deliveries`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDelivery {
    /// Delivery id (`dlv_…`).
    pub id: String,
    /// The event delivered (`evt_…`); a redelivery sends the same one.
    pub event_id: String,
    /// The event's type.
    pub event_type: WebhookEventType,
    /// `pending`, `succeeded` or `failed`.
    pub status: WebhookDeliveryStatus,
    /// Attempts made so far.
    pub attempts: u32,
    /// When the last attempt was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempt_at: Option<Timestamp>,
    /// The HTTP status the receiver answered the last attempt with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_status_code: Option<u16>,
    /// Why the last attempt failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// When the next attempt is due (pending deliveries only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<Timestamp>,
}

/// Query of `GET /v1/webhooks/{id}/deliveries`: `?status=&limit=&cursor=`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListDeliveriesQuery {
    /// Only deliveries in this status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<WebhookDeliveryStatus>,
    /// Page size, 1–100 (server default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Cursor from the previous page's `nextCursor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}
