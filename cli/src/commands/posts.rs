//! Posts: `aether post --profile ID --text … --media KEY … [--wait]`,
//! `aether post retry POST_ID [--wait]`, `aether bulk FILE.csv [--dry-run]` and
//! `aether status POST_ID [--wait]`, with the one watch-and-spinner loop they use.

use std::time::Duration;

use aether::model::{
    BulkResult, CreatePostRequest, PlatformOptionsMap, Post, PostContent, PostStatus, TargetStatus,
    MAX_PUBLISH_ATTEMPTS,
};
use aether::posts::WaitOptions;
use aether::{ErrorCode, RequestOptions};
use futures_util::StreamExt;
use serde_json::{json, Map, Value};

use super::{interruptible, parse_options, Ctx};
use crate::cli::{BulkArgs, PostArgs, RetryArgs, StatusArgs};
use crate::error::{CliError, EXIT_ERROR};
use crate::ui::Ui;

/// `aether post`.
pub async fn create(ctx: &Ctx, args: PostArgs) -> Result<(), CliError> {
    let client = ctx.client()?;
    let mut platforms = parse_options(&args.options)?;
    for platform in &args.platform {
        platforms
            .entry(platform.platform().as_str().to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    let platforms: PlatformOptionsMap = serde_json::from_value(Value::Object(platforms))
        .map_err(|e| CliError::usage(format!("--option: {e}")))?;
    let (profile_id, profile_ids) = match args.profiles.as_slice() {
        [one] => (Some(one.clone()), None),
        many => (None, Some(many.to_vec())),
    };
    let request = CreatePostRequest {
        profile_id,
        profile_ids,
        content: Some(PostContent { text: args.text, title: args.title }),
        media_keys: args.media,
        media_urls: args.media_urls,
        platforms,
        scheduled_for: args.schedule,
        timezone: args.timezone,
        draft: args.draft.then_some(true),
        ..CreatePostRequest::default()
    };
    let mut posts = client.posts();
    if let Some(key) = &args.idempotency_key {
        posts = posts.with_options(RequestOptions::new().idempotency_key(key));
    }
    let post = match interruptible(ctx, posts.create(&request)).await {
        Ok(post) => post,
        Err(CliError::Api { error, hint: None }) if *error.code() == ErrorCode::OutcomeUnknown => {
            let hint = error.idempotency_key().map(rerun_with_key);
            return Err(CliError::Api { error, hint });
        }
        Err(other) => return Err(other),
    };
    warn(&ctx.ui, &post);
    if !args.wait {
        return finish(ctx, &post, false);
    }
    ctx.ui.note(format!("{} created ({}); following it until it is done", post.id, post.status));
    // The core's default bound on a wait (15 minutes).
    follow_unless_done(ctx, &client, post, WaitOptions::default()).await
}

/// `aether post retry`: the failed targets publish again; with --wait, followed to the end.
pub async fn retry(ctx: &Ctx, args: RetryArgs) -> Result<(), CliError> {
    let client = ctx.client()?;
    let post = interruptible(ctx, client.posts().retry(&args.post_id)).await?;
    if !args.wait {
        return finish(ctx, &post, false);
    }
    let failed = post.results.iter().filter(|r| !r.status.is_terminal()).count();
    ctx.ui.note(format!(
        "{}: {failed} failed target(s) publishing again; following it until it is done",
        post.id
    ));
    let options = WaitOptions::default().timeout(Duration::from_secs(args.timeout));
    follow_unless_done(ctx, &client, post, options).await
}

/// Follows `post` (unless it is already done), then prints it, judged (exit 1 when it failed).
async fn follow_unless_done(
    ctx: &Ctx,
    client: &aether::Client,
    post: Post,
    options: WaitOptions,
) -> Result<(), CliError> {
    let post = if post.is_terminal() {
        post
    } else {
        follow(ctx, client, &post.id, "checking", options, |post| {
            if !ctx.ui.live {
                ctx.ui.note(format!("{}: {}", post.id, post.status));
            }
        })
        .await?
    };
    finish(ctx, &post, true)
}

/// The advice after `OUTCOME_UNKNOWN`: this very command line again with `--idempotency-key
/// KEY` (replacing any given), shell-quoted, with an `--api-key` value left out (it is never
/// printed; the key comes from the environment or is added back by the user).
fn rerun_with_key(key: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    let mut words: Vec<String> = Vec::with_capacity(args.len() + 2);
    let mut skip_value = false;
    for (index, arg) in args.iter().enumerate() {
        if std::mem::take(&mut skip_value) {
            if words.last().is_some_and(|w| w == "--api-key") {
                words.push("\"$AETHER_API_KEY\"".to_owned());
            }
            continue;
        }
        match arg.as_str() {
            "--idempotency-key" => skip_value = true,
            "--api-key" => {
                words.push(arg.clone());
                skip_value = true;
            }
            a if a.starts_with("--idempotency-key=") => {}
            a if a.starts_with("--api-key=") => words.push("--api-key=\"$AETHER_API_KEY\"".into()),
            a if index == 0 => words.push(a.to_owned()),
            a => words.push(shlex::try_quote(a).map_or_else(|_| a.to_owned(), |q| q.into_owned())),
        }
    }
    words.push("--idempotency-key".into());
    words.push(shlex::try_quote(key).map_or_else(|_| key.to_owned(), |q| q.into_owned()));
    format!(
        "the post may have been made: run the same command with its idempotency key to get it \
         (or have it made once, never twice): {}",
        words.join(" ")
    )
}

/// `aether bulk`: one line per row (or the answer as JSON); exit 1 when any row failed.
pub async fn bulk(ctx: &Ctx, args: BulkArgs) -> Result<(), CliError> {
    let client = ctx.client()?;
    let result = interruptible(ctx, client.posts().bulk(args.file, args.dry_run)).await?;
    if ctx.ui.json {
        ctx.ui.print_json(&json!(result));
    } else {
        print_bulk(&ctx.ui, &result);
    }
    if result.failed > 0 {
        return Err(CliError::Reported(EXIT_ERROR));
    }
    Ok(())
}

fn print_bulk(ui: &Ui, result: &BulkResult) {
    let paint = &ui.out;
    ui.say(paint.bold(format!("{:>5} {:>6}  {:<8} POST / ERROR", "ROW", "LINE", "RESULT")));
    for row in &result.results {
        // Padded before painting, so the colour codes do not count as width.
        let (outcome, what) = match (&row.error, &row.post) {
            (Some(error), _) => {
                let at = error.field.as_deref().map(|f| format!(" ({f})")).unwrap_or_default();
                let code = paint.red(error.code.as_str());
                (paint.red(format!("{:<8}", "failed")), format!("{code}{at} {}", error.message))
            }
            (None, Some(post)) => {
                (paint.green(format!("{:<8}", "created")), format!("{}  {}", post.id, post.status))
            }
            (None, None) => (paint.green(format!("{:<8}", "ok")), paint.dim("valid (dry run)")),
        };
        ui.say(format!("{:>5} {:>6}  {outcome} {what}", row.row, row.line));
    }
    let summary = if result.dry_run {
        format!(
            "dry run: {} rows, {} valid, {} would fail; nothing was created",
            result.total,
            result.total - result.failed,
            result.failed
        )
    } else {
        format!("{} rows: {} created, {} failed", result.total, result.created, result.failed)
    };
    ui.say(if result.failed > 0 { paint.yellow(summary) } else { paint.green(summary) });
}

/// `aether status`.
pub async fn status(ctx: &Ctx, args: StatusArgs) -> Result<(), CliError> {
    let client = ctx.client()?;
    let post = if args.wait {
        let options = WaitOptions::default().timeout(Duration::from_secs(args.timeout));
        follow(ctx, &client, &args.post_id, "checking", options, |post| {
            if !ctx.ui.live {
                ctx.ui.note(format!("{}: {}", post.id, post.status));
            }
        })
        .await?
    } else {
        interruptible(ctx, client.posts().get(&args.post_id)).await?
    };
    finish(ctx, &post, args.wait)
}

/// Prints the post's warnings (advice, never an error) on stderr, in yellow.
pub fn warn(ui: &Ui, post: &Post) {
    for warning in &post.warnings {
        let platform = warning.platform.as_ref().map(|p| format!(" [{p}]")).unwrap_or_default();
        let field = warning.field.as_deref().map(|f| format!(" ({f})")).unwrap_or_default();
        ui.warn(format!("{}{platform}: {}{field}", warning.code, warning.message));
    }
}

/// Prints the post (JSON or for people) and fails with exit 1 when `judge` and the post ended
/// failed or partially published.
pub fn finish(ctx: &Ctx, post: &Post, judge: bool) -> Result<(), CliError> {
    if ctx.ui.json {
        ctx.ui.print_json(&json!(post));
    } else {
        print_post(&ctx.ui, post);
    }
    let failed = matches!(post.status, PostStatus::Failed | PostStatus::PartiallyPublished);
    if judge && failed {
        return Err(CliError::Reported(EXIT_ERROR));
    }
    Ok(())
}

/// Follows the post until it is terminal: the one watch-and-spinner loop of the CLI (`status
/// --wait`, `post --wait` and the demo). The spinner starts at `label` and shows each status;
/// `on_change` is told about every change, with the spinner out of the way.
pub async fn follow(
    ctx: &Ctx,
    client: &aether::Client,
    post_id: &str,
    label: &str,
    options: WaitOptions,
    mut on_change: impl FnMut(&Post),
) -> Result<Post, CliError> {
    let spinner = ctx.ui.spinner(format!("{post_id}: {label}"));
    let options = options.cancel_token(ctx.cancel.clone());
    let mut changes = Box::pin(client.posts().watch(post_id, options));
    let mut last: Option<Post> = None;
    while let Some(change) = changes.next().await {
        let post = match change {
            Ok(post) => post,
            Err(error) => {
                spinner.finish_and_clear();
                return Err(error.into());
            }
        };
        spinner.set_message(format!("{post_id}: {}", post.status));
        // The watch also yields each publish attempt the server retries; `on_change` hears of
        // status changes only, the attempts get a line each.
        let lines = attempt_lines(last.as_ref(), &post);
        let status_changed = last.as_ref().is_none_or(|l| l.status != post.status);
        spinner.suspend(|| {
            for line in &lines {
                ctx.ui.note(line);
            }
            if status_changed {
                on_change(&post);
            }
        });
        last = Some(post);
    }
    spinner.finish_and_clear();
    last.ok_or_else(|| aether::Error::protocol("the post's status stream ended early").into())
}

/// A line for each target whose server retries moved since `before`: "tiktok: attempt 2 of 6
/// failed (transient); next attempt in 1 min" when a transient failure waits for its retry,
/// "tiktok: attempt 3 of 6 under way" when a retry started. The wait is measured from the post's
/// `updatedAt` (the server's clock, which need not be this machine's).
pub fn attempt_lines(before: Option<&Post>, post: &Post) -> Vec<String> {
    let mut lines = Vec::new();
    for (index, result) in post.results.iter().enumerate() {
        let previous = before.and_then(|b| b.results.get(index));
        let moved = previous.is_none_or(|p| {
            (p.attempts, &p.next_attempt_at) != (result.attempts, &result.next_attempt_at)
        });
        if !moved || result.status != TargetStatus::Publishing {
            continue;
        }
        let platform = result.platform.as_str();
        let (attempt, of) = (result.attempts, MAX_PUBLISH_ATTEMPTS);
        match &result.next_attempt_at {
            Some(next) => {
                let wait = seconds_between(&post.updated_at, next)
                    .map(|s| format!("in {}", wait_text(s)))
                    .unwrap_or_else(|| format!("at {next}"));
                lines.push(format!(
                    "{platform}: attempt {attempt} of {of} failed (transient); next attempt {wait}"
                ));
            }
            None if attempt > 1 => {
                lines.push(format!("{platform}: attempt {attempt} of {of} under way"))
            }
            None => {}
        }
    }
    lines
}

/// Whole seconds from one RFC 3339 instant to a later one (0 when it is not later).
fn seconds_between(from: &str, to: &str) -> Option<u64> {
    let (from, to) = (from.parse::<jiff::Timestamp>().ok()?, to.parse::<jiff::Timestamp>().ok()?);
    let millis = to.duration_since(from).as_millis().max(0);
    Some(u64::try_from((millis + 500) / 1000).unwrap_or(0))
}

/// `30 s`, `1 min`, `4 min 30 s`.
fn wait_text(seconds: u64) -> String {
    if seconds < 60 {
        format!("{seconds} s")
    } else {
        crate::ui::duration(Duration::from_secs(seconds))
    }
}

/// The post for people: id and status, then one line per target.
pub fn print_post(ui: &Ui, post: &Post) {
    let paint = &ui.out;
    let status = status_text(ui, &post.status);
    ui.say(format!("{}  {status}", paint.bold(&post.id)));
    if let Some(at) = &post.publish_at {
        if post.status == PostStatus::Scheduled {
            ui.say(format!("  publishes at {at}"));
        }
    }
    for result in &post.results {
        let mut line = format!(
            "  {:<9} {:<22} {}",
            result.platform.as_str(),
            result.profile_id,
            result.status
        );
        if let Some(url) = &result.url {
            line.push_str(&format!("  {url}"));
        }
        if result.attempts > 1 {
            line.push_str(&format!("  ({} attempts)", result.attempts));
        }
        if let Some(next) = &result.next_attempt_at {
            line.push_str(&format!("  next attempt at {next}"));
        }
        if let Some(error) = &result.error {
            line.push_str(&format!("  {} {}", paint.red(error.code.as_str()), error.message));
        }
        ui.say(line);
    }
    if let Some(error) = &post.error {
        ui.say(format!("  {} {}", paint.red(error.code.as_str()), error.message));
    }
}

pub fn status_text(ui: &Ui, status: &PostStatus) -> String {
    let paint = &ui.out;
    match status {
        PostStatus::Published => paint.green(status),
        PostStatus::Failed => paint.red(status),
        PostStatus::PartiallyPublished | PostStatus::Cancelled => paint.yellow(status),
        _ => paint.cyan(status),
    }
}
