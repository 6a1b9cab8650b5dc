//! `aether validate [FILE] --platform P … [--tier T] [--text …]`: the probe and the rules
//! table, offline.

use std::path::PathBuf;

use aether::model::{Platform, Tier};
use aether::platforms::{self, PostDraft, Violation, Warning, WarningCode};
use aether::probe::{self, MediaFacts, ProbeError};
use aether::{Error, ErrorCode};
use serde_json::{json, Map, Value};

use super::{parse_options, Ctx};
use crate::cli::ValidateArgs;
use crate::error::{CliError, EXIT_ERROR};
use crate::ui::{self, Ui};

pub fn run(ctx: &Ctx, args: ValidateArgs) -> Result<(), CliError> {
    let mut platforms: Vec<Platform> = args.platform.iter().map(|p| p.platform()).collect();
    platforms.dedup();
    let check = Check {
        file: args.file.clone(),
        platforms,
        tier: args.tier.tier(),
        text: args.text.clone(),
        title: args.title.clone(),
        options: parse_options(&args.options)?,
    };
    let report = check.run()?;
    if ctx.ui.json {
        ctx.ui.print_json(&report.to_json(&check));
    } else {
        let probed = report.probed.as_ref();
        let platforms = &check.platforms;
        print_report(&ctx.ui, &args, probed, platforms, &report.violations, &report.warnings);
    }
    if report.ok() {
        Ok(())
    } else {
        Err(CliError::Reported(EXIT_ERROR))
    }
}

/// What to check, offline: `aether validate` and the MCP server's `validate_file` tool.
#[derive(Debug, Clone)]
pub struct Check {
    pub file: Option<PathBuf>,
    pub platforms: Vec<Platform>,
    pub tier: Tier,
    pub text: Option<String>,
    pub title: Option<String>,
    /// `{ platform: { option: value } }`.
    pub options: Map<String, Value>,
}

/// What the probe and the rules table said.
#[derive(Debug)]
pub struct Report {
    /// The file's facts, or why it cannot be published; `None` without a file.
    pub probed: Option<Result<MediaFacts, String>>,
    pub violations: Vec<Violation>,
    pub warnings: Vec<Warning>,
}

impl Check {
    /// Probes the file (an unreadable one is `IO_ERROR`) and checks it against each platform.
    pub fn run(&self) -> Result<Report, CliError> {
        let probed = match &self.file {
            None => None,
            Some(path) => Some(match probe::probe_path(path) {
                Ok(facts) => Ok(facts),
                Err(ProbeError::Unsupported { reason }) => Err(reason),
                Err(ProbeError::Io(e)) => {
                    return Err(Error::io(format!("cannot read {}: {e}", path.display()), e).into())
                }
                Err(other) => Err(other.to_string()),
            }),
        };
        let mut violations: Vec<Violation> = Vec::new();
        let mut warnings: Vec<Warning> = Vec::new();
        for platform in &self.platforms {
            let mut draft = PostDraft::new(platform.clone(), self.text.clone().unwrap_or_default())
                .with_tier(self.tier.clone());
            if let Some(title) = &self.title {
                draft = draft.with_title(title.clone());
            }
            if let Some(Value::Object(map)) = self.options.get(platform.as_str()) {
                draft.options = map.clone();
            }
            if let Some(Ok(facts)) = &probed {
                draft = draft.with_media(facts.clone());
            }
            let mut validation = platforms::validate(&draft);
            if let Some(Err(reason)) = &probed {
                // The file is not media the platform can take: that is its one media problem.
                validation.violations.retain(|v| !v.field.starts_with("mediaKeys"));
                validation.violations.insert(
                    0,
                    Violation {
                        code: ErrorCode::UnsupportedMediaType,
                        field: "file".into(),
                        platform: platform.clone(),
                        message: format!("the file cannot be published: {reason}"),
                        measured: None,
                        allowed: None,
                        unit: None,
                    },
                );
            }
            for violation in &mut validation.violations {
                // One file was given: name it as the user knows it, as the upload preflight does.
                if violation.field == "mediaKeys[0]" {
                    violation.field = "file".into();
                }
            }
            if self.text.is_none() {
                // Hashtag advice about a caption nobody gave is noise.
                validation.warnings.retain(|w| {
                    w.code != WarningCode::HashtagsAboveRecommended
                        && w.code != WarningCode::HashtagsBelowRecommended
                });
            }
            violations.extend(validation.violations);
            warnings.extend(validation.warnings);
        }
        Ok(Report { probed, violations, warnings })
    }
}

impl Report {
    /// Nothing breaks a rule.
    pub fn ok(&self) -> bool {
        self.violations.is_empty()
    }

    /// `{ ok, file?, tier, platforms, facts, violations, warnings }`: `aether validate --json`.
    pub fn to_json(&self, check: &Check) -> Value {
        let facts = match &self.probed {
            Some(Ok(facts)) => json!(facts),
            _ => Value::Null,
        };
        let mut document = Map::new();
        document.insert("ok".into(), json!(self.ok()));
        if let Some(path) = &check.file {
            document.insert("file".into(), json!(path.display().to_string()));
        }
        document.insert("tier".into(), json!(check.tier.as_str()));
        document.insert("platforms".into(), json!(check.platforms));
        document.insert("facts".into(), facts);
        document.insert("violations".into(), json!(self.violations));
        document.insert("warnings".into(), json!(self.warnings));
        Value::Object(document)
    }
}

fn print_report(
    ui: &Ui,
    args: &ValidateArgs,
    probed: Option<&Result<MediaFacts, String>>,
    platforms: &[Platform],
    violations: &[Violation],
    warnings: &[Warning],
) {
    let paint = &ui.out;
    if let (Some(path), Some(probed)) = (&args.file, probed) {
        let name = path.display();
        match probed {
            Ok(facts) => ui.say(format!("{}: {}", paint.bold(name), describe_facts(facts))),
            Err(reason) => ui.say(format!("{}: {}", paint.bold(name), paint.red(reason))),
        }
    }
    for violation in violations {
        ui.say(format!(
            "  {} {:<9} {} {}",
            paint.red("✗"),
            violation.platform.as_str(),
            paint.bold(violation.code.as_str()),
            violation.message
        ));
    }
    for warning in warnings {
        ui.say(format!(
            "  {} {:<9} {} {}",
            paint.yellow("!"),
            warning.platform.as_str(),
            warning.code.as_str(),
            warning.message
        ));
    }
    let names: Vec<&str> = platforms.iter().map(|p| p.as_str()).collect();
    let tier = args.tier.tier();
    if violations.is_empty() {
        ui.say(format!("{} passes {} rules ({tier} tier)", paint.green("✓"), names.join(", ")));
    } else {
        let n = violations.len();
        ui.say(format!(
            "{} {n} problem{} for {} ({tier} tier): fix {} before uploading",
            paint.red("✗"),
            if n == 1 { "" } else { "s" },
            names.join(", "),
            if n == 1 { "it" } else { "them" }
        ));
    }
}

/// `mp4 · h264 · 64×112 · 20 s · 31.5 KB`.
pub fn describe_facts(facts: &MediaFacts) -> String {
    let mut parts = vec![facts.container.as_str().to_owned()];
    if let Some(codec) = &facts.video_codec {
        parts.push(codec.as_str().to_owned());
    }
    if let Some(audio) = &facts.audio_codec {
        parts.push(audio.clone());
    }
    if facts.video_codec.is_none() {
        parts.push(facts.kind.as_str().to_owned());
    }
    if let (Some(w), Some(h)) = (facts.width, facts.height) {
        parts.push(format!("{w}×{h}"));
    }
    if let Some(ms) = facts.duration_ms {
        parts.push(ui::media_duration(ms));
    }
    parts.push(ui::bytes(facts.size));
    parts.join(" · ")
}
