//! `aether validate [FILE] --platform P … [--tier T] [--text …]`: the probe and the rules
//! table, offline.

use aether::model::Platform;
use aether::platforms::{self, PostDraft, Violation, Warning, WarningCode};
use aether::probe::{self, MediaFacts, ProbeError};
use aether::{Error, ErrorCode};
use serde_json::{json, Map, Value};

use super::{parse_options, Ctx};
use crate::cli::ValidateArgs;
use crate::error::{CliError, EXIT_ERROR};
use crate::ui::{self, Ui};

pub fn run(ctx: &Ctx, args: ValidateArgs) -> Result<(), CliError> {
    let options = parse_options(&args.options)?;
    let probed = match &args.file {
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
    let mut platforms: Vec<Platform> = args.platform.iter().map(|p| p.platform()).collect();
    platforms.dedup();
    for platform in &platforms {
        let mut draft = PostDraft::new(platform.clone(), args.text.clone().unwrap_or_default())
            .with_tier(args.tier.tier());
        if let Some(title) = &args.title {
            draft = draft.with_title(title.clone());
        }
        if let Some(Value::Object(map)) = options.get(platform.as_str()) {
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
        if args.text.is_none() {
            // Hashtag advice about a caption nobody gave is noise.
            validation.warnings.retain(|w| {
                w.code != WarningCode::HashtagsAboveRecommended
                    && w.code != WarningCode::HashtagsBelowRecommended
            });
        }
        violations.extend(validation.violations);
        warnings.extend(validation.warnings);
    }
    let ok = violations.is_empty();
    if ctx.ui.json {
        let facts = match &probed {
            Some(Ok(facts)) => json!(facts),
            _ => Value::Null,
        };
        let mut document = Map::new();
        document.insert("ok".into(), json!(ok));
        if let Some(path) = &args.file {
            document.insert("file".into(), json!(path.display().to_string()));
        }
        document.insert("tier".into(), json!(args.tier.tier().as_str()));
        document.insert("platforms".into(), json!(platforms));
        document.insert("facts".into(), facts);
        document.insert("violations".into(), json!(violations));
        document.insert("warnings".into(), json!(warnings));
        ctx.ui.print_json(&Value::Object(document));
    } else {
        print_report(&ctx.ui, &args, probed.as_ref(), &platforms, &violations, &warnings);
    }
    if ok {
        Ok(())
    } else {
        Err(CliError::Reported(EXIT_ERROR))
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
