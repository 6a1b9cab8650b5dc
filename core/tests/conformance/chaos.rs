//! Chaos mode of the conformance runner (`AETHER_CHAOS_SEED`, `AETHER_CHAOS_RATE`): each
//! scenario runs with the emulator injecting random faults into that share of its API requests
//! (`PUT /_mock/chaos` after the setup, seeded with the seed plus the scenario's number), and
//! must end as the clean run does. Counting steps (`journal.count`, `hooks.events`) are left out:
//! retries change the counts, and the emulator's report (`GET /_mock/chaos/report`: no create
//! made twice, no orphan upload session) and the time bound stand in for them. A scenario
//! whose point is a count, a fault or a timing says so with `"chaos": {"skip": "why"}`; one
//! where a lost answer legitimately changes a step's outcome says `{"unknownOutcomeOk": "why"}`
//! and gives that step a `reconcile` read, judged with the step's `expect` instead.

use std::time::Duration;

use serde_json::{json, Value};

/// A scenario in chaos mode takes at most this long (the clean runs take a few seconds).
pub const TIME_BOUND: Duration = Duration::from_secs(60);

/// Steps that count requests or retries: left out in chaos mode.
pub const COUNTING_OPS: &[&str] = &["journal.count", "hooks.events"];

/// The seed and the fault rate, from the environment.
#[derive(Debug, Clone, Copy)]
pub struct ChaosMode {
    pub seed: u64,
    pub rate: f64,
}

impl ChaosMode {
    /// `Some` when `AETHER_CHAOS_SEED` is set (`AETHER_CHAOS_RATE` defaults to 0.10).
    pub fn from_env() -> Option<ChaosMode> {
        let seed = std::env::var("AETHER_CHAOS_SEED").ok().filter(|s| !s.is_empty())?;
        let seed = seed.trim().parse().expect("AETHER_CHAOS_SEED must be a whole number");
        let rate = std::env::var("AETHER_CHAOS_RATE")
            .ok()
            .filter(|s| !s.is_empty())
            .map_or(0.10, |r| r.trim().parse().expect("AETHER_CHAOS_RATE must be a number 0-1"));
        Some(ChaosMode { seed, rate })
    }

    /// The emulator's chaos settings for the scenario in `file` (`NNN_name.json`).
    pub fn config(&self, file: &str) -> Value {
        json!({ "seed": self.seed + number(file), "rate": self.rate })
    }

    /// The line that replays one scenario.
    pub fn replay(&self, file: &str) -> String {
        format!(
            "replay: AETHER_CHAOS_SEED={} AETHER_CHAOS_RATE={} scenario {:03}",
            self.seed,
            self.rate,
            number(file)
        )
    }
}

fn number(file: &str) -> u64 {
    file.split('_').next().and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// Why a scenario does not run in chaos mode, from its `chaos` key.
pub fn skip_reason(chaos: Option<&Value>) -> Option<String> {
    chaos.and_then(|c| c.get("skip")).and_then(Value::as_str).map(str::to_owned)
}

/// The scenario's `chaos` key is `{"skip": "why"}` or `{"unknownOutcomeOk": "why"}`; the
/// latter, and only it, lets steps carry a `reconcile` (`{op, input}`: what to read back when
/// the call fails in chaos mode, the step's `expect` then holding on what was read).
pub fn check_key(chaos: Option<&Value>, reconciles: bool) -> Result<(), String> {
    let kind = match chaos {
        None => None,
        Some(Value::Object(map)) if map.len() == 1 => map
            .iter()
            .find(|(k, v)| ["skip", "unknownOutcomeOk"].contains(&k.as_str()) && is_reason(v))
            .map(|(k, _)| k.as_str()),
        Some(_) => Some("bad"),
    };
    match (kind, reconciles) {
        (Some("bad") | None, _) if chaos.is_some() => Err(format!(
            "chaos must be {{\"skip\": \"why\"}} or {{\"unknownOutcomeOk\": \"why\"}}, not {}",
            chaos.unwrap_or(&Value::Null)
        )),
        (kind, true) if kind != Some("unknownOutcomeOk") => {
            Err("a step has reconcile, but the scenario does not say chaos.unknownOutcomeOk".into())
        }
        _ => Ok(()),
    }
}

fn is_reason(value: &Value) -> bool {
    value.as_str().is_some_and(|r| !r.is_empty())
}

/// The report's verdict: the duplicates and orphans it found, if any.
pub fn check_report(report: &Value) -> Result<(), String> {
    if report["ok"] == true {
        return Ok(());
    }
    Err(format!(
        "chaos invariants broken: duplicates {}, orphan upload sessions {} (faults injected: {})",
        report["duplicates"], report["orphans"], report["faults"]
    ))
}
