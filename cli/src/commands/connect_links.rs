//! Connect links: `aether connect PLATFORM --redirect-url URL [--state S]`.

use aether::model::CreateConnectLinkRequest;
use serde_json::json;

use super::{interruptible, Ctx};
use crate::cli::ConnectArgs;
use crate::error::CliError;

pub async fn connect(ctx: &Ctx, args: ConnectArgs) -> Result<(), CliError> {
    let client = ctx.client()?;
    let request = CreateConnectLinkRequest {
        platform: args.platform.platform(),
        redirect_url: args.redirect_url,
        state: args.state,
    };
    let link = interruptible(ctx, client.connect_links().create(&request)).await?;
    if ctx.ui.json {
        ctx.ui.print_json(&json!(link));
        return Ok(());
    }
    let (ui, paint) = (&ctx.ui, &ctx.ui.out);
    ui.say(format!(
        "{} {} ({}, expires {})",
        paint.green("✓"),
        link.id,
        link.platform,
        link.expires_at
    ));
    ui.say(format!("  send your user to: {}", paint.bold(&link.url)));
    ui.say(format!(
        "  after they approve, they land on {}?profileId=…&linkId={}{}",
        link.redirect_url,
        link.id,
        if link.state.is_some() { "&state=…" } else { "" }
    ));
    if link.state.is_none() {
        ui.say(paint.dim(
            "  tip: pass --state with a random value tied to the user's session, and check it on \
             the redirect",
        ));
    }
    Ok(())
}
