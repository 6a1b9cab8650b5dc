//! Chaos mode: random faults, from a seed, on a share of the public requests
//! (`PUT /_mock/chaos {seed, rate, kinds?, maxPerCall?, stallMs?, delayMs?}`, `DELETE` to stop,
//! or `--chaos-seed` / `--chaos-rate` at start-up), and the report that says whether a client
//! kept its promises through them (`GET /_mock/chaos/report`).
//!
//! The faults are the ones a correct client survives within its retry policy: each is one of
//! the existing [`FaultAction`]s, and no call (one `X-Client-Request-Id`, the same on each of
//! its attempts) suffers more than `maxPerCall` of them, and no attempt from retry `maxPerCall`
//! on is faulted (default 2: with the default three attempts, the last one goes through, and a
//! call that fails anyway fails with the server's own answer). Explicit fault rules win over chaos and count against
//! the same allowance. Stalls and delays are short of any attempt timeout a client is given in
//! chaos mode (`stallMs`, `delayMs`).
//!
//! The decisions come from a PRNG seeded with `seed`, drawn in the order requests arrive: a
//! sequential client meets the same faults on the same requests again; concurrent requests
//! (a background poll, parallel upload parts) may share them out differently.

use std::collections::{BTreeMap, HashMap, HashSet};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::faults::{FaultAction, Faults};
use crate::journal::JournalEntry;

/// The faults chaos mode picks from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChaosKind {
    /// The connection reset before the request body is read: nothing processed.
    ResetBeforeBody,
    /// The request processed, then the connection reset: the answer is lost.
    ResetAfterBody,
    /// 503 `SERVICE_UNAVAILABLE` without `Retry-After`.
    Unavailable,
    /// 503 with `Retry-After: 1`.
    UnavailableRetryAfter,
    /// The request processed; the headers and no byte of the body, then the connection closed.
    CloseMidResponse,
    /// The request processed; half the body sent, then the connection closed.
    TruncatedBody,
    /// The request processed; the answer pauses `stallMs` after its first bytes.
    Stall,
    /// `delayMs` before the request is handled.
    Delay,
}

impl ChaosKind {
    /// Every kind, the default set.
    pub const ALL: [ChaosKind; 8] = [
        ChaosKind::ResetBeforeBody,
        ChaosKind::ResetAfterBody,
        ChaosKind::Unavailable,
        ChaosKind::UnavailableRetryAfter,
        ChaosKind::CloseMidResponse,
        ChaosKind::TruncatedBody,
        ChaosKind::Stall,
        ChaosKind::Delay,
    ];

    fn action(self, config: &ChaosConfig) -> FaultAction {
        let status = |retry_after| FaultAction::Status {
            status: 503,
            code: None,
            retry_after,
            retry_after_ms: None,
            should_retry: None,
        };
        match self {
            ChaosKind::ResetBeforeBody => FaultAction::ResetBeforeBody,
            ChaosKind::ResetAfterBody => FaultAction::ResetAfterBody,
            ChaosKind::Unavailable => status(None),
            ChaosKind::UnavailableRetryAfter => status(Some(1)),
            ChaosKind::CloseMidResponse => FaultAction::CloseMidResponse,
            ChaosKind::TruncatedBody => FaultAction::TruncatedBody,
            ChaosKind::Stall => {
                FaultAction::StallMidResponse { after_bytes: 1, ms: config.stall_ms() }
            }
            ChaosKind::Delay => FaultAction::Delay { ms: config.delay_ms() },
        }
    }
}

/// How chaos mode is switched on (`PUT /_mock/chaos`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChaosConfig {
    /// Seeds the PRNG that decides which request suffers which fault.
    pub seed: u64,
    /// The share (0–1) of public requests that suffer a fault.
    pub rate: f64,
    /// The faults to pick from; every kind when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Vec<ChaosKind>>,
    /// Faults at most per call (explicit rules included); 2 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_per_call: Option<u32>,
    /// Length of a `stall`, in real milliseconds; 300 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stall_ms: Option<u64>,
    /// Length of a `delay`, in real milliseconds; 150 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
}

impl ChaosConfig {
    /// Chaos settings as the testing kits receive them (wire JSON, camelCase, as
    /// `PUT /_mock/chaos` takes them), read and checked here once for every language: an
    /// unknown key or fault kind, or a setting [`ChaosConfig::check`] refuses, is
    /// `INVALID_ARGUMENT` (naming the field when it is one) before anything is sent.
    pub fn from_json(value: Value) -> aether::Result<ChaosConfig> {
        let config: ChaosConfig = serde_json::from_value(value)
            .map_err(|e| aether::Error::invalid_argument(format!("invalid chaos settings: {e}")))?;
        config.check().map_err(|(field, message)| {
            aether::Error::invalid_argument(format!("invalid chaos settings: {message}"))
                .with_field(field)
        })?;
        Ok(config)
    }

    /// The message saying what is wrong, if anything.
    pub fn check(&self) -> Result<(), (&'static str, String)> {
        if !(0.0..=1.0).contains(&self.rate) {
            return Err(("rate", format!("rate must be between 0 and 1, not {}", self.rate)));
        }
        if self.kinds.as_ref().is_some_and(Vec::is_empty) {
            return Err((
                "kinds",
                "kinds must name at least one fault (or be absent for all)".into(),
            ));
        }
        Ok(())
    }

    fn max_per_call(&self) -> u32 {
        self.max_per_call.unwrap_or(2)
    }

    fn stall_ms(&self) -> u64 {
        self.stall_ms.unwrap_or(300)
    }

    fn delay_ms(&self) -> u64 {
        self.delay_ms.unwrap_or(150)
    }
}

/// Chaos mode while it is on: its settings, its PRNG, and the faults each call suffered.
#[derive(Debug)]
pub struct Chaos {
    config: ChaosConfig,
    rng: StdRng,
    per_call: HashMap<String, u32>,
}

impl Chaos {
    /// Chaos mode with these settings, from the start of its seed.
    pub fn new(config: ChaosConfig) -> Chaos {
        Chaos { rng: StdRng::seed_from_u64(config.seed), config, per_call: HashMap::new() }
    }

    /// The settings it runs with.
    pub fn config(&self) -> &ChaosConfig {
        &self.config
    }

    /// Counts a fault an explicit rule gave this call against its allowance.
    pub fn count(&mut self, call: &str) {
        *self.per_call.entry(call.to_owned()).or_default() += 1;
    }

    /// The fault this request suffers, if any. `call` identifies the call across its attempts
    /// (its `X-Client-Request-Id`, or the method and path when it has none); `retry` is the
    /// attempt's `X-Aether-Retry-Count`: an attempt past the allowance is never faulted, so a
    /// call that fails anyway (a 429 after its retries) fails with its own last answer.
    pub fn pick(&mut self, call: &str, retry: u32) -> Option<FaultAction> {
        // One draw for whether, one for which, whatever the allowance: the sequence of
        // decisions depends on the seed and the number of requests only.
        let hit = self.rng.random::<f64>() < self.config.rate;
        let kinds = self.config.kinds.as_deref().unwrap_or(&ChaosKind::ALL);
        let kind = kinds[self.rng.random_range(0..kinds.len())];
        let suffered = self.per_call.get(call).copied().unwrap_or(0);
        let allowance = self.config.max_per_call();
        if !hit || suffered >= allowance || retry >= allowance {
            return None;
        }
        self.count(call);
        Some(kind.action(&self.config))
    }
}

/// The fault for a public request: an explicit rule's, else chaos mode's (then `true`), while
/// it is on. `call` is the call's id across its attempts and `retry` this attempt's
/// `X-Aether-Retry-Count`, which bound the faults chaos adds to it.
pub fn take_request(
    faults: &mut Faults,
    chaos: Option<&mut Chaos>,
    (method, path): (&str, &str),
    call: &str,
    retry: u32,
) -> Option<(FaultAction, bool)> {
    if let Some(action) = faults.take(method, path) {
        if let Some(chaos) = chaos {
            chaos.count(call);
        }
        return Some((action, false));
    }
    // Only the API: the emulator's own file server (`/mock-files/`, which it fetches media
    // URLs from) and the hosted connect page are not the client's network.
    if !path.starts_with("/v1/") {
        return None;
    }
    chaos?.pick(call, retry).map(|action| (action, true))
}

/// What the journal says about the client's promises: `duplicates` (a call, or an idempotency
/// key, that created more than one resource), `orphans` (upload sessions still open that no
/// request touched after creating them), and every fault chaos injected.
pub fn report(config: Option<&ChaosConfig>, journal: &[JournalEntry], open: &[String]) -> Value {
    let mut by_call: BTreeMap<&str, HashSet<&str>> = BTreeMap::new();
    let mut by_key: BTreeMap<&str, HashSet<&str>> = BTreeMap::new();
    for entry in journal.iter().filter(|e| e.method != "PUBLISH") {
        let Some(created) = entry.created.as_deref() else { continue };
        if let Some(call) = entry.client_request_id.as_deref() {
            by_call.entry(call).or_default().insert(created);
        }
        if let Some(key) = entry.idempotency_key.as_deref() {
            by_key.entry(key).or_default().insert(created);
        }
    }
    let duplicate = |(what, ids): (&&str, &HashSet<&str>)| {
        let mut ids: Vec<&str> = ids.iter().copied().collect();
        ids.sort_unstable();
        (ids.len() > 1).then(|| json!({ "by": what, "created": ids }))
    };
    let duplicates: Vec<Value> = by_call
        .iter()
        .filter_map(duplicate)
        .map(|mut d| {
            d["clientRequestId"] = d["by"].take();
            d
        })
        .chain(by_key.iter().filter_map(duplicate).map(|mut d| {
            d["idempotencyKey"] = d["by"].take();
            d
        }))
        .map(|mut d| {
            if let Some(map) = d.as_object_mut() {
                map.remove("by");
            }
            d
        })
        .collect();
    let orphans: Vec<&String> = open
        .iter()
        .filter(|id| {
            let created_at = journal.iter().find(|e| e.created.as_deref() == Some(id.as_str()));
            let after = created_at.map_or(0, |e| e.seq);
            !journal.iter().any(|e| e.seq > after && e.path.contains(id.as_str()))
        })
        .collect();
    let faults: Vec<Value> = journal
        .iter()
        .filter(|e| e.chaos)
        .map(|e| {
            json!({ "seq": e.seq, "method": e.method, "path": e.path, "fault": e.fault,
                    "clientRequestId": e.client_request_id })
        })
        .collect();
    json!({
        "config": config,
        "requests": journal.iter().filter(|e| e.method != "PUBLISH").count(),
        "faulted": faults.len(),
        "faults": faults,
        "duplicates": duplicates,
        "orphans": orphans,
        "ok": duplicates.is_empty() && orphans.is_empty(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(rate: f64) -> ChaosConfig {
        ChaosConfig {
            seed: 7,
            rate,
            kinds: None,
            max_per_call: None,
            stall_ms: None,
            delay_ms: None,
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_faults() {
        let run = || {
            let mut chaos = Chaos::new(config(0.5));
            (0..50).map(|i| chaos.pick(&format!("c{i}"), 0)).collect::<Vec<_>>()
        };
        let first = run();
        assert_eq!(first, run());
        let hits = first.iter().filter(|f| f.is_some()).count();
        assert!((10..=40).contains(&hits), "{hits} of 50 at rate 0.5");
    }

    #[test]
    fn settings_from_json_are_checked_once_for_every_kit() {
        let good = ChaosConfig::from_json(json!({ "seed": 3, "rate": 1.0, "kinds": ["delay"] }));
        assert_eq!(good.ok().and_then(|c| c.kinds), Some(vec![ChaosKind::Delay]));
        let refused = |value: Value| match ChaosConfig::from_json(value) {
            Ok(config) => panic!("accepted {config:?}"),
            Err(error) => (
                error.code().as_str().to_owned(),
                error.field().map(str::to_owned),
                error.message().to_owned(),
            ),
        };
        let (code, field, message) = refused(json!({ "seed": 1, "rate": 2.0 }));
        assert_eq!((code.as_str(), field.as_deref()), ("INVALID_ARGUMENT", Some("rate")));
        assert!(message.contains("rate must be between 0 and 1, not 2"), "{message}");
        let (code, _, message) = refused(json!({ "seed": 1, "rate": 0.1, "kinds": ["lightning"] }));
        assert_eq!(code, "INVALID_ARGUMENT");
        assert!(message.contains("unknown variant `lightning`"), "{message}");
        let (_, _, message) = refused(json!({ "seed": 1, "rate": 0.1, "stallMillis": 5 }));
        assert!(message.contains("unknown field `stallMillis`"), "{message}");
    }

    #[test]
    fn no_call_suffers_more_than_its_allowance() {
        let mut chaos = Chaos::new(config(1.0));
        assert!(chaos.pick("c", 0).is_some());
        assert!(chaos.pick("c", 1).is_some());
        assert_eq!(chaos.pick("c", 2), None);
        assert!(chaos.pick("d", 0).is_some());
        assert_eq!(chaos.pick("e", 2), None, "the last attempt of a call");
    }
}
