//! Webhook endpoints and the events they receive.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::platform::Timestamp;
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

/// The `data` of a webhook event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookEventData {
    /// The post as it is after the event.
    pub post: Post,
}
