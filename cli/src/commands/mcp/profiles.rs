//! Profiles as tools: `list_profiles`, `profile_capabilities`, and the exact-id check every
//! write makes before it names a profile.

use aether::model::{Platform, Profile};
use futures_util::TryStreamExt;
use rmcp::model::CallToolResult;
use rmcp::{tool, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

use super::{AetherMcp, Parameters, ToolError, ToolResult, PROFILE_ID_REQUIRED};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ListProfilesArgs {
    /// Only profiles of this platform: tiktok, instagram, linkedin, facebook, youtube, threads
    /// or reddit.
    #[serde(default)]
    pub platform: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProfileIdArgs {
    /// The profile's exact id, from list_profiles (e.g. tiktok_8f2c…).
    pub profile_id: String,
}

#[tool_router(router = profiles_router, vis = "pub(super)")]
impl AetherMcp {
    #[tool(
        description = "List the connected social profiles (every page): id, platform, username, \
                       displayName, tier, status. The id is what every write needs; names and \
                       handles are never accepted in its place.",
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = true)
    )]
    async fn list_profiles(
        &self,
        Parameters(args): Parameters<ListProfilesArgs>,
    ) -> CallToolResult {
        self.answer(async { self.list_profiles_tool(args?).await }.await)
    }

    #[tool(
        description = "What one profile may post now: canPost, postsRemainingToday, \
                       quotaResetAt, min/max video duration, TikTok's privacy levels and \
                       comment/duet/stitch switches.",
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = true)
    )]
    async fn profile_capabilities(
        &self,
        Parameters(args): Parameters<ProfileIdArgs>,
    ) -> CallToolResult {
        let result = async {
            let caps = self.client()?.profiles().capabilities(&args?.profile_id).await?;
            Ok(json!(caps))
        };
        self.answer(result.await)
    }
}

impl AetherMcp {
    async fn list_profiles_tool(&self, args: ListProfilesArgs) -> ToolResult {
        let wanted = args.platform.as_deref().map(parse_platform).transpose()?;
        let profiles = self.all_profiles().await?;
        let profiles: Vec<&Profile> =
            profiles.iter().filter(|p| wanted.as_ref().is_none_or(|w| *w == p.platform)).collect();
        Ok(json!({ "profiles": profiles, "count": profiles.len() }))
    }

    async fn all_profiles(&self) -> Result<Vec<Profile>, ToolError> {
        Ok(self.client()?.profiles().list().try_collect().await?)
    }

    /// Refuses any of `ids` that is not exactly the id of a connected profile. Nothing is
    /// resolved: a value that matches a username, handle or display name is refused with the
    /// ids it could mean (an agent that posted to "acme" could post to the wrong account when
    /// several share the name), and the caller must choose one and call again.
    pub(super) async fn require_profile_ids(&self, ids: &[String]) -> Result<(), ToolError> {
        if ids.is_empty() {
            return Err(ToolError::invalid(
                "profileIds is empty: name at least one profile by its exact id (list_profiles \
                 shows them)",
            ));
        }
        let profiles = self.all_profiles().await?;
        for given in ids {
            if profiles.iter().any(|p| p.id == *given) {
                continue;
            }
            let matches: Vec<_> = profiles
                .iter()
                .filter(|p| names_match(p, given))
                .map(|p| {
                    json!({
                        "id": p.id, "platform": p.platform, "username": p.username,
                        "displayName": p.display_name,
                    })
                })
                .collect();
            let message = match matches.len() {
                0 => format!(
                    "{given:?} is not the id of a connected profile; profile ids are exact \
                     (list_profiles shows them) and nothing was done"
                ),
                n => format!(
                    "{given:?} is a name, not a profile id: it matches {n} profile(s) ({}); \
                     nothing was done. Call again with the exact id of the one you mean \
                     (ask the user when more than one could be meant)",
                    matches
                        .iter()
                        .map(|m| format!(
                            "{} on {}",
                            m["id"].as_str().unwrap_or(""),
                            m["platform"].as_str().unwrap_or("")
                        ))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            return Err(ToolError::refusal(
                PROFILE_ID_REQUIRED,
                message,
                Some(json!({ "given": given, "matches": matches })),
            ));
        }
        Ok(())
    }
}

/// Whether `given` names the profile without being its id: its username (with or without
/// `@`), its display name, or its id in another case — compared without case.
fn names_match(profile: &Profile, given: &str) -> bool {
    let given = given.trim().trim_start_matches('@').to_lowercase();
    !given.is_empty()
        && [&profile.username, &profile.display_name, &profile.id]
            .iter()
            .any(|name| name.trim().trim_start_matches('@').to_lowercase() == given)
}

/// A platform name, or `INVALID_ARGUMENT` listing the known ones.
pub(super) fn parse_platform(name: &str) -> Result<Platform, ToolError> {
    let known: Vec<&str> = Platform::ALL.iter().map(|p| p.as_str()).collect();
    let name = name.trim().to_lowercase();
    Platform::ALL.iter().find(|p| p.as_str() == name).cloned().ok_or_else(|| {
        ToolError::invalid(format!("unknown platform {name:?}; one of {}", known.join(", ")))
    })
}
