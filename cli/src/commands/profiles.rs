//! `aether profiles`: every connected profile, page after page.

use futures_util::StreamExt;
use serde_json::json;

use super::{interruptible, Ctx};
use crate::cli::ProfilesArgs;
use crate::error::CliError;

pub async fn run(ctx: &Ctx, args: ProfilesArgs) -> Result<(), CliError> {
    let client = ctx.client()?;
    let wanted = args.platform.map(|p| p.platform());
    let mut stream = Box::pin(client.profiles().list());
    let mut profiles = Vec::new();
    let (ui, paint) = (&ctx.ui, &ctx.ui.out);
    loop {
        let next = interruptible(ctx, async { stream.next().await.transpose() }).await?;
        let Some(profile) = next else { break };
        if wanted.as_ref().is_some_and(|platform| *platform != profile.platform) {
            continue;
        }
        // Printed as each page arrives, so a long list starts showing at once.
        ui.say(format!(
            "{}  {:<9} @{:<20} {:<8} {}",
            paint.bold(&profile.id),
            profile.platform.as_str(),
            profile.username,
            profile.tier.as_str(),
            if profile.status.as_str() == "active" {
                paint.green(profile.status.as_str())
            } else {
                paint.yellow(profile.status.as_str())
            },
        ));
        profiles.push(profile);
    }
    if ui.json {
        ui.print_json(&json!(profiles));
    } else if profiles.is_empty() {
        ui.note("no profiles connected yet: `aether connect tiktok --redirect-url …` makes a link");
    } else {
        ui.note(paint_count(ctx, profiles.len()));
    }
    Ok(())
}

fn paint_count(ctx: &Ctx, n: usize) -> String {
    ctx.ui.err.dim(format!("{n} profile{}", if n == 1 { "" } else { "s" }))
}
