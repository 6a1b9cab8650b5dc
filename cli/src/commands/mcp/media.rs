//! Media as tools: `validate_file` and `platform_rules` (offline: the SDK's probe and rules
//! table) and `upload_media` (a write).

use std::collections::BTreeMap;

use aether::media::MediaWaitOptions;
use aether::model::Tier;
use aether::platforms::{self, RulesDocument};
use aether::upload::{UploadOptions, UploadSource};
use rmcp::model::CallToolResult;
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::profiles::parse_platform;
use super::{AetherMcp, Parameters, ToolError, ToolResult};
use crate::commands::validate::Check;

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ValidateArgs {
    /// A local media file (relative to the server's root, or absolute under it). Leave it out
    /// to check only the text.
    #[serde(default)]
    pub path: Option<String>,
    /// The platforms whose rules apply, e.g. ["tiktok", "instagram"].
    pub platforms: Vec<String>,
    /// The account tier: standard (default) or creator (TikTok creators may post up to 10 min).
    #[serde(default)]
    pub tier: Option<String>,
    /// The caption or body to check with the file.
    #[serde(default)]
    pub text: Option<String>,
    /// The title (YouTube, Reddit).
    #[serde(default)]
    pub title: Option<String>,
    /// Options per platform, e.g. {"tiktok": {"privacyLevel": "SELF_ONLY"}}.
    #[serde(default)]
    pub options: Option<BTreeMap<String, Map<String, Value>>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RulesArgs {
    /// One platform's rules; all of them when left out.
    #[serde(default)]
    pub platform: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UploadArgs {
    /// A local media file (relative to the server's root, or absolute under it).
    pub path: String,
    /// Check the file against these platforms' rules before a byte is sent.
    #[serde(default)]
    pub platforms: Vec<String>,
    /// Check the file against these profiles' capabilities too (exact ids from list_profiles).
    #[serde(default)]
    pub profile_ids: Vec<String>,
    /// The account tier for the check: standard (default) or creator.
    #[serde(default)]
    pub tier: Option<String>,
    /// The file's MIME type, when its name does not say it.
    #[serde(default)]
    pub mime_type: Option<String>,
    /// Wait until the server has verified the file (default true): the key is then usable.
    #[serde(default)]
    pub wait: Option<bool>,
}

#[tool_router(router = media_router, vis = "pub(super)")]
impl AetherMcp {
    #[tool(
        description = "Check a local file (and caption, title, options) against platforms' \
                       rules, offline: no API call. Answers { ok, facts (container, codecs, \
                       size, duration…), violations [{code, field, platform, message}], \
                       warnings }.",
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false)
    )]
    async fn validate_file(&self, Parameters(args): Parameters<ValidateArgs>) -> CallToolResult {
        self.answer(args.and_then(|args| self.validate_tool(args)))
    }

    #[tool(
        description = "The platforms' publishing rules built into the SDK (offline): caption \
                       and title lengths, hashtags, media kinds and counts, video durations \
                       per tier, codecs, sizes, daily limits, scheduling horizon, options.",
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false)
    )]
    async fn platform_rules(&self, Parameters(args): Parameters<RulesArgs>) -> CallToolResult {
        let platform =
            args.and_then(|args| args.platform.as_deref().map(parse_platform).transpose());
        let result = match platform {
            Err(error) => Err(error),
            Ok(None) => Ok(platforms::rules_document()),
            Ok(Some(platform)) => {
                let document = RulesDocument::builtin();
                let rules = document.rules(&platform).map(|r| json!(r));
                Ok(json!({ "version": document.version, "platform": platform, "rules": rules }))
            }
        };
        self.answer(result)
    }

    #[tool(
        description = "WRITE: upload a local file to Aether and answer its Media (mediaKey, \
                       status). Checked first against the given platforms' rules and profiles' \
                       capabilities, before a byte is sent. Needs a server started with \
                       --allow-writes; counts one write.",
        annotations(
            read_only_hint = false,
            destructive_hint = false,
            idempotent_hint = false,
            open_world_hint = true
        )
    )]
    async fn upload_media(&self, Parameters(args): Parameters<UploadArgs>) -> CallToolResult {
        self.answer(async { self.upload_tool(args?).await }.await)
    }
}

impl AetherMcp {
    fn validate_tool(&self, args: ValidateArgs) -> ToolResult {
        if args.platforms.is_empty() {
            return Err(ToolError::invalid(
                "platforms is empty: name the platforms whose rules apply, e.g. [\"tiktok\"]",
            ));
        }
        let mut platforms = Vec::new();
        for name in &args.platforms {
            let platform = parse_platform(name)?;
            if !platforms.contains(&platform) {
                platforms.push(platform);
            }
        }
        let file = args.path.as_deref().map(|p| self.local_file(p)).transpose()?;
        let options: Map<String, Value> = args
            .options
            .unwrap_or_default()
            .into_iter()
            .map(|(platform, options)| (platform, Value::Object(options)))
            .collect();
        let check = Check {
            file,
            platforms,
            tier: parse_tier(args.tier.as_deref())?,
            text: args.text,
            title: args.title,
            options,
        };
        let report = check.run()?;
        let mut document = report.to_json(&check);
        // The path as the agent gave it, not the server's absolute one.
        if let (Some(given), Some(object)) = (args.path, document.as_object_mut()) {
            object.insert("file".into(), json!(given));
        }
        Ok(document)
    }

    async fn upload_tool(&self, args: UploadArgs) -> ToolResult {
        let client = self.client()?;
        self.writes_allowed("upload_media")?;
        let file = self.local_file(&args.path)?;
        if !args.profile_ids.is_empty() {
            self.require_profile_ids(&args.profile_ids).await?;
        }
        let mut options = UploadOptions::new().tier(parse_tier(args.tier.as_deref())?);
        for name in &args.platforms {
            options = options.platform(parse_platform(name)?);
        }
        for id in &args.profile_ids {
            options = options.profile(id.clone());
        }
        if let Some(mime_type) = args.mime_type {
            options = options.mime_type(mime_type);
        }
        self.begin_write("upload_media", 1)?;
        let media = client.media().upload(UploadSource::path(&file), options).await?;
        let media = if args.wait.unwrap_or(true) {
            client.media().wait_ready(&media.media_key, MediaWaitOptions::default()).await?
        } else {
            media
        };
        Ok(json!(media))
    }
}

/// `standard` (the default) or `creator`.
fn parse_tier(name: Option<&str>) -> Result<Tier, ToolError> {
    match name.map(|n| n.trim().to_lowercase()).as_deref() {
        None | Some("standard") => Ok(Tier::Standard),
        Some("creator") => Ok(Tier::Creator),
        Some(other) => {
            Err(ToolError::invalid(format!("unknown tier {other:?}; one of standard, creator")))
        }
    }
}
