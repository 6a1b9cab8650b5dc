//! The cross-language conformance scenarios (`tests/conformance/*.json`, described in
//! `tests/conformance/README.md`) run against the Rust client.
//!
//! Every scenario gets a fresh emulator and a fresh client and runs through the **public** client
//! API; only the `admin.*`, `connectLinks.approve` and `journal.count` steps (and the setup) talk
//! to the emulator's admin API directly. A failure names the scenario, its file and the index of
//! the failing step, and the test fails listing every failing scenario.
//!
//! `AETHER_CONFORMANCE=<substring>` runs only the scenarios whose file or name contains it.
//! `AETHER_CHAOS_SEED=n AETHER_CHAOS_RATE=0.1` runs them in chaos mode (see `conformance/chaos.rs`).
//! `AETHER_CONFORMANCE_TLS=1` runs them over HTTPS: the emulator with a generated CA, the client
//! (and the harness's own requests) trusting it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aether::media::MediaWaitOptions;
use aether::model::{
    BulkRow, CreateConnectLinkRequest, CreatePostRequest, CreateWebhookRequest, ListPostsQuery,
    Platform, PostStatus, Tier, UpdatePostRequest, WebhookDeliveryStatus,
};
use aether::posts::{BulkSource, WaitOptions};
use aether::upload::{UploadOptions, UploadSource};
use aether::webhooks::{construct_event, verify_signature, DEFAULT_TOLERANCE, SIGNATURE_HEADER};
use aether::{Client, RequestOptions};
use aether_mock::{MockConfig, MockServer};
use futures_util::{StreamExt, TryStreamExt};
use jiff::Timestamp;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Map, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[path = "conformance/chaos.rs"]
mod chaos;

use chaos::ChaosMode;

/// Scenarios run at once (each has its own emulator).
const PARALLEL_SCENARIOS: usize = 3;
/// Bound on one whole scenario.
const SCENARIO_TIMEOUT: Duration = Duration::from_secs(120);
/// Defaults of the waiting steps: poll fast, the emulator is local.
const DEFAULT_POLL: Duration = Duration::from_millis(100);
const DEFAULT_WAIT_TIMEOUT: Duration = Duration::from_secs(30);

/// Declares [`Op`], the operations this runner can run, by their names in the scenarios. `call`
/// matches on `Op` exhaustively, so the compiler holds every name here to a handler; the list of
/// operations itself is schema.json's, which `check_schema_ops` holds this one to.
macro_rules! ops {
    ($($variant:ident = $name:literal,)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        enum Op {
            $($variant,)*
        }

        impl Op {
            const ALL: &[Op] = &[$(Op::$variant,)*];

            fn name(self) -> &'static str {
                match self {
                    $(Op::$variant => $name,)*
                }
            }

            fn parse(name: &str) -> Option<Op> {
                Op::ALL.iter().copied().find(|op| op.name() == name)
            }
        }
    };
}

/// The path of a fixture of tests/fixtures/media named by a scenario.
fn fixture_path(fixture: &str) -> Result<std::path::PathBuf, Failure> {
    if fixture.contains(['/', '\\']) || fixture.starts_with('.') {
        return Err(Failure::Harness(format!("fixture {fixture:?} must be a plain file name")));
    }
    let path = repo_root().join("tests/fixtures/media").join(fixture);
    if !path.is_file() {
        return Err(Failure::Harness(format!("no fixture {fixture:?} in tests/fixtures/media")));
    }
    Ok(path)
}

ops! {
    ConnectLinksCreate = "connectLinks.create",
    ConnectLinksGet = "connectLinks.get",
    ConnectLinksApprove = "connectLinks.approve",
    ProfilesGet = "profiles.get",
    ProfilesList = "profiles.list",
    ProfilesDisconnect = "profiles.disconnect",
    ProfilesCapabilities = "profiles.capabilities",
    AdminSetCapabilities = "admin.setCapabilities",
    MediaUpload = "media.upload",
    MediaResume = "media.resume",
    MediaGet = "media.get",
    MediaWait = "media.wait",
    PostsCreate = "posts.create",
    PostsGet = "posts.get",
    PostsList = "posts.list",
    PostsUpdate = "posts.update",
    PostsCancel = "posts.cancel",
    PostsRetry = "posts.retry",
    PostsWait = "posts.wait",
    PostsBulk = "posts.bulk",
    WebhooksCreate = "webhooks.create",
    WebhooksReceive = "webhooks.receive",
    WebhooksVerifySignature = "webhooks.verifySignature",
    WebhooksConstructEvent = "webhooks.constructEvent",
    WebhooksDeliveries = "webhooks.deliveries",
    WebhooksRedeliver = "webhooks.redeliver",
    WebhooksDelete = "webhooks.delete",
    ReceiverSetStatus = "receiver.setStatus",
    AdminFault = "admin.fault",
    AdminClearFaults = "admin.clearFaults",
    AdminAdvanceClock = "admin.advanceClock",
    AdminForceOutcome = "admin.forceOutcome",
    AdminAddOutcomeRule = "admin.addOutcomeRule",
    AdminSetSettings = "admin.setSettings",
    AdminRevokeProfile = "admin.revokeProfile",
    AdminSimulateComment = "admin.simulateComment",
    AdminSimulateMessage = "admin.simulateMessage",
    AdminUpdateMessage = "admin.updateMessage",
    JournalCount = "journal.count",
    MediaIngest = "media.ingest",
    AdminPutFile = "admin.putFile",
    AdminFileStats = "admin.fileStats",
    ClientRequest = "client.request",
    ClientCloseConnections = "client.closeConnections",
    HooksEvents = "hooks.events",
}

const SCENARIO_KEYS: &[&str] =
    &["$schema", "name", "description", "tags", "setup", "steps", "chaos"];
const SETUP_KEYS: &[&str] = &["settings", "profiles", "webhooks"];
const STEP_KEYS: &[&str] = &[
    "op",
    "note",
    "as",
    "input",
    "options",
    "client",
    "repeat",
    "expect",
    "expectError",
    "warns",
    "reconcile",
];
const OPTION_KEYS: &[&str] =
    &["idempotencyKey", "maxRetries", "timeoutMs", "attemptTimeoutMs", "traceparent"];
const MATCHERS: &[&str] = &[
    "$exists",
    "$startsWith",
    "$contains",
    "$length",
    "$gte",
    "$lte",
    "$oneOf",
    "$ne",
    "$sameInstant",
];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("core/ has a parent").to_owned()
}

fn scenario_dir() -> PathBuf {
    repo_root().join("tests/conformance")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_conformance_scenario_passes() {
    check_schema_ops();
    let filter = std::env::var("AETHER_CONFORMANCE").ok().filter(|f| !f.is_empty());
    let mut files: Vec<PathBuf> = std::fs::read_dir(scenario_dir())
        .expect("tests/conformance exists")
        .map(|entry| entry.expect("readable directory").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .filter(|path| path.file_name().is_some_and(|n| n != "schema.json"))
        .collect();
    files.sort();
    assert!(files.len() >= 25, "expected at least 25 scenarios, found {}", files.len());

    let mut names = BTreeSet::new();
    let mut scenarios = Vec::new();
    let mut failures = Vec::new();
    for path in files {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        match load(&path) {
            Ok(scenario) => {
                if !names.insert(scenario.name.clone()) {
                    failures.push(format!(
                        "{file}: the scenario name {:?} is used twice",
                        scenario.name
                    ));
                }
                let wanted =
                    filter.as_ref().is_none_or(|f| file.contains(f) || scenario.name.contains(f));
                if wanted {
                    scenarios.push((file, scenario));
                }
            }
            Err(error) => failures.push(format!("{file}: cannot be loaded: {error}")),
        }
    }
    let chaos_mode = ChaosMode::from_env();
    if let Some(mode) = chaos_mode {
        scenarios.retain(|(file, scenario)| match chaos::skip_reason(scenario.chaos.as_ref()) {
            Some(reason) => {
                println!("skip  {} ({file}) in chaos mode: {reason}", scenario.name);
                false
            }
            None => true,
        });
        println!("chaos mode: seed {} + the scenario's number, rate {}", mode.seed, mode.rate);
    }
    let total = scenarios.len();
    let results: Vec<(String, String, Result<Duration, String>)> =
        futures_util::stream::iter(scenarios)
            .map(|(file, scenario)| async move {
                let name = scenario.name.clone();
                let started = Instant::now();
                let chaos = chaos_mode.map(|mode| mode.config(&file));
                let task = tokio::spawn(async move {
                    tokio::time::timeout(SCENARIO_TIMEOUT, run_scenario(scenario, chaos)).await
                });
                let mut result = match task.await {
                    Ok(Ok(Ok(()))) => Ok(started.elapsed()),
                    Ok(Ok(Err(error))) => Err(error),
                    Ok(Err(_)) => Err(format!("did not finish within {SCENARIO_TIMEOUT:?}")),
                    Err(panic) => Err(format!("the runner panicked: {panic}")),
                };
                if let Some(mode) = chaos_mode {
                    if matches!(result, Ok(took) if took > chaos::TIME_BOUND) {
                        result = Err(format!("over its time bound {:?}", chaos::TIME_BOUND));
                    }
                    result = result.map_err(|e| format!("{e}\n    {}", mode.replay(&file)));
                }
                (file, name, result)
            })
            .buffer_unordered(PARALLEL_SCENARIOS)
            .collect()
            .await;
    let mut results = results;
    results.sort_by(|a, b| a.0.cmp(&b.0));
    for (file, name, result) in &results {
        match result {
            Ok(took) => println!("ok    {name} ({file}, {:.1} s)", took.as_secs_f64()),
            Err(error) => {
                println!("FAIL  {name} ({file}): {error}");
                failures.push(format!("scenario {name:?} ({file}): {error}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} conformance scenarios failed:\n  - {}",
        failures.len(),
        failures.join("\n  - ")
    );
}

/// The runner can run every operation schema.json names, and no other.
fn check_schema_ops() {
    let text = std::fs::read_to_string(scenario_dir().join("schema.json")).expect("schema.json");
    let schema: Value = serde_json::from_str(&text).expect("schema.json is JSON");
    let listed: BTreeSet<&str> = schema["$defs"]["step"]["properties"]["op"]["enum"]
        .as_array()
        .expect("schema.json lists the operations at $defs.step.properties.op.enum")
        .iter()
        .map(|op| op.as_str().expect("operation names are strings"))
        .collect();
    let cannot: Vec<&str> = listed.iter().copied().filter(|op| Op::parse(op).is_none()).collect();
    assert!(cannot.is_empty(), "schema.json names operations this runner cannot run: {cannot:?}");
    let stale: Vec<&str> =
        Op::ALL.iter().map(|op| op.name()).filter(|name| !listed.contains(name)).collect();
    assert!(stale.is_empty(), "the runner runs operations schema.json does not name: {stale:?}");
}

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

#[derive(Debug)]
struct Scenario {
    name: String,
    setup: Map<String, Value>,
    steps: Vec<Map<String, Value>>,
    /// `{"skip": "why"}`: not run in chaos mode.
    chaos: Option<Value>,
}

fn only_keys(object: &Map<String, Value>, allowed: &[&str], what: &str) -> Result<(), String> {
    match object.keys().find(|k| !allowed.contains(&k.as_str())) {
        None => Ok(()),
        Some(key) => {
            Err(format!("{what} has an unknown key {key:?} (allowed: {})", allowed.join(", ")))
        }
    }
}

fn load(path: &Path) -> Result<Scenario, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let value: Value = serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))?;
    let Value::Object(root) = value else { return Err("not a JSON object".into()) };
    only_keys(&root, SCENARIO_KEYS, "the scenario")?;
    let name = root.get("name").and_then(Value::as_str).ok_or("no name")?.to_owned();
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    if !stem.ends_with(&name) {
        return Err(format!("the file name should end with the scenario name {name:?}"));
    }
    if root.get("description").and_then(Value::as_str).is_none_or(str::is_empty) {
        return Err("no description".into());
    }
    let setup = match root.get("setup") {
        None => Map::new(),
        Some(Value::Object(setup)) => {
            only_keys(setup, SETUP_KEYS, "setup")?;
            setup.clone()
        }
        Some(_) => return Err("setup is not an object".into()),
    };
    let steps = root.get("steps").and_then(Value::as_array).ok_or("no steps")?;
    if steps.is_empty() {
        return Err("no steps".into());
    }
    let mut parsed = Vec::new();
    for (index, step) in steps.iter().enumerate() {
        let Value::Object(step) = step else {
            return Err(format!("steps[{index}] is not an object"));
        };
        only_keys(step, STEP_KEYS, &format!("steps[{index}]"))?;
        let op = step.get("op").and_then(Value::as_str).unwrap_or_default();
        if Op::parse(op).is_none() {
            return Err(format!("steps[{index}]: unknown op {op:?}"));
        }
        if step.contains_key("expect") && step.contains_key("expectError") {
            return Err(format!("steps[{index}]: expect and expectError exclude each other"));
        }
        if let Some(expected) = step.get("expectError") {
            if expected.get("code").and_then(Value::as_str).is_none() {
                return Err(format!("steps[{index}]: expectError needs a code"));
            }
        }
        parsed.push(step.clone());
    }
    chaos::check_key(root.get("chaos"), parsed.iter().any(|s| s.contains_key("reconcile")))?;
    Ok(Scenario { name, setup, steps: parsed, chaos: root.get("chaos").cloned() })
}

// ---------------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------------

/// One scenario's world: its emulator, a client for it, the webhook receiver and the variables.
struct Run {
    emulator: MockServer,
    admin: reqwest::Client,
    client: Client,
    receiver: Receiver,
    vars: Map<String, Value>,
    /// What the client's hooks heard since the last `hooks.events` step.
    hooks: Recorded,
    /// Chaos mode's settings for this scenario (`PUT /_mock/chaos` after the setup).
    chaos: Option<Value>,
}

/// Hook events as the `hooks.events` op returns them: `{hook, …the event}`.
type Recorded = Arc<std::sync::Mutex<Vec<Value>>>;

/// `builder` with hooks that record every event into `recorded`.
fn recording(builder: aether::ClientBuilder, recorded: &Recorded) -> aether::ClientBuilder {
    let hook = |kind: &'static str| {
        let recorded = recorded.clone();
        move |event: &aether::AttemptEvent| {
            let mut value = serde_json::to_value(event).unwrap_or_default();
            value["hook"] = json!(kind);
            recorded.lock().unwrap_or_else(|e| e.into_inner()).push(value);
        }
    };
    builder.on_request(hook("request")).on_response(hook("response")).on_retry(hook("retry"))
}

/// Why a step's call did not return a value.
enum Failure {
    /// The SDK returned an error: compared with `expectError`.
    Api(aether::Error),
    /// The scenario or the runner is wrong (bad input, an admin call failed): always a failure.
    Harness(String),
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure::Harness(message)
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Failure {
        Failure::Harness(message.to_owned())
    }
}

impl From<aether::Error> for Failure {
    fn from(error: aether::Error) -> Failure {
        Failure::Api(error)
    }
}

type OpResult = Result<Value, Failure>;

fn client_for(
    server: &MockServer,
    api_key: &str,
    hooks: Option<&Recorded>,
) -> Result<Client, String> {
    let mut builder = Client::builder()
        .api_key(api_key)
        .base_url(server.url())
        // The attempts stay the default (3); only the waits between them are short.
        .retry_backoff(Duration::from_millis(5), Duration::from_millis(50));
    if let Some(ca) = &server.tls_files().ca_file {
        builder = builder.ca_bundle(ca.display().to_string());
    }
    if let Some(recorded) = hooks {
        builder = recording(builder, recorded);
    }
    builder.build().map_err(|e| format!("the client cannot be built: {e}"))
}

/// `AETHER_CONFORMANCE_TLS=1`: the scenarios over HTTPS.
fn over_tls() -> bool {
    std::env::var("AETHER_CONFORMANCE_TLS").is_ok_and(|v| v == "1")
}

async fn run_scenario(scenario: Scenario, chaos: Option<Value>) -> Result<(), String> {
    let tls = over_tls().then(aether_mock::TlsConfig::default);
    let emulator = MockServer::start(MockConfig { tls, ..MockConfig::default() })
        .await
        .map_err(|e| format!("the emulator does not start: {e}"))?;
    let mut admin =
        reqwest::Client::builder().no_proxy().redirect(reqwest::redirect::Policy::none());
    if let Some(ca) = &emulator.tls_files().ca_file {
        let pem = std::fs::read(ca).map_err(|e| e.to_string())?;
        admin = admin
            .add_root_certificate(reqwest::Certificate::from_pem(&pem).map_err(|e| e.to_string())?);
    }
    let admin = admin.build().map_err(|e| e.to_string())?;
    let hooks = Recorded::default();
    let client = client_for(&emulator, emulator.api_key(), Some(&hooks))?;
    let receiver = Receiver::start().await;
    let mut vars = Map::new();
    vars.insert("receiver".into(), json!({ "url": receiver.url }));
    let mut run = Run { emulator, admin, client, receiver, vars, hooks, chaos };
    let result = run.execute(&scenario).await;
    run.receiver.stop();
    run.emulator.shutdown().await;
    result
}

impl Run {
    async fn execute(&mut self, scenario: &Scenario) -> Result<(), String> {
        self.setup(&scenario.setup).await.map_err(|e| format!("setup: {e}"))?;
        if let Some(config) = self.chaos.clone() {
            self.admin_call(Method::PUT, "/_mock/chaos", Some(config)).await?;
        }
        for (index, step) in scenario.steps.iter().enumerate() {
            let op = step["op"].as_str().unwrap_or_default();
            if self.chaos.is_some() && chaos::COUNTING_OPS.contains(&op) {
                continue;
            }
            let repeat = match step.get("repeat") {
                None => 1,
                Some(n) => n.as_u64().filter(|n| (1..=100).contains(n)).ok_or_else(|| {
                    format!("steps[{index}] ({op}): repeat must be an integer 1–100")
                })?,
            };
            for round in 1..=repeat {
                if let Err(error) = self.step(step).await {
                    let round = if repeat > 1 {
                        format!(", round {round} of {repeat}")
                    } else {
                        String::new()
                    };
                    let note = step
                        .get("note")
                        .and_then(Value::as_str)
                        .map(|n| format!(" [{n}]"))
                        .unwrap_or_default();
                    return Err(format!("steps[{index}] ({op}{round}){note}: {error}"));
                }
            }
        }
        if self.chaos.is_some() {
            let report = self.admin_call(Method::GET, "/_mock/chaos/report", None).await?;
            println!(
                "      {}: {} faults in {} requests",
                scenario.name, report["faulted"], report["requests"]
            );
            chaos::check_report(&report)?;
        }
        Ok(())
    }

    async fn setup(&mut self, setup: &Map<String, Value>) -> Result<(), String> {
        if let Some(settings) = setup.get("settings") {
            self.admin_call(Method::PATCH, "/_mock/settings", Some(settings.clone())).await?;
        }
        for profile in setup.get("profiles").and_then(Value::as_array).into_iter().flatten() {
            let name = profile.get("as").and_then(Value::as_str).ok_or("a profile needs as")?;
            let mut body = profile.as_object().cloned().ok_or("a profile is an object")?;
            body.remove("as");
            only_keys(&body, &["platform", "tier", "username", "id"], "a setup profile")?;
            let created =
                self.admin_call(Method::POST, "/_mock/profiles", Some(Value::Object(body))).await?;
            self.store(name, created)?;
        }
        for hook in setup.get("webhooks").and_then(Value::as_array).into_iter().flatten() {
            let name = hook.get("as").and_then(Value::as_str).ok_or("a webhook needs as")?;
            let mut body = hook.as_object().cloned().ok_or("a webhook is an object")?;
            body.remove("as");
            body.entry("url").or_insert_with(|| Value::from(self.receiver.url.clone()));
            let request: CreateWebhookRequest = from_input("setup webhook", &Value::Object(body))?;
            let created = self
                .client
                .webhooks()
                .create(&request)
                .await
                .map_err(|e| format!("creating webhook {name}: {e}"))?;
            self.store(name, to_json(&created))?;
        }
        Ok(())
    }

    fn store(&mut self, name: &str, value: Value) -> Result<(), String> {
        let valid = !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && name != "receiver";
        if !valid {
            return Err(format!(
                "{name:?} cannot name a result (letters, digits, _; not receiver)"
            ));
        }
        self.vars.insert(name.to_owned(), value);
        Ok(())
    }

    async fn step(&mut self, step: &Map<String, Value>) -> Result<(), String> {
        let op = step["op"].as_str().unwrap_or_default();
        let now = self.clock().await?;
        let input = match step.get("input") {
            None => Value::Object(Map::new()),
            Some(input) => self.resolve(input, now, false)?,
        };
        if !input.is_object() {
            return Err("input must be an object".into());
        }
        let options = match step.get("options") {
            None => RequestOptions::default(),
            Some(options) => request_options(&self.resolve(options, now, false)?)?,
        };
        let client = match step.get("client") {
            None => self.client.clone(),
            Some(Value::Object(overrides)) => {
                only_keys(overrides, &["apiKey"], "client")?;
                let resolved = self.resolve(&Value::Object(overrides.clone()), now, false)?;
                let key = resolved["apiKey"].as_str().ok_or("client.apiKey must be a string")?;
                client_for(&self.emulator, key, None)?
            }
            Some(_) => return Err("client must be an object".into()),
        };

        let mut outcome = self.call(op, &client, &input, options).await;
        // Chaos mode: a step whose outcome a lost answer may leave unknown (a cancel retried
        // after it was done) is judged by reading the state back instead.
        if let (Some(reconcile), Err(Failure::Api(_)), true) =
            (step.get("reconcile"), &outcome, self.chaos.is_some())
        {
            let how = reconcile["op"].as_str().unwrap_or_default();
            let input = self.resolve(&reconcile["input"], now, false)?;
            outcome = self.call(how, &client, &input, RequestOptions::default()).await;
        }
        let name = step.get("as").and_then(Value::as_str);
        match (outcome, step.get("expectError")) {
            (Ok(value), None) => {
                if let Some(expected) = step.get("expect") {
                    let expected = self.resolve(expected, now, true)?;
                    check_expectations(&expected, &value, "result")?;
                }
                if let Some(expected) = step.get("warns") {
                    check_warns(expected, &value)?;
                }
                if let Some(name) = name {
                    self.store(name, value)?;
                }
                Ok(())
            }
            (Ok(value), Some(expected)) => Err(format!(
                "expected the error {}, but the call succeeded with {}",
                expected["code"],
                snippet(&value)
            )),
            (Err(Failure::Api(error)), Some(expected)) => {
                let actual = error_json(&error);
                let mut expected = self.resolve(expected, now, true)?;
                let bound = expected.as_object_mut().and_then(|e| e.remove("retryAfterMin"));
                check_expectations(&expected, &actual, "error")?;
                if let Some(bound) = bound {
                    let bound = bound.as_f64().ok_or("retryAfterMin must be a number")?;
                    match actual["retryAfter"].as_f64() {
                        Some(seconds) if seconds >= bound => {}
                        other => {
                            return Err(format!(
                                "error.retryAfter: expected at least {bound} s, got {other:?} ({})",
                                snippet(&actual)
                            ))
                        }
                    }
                }
                if let Some(name) = name {
                    self.store(name, actual)?;
                }
                Ok(())
            }
            (Err(Failure::Api(error)), None) => {
                Err(format!("the call failed: {error} — {}", snippet(&error_json(&error))))
            }
            (Err(Failure::Harness(message)), _) => Err(message),
        }
    }

    async fn call(
        &self,
        op: &str,
        client: &Client,
        input: &Value,
        options: RequestOptions,
    ) -> OpResult {
        let Some(which) = Op::parse(op) else {
            return Err(Failure::Harness(format!("the runner does not implement {op}")));
        };
        match which {
            Op::ConnectLinksCreate => {
                let request: CreateConnectLinkRequest = from_input(op, input)?;
                let links = client.connect_links().with_options(options);
                Ok(to_json(&links.create(&request).await?))
            }
            Op::ConnectLinksGet => {
                fields(input, &["id"], op)?;
                let links = client.connect_links().with_options(options);
                Ok(to_json(&links.get(&text(input, "id")?).await?))
            }
            Op::ConnectLinksApprove => {
                fields(input, &["id", "tier"], op)?;
                let path = format!("/_mock/connect-links/{}/approve", text(input, "id")?);
                let mut body = Map::new();
                if let Some(tier) = input.get("tier") {
                    body.insert("tier".into(), tier.clone());
                }
                Ok(self.admin_call(Method::POST, &path, Some(Value::Object(body))).await?)
            }
            Op::ProfilesGet => {
                fields(input, &["id"], op)?;
                let profiles = client.profiles().with_options(options);
                Ok(to_json(&profiles.get(&text(input, "id")?).await?))
            }
            Op::ProfilesList => {
                fields(input, &[], op)?;
                let items: Vec<_> =
                    client.profiles().with_options(options).list().try_collect().await?;
                Ok(json!({ "data": to_json(&items) }))
            }
            Op::ProfilesDisconnect => {
                fields(input, &["id"], op)?;
                let profiles = client.profiles().with_options(options);
                Ok(to_json(&profiles.disconnect(&text(input, "id")?).await?))
            }
            Op::ProfilesCapabilities => {
                fields(input, &["id"], op)?;
                let profiles = client.profiles().with_options(options);
                Ok(to_json(&profiles.capabilities(&text(input, "id")?).await?))
            }
            Op::AdminSetCapabilities => {
                let mut body = input.as_object().cloned().ok_or("input: an object")?;
                let id = body.remove("id").and_then(|id| id.as_str().map(str::to_owned));
                let path = format!("/_mock/profiles/{}/capabilities", id.ok_or("id: a string")?);
                Ok(self.admin_call(Method::PUT, &path, Some(Value::Object(body))).await?)
            }
            Op::MediaUpload | Op::MediaResume => self.upload(op, client, input, options).await,
            Op::MediaGet => {
                fields(input, &["mediaKey"], op)?;
                let media = client.media().with_options(options);
                Ok(to_json(&media.get(&text(input, "mediaKey")?).await?))
            }
            Op::MediaWait => {
                fields(input, &["mediaKey", "timeoutMs"], op)?;
                let wait = MediaWaitOptions::default()
                    .poll_interval(Duration::from_millis(50))
                    .timeout(millis(input, "timeoutMs")?.unwrap_or(DEFAULT_WAIT_TIMEOUT));
                let media = client.media().with_options(options);
                Ok(to_json(&media.wait_ready(&text(input, "mediaKey")?, wait).await?))
            }
            Op::PostsCreate => {
                // As a binding reads a dictionary: unknown keys refused with a suggestion.
                let request = CreatePostRequest::from_json(input.clone())?;
                Ok(to_json(&client.posts().with_options(options).create(&request).await?))
            }
            Op::PostsGet => {
                fields(input, &["id"], op)?;
                Ok(to_json(&client.posts().with_options(options).get(&text(input, "id")?).await?))
            }
            Op::PostsList => {
                fields(input, &["status", "profileId", "pageSize"], op)?;
                let query = ListPostsQuery {
                    status: input.get("status").and_then(Value::as_str).map(PostStatus::parse),
                    profile_id: input.get("profileId").and_then(Value::as_str).map(str::to_owned),
                    limit: input.get("pageSize").and_then(Value::as_u64).map(|n| n as u32),
                    cursor: None,
                };
                let items: Vec<_> =
                    client.posts().with_options(options).list(query).try_collect().await?;
                Ok(json!({ "data": to_json(&items) }))
            }
            Op::PostsUpdate => {
                let id = text(input, "id")?;
                let mut body = input.as_object().cloned().unwrap_or_default();
                body.remove("id");
                let request: UpdatePostRequest = from_input(op, &Value::Object(body))?;
                Ok(to_json(&client.posts().with_options(options).update(&id, &request).await?))
            }
            Op::PostsCancel => {
                fields(input, &["id"], op)?;
                Ok(to_json(
                    &client.posts().with_options(options).cancel(&text(input, "id")?).await?,
                ))
            }
            Op::PostsRetry => {
                fields(input, &["id"], op)?;
                Ok(to_json(&client.posts().with_options(options).retry(&text(input, "id")?).await?))
            }
            Op::PostsWait => {
                fields(input, &["id", "pollIntervalMs", "timeoutMs"], op)?;
                let wait = WaitOptions::default()
                    .poll_interval(millis(input, "pollIntervalMs")?.unwrap_or(DEFAULT_POLL))
                    .timeout(millis(input, "timeoutMs")?.unwrap_or(DEFAULT_WAIT_TIMEOUT));
                let posts = client.posts().with_options(options);
                Ok(to_json(&posts.wait(&text(input, "id")?, wait).await?))
            }
            Op::PostsBulk => {
                fields(input, &["csv", "fileName", "rows", "dryRun"], op)?;
                let dry_run = input.get("dryRun").and_then(Value::as_bool).unwrap_or(false);
                let posts = client.posts().with_options(options);
                // Inline CSV goes through a file, so the path form is what runs.
                let dir = tempfile::tempdir().map_err(|e| format!("{op}: temp dir: {e}"))?;
                let source = match input.get("csv") {
                    Some(csv) => {
                        let csv = csv.as_str().ok_or(format!("{op}: csv must be a string"))?;
                        let name = input.get("fileName").and_then(Value::as_str);
                        let path = dir.path().join(name.unwrap_or("posts.csv"));
                        std::fs::write(&path, csv).map_err(|e| format!("{op}: write: {e}"))?;
                        BulkSource::File(path)
                    }
                    None => {
                        let rows = input.get("rows").cloned().unwrap_or(Value::Null);
                        BulkSource::Rows(from_input::<Vec<BulkRow>>(op, &rows)?)
                    }
                };
                Ok(to_json(&posts.bulk(source, dry_run).await?))
            }
            Op::WebhooksCreate => {
                let request: CreateWebhookRequest = from_input(op, input)?;
                Ok(to_json(&client.webhooks().with_options(options).create(&request).await?))
            }
            Op::WebhooksReceive => {
                fields(input, &["type", "postId", "timeoutMs"], op)?;
                let timeout = millis(input, "timeoutMs")?.unwrap_or(DEFAULT_WAIT_TIMEOUT);
                let kind = input.get("type").and_then(Value::as_str);
                let post_id = input.get("postId").and_then(Value::as_str);
                Ok(self.receiver.next(kind, post_id, timeout).await?)
            }
            Op::WebhooksVerifySignature => {
                fields(input, &["payload", "header", "secrets", "toleranceSeconds", "now"], op)?;
                let (payload, header, secrets, tolerance) = signed_delivery(op, input)?;
                let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
                let now = match input.get("now") {
                    None => SystemTime::now(),
                    Some(s) => {
                        UNIX_EPOCH + Duration::from_secs(s.as_u64().ok_or("now: unix seconds")?)
                    }
                };
                verify_signature(payload.as_bytes(), &header, &secrets, tolerance, now)?;
                Ok(json!({ "valid": true }))
            }
            Op::WebhooksConstructEvent => {
                fields(input, &["payload", "header", "secrets", "toleranceSeconds"], op)?;
                let (payload, header, secrets, tolerance) = signed_delivery(op, input)?;
                let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
                Ok(to_json(&construct_event(payload.as_bytes(), &header, &secrets, tolerance)?))
            }
            Op::WebhooksDeliveries => {
                fields(input, &["webhookId", "status", "minCount", "timeoutMs"], op)?;
                let id = text(input, "webhookId")?;
                let status =
                    input.get("status").and_then(Value::as_str).map(WebhookDeliveryStatus::parse);
                let min = input.get("minCount").and_then(Value::as_u64).unwrap_or(0) as usize;
                let deadline =
                    Instant::now() + millis(input, "timeoutMs")?.unwrap_or(Duration::from_secs(10));
                let webhooks = client.webhooks().with_options(options);
                loop {
                    let items: Vec<_> =
                        webhooks.deliveries(&id, status.clone()).try_collect().await?;
                    if items.len() >= min || Instant::now() >= deadline {
                        return Ok(json!({ "data": to_json(&items) }));
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
            Op::WebhooksRedeliver => {
                fields(input, &["webhookId", "deliveryId"], op)?;
                let webhooks = client.webhooks().with_options(options);
                let (id, delivery) = (text(input, "webhookId")?, text(input, "deliveryId")?);
                Ok(to_json(&webhooks.redeliver(&id, &delivery).await?))
            }
            Op::WebhooksDelete => {
                fields(input, &["id"], op)?;
                client.webhooks().with_options(options).delete(&text(input, "id")?).await?;
                Ok(json!({}))
            }
            Op::ReceiverSetStatus => {
                fields(input, &["status"], op)?;
                let status = input.get("status").and_then(Value::as_u64);
                let status = status.and_then(|s| u16::try_from(s).ok()).ok_or("status: integer")?;
                self.receiver.status.store(status, Ordering::SeqCst);
                Ok(json!({ "status": status }))
            }
            Op::AdminSimulateComment | Op::AdminSimulateMessage => {
                let mut body = input.as_object().cloned().unwrap_or_default();
                let profile = body.remove("profileId").and_then(|v| v.as_str().map(str::to_owned));
                let profile = profile.ok_or("needs profileId")?;
                let kind = if op == "admin.simulateComment" { "comments" } else { "messages" };
                let path = format!("/_mock/profiles/{profile}/{kind}");
                Ok(self.admin_call(Method::POST, &path, Some(Value::Object(body))).await?)
            }
            Op::AdminUpdateMessage => {
                let mut body = input.as_object().cloned().unwrap_or_default();
                let id = body.remove("id").and_then(|v| v.as_str().map(str::to_owned));
                let path = format!("/_mock/messages/{}", id.ok_or("needs id")?);
                Ok(self.admin_call(Method::PATCH, &path, Some(Value::Object(body))).await?)
            }
            Op::AdminFault => {
                Ok(self.admin_call(Method::POST, "/_mock/faults", Some(input.clone())).await?)
            }
            Op::HooksEvents => {
                fields(input, &[], op)?;
                let events =
                    std::mem::take(&mut *self.hooks.lock().unwrap_or_else(|e| e.into_inner()));
                Ok(json!({ "data": events }))
            }
            Op::AdminClearFaults => {
                fields(input, &[], op)?;
                self.admin_call(Method::DELETE, "/_mock/faults", None).await?;
                Ok(json!({}))
            }
            Op::AdminAdvanceClock => {
                fields(input, &["seconds"], op)?;
                Ok(self
                    .admin_call(Method::POST, "/_mock/clock/advance", Some(input.clone()))
                    .await?)
            }
            Op::AdminForceOutcome => {
                let mut body = input.as_object().cloned().unwrap_or_default();
                let post_id = body.remove("postId").and_then(|v| v.as_str().map(str::to_owned));
                let post_id = post_id.ok_or("admin.forceOutcome needs postId")?;
                let path = format!("/_mock/posts/{post_id}/outcome");
                Ok(self.admin_call(Method::POST, &path, Some(Value::Object(body))).await?)
            }
            Op::AdminAddOutcomeRule => {
                Ok(self.admin_call(Method::POST, "/_mock/outcomes", Some(input.clone())).await?)
            }
            Op::AdminSetSettings => {
                Ok(self.admin_call(Method::PATCH, "/_mock/settings", Some(input.clone())).await?)
            }
            Op::AdminRevokeProfile => {
                fields(input, &["id"], op)?;
                let path = format!("/_mock/profiles/{}/revoke", text(input, "id")?);
                Ok(self.admin_call(Method::POST, &path, Some(json!({}))).await?)
            }
            Op::MediaIngest => self.ingest(op, client, input, options).await,
            Op::AdminPutFile => {
                fields(input, &["name", "fixture", "contentType", "freeBox"], op)?;
                let bytes = std::fs::read(fixture_path(&text(input, "fixture")?)?)
                    .map_err(|e| Failure::Harness(format!("reading the fixture: {e}")))?;
                let mut query = Vec::new();
                if let Some(kind) = input.get("contentType").and_then(Value::as_str) {
                    query.push(("contentType", kind.to_owned()));
                }
                if let Some(size) = input.get("freeBox").and_then(Value::as_u64) {
                    query.push(("freeBox", size.to_string()));
                }
                let url = format!("{}/_mock/files/{}", self.emulator.url(), text(input, "name")?);
                let response = self
                    .admin
                    .put(url)
                    .query(&query)
                    .bearer_auth(self.emulator.admin_token())
                    .body(bytes)
                    .send()
                    .await
                    .map_err(|e| Failure::Harness(format!("admin PUT /_mock/files: {e}")))?;
                let status = response.status();
                let value: Value = response.json().await.unwrap_or(Value::Null);
                if status != reqwest::StatusCode::CREATED {
                    return Err(Failure::Harness(format!(
                        "PUT /_mock/files answered {status}: {value}"
                    )));
                }
                Ok(value)
            }
            Op::AdminFileStats => {
                fields(input, &["name"], op)?;
                let path = format!("/_mock/files/{}", text(input, "name")?);
                Ok(self.admin_call(Method::GET, &path, None).await?)
            }
            Op::ClientCloseConnections => {
                fields(input, &[], op)?;
                client.close_connections().await;
                Ok(json!({}))
            }
            Op::ClientRequest => {
                fields(input, &["method", "path", "body", "query", "headers"], op)?;
                let mut options = options;
                for (name, value) in
                    input.get("headers").and_then(Value::as_object).into_iter().flatten()
                {
                    options = options.header(name, value.as_str().unwrap_or_default());
                }
                let query = match input.get("query").and_then(Value::as_object) {
                    Some(map) => aether::transport::pairs_from_json(map, "query", true)?,
                    None => Vec::new(),
                };
                let response = client
                    .request_with_response(
                        &text(input, "method")?,
                        &text(input, "path")?,
                        input.get("body"),
                        &query,
                        &options,
                    )
                    .await?;
                let headers: Map<String, Value> = response
                    .headers
                    .keys()
                    .map(|name| (name.as_str().to_owned(), json!(response.header(name.as_str()))))
                    .collect();
                Ok(json!({
                    "status": response.status,
                    "headers": headers,
                    "requestId": response.request_id,
                    "replayed": response.replayed,
                    "data": response.data,
                }))
            }
            Op::JournalCount => {
                let filters = [
                    "query",
                    "header",
                    "method",
                    "path",
                    "status",
                    "created",
                    "replayed",
                    "fault",
                    "idempotencyKey",
                    "clientRequestId",
                    "traceparent",
                    "retryCount",
                ];
                fields(input, &filters, op)?;
                let journal = self.admin_call(Method::GET, "/_mock/journal", None).await?;
                let entries = journal["data"].as_array().cloned().unwrap_or_default();
                let matching: Vec<&Value> =
                    entries.iter().filter(|entry| journal_matches(input, entry)).collect();
                let connections: std::collections::HashSet<u64> =
                    matching.iter().filter_map(|entry| entry["connection"].as_u64()).collect();
                Ok(json!({ "count": matching.len(), "connections": connections.len() }))
            }
        }
    }

    async fn upload(
        &self,
        op: &str,
        client: &Client,
        input: &Value,
        options: RequestOptions,
    ) -> OpResult {
        let mut allowed = vec![
            "fixture",
            "fileName",
            "mimeType",
            "platforms",
            "tier",
            "singleShotThreshold",
            "partSize",
            "profileIds",
            "stallTimeoutMs",
            "sha256",
        ];
        if op == "media.resume" {
            allowed.push("uploadId");
        }
        fields(input, &allowed, op)?;
        let path = fixture_path(&text(input, "fixture")?)?;
        let mut upload = described_media(op, input)?;
        let profile_ids: Vec<String> = match input.get("profileIds") {
            None => Vec::new(),
            Some(list) => from_input(op, list)?,
        };
        for id in profile_ids {
            upload = upload.profile(id);
        }
        if let Some(threshold) = input.get("singleShotThreshold") {
            upload = upload
                .single_shot_threshold(threshold.as_u64().ok_or("singleShotThreshold: integer")?);
        }
        if let Some(part_size) = input.get("partSize") {
            upload = upload.part_size(part_size.as_u64().ok_or("partSize: integer")?);
        }
        if let Some(ms) = input.get("stallTimeoutMs") {
            let ms = ms.as_u64().ok_or("stallTimeoutMs: integer")?;
            upload = upload.stall_timeout(Duration::from_millis(ms));
        }
        if let Some(sha256) = input.get("sha256") {
            upload = upload.sha256(sha256.as_bool().ok_or("sha256: boolean")?);
        }
        let media = client.media().with_options(options);
        let stored = if op == "media.resume" {
            media.resume(&text(input, "uploadId")?, UploadSource::path(path), upload).await?
        } else {
            media.upload(UploadSource::path(path), upload).await?
        };
        Ok(to_json(&stored))
    }

    /// `media.ingest`: the binding's upload with a URL source.
    async fn ingest(
        &self,
        op: &str,
        client: &Client,
        input: &Value,
        options: RequestOptions,
    ) -> OpResult {
        fields(input, &["url", "fileName", "mimeType", "platforms", "tier"], op)?;
        let upload = described_media(op, input)?;
        let media = client.media().with_options(options);
        Ok(to_json(&media.ingest(text(input, "url")?, upload).await?))
    }

    async fn admin_call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let mut request = self
            .admin
            .request(method.clone(), format!("{}{path}", self.emulator.url()))
            .bearer_auth(self.emulator.admin_token());
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(|e| format!("admin {method} {path}: {e}"))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| format!("admin {method} {path}: {e}"))?;
        let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(format!("admin {method} {path} answered {status}: {value}"));
        }
        Ok(value)
    }

    /// The emulator's virtual clock.
    async fn clock(&self) -> Result<Timestamp, String> {
        let clock = self.admin_call(Method::GET, "/_mock/clock", None).await?;
        clock["now"]
            .as_str()
            .and_then(|now| now.parse().ok())
            .ok_or_else(|| format!("the emulator's clock is unreadable: {clock}"))
    }

    // -----------------------------------------------------------------------------------------
    // Values: variables, generators, matchers
    // -----------------------------------------------------------------------------------------

    /// Replaces variables (`"$post.id"`) and generators (`$repeat`, `$concat`, `$time`) in
    /// `value`; with `matchers`, objects such as `{"$gte": 1}` are kept (their argument resolved).
    fn resolve(&self, value: &Value, now: Timestamp, matchers: bool) -> Result<Value, String> {
        match value {
            Value::String(s) if s.starts_with("$$") => Ok(Value::String(s[1..].to_owned())),
            Value::String(s) if s.starts_with('$') => self.lookup(&s[1..]),
            Value::Array(items) => items
                .iter()
                .map(|item| self.resolve(item, now, matchers))
                .collect::<Result<_, _>>()
                .map(Value::Array),
            Value::Object(map) => {
                if map.contains_key("$repeat") {
                    only_keys(map, &["$repeat", "count"], "$repeat")?;
                    let unit = self.resolve(&map["$repeat"], now, false)?;
                    let unit = unit.as_str().ok_or("$repeat takes a string")?;
                    let count =
                        map.get("count").and_then(Value::as_u64).ok_or("$repeat needs a count")?;
                    return Ok(Value::String(unit.repeat(count as usize)));
                }
                if let Some(parts) = map.get("$concat") {
                    only_keys(map, &["$concat"], "$concat")?;
                    let parts = parts.as_array().ok_or("$concat takes an array")?;
                    let mut joined = String::new();
                    for part in parts {
                        match self.resolve(part, now, false)? {
                            Value::String(s) => joined.push_str(&s),
                            Value::Number(n) => joined.push_str(&n.to_string()),
                            other => return Err(format!("$concat cannot join {other}")),
                        }
                    }
                    return Ok(Value::String(joined));
                }
                if map.contains_key("$time") {
                    return time(map, now);
                }
                if matchers && map.len() == 1 {
                    let (key, argument) = map.iter().next().expect("one entry");
                    if MATCHERS.contains(&key.as_str()) {
                        let argument = self.resolve(argument, now, false)?;
                        return Ok(json!({ key.clone(): argument }));
                    }
                }
                if let Some(key) = map.keys().find(|k| k.starts_with('$')) {
                    return Err(format!("unknown generator or matcher {key:?}"));
                }
                let mut resolved = Map::new();
                for (key, item) in map {
                    resolved.insert(key.clone(), self.resolve(item, now, matchers)?);
                }
                Ok(Value::Object(resolved))
            }
            other => Ok(other.clone()),
        }
    }

    fn lookup(&self, reference: &str) -> Result<Value, String> {
        let end = reference.find(['.', '[']).unwrap_or(reference.len());
        let (name, path) = reference.split_at(end);
        let root = self.vars.get(name).ok_or_else(|| format!("unknown variable ${name}"))?;
        let path = path.strip_prefix('.').unwrap_or(path);
        path_get(root, path)?
            .cloned()
            .ok_or_else(|| format!("${reference}: no such field in {}", snippet(root)))
    }
}

/// `{"$time": "+2d", "zone": "America/New_York", "at": "09:00", "format": "local"}`: the
/// emulator's clock moved by the offset, optionally set to a wall time in a zone, written as
/// a UTC instant (`utc`, default), a local date-time without offset (`local`), or unix seconds.
fn time(map: &Map<String, Value>, now: Timestamp) -> Result<Value, String> {
    only_keys(map, &["$time", "zone", "at", "format"], "$time")?;
    let offset = map["$time"].as_str().ok_or("$time takes an offset such as \"+2d\"")?;
    let (sign, rest) = match offset.split_at_checked(1) {
        Some(("+", rest)) => (1i64, rest),
        Some(("-", rest)) => (-1i64, rest),
        _ => return Err(format!("$time offset {offset:?} must start with + or -")),
    };
    let (amount, unit) = rest.split_at(rest.len().saturating_sub(1));
    let amount: i64 = amount.parse().map_err(|_| format!("$time offset {offset:?}"))?;
    let seconds = amount
        * match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            _ => return Err(format!("$time offset {offset:?}: unit must be s, m, h or d")),
        };
    let moved = now
        .checked_add(jiff::SignedDuration::from_secs(sign * seconds))
        .map_err(|e| e.to_string())?;
    let zone_name = map.get("zone").and_then(Value::as_str).unwrap_or("UTC");
    let zone =
        jiff::tz::TimeZone::get(zone_name).map_err(|e| format!("zone {zone_name:?}: {e}"))?;
    let mut zoned = moved.to_zoned_datetime(zone);
    if let Some(at) = map.get("at").and_then(Value::as_str) {
        let wall: jiff::civil::Time =
            at.parse().map_err(|e| format!("$time at {at:?} is not HH:MM[:SS]: {e}"))?;
        zoned = zoned.with().time(wall).build().map_err(|e| e.to_string())?;
    }
    let zoned = zoned.round(jiff::Unit::Second).map_err(|e| e.to_string())?;
    match map.get("format").and_then(Value::as_str).unwrap_or("utc") {
        "utc" => Ok(Value::from(zoned.timestamp().strftime("%Y-%m-%dT%H:%M:%SZ").to_string())),
        "local" => Ok(Value::from(zoned.strftime("%Y-%m-%dT%H:%M:%S").to_string())),
        "unix" => Ok(Value::from(zoned.timestamp().as_second())),
        other => Err(format!("$time format {other:?} must be utc, local or unix")),
    }
}

/// `results[0].error.code` → the value there; `Ok(None)` when it is absent, `Err` when the path
/// is not well formed.
fn path_get<'a>(root: &'a Value, path: &str) -> Result<Option<&'a Value>, String> {
    let mut current = root;
    if path.is_empty() {
        return Ok(Some(current));
    }
    for segment in path.split('.') {
        let (key, mut indexes) = match segment.find('[') {
            Some(at) => segment.split_at(at),
            None => (segment, ""),
        };
        if !key.is_empty() {
            match current.get(key) {
                Some(next) => current = next,
                None => return Ok(None),
            }
        } else if indexes.is_empty() {
            return Err(format!("the path {path:?} has an empty segment"));
        }
        while !indexes.is_empty() {
            let close = indexes.find(']').ok_or_else(|| format!("unclosed [ in {path:?}"))?;
            let index: usize =
                indexes[1..close].parse().map_err(|_| format!("bad index in {path:?}"))?;
            match current.get(index) {
                Some(next) => current = next,
                None => return Ok(None),
            }
            indexes = &indexes[close + 1..];
            if !indexes.is_empty() && !indexes.starts_with('[') {
                return Err(format!("bad path {path:?}"));
            }
        }
    }
    Ok(Some(current))
}

/// Every `path: expected` of `expected` holds in `actual`.
fn check_expectations(expected: &Value, actual: &Value, what: &str) -> Result<(), String> {
    let expected = expected.as_object().ok_or("an expectation is an object of path: value")?;
    let mut problems = Vec::new();
    for (path, wanted) in expected {
        let found = path_get(actual, path)?;
        if let Err(problem) = matches(wanted, found) {
            problems.push(format!("{what}.{path}: {problem}"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{} — in {}", problems.join("; "), snippet(actual)))
    }
}

fn matches(expected: &Value, actual: Option<&Value>) -> Result<(), String> {
    let shown = || actual.map_or("nothing".to_owned(), |v| v.to_string());
    if let Value::Object(map) = expected {
        if map.len() == 1 {
            let (key, argument) = map.iter().next().expect("one entry");
            let ok = match key.as_str() {
                "$exists" => {
                    let present = actual.is_some_and(|v| !v.is_null());
                    Some(argument.as_bool() == Some(present))
                }
                "$startsWith" => Some(
                    actual
                        .and_then(Value::as_str)
                        .zip(argument.as_str())
                        .is_some_and(|(a, p)| a.starts_with(p)),
                ),
                "$contains" => Some(match actual {
                    Some(Value::String(s)) => argument.as_str().is_some_and(|p| s.contains(p)),
                    Some(Value::Array(items)) => items.iter().any(|item| json_eq(argument, item)),
                    _ => false,
                }),
                "$length" => Some(
                    match actual {
                        Some(Value::String(s)) => Some(s.chars().count() as u64),
                        Some(Value::Array(items)) => Some(items.len() as u64),
                        Some(Value::Object(map)) => Some(map.len() as u64),
                        _ => None,
                    } == argument.as_u64(),
                ),
                "$gte" => Some(
                    actual
                        .and_then(Value::as_f64)
                        .zip(argument.as_f64())
                        .is_some_and(|(a, b)| a >= b),
                ),
                "$lte" => Some(
                    actual
                        .and_then(Value::as_f64)
                        .zip(argument.as_f64())
                        .is_some_and(|(a, b)| a <= b),
                ),
                "$oneOf" => Some(argument.as_array().is_some_and(|options| {
                    options.iter().any(|o| actual.is_some_and(|a| json_eq(o, a)))
                })),
                "$ne" => Some(!actual.is_some_and(|a| json_eq(argument, a))),
                "$sameInstant" => {
                    let parse =
                        |v: Option<&Value>| v.and_then(Value::as_str)?.parse::<Timestamp>().ok();
                    Some(parse(actual).zip(parse(Some(argument))).is_some_and(|(a, b)| a == b))
                }
                _ => None,
            };
            if let Some(ok) = ok {
                return if ok {
                    Ok(())
                } else {
                    Err(format!("expected {key} {argument}, got {}", shown()))
                };
            }
        }
    }
    let equal = match actual {
        Some(actual) => json_eq(expected, actual),
        None => expected.is_null(),
    };
    if equal {
        Ok(())
    } else {
        Err(format!("expected {expected}, got {}", shown()))
    }
}

/// JSON equality with numbers compared by value (`1` equals `1.0`).
fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_eq(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

fn journal_matches(filter: &Value, entry: &Value) -> bool {
    let text = |name: &str| filter.get(name).and_then(Value::as_str);
    if text("method")
        .is_some_and(|m| !entry["method"].as_str().is_some_and(|e| e.eq_ignore_ascii_case(m)))
    {
        return false;
    }
    if text("path")
        .is_some_and(|p| !glob(p.as_bytes(), entry["path"].as_str().unwrap_or("").as_bytes()))
    {
        return false;
    }
    if let Some(status) = filter.get("status") {
        if !json_eq(status, &entry["status"]) {
            return false;
        }
    }
    if let Some(created) = filter.get("created").and_then(Value::as_bool) {
        if created != entry["created"].is_string() {
            return false;
        }
    }
    if let Some(replayed) = filter.get("replayed").and_then(Value::as_bool) {
        if replayed != entry["replayed"].as_bool().unwrap_or(false) {
            return false;
        }
    }
    if let Some(headers) = filter.get("header").and_then(Value::as_object) {
        if !headers
            .iter()
            .all(|(name, value)| json_eq(value, &entry["headers"][name.to_ascii_lowercase()]))
        {
            return false;
        }
    }
    for exact in
        ["fault", "idempotencyKey", "clientRequestId", "traceparent", "retryCount", "query"]
    {
        if let Some(wanted) = filter.get(exact) {
            if !json_eq(wanted, &entry[exact]) {
                return false;
            }
        }
    }
    true
}

/// `*` matches within one path segment, `**` across segments (as the emulator's fault rules).
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    match pattern {
        [] => text.is_empty(),
        [b'*', b'*', rest @ ..] => (0..=text.len()).any(|i| glob(rest, &text[i..])),
        [b'*', rest @ ..] => {
            let limit = text.iter().position(|&c| c == b'/').unwrap_or(text.len());
            (0..=limit).any(|i| glob(rest, &text[i..]))
        }
        [p, rest @ ..] => text.first() == Some(p) && glob(rest, &text[1..]),
    }
}

// ---------------------------------------------------------------------------------------------
// Conversions
// ---------------------------------------------------------------------------------------------

fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("SDK types serialize")
}

/// The error as scenarios see it.
fn error_json(error: &aether::Error) -> Value {
    json!({
        "code": error.code().as_str(),
        "status": error.status(),
        "message": error.message(),
        "field": error.field(),
        "platform": error.platform().map(|p| p.as_str().to_owned()),
        "retryAfter": error.retry_after().map(|d| d.as_secs()),
        "retryable": error.is_retryable(),
        "requestId": error.request_id(),
        "clientRequestId": error.client_request_id(),
        "idempotencyKey": error.idempotency_key(),
        "details": error.details(),
    })
}

/// `warns`: Rust reports warnings on the result, `Post::warnings`; their codes, in order.
fn check_warns(expected: &Value, result: &Value) -> Result<(), String> {
    let reported: Vec<Value> = match result.get("warnings") {
        Some(Value::Array(warnings)) => warnings.iter().map(|w| w["code"].clone()).collect(),
        _ => Vec::new(),
    };
    match expected == &Value::Array(reported.clone()) {
        true => Ok(()),
        false => Err(format!("warns: expected {expected}, the post reported {reported:?}")),
    }
}

/// What `webhooks.verifySignature` and `webhooks.constructEvent` share: the delivery's body and
/// signature header, the secrets to try, and the tolerance.
fn signed_delivery(
    op: &str,
    input: &Value,
) -> Result<(String, String, Vec<String>, Duration), String> {
    let payload = text(input, "payload")?;
    let header = text(input, "header")?;
    let secrets = input.get("secrets").ok_or_else(|| format!("{op} needs secrets"))?;
    let secrets: Vec<String> = from_input(op, secrets)?;
    let tolerance = match input.get("toleranceSeconds") {
        None => DEFAULT_TOLERANCE,
        Some(s) => Duration::from_secs(s.as_u64().ok_or("toleranceSeconds: integer")?),
    };
    Ok((payload, header, secrets, tolerance))
}

/// What `media.upload` and `media.ingest` share: the media's name and type, and the platforms
/// and tier its preflight checks.
fn described_media(op: &str, input: &Value) -> Result<UploadOptions, String> {
    let mut upload = UploadOptions::new();
    if let Some(name) = input.get("fileName").and_then(Value::as_str) {
        upload = upload.file_name(name);
    }
    if let Some(mime) = input.get("mimeType").and_then(Value::as_str) {
        upload = upload.mime_type(mime);
    }
    let platforms: Vec<String> = match input.get("platforms") {
        None => Vec::new(),
        Some(list) => from_input(op, list)?,
    };
    for platform in platforms {
        upload = upload.platform(Platform::parse(&platform));
    }
    if let Some(tier) = input.get("tier").and_then(Value::as_str) {
        upload = upload.tier(Tier::parse(tier));
    }
    Ok(upload)
}

/// Reads a model type from a step's input, refusing input the type would silently drop (a
/// misspelt field would otherwise make a scenario test something else than it says).
fn from_input<T: DeserializeOwned + Serialize>(op: &str, input: &Value) -> Result<T, String> {
    let parsed: T =
        serde_json::from_value(input.clone()).map_err(|e| format!("{op}: bad input: {e}"))?;
    let back = to_json(&parsed);
    let mut dropped = Vec::new();
    dropped_paths(input, &back, String::new(), &mut dropped);
    if !dropped.is_empty() {
        return Err(format!(
            "{op}: the SDK's request type has no field for {}",
            dropped.join(", ")
        ));
    }
    Ok(parsed)
}

fn dropped_paths(input: &Value, back: &Value, at: String, out: &mut Vec<String>) {
    match input {
        Value::Object(map) => {
            for (key, value) in map {
                let path = if at.is_empty() { key.clone() } else { format!("{at}.{key}") };
                match back.get(key) {
                    Some(kept) => dropped_paths(value, kept, path, out),
                    None if is_empty(value) => {}
                    None => out.push(path),
                }
            }
        }
        Value::Array(items) => {
            for (index, value) in items.iter().enumerate() {
                match back.get(index) {
                    Some(kept) => dropped_paths(value, kept, format!("{at}[{index}]"), out),
                    None => out.push(format!("{at}[{index}]")),
                }
            }
        }
        _ => {}
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

fn fields(input: &Value, allowed: &[&str], op: &str) -> Result<(), String> {
    only_keys(input.as_object().ok_or("input must be an object")?, allowed, &format!("{op} input"))
}

fn text(input: &Value, name: &str) -> Result<String, String> {
    input
        .get(name)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("input.{name} must be a string"))
}

fn millis(input: &Value, name: &str) -> Result<Option<Duration>, String> {
    match input.get(name) {
        None => Ok(None),
        Some(ms) => ms
            .as_u64()
            .map(|ms| Some(Duration::from_millis(ms)))
            .ok_or_else(|| format!("input.{name} must be milliseconds")),
    }
}

fn request_options(value: &Value) -> Result<RequestOptions, String> {
    let map = value.as_object().ok_or("options must be an object")?;
    only_keys(map, OPTION_KEYS, "options")?;
    let mut options = RequestOptions::new();
    if let Some(key) = map.get("idempotencyKey") {
        options = options.idempotency_key(key.as_str().ok_or("idempotencyKey: string")?);
    }
    if let Some(retries) = map.get("maxRetries") {
        options = options.max_retries(retries.as_u64().ok_or("maxRetries: integer")? as u32);
    }
    if let Some(ms) = map.get("timeoutMs") {
        options = options.timeout(Duration::from_millis(ms.as_u64().ok_or("timeoutMs: integer")?));
    }
    if let Some(ms) = map.get("attemptTimeoutMs") {
        let ms = ms.as_u64().ok_or("attemptTimeoutMs: integer")?;
        options = options.attempt_timeout(Duration::from_millis(ms));
    }
    if let Some(traceparent) = map.get("traceparent") {
        options = options.traceparent(traceparent.as_str().ok_or("traceparent: string")?);
    }
    Ok(options)
}

fn snippet(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(600) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

// ---------------------------------------------------------------------------------------------
// The webhook receiver
// ---------------------------------------------------------------------------------------------

#[derive(Debug)]
struct Delivery {
    signature: Option<String>,
    body: Vec<u8>,
    taken: bool,
}

/// A loopback HTTP endpoint that keeps every delivery and answers `status` (200 unless a
/// `receiver.setStatus` step changed it).
struct Receiver {
    url: String,
    deliveries: Arc<Mutex<Vec<Delivery>>>,
    status: Arc<AtomicU16>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
        let url = format!("http://{}/hooks", listener.local_addr().expect("bound"));
        let deliveries = Arc::new(Mutex::new(Vec::new()));
        let store = deliveries.clone();
        let status = Arc::new(AtomicU16::new(200));
        let answer = status.clone();
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(receive(socket, store.clone(), answer.clone()));
            }
        });
        Receiver { url, deliveries, status, task }
    }

    fn stop(&self) {
        self.task.abort();
    }

    /// The first delivery not yet taken whose event has this type and post.
    async fn next(
        &self,
        kind: Option<&str>,
        post_id: Option<&str>,
        timeout: Duration,
    ) -> Result<Value, String> {
        let deadline = Instant::now() + timeout;
        loop {
            {
                let mut deliveries = self.deliveries.lock().unwrap_or_else(|e| e.into_inner());
                for delivery in deliveries.iter_mut().filter(|d| !d.taken) {
                    let event: Value =
                        serde_json::from_slice(&delivery.body).unwrap_or(Value::Null);
                    let fits = kind.is_none_or(|k| event["type"] == k)
                        && post_id.is_none_or(|p| event["data"]["post"]["id"] == p);
                    if fits {
                        delivery.taken = true;
                        return Ok(json!({
                            "body": String::from_utf8_lossy(&delivery.body),
                            "signature": delivery.signature,
                            "event": event,
                        }));
                    }
                }
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "no delivery of {} for post {} arrived within {timeout:?}",
                    kind.unwrap_or("any type"),
                    post_id.unwrap_or("any")
                ));
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

/// Reads one request (`connection: close` is answered, so one per connection) and keeps it.
async fn receive(
    mut socket: tokio::net::TcpStream,
    store: Arc<Mutex<Vec<Delivery>>>,
    status: Arc<AtomicU16>,
) {
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let Ok(n) = socket.read(&mut buf).await else { return };
        if n == 0 {
            return;
        }
        data.extend_from_slice(&buf[..n]);
        let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
        let head = String::from_utf8_lossy(&data[..end]).into_owned();
        let header = |name: &str| {
            head.lines().skip(1).find_map(|line| {
                let (key, value) = line.split_once(':')?;
                key.trim().eq_ignore_ascii_case(name).then(|| value.trim().to_owned())
            })
        };
        let length: usize = header("content-length").and_then(|l| l.parse().ok()).unwrap_or(0);
        if data.len() < end + 4 + length {
            continue;
        }
        let body = data[end + 4..end + 4 + length].to_vec();
        let signature = header(SIGNATURE_HEADER);
        store.lock().unwrap_or_else(|e| e.into_inner()).push(Delivery {
            signature,
            body,
            taken: false,
        });
        let status = status.load(Ordering::SeqCst);
        let answer =
            format!("HTTP/1.1 {status} Status\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        let _ = socket.write_all(answer.as_bytes()).await;
        let _ = socket.shutdown().await;
        return;
    }
}
