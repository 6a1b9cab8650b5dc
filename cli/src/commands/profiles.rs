//! `aether profiles`: every connected profile, page after page; `aether profiles capabilities
//! ID`: what one account may post now.

use aether::model::ProfileCapabilities;
use futures_util::StreamExt;
use serde_json::json;

use super::{interruptible, Ctx};
use crate::cli::{CapabilitiesArgs, ProfilesArgs, ProfilesCommand};
use crate::error::CliError;

pub async fn run(ctx: &Ctx, args: ProfilesArgs) -> Result<(), CliError> {
    if let Some(ProfilesCommand::Capabilities(args)) = args.command {
        return capabilities(ctx, args).await;
    }
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

/// `aether profiles capabilities ID [--json]`.
async fn capabilities(ctx: &Ctx, args: CapabilitiesArgs) -> Result<(), CliError> {
    let client = ctx.client()?;
    let caps = interruptible(ctx, client.profiles().capabilities(&args.id)).await?;
    if ctx.ui.json {
        ctx.ui.print_json(&json!(caps));
        return Ok(());
    }
    for line in capability_lines(ctx, &caps) {
        ctx.ui.say(line);
    }
    Ok(())
}

/// The capabilities as aligned `name  value` lines.
fn capability_lines(ctx: &Ctx, caps: &ProfileCapabilities) -> Vec<String> {
    let paint = &ctx.ui.out;
    let can_post = if caps.can_post { paint.green("yes") } else { paint.yellow("no") };
    let mut lines = vec![
        format!("{}  {} ({} tier)", paint.bold(&caps.profile_id), caps.platform, caps.tier),
        format!("can post          {can_post}"),
        format!(
            "posts left today  {} (resets {})",
            caps.posts_remaining_today, caps.quota_reset_at
        ),
        format!(
            "video length      {}–{} s",
            caps.min_video_duration_sec, caps.max_video_duration_sec
        ),
    ];
    if let Some(levels) = &caps.privacy_level_options {
        let names: Vec<&str> = levels.iter().map(|level| level.as_str()).collect();
        lines.push(format!("privacy levels    {}", names.join(", ")));
    }
    let switches = [
        ("comments", caps.comment_disabled),
        ("duets", caps.duet_disabled),
        ("stitches", caps.stitch_disabled),
    ];
    for (what, disabled) in switches {
        if let Some(disabled) = disabled {
            let state = if disabled { "turned off by the account" } else { "allowed" };
            lines.push(format!("{what:<17} {state}"));
        }
    }
    lines
}
