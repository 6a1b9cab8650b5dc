//! `aether webhooks verify --secret S … --header 't=…,v1=…' [--payload FILE|-]`.

use std::io::Read;
use std::time::{Duration, SystemTime};

use aether::model::WebhookEvent;
use aether::webhooks::{parse_signature_header, verify_signature};
use aether::Error;
use serde_json::{json, Value};

use super::Ctx;
use crate::cli::VerifyArgs;
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
            "event": event.as_ref().map(|e| json!({ "id": e.id, "type": e.r#type, "postId": e.data.post.id, "status": e.data.post.status })),
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
        ctx.ui.say(format!(
            "  {} {} → post {} {}",
            event.id, event.r#type, event.data.post.id, event.data.post.status
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
