//! Posts as tools: `create_post` (every documented shape), `get_post`, `list_posts`,
//! `wait_post`, `retry_post`, `cancel_post` (destructive: confirm first) and `bulk_posts` (a dry
//! run unless told otherwise).

use std::collections::BTreeMap;
use std::time::Duration;

use aether::model::{CreatePostRequest, ListPostsQuery, Post, PostStatus};
use aether::posts::WaitOptions;
use aether::RequestOptions;
use rmcp::model::CallToolResult;
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::{AetherMcp, Parameters, ToolError, ToolResult, CONFIRMATION_REQUIRED};

/// How long `wait_post` waits when not told (an agent's call should not hang for the core's
/// 15 minutes), and the most it may ask for.
const DEFAULT_WAIT_SECONDS: u64 = 120;
const MAX_WAIT_SECONDS: u64 = 900;

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreatePostArgs {
    /// The exact ids of the profiles to publish to, from list_profiles (e.g.
    /// ["tiktok_8f2c…", "li_77aa…"]). A username, handle or display name is refused, never
    /// resolved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profile_ids: Vec<String>,
    /// One exact profile id (the single-target shape; or use profileIds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_id: Option<String>,
    /// The caption or body (or use content.text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The title, for YouTube and Reddit (or use content.title).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The text as { text, title? } (the tutorial's shape; or use text and title).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<ContentArg>,
    /// Media keys of uploaded files (from upload_media), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media_keys: Vec<String>,
    /// Media by URL: the server fetches each one at once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media_urls: Vec<String>,
    /// Media as [{ url, type? } | { mediaKey }]; at most one of mediaKeys, mediaUrls, media.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub media: Vec<MediaArg>,
    /// Options per platform, e.g. {"tiktok": {"privacyLevel": "PUBLIC_TO_EVERYONE"},
    /// "reddit": {"subreddit": "rust"}}; naming a platform with {} takes its defaults.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platforms: Option<BTreeMap<String, Map<String, Value>>>,
    /// The older alias of platforms (give one of the two).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides: Option<BTreeMap<String, Map<String, Value>>>,
    /// When to publish: RFC 3339 with an offset (authoritative), or a local date-time with
    /// timezone. Leave out to publish now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_for: Option<String>,
    /// An IANA zone for a local scheduledFor, e.g. America/New_York.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Store the post without publishing it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft: Option<bool>,
    /// Your idempotency key. Left out, one is derived from the arguments, so the same call
    /// repeated by this server answers the same post instead of publishing twice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContentArg {
    /// The caption or body.
    pub text: String,
    /// The title (YouTube, Reddit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MediaArg {
    /// A URL the server fetches at create time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// With url: image or video (else inferred).
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The key of uploaded media.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_key: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PostIdArgs {
    /// The post's id (post_…).
    pub post_id: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WaitArgs {
    /// The post's id (post_…).
    pub post_id: String,
    /// How long to wait for a final status, in seconds (default 120, at most 900); then a
    /// TIMEOUT error whose details.post is the last state seen.
    #[serde(default)]
    pub timeout_seconds: Option<u64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CancelArgs {
    /// The post's id (post_…).
    pub post_id: String,
    /// Must be true to cancel. Without it nothing is done and the answer says exactly what
    /// would be cancelled.
    #[serde(default)]
    pub confirm: bool,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListPostsArgs {
    /// Only posts with this status: draft, scheduled, publishing, published,
    /// partially_published, failed or cancelled.
    #[serde(default)]
    pub status: Option<String>,
    /// Only posts to this profile (its exact id).
    #[serde(default)]
    pub profile_id: Option<String>,
    /// How many posts, newest first (default 20, at most 100).
    #[serde(default)]
    pub limit: Option<u32>,
    /// The nextCursor of a previous answer, for the next page.
    #[serde(default)]
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BulkArgs {
    /// A local CSV file (relative to the server's root): a header row with text, profileIds
    /// (exact ids, comma-separated in one cell), scheduledFor, timezone, mediaUrls, mediaKeys,
    /// title, platforms (JSON).
    pub path: String,
    /// Check every row and create nothing (the default). false creates the valid rows: a
    /// write per row, on a server started with --allow-writes.
    #[serde(default)]
    pub dry_run: Option<bool>,
}

#[tool_router(router = posts_router, vis = "pub(super)")]
impl AetherMcp {
    #[tool(
        description = "WRITE: create a post on one or more profiles named by exact id (publish \
                       now, schedule with scheduledFor, or draft). Every documented shape: text \
                       or content, mediaKeys or mediaUrls or media, platforms or overrides. \
                       Answers the Post (status publishing/scheduled/draft; follow it with \
                       wait_post). Repeating the same call answers the same post. Needs \
                       --allow-writes; counts one write.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn create_post(&self, Parameters(args): Parameters<CreatePostArgs>) -> CallToolResult {
        self.answer(async { self.create_tool(args?).await }.await)
    }

    #[tool(
        description = "Get one post: status, each target's result (url, error, attempts), \
                          warnings.",
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = true)
    )]
    async fn get_post(&self, Parameters(args): Parameters<PostIdArgs>) -> CallToolResult {
        let result = async { Ok(json!(self.client()?.posts().get(&args?.post_id).await?)) };
        self.answer(result.await)
    }

    #[tool(
        description = "Wait until a post is final (published, partially_published, failed, \
                       cancelled) and answer it; a failed post is an answer, not an error. \
                       Read-only: it only polls.",
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = true)
    )]
    async fn wait_post(&self, Parameters(args): Parameters<WaitArgs>) -> CallToolResult {
        self.answer(async { self.wait_tool(args?).await }.await)
    }

    #[tool(
        description = "List posts, newest first, one page: { posts, nextCursor }.",
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = true)
    )]
    async fn list_posts(&self, Parameters(args): Parameters<ListPostsArgs>) -> CallToolResult {
        self.answer(async { self.list_tool(args?).await }.await)
    }

    #[tool(
        description = "WRITE: publish the failed targets of a failed or partially_published \
                       post again (targets that published are never sent twice). Needs \
                       --allow-writes; counts one write.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn retry_post(&self, Parameters(args): Parameters<PostIdArgs>) -> CallToolResult {
        let result = async {
            let args = args?;
            let client = self.client()?;
            self.begin_write("retry_post", 1)?;
            Ok(json!(client.posts().retry(&args.post_id).await?))
        };
        self.answer(result.await)
    }

    #[tool(
        description = "DESTRUCTIVE WRITE: cancel a draft or scheduled post on every profile it \
                       targets. Without confirm: true nothing is done and the error \
                       CONFIRMATION_REQUIRED says exactly what would be cancelled. Needs \
                       --allow-writes; counts one write.",
        annotations(
            read_only_hint = false,
            destructive_hint = true,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn cancel_post(&self, Parameters(args): Parameters<CancelArgs>) -> CallToolResult {
        self.answer(async { self.cancel_tool(args?).await }.await)
    }

    #[tool(
        description = "Create posts from a local CSV, one per row, each independently. A dry \
                       run by default (every row checked, nothing created); dryRun: false \
                       creates the valid rows, a write each, on a server started with \
                       --allow-writes. Answers { dryRun, total, created, failed, results }.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = true,
            open_world_hint = true
        )
    )]
    async fn bulk_posts(&self, Parameters(args): Parameters<BulkArgs>) -> CallToolResult {
        self.answer(async { self.bulk_tool(args?).await }.await)
    }
}

impl AetherMcp {
    async fn create_tool(&self, args: CreatePostArgs) -> ToolResult {
        let client = self.client()?;
        self.writes_allowed("create_post")?;
        let mut ids = args.profile_ids.clone();
        ids.extend(args.profile_id.clone());
        self.require_profile_ids(&ids).await?;
        let mut body =
            serde_json::to_value(&args).map_err(|e| ToolError::invalid(e.to_string()))?;
        let key = match body.as_object_mut().and_then(|b| b.remove("idempotencyKey")) {
            Some(Value::String(key)) => key,
            _ => self.derived_key("post", body.to_string().as_bytes()),
        };
        // The SDK's own request type decides what the shapes mean (and the core refuses two
        // forms of one thing, with the server's codes).
        let request: CreatePostRequest = serde_json::from_value(body)
            .map_err(|e| ToolError::invalid(format!("the post's arguments: {e}")))?;
        self.begin_write("create_post", 1)?;
        let posts = client.posts().with_options(RequestOptions::new().idempotency_key(key));
        Ok(json!(posts.create(&request).await?))
    }

    async fn wait_tool(&self, args: WaitArgs) -> ToolResult {
        let client = self.client()?;
        let seconds = args.timeout_seconds.unwrap_or(DEFAULT_WAIT_SECONDS);
        if seconds == 0 || seconds > MAX_WAIT_SECONDS {
            return Err(ToolError::invalid(format!(
                "timeoutSeconds is {seconds}; give 1 to {MAX_WAIT_SECONDS} (default \
                 {DEFAULT_WAIT_SECONDS})"
            )));
        }
        let options = WaitOptions::default().timeout(Duration::from_secs(seconds));
        Ok(json!(client.posts().wait(&args.post_id, options).await?))
    }

    async fn list_tool(&self, args: ListPostsArgs) -> ToolResult {
        let client = self.client()?;
        let limit = args.limit.unwrap_or(20);
        if !(1..=100).contains(&limit) {
            return Err(ToolError::invalid(format!("limit is {limit}; give 1 to 100")));
        }
        let status = match args.status.as_deref() {
            None => None,
            Some(name) => {
                let status = PostStatus::parse(name.trim());
                if !PostStatus::ALL.contains(&status) {
                    let known: Vec<&str> = PostStatus::ALL.iter().map(|s| s.as_str()).collect();
                    return Err(ToolError::invalid(format!(
                        "unknown status {name:?}; one of {}",
                        known.join(", ")
                    )));
                }
                Some(status)
            }
        };
        let query = ListPostsQuery {
            status,
            profile_id: args.profile_id,
            limit: Some(limit),
            cursor: args.cursor,
        };
        let page = client.posts().list_page(&query).await?;
        Ok(json!({ "posts": page.data, "nextCursor": page.next_cursor }))
    }

    async fn cancel_tool(&self, args: CancelArgs) -> ToolResult {
        let client = self.client()?;
        self.writes_allowed("cancel_post")?;
        if !args.confirm {
            let post = client.posts().get(&args.post_id).await?;
            return Err(would_cancel(&post));
        }
        self.begin_write("cancel_post", 1)?;
        Ok(json!(client.posts().cancel(&args.post_id).await?))
    }

    async fn bulk_tool(&self, args: BulkArgs) -> ToolResult {
        let client = self.client()?;
        let dry_run = args.dry_run.unwrap_or(true);
        if !dry_run {
            self.writes_allowed("bulk_posts")?;
        }
        let file = self.local_file(&args.path)?;
        if dry_run {
            return Ok(json!(client.posts().bulk(file, true).await?));
        }
        // A dry run first: each valid row is a write, and the budget must cover them all
        // before any is made.
        let checked = client.posts().bulk(file.clone(), true).await?;
        let rows = checked.total.saturating_sub(checked.failed);
        self.begin_write("bulk_posts", rows)?;
        let bytes = tokio::fs::read(&file)
            .await
            .map_err(|e| aether::Error::io(format!("cannot read {}: {e}", args.path), e))?;
        let key = self.derived_key("bulk", &bytes);
        let posts = client.posts().with_options(RequestOptions::new().idempotency_key(key));
        Ok(json!(posts.bulk(file, false).await?))
    }

    /// An idempotency key for a write that named none: the same arguments within this server's
    /// life give the same key, so an agent repeating a call gets the first answer back.
    fn derived_key(&self, kind: &str, body: &[u8]) -> String {
        let mut hash = Sha256::new();
        hash.update(self.shared.session_nonce.as_bytes());
        hash.update(kind.as_bytes());
        hash.update(body);
        let digest = hash.finalize();
        format!("mcp-{kind}-{}", hex::encode(&digest[..16]))
    }
}

/// `CONFIRMATION_REQUIRED`, saying what cancelling `post` would do.
fn would_cancel(post: &Post) -> ToolError {
    let mut targets: Vec<String> = post
        .results
        .iter()
        .map(|r| format!("{} ({})", r.platform.as_str(), r.profile_id))
        .collect();
    if targets.is_empty() {
        targets = post.profile_ids.clone();
    }
    let when = match (&post.status, &post.publish_at) {
        (PostStatus::Scheduled, Some(at)) => format!(", scheduled for {at}"),
        _ => String::new(),
    };
    let effect = if post.status.is_editable() {
        "it would never publish"
    } else {
        "the server will refuse it with POST_NOT_EDITABLE, as only draft and scheduled posts \
         can be cancelled"
    };
    ToolError::refusal(
        CONFIRMATION_REQUIRED,
        format!(
            "would cancel post {} ({}{when}) on {}: {effect}. Nothing was done; to cancel it, \
             call cancel_post again with {{\"postId\": \"{}\", \"confirm\": true}}",
            post.id,
            post.status,
            targets.join(", "),
            post.id
        ),
        Some(json!({
            "postId": post.id,
            "status": post.status,
            "profileIds": post.profile_ids,
            "platforms": post.results.iter().map(|r| r.platform.as_str()).collect::<Vec<_>>(),
            "publishAt": post.publish_at,
        })),
    )
}
