//! `aether webhooks verify --secret S … --header 't=…,v1=…' [--payload FILE|-]`,
//! `aether webhooks deliveries WEBHOOK_ID [--status S]`, `aether webhooks redeliver WEBHOOK_ID
//! DELIVERY_ID`.

use std::io::Read;
use std::time::{Duration, SystemTime};

use aether::model::{WebhookDelivery, WebhookEvent};
use aether::webhooks::{parse_signature_header, verify_signature};
use aether::Error;
use futures_util::StreamExt;
use serde_json::{json, Value};

use super::{interruptible, Ctx};
use crate::cli::{DeliveriesArgs, RedeliverArgs, VerifyArgs};
use crate::error::CliError;

pub fn verify(ctx: &Ctx, args: VerifyArgs) -> Result<(), CliError> {
    let payload = read_payload(&args.payload)?;
    let secrets: Vec<&str> = args.secrets.iter().map(String::as_str).collect();
    let tolerance = Duration::from_secs(args.tolerance);
    if let Err(error) =
        verify_signature(&payload, &args.header, &secrets, tolerance, SystemTime::now())
    {
        let reason = error.details().and_then(|d| d.get("reason")).and_then(Value::as_str);
        let hint = match reason {
            Some("signature_mismatch") => {
                "the body must be the raw bytes received (not re-serialized JSON), and the \
                 secret the one returned when the webhook was created"
            }
            Some("timestamp_outside_tolerance") => {
                "a replayed or old delivery; raise --tolerance only to check a saved one"
            }
            Some("malformed_header") => "pass the x-aether-signature header's value: t=…,v1=…",
            _ => "pass the webhook's signing secret with --secret",
        };
        return Err(CliError::with_hint(error, hint));
    }
    let timestamp = parse_signature_header(&args.header).map(|h| h.timestamp).ok();
    let event: Option<WebhookEvent> = serde_json::from_slice(&payload).ok();
    if ctx.ui.json {
        ctx.ui.print_json(&json!({
            "valid": true,
            "timestamp": timestamp,
            "event": event.as_ref().map(|e| json!({
                "id": e.id,
                "type": e.r#type,
                "postId": e.data.post.as_ref().map(|p| &p.id),
                "status": e.data.post.as_ref().map(|p| &p.status),
                "commentId": e.data.comment.as_ref().map(|c| &c.id),
                "messageId": e.data.message.as_ref().map(|m| &m.id),
            })),
        }));
        return Ok(());
    }
    let paint = &ctx.ui.out;
    ctx.ui.say(format!(
        "{} valid signature ({} bytes, signed at t={})",
        paint.green("✓"),
        payload.len(),
        timestamp.unwrap_or_default()
    ));
    if let Some(event) = event {
        ctx.ui.say(format!("  {} {} → {}", event.id, event.r#type, subject(&event)));
    }
    Ok(())
}

/// What an event is about, in a few words.
fn subject(event: &WebhookEvent) -> String {
    let data = &event.data;
    if let Some(post) = &data.post {
        format!("post {} {}", post.id, post.status)
    } else if let Some(comment) = &data.comment {
        format!("comment {} by @{} on {}", comment.id, comment.author.username, comment.profile_id)
    } else if let Some(message) = &data.message {
        let read = if message.read_at.is_some() { " (read)" } else { "" };
        format!(
            "message {} {} @{}{read}",
            message.id,
            message.direction.as_str(),
            message.author.username
        )
    } else {
        "(no subject)".to_owned()
    }
}

pub async fn deliveries(ctx: &Ctx, args: DeliveriesArgs) -> Result<(), CliError> {
    let client = ctx.client()?;
    let status = args.status.map(|s| s.status());
    let mut stream = Box::pin(client.webhooks().deliveries(&args.webhook_id, status));
    let mut all: Vec<WebhookDelivery> = Vec::new();
    let (ui, paint) = (&ctx.ui, &ctx.ui.out);
    loop {
        let next = interruptible(ctx, async { stream.next().await.transpose() }).await?;
        let Some(delivery) = next else { break };
        let status = match delivery.status.as_str() {
            "succeeded" => paint.green("succeeded"),
            "failed" => paint.red("failed"),
            other => paint.yellow(other),
        };
        let last = match (&delivery.last_status_code, &delivery.last_error) {
            (Some(code), _) => format!("last answer {code}"),
            (None, Some(error)) => error.clone(),
            (None, None) => String::new(),
        };
        // Printed as each page arrives, so a long list starts showing at once.
        ui.say(format!(
            "{}  {:<16} {:<9} {} attempt{}  {}  {}",
            paint.bold(&delivery.id),
            delivery.event_type.as_str(),
            status,
            delivery.attempts,
            if delivery.attempts == 1 { "" } else { "s" },
            delivery.event_id,
            paint.dim(last),
        ));
        all.push(delivery);
    }
    if ui.json {
        ui.print_json(&json!(all));
    } else if all.is_empty() {
        ui.note("no deliveries");
    } else {
        let n = all.len();
        ui.note(ctx.ui.err.dim(format!("{n} deliver{}", if n == 1 { "y" } else { "ies" })));
    }
    Ok(())
}

pub async fn redeliver(ctx: &Ctx, args: RedeliverArgs) -> Result<(), CliError> {
    let client = ctx.client()?;
    let webhooks = client.webhooks();
    let delivery =
        interruptible(ctx, webhooks.redeliver(&args.webhook_id, &args.delivery_id)).await?;
    if ctx.ui.json {
        ctx.ui.print_json(&json!(delivery));
    } else {
        ctx.ui.say(format!(
            "{} {} queued again: event {} ({}), signed afresh",
            ctx.ui.out.green("✓"),
            delivery.id,
            delivery.event_id,
            delivery.event_type
        ));
    }
    Ok(())
}

/// The body from a file, or from stdin for `-`.
fn read_payload(source: &str) -> Result<Vec<u8>, CliError> {
    let mut payload = Vec::new();
    let read = if source == "-" {
        std::io::stdin().lock().read_to_end(&mut payload).map(|_| ())
    } else {
        std::fs::File::open(source).and_then(|mut file| file.read_to_end(&mut payload).map(|_| ()))
    };
    read.map_err(|e| {
        let what = if source == "-" { "stdin".to_owned() } else { source.to_owned() };
        CliError::from(Error::io(format!("cannot read the payload from {what}: {e}"), e))
    })?;
    Ok(payload)
}
