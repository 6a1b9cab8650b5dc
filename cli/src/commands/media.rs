//! Media: `aether upload FILE [--platform P …] [--tier T] [--resume UPLOAD_ID] [--wait]`, and
//! `aether upload --url URL` (the server fetches the file).

use std::time::Instant;

use aether::media::MediaWaitOptions;
use aether::model::Media;
use aether::upload::{UploadOptions, UploadSource};
use aether::{Error, ErrorCode};
use serde_json::json;

use super::{interruptible, Ctx};
use crate::cli::UploadArgs;
use crate::error::CliError;
use crate::ui::{self, Ui};

pub async fn upload(ctx: &Ctx, args: UploadArgs) -> Result<(), CliError> {
    let Some(file) = args.file.clone() else { return ingest(ctx, args).await };
    let client = ctx.client()?;
    let size = std::fs::metadata(&file)
        .map_err(|e| Error::io(format!("cannot read {}: {e}", file.display()), e))?
        .len();
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let bar = ctx.ui.bytes_bar(size, &name);
    let mut options = described_media(ctx, &args).parallelism(args.parallelism).on_progress({
        let bar = bar.clone();
        move |progress| bar.set_position(progress.bytes_sent)
    });
    // Seconds on the command line; the core checks the value and names --stall-timeout.
    options.settings.stall_timeout_ms = args.stall_timeout.map(|s| s * 1000.0);
    options = options.sha256(args.sha256);
    options.settings.spelling = aether::Spelling::Cli;
    if let Some(state_file) = &args.state_file {
        options = options.resume_state_file(state_file.clone());
    }
    if !ctx.ui.live {
        let what = match &args.resume {
            Some(id) => format!("resuming {id} with"),
            None => "uploading".to_owned(),
        };
        ctx.ui.note(format!("{what} {} ({})", file.display(), ui::bytes(size)));
    }
    let started = Instant::now();
    let source = UploadSource::path(&file);
    let uploaded = match &args.resume {
        Some(upload_id) => client.media().resume(upload_id, source, options).await,
        None => client.media().upload(source, options).await,
    };
    bar.finish_and_clear();
    let media = uploaded.map_err(|error| explain(error, &args))?;
    ctx.ui.note(format!("uploaded {} in {}", ui::bytes(size), ui::duration(started.elapsed())));
    finish(ctx, &client, media, args.wait).await
}

/// What an upload and an ingest share: the tier, platforms and profiles the preflight checks,
/// the mime type, and Ctrl-C.
fn described_media(ctx: &Ctx, args: &UploadArgs) -> UploadOptions {
    let mut options = UploadOptions::new().tier(args.tier.tier()).cancel_token(ctx.cancel.clone());
    for platform in &args.platform {
        options = options.platform(platform.platform());
    }
    for profile in &args.profiles {
        options = options.profile(profile.clone());
    }
    if let Some(mime_type) = &args.mime_type {
        options = options.mime_type(mime_type.clone());
    }
    options
}

/// `aether upload --url URL`: the server fetches the URL (after a preflight by range requests
/// with --platform).
async fn ingest(ctx: &Ctx, args: UploadArgs) -> Result<(), CliError> {
    let client = ctx.client()?;
    let url = args.url.clone().unwrap_or_default();
    let options = described_media(ctx, &args);
    let media = client.media().ingest(url, options).await.map_err(|error| {
        if error.status().is_none() && error.field() == Some("url") && error.platform().is_some() {
            let hint = "refused by the client's preflight (read with range requests); nothing \
                        was sent to the API";
            CliError::with_hint(error, hint)
        } else {
            error.into()
        }
    })?;
    finish(ctx, &client, media, args.wait).await
}

/// Waits for verification when asked, then prints the media.
async fn finish(
    ctx: &Ctx,
    client: &aether::Client,
    media: Media,
    wait: bool,
) -> Result<(), CliError> {
    let media = if wait {
        let spinner = ctx.ui.spinner(format!("{}: verifying", media.media_key));
        let waited = interruptible(
            ctx,
            client.media().wait_ready(&media.media_key, MediaWaitOptions::default()),
        )
        .await;
        spinner.finish_and_clear();
        waited?
    } else {
        media
    };
    if ctx.ui.json {
        ctx.ui.print_json(&json!(media));
    } else {
        print_media(&ctx.ui, &media);
    }
    Ok(())
}

/// Adds what to do to an upload error: resume it, or know that nothing was sent.
fn explain(error: Error, args: &UploadArgs) -> CliError {
    let details = error.details().cloned().unwrap_or_default();
    let upload_id = details.get("uploadId").and_then(|v| v.as_str()).map(str::to_owned);
    let aborted = details.get("sessionAborted").and_then(|v| v.as_bool()).unwrap_or(true);
    let file = args.file.as_deref().unwrap_or(std::path::Path::new("FILE")).display();
    match upload_id {
        _ if *error.code() == ErrorCode::Cancelled => CliError::with_hint(
            error,
            "interrupted: the upload session was aborted on the server; run the command again to \
             start over",
        ),
        Some(id) if !aborted => CliError::with_hint(
            error,
            format!("the parts already sent are kept: continue with `aether upload {file} --resume {id}`"),
        ),
        _ if error.status().is_none() && error.field() == Some("file") => {
            let platform = error.platform().map(|p| p.as_str().to_owned()).unwrap_or_default();
            CliError::with_hint(
                error,
                format!(
                    "refused by the client's preflight before a byte was sent; `aether validate \
                     {file} --platform {platform}` lists every problem"
                ),
            )
        }
        _ => error.into(),
    }
}

/// The media for people.
pub fn print_media(ui: &Ui, media: &Media) {
    let paint = &ui.out;
    ui.say(format!("{} {}", paint.green("✓"), paint.bold(&media.media_key)));
    let mut facts =
        vec![media.status.as_str().to_owned(), media.mime_type.clone(), ui::bytes(media.size)];
    if let Some(codec) = &media.video_codec {
        facts.push(codec.as_str().to_owned());
    }
    if let (Some(w), Some(h)) = (media.width, media.height) {
        facts.push(format!("{w}×{h}"));
    }
    if let Some(ms) = media.duration_ms {
        facts.push(ui::media_duration(ms));
    }
    ui.say(format!("  {}", facts.join(" · ")));
    if let Some(url) = &media.source_url {
        ui.say(format!("  from {}", url.split(['?', '#']).next().unwrap_or("")));
    }
    if let Some(crc32c) = &media.crc32c {
        let sha256 =
            media.sha256.as_ref().map(|sha| format!(" · sha256 {sha}")).unwrap_or_default();
        ui.say(format!("  crc32c {crc32c}{sha256}"));
    }
    if let Some(error) = &media.error {
        ui.say(format!("  {} {}", paint.red(error.code.as_str()), error.message));
    }
}
