//! `aether post --profile ID --text … --media KEY … [--wait]`.

use aether::model::{CreatePostRequest, PlatformOptionsMap, PostContent};
use aether::posts::WaitOptions;
use serde_json::{Map, Value};

use super::{interruptible, parse_options, status, Ctx};
use crate::cli::PostArgs;
use crate::error::CliError;

pub async fn run(ctx: &Ctx, args: PostArgs) -> Result<(), CliError> {
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
        content: PostContent { text: args.text, title: args.title },
        media_keys: args.media,
        platforms,
        scheduled_for: args.schedule,
        timezone: args.timezone,
        draft: args.draft.then_some(true),
    };
    let post = interruptible(ctx, client.posts().create(&request)).await?;
    if !args.wait {
        return status::finish(ctx, &post, false);
    }
    ctx.ui.note(format!("{} created ({}); following it until it is done", post.id, post.status));
    let post = if post.is_terminal() {
        post
    } else {
        // The core's default bound on a wait (15 minutes).
        status::follow(ctx, &client, &post.id, "checking", WaitOptions::default(), |post| {
            if !ctx.ui.live {
                ctx.ui.note(format!("{}: {}", post.id, post.status));
            }
        })
        .await?
    };
    status::finish(ctx, &post, true)
}
