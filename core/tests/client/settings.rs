//! Settings as plain data: the option types deserialize as the bindings send them, every check
//! is in the core with one message per fault, spelled in the caller's language, and a client
//! built without settings runs on the core's defaults.

use std::time::Duration;

use aether::model::{Platform, Tier};
use aether::poll::PollOptions;
use aether::posts::WaitOptions;
use aether::upload::{UploadOptions, UploadSettings, UploadSource};
use aether::{CallOptions, Client, ClientBuilder, ClientOptions, ErrorCode, Spelling};
use serde_json::json;

use crate::client_common::Emulator;

fn no_key_in_env() -> bool {
    std::env::var("AETHER_API_KEY").map_or(true, |key| key.trim().is_empty())
}

#[test]
fn a_missing_key_is_named_as_each_language_spells_it() {
    if !no_key_in_env() {
        eprintln!("AETHER_API_KEY is set; skipped");
        return;
    }
    let cases = [
        (Spelling::Rust, "Client::builder().api_key(..)"),
        (Spelling::Python, "api_key="),
        (Spelling::Node, "apiKey"),
        (Spelling::C, "options.api_key"),
        (Spelling::Cli, "--api-key"),
    ];
    for (spelling, name) in cases {
        let options = ClientOptions::new().spelled(spelling);
        let error = ClientBuilder::from_options(options).build().unwrap_err();
        assert_eq!(*error.code(), ErrorCode::InvalidArgument);
        assert!(
            error.message().contains(&format!("pass one with {name} or set the AETHER_API_KEY")),
            "{spelling:?}: {}",
            error.message()
        );
    }
}

#[test]
fn client_options_take_the_node_wire_names_and_refuse_unknown_ones() {
    let options: ClientOptions = serde_json::from_value(json!({
        "apiKey": "sk_test_1", "baseUrl": "http://127.0.0.1:9", "timeoutMs": 1500,
        "connectTimeoutMs": 250, "maxRetries": 0, "userAgentSuffix": "node/22",
        "retryBackoffInitialMs": 10, "retryBackoffMaxMs": 20,
    }))
    .unwrap();
    let client = ClientBuilder::from_options(options).build().unwrap();
    let effective = client.effective_options();
    assert_eq!(effective.timeout_ms, Some(1500.0));
    assert_eq!(effective.connect_timeout_ms, Some(250.0));
    assert_eq!(effective.max_retries, Some(0));
    assert_eq!(effective.retry_backoff_base_ms, Some(10.0));
    assert_eq!(effective.retry_backoff_cap_ms, Some(20.0));
    assert_eq!(effective.user_agent_suffix.as_deref(), Some("node/22"));
    assert!(client.user_agent().ends_with("(node/22)"));
    // The key is never read back, nor serialized, nor in Debug.
    assert_eq!(effective.api_key, None);
    let debug = format!(
        "{:?}",
        ClientOptions { api_key: Some("sk_secret".into()), ..ClientOptions::new() }
    );
    assert!(!debug.contains("sk_secret"), "{debug}");

    let error = serde_json::from_value::<ClientOptions>(json!({"apiKye": "x"})).unwrap_err();
    assert!(error.to_string().contains("unknown field `apiKye`"), "{error}");
}

#[test]
fn a_client_without_settings_runs_on_the_core_defaults() {
    let client = Client::builder().api_key("sk_test_1").base_url("http://127.0.0.1:9").build();
    let effective = client.unwrap().effective_options();
    let defaults = ClientOptions::defaults();
    assert_eq!(effective.timeout_ms, defaults.timeout_ms);
    assert_eq!(effective.connect_timeout_ms, defaults.connect_timeout_ms);
    assert_eq!(effective.max_retries, defaults.max_retries);
    assert_eq!(effective.retry_backoff_base_ms, defaults.retry_backoff_base_ms);
    assert_eq!(effective.retry_backoff_cap_ms, defaults.retry_backoff_cap_ms);
    let all = aether::defaults();
    assert_eq!(all["client"]["maxRetries"], json!(defaults.max_retries));
    assert_eq!(all["upload"]["parallelism"], json!(aether::upload::DEFAULT_PARALLELISM));
    assert_eq!(all["postsWait"]["pollIntervalMs"], json!(3000.0));
    assert_eq!(all["mediaWait"]["timeoutMs"], json!(600_000.0));
}

#[tokio::test]
async fn the_default_retry_count_is_what_the_emulator_sees() {
    let emulator = Emulator::start().await;
    let profile = emulator.profile("linkedin").await;
    emulator
        .fault(json!({"method": "GET", "path": format!("/v1/profiles/{profile}"), "times": 10,
                      "action": {"type": "status", "status": 503}}))
        .await;
    // The emulator's builder sets only the key, the URL and a fast backoff.
    let client = emulator.client();
    client.profiles().get(&profile).await.unwrap_err();
    let attempts = emulator.journal_for("GET", &format!("/v1/profiles/{profile}")).await;
    let retries = ClientOptions::defaults().max_retries.unwrap();
    assert_eq!(attempts.len() as i64, retries + 1, "{attempts:#?}");
}

#[test]
fn each_fault_has_one_message_naming_the_option() {
    let bad = |options: ClientOptions| ClientBuilder::from_options(options).build().unwrap_err();
    let base = || ClientOptions { api_key: Some("sk_test_1".into()), ..ClientOptions::new() };

    let error = bad(ClientOptions { timeout_ms: Some(-1.0), ..base().spelled(Spelling::Node) });
    assert_eq!(*error.code(), ErrorCode::InvalidArgument);
    assert_eq!(
        error.message(),
        "timeoutMs must be a finite, non-negative number of milliseconds, not -1"
    );
    let error =
        bad(ClientOptions { timeout_ms: Some(-1500.0), ..base().spelled(Spelling::Python) });
    assert_eq!(
        error.message(),
        "timeout= must be a finite, non-negative number of seconds, not -1.5"
    );
    let error =
        bad(ClientOptions { connect_timeout_ms: Some(f64::NAN), ..base().spelled(Spelling::C) });
    assert!(
        error.message().starts_with("options.connect_timeout_ms must be a finite"),
        "{}",
        error.message()
    );
    let error = bad(ClientOptions { max_retries: Some(-1), ..base().spelled(Spelling::Node) });
    assert_eq!(error.message(), "maxRetries is -1; it must be a whole number from 0 to 1000");

    let call = CallOptions { timeout_ms: Some(f64::INFINITY), ..CallOptions::default() };
    let error = call.spelled(Spelling::Python).resolve().unwrap_err();
    assert!(error.message().starts_with("timeout= must be a finite"), "{}", error.message());
    let call: CallOptions =
        serde_json::from_value(json!({"timeoutMs": 5, "idempotencyKey": "k"})).unwrap();
    let resolved = call.resolve().unwrap();
    assert_eq!(resolved.timeout, Some(Duration::from_millis(5)));
    assert_eq!(resolved.idempotency_key.as_deref(), Some("k"));
}

#[tokio::test]
async fn an_unknown_tier_or_platform_and_bad_sizes_are_refused_before_anything_is_sent() {
    let emulator = Emulator::start().await;
    let client = emulator.client();
    let upload = |settings: UploadSettings| {
        let client = client.clone();
        async move {
            let source = UploadSource::bytes(vec![1u8; 64]);
            client.media().upload(source, UploadOptions::from(settings)).await.unwrap_err()
        }
    };
    let settings: UploadSettings = serde_json::from_value(json!({"tier": "gold"})).unwrap();
    let error = upload(settings.spelled(Spelling::Node)).await;
    assert_eq!(*error.code(), ErrorCode::InvalidArgument);
    assert_eq!(error.message(), "tier is \"gold\"; use \"standard\" or \"creator\"");

    let settings = UploadSettings { tier: Some(Tier::parse("gold")), ..UploadSettings::default() };
    let error = upload(settings.spelled(Spelling::C)).await;
    assert!(error.message().starts_with("options.tier is \"gold\""), "{}", error.message());

    let settings = UploadSettings {
        platforms: Some(vec![Platform::Tiktok, Platform::parse("myspace")]),
        ..UploadSettings::default()
    };
    let error = upload(settings.spelled(Spelling::Python)).await;
    assert!(error.message().starts_with("platforms= names \"myspace\""), "{}", error.message());

    let settings = UploadSettings { parallelism: Some(0), ..UploadSettings::default() };
    let error = upload(settings).await;
    assert_eq!(error.message(), "parallelism is 0; it must be 1–64");
    let settings = UploadSettings { part_size: Some(1), ..UploadSettings::default() };
    let error = upload(settings.spelled(Spelling::Node)).await;
    assert!(
        error.message().starts_with("partSize is 1; the server accepts"),
        "{}",
        error.message()
    );

    assert!(emulator.journal_for("POST", "/v1/media").await.is_empty());
}

#[tokio::test]
async fn poll_options_are_one_type_for_posts_and_media() {
    let options: PollOptions =
        serde_json::from_value(json!({"pollIntervalMs": 0, "timeoutMs": 10})).unwrap();
    let emulator = Emulator::start().await;
    let client = emulator.client();
    let error = client
        .posts()
        .wait("pst_1", WaitOptions::from(options.clone().spelled(Spelling::Node)))
        .await
        .unwrap_err();
    assert_eq!(*error.code(), ErrorCode::InvalidArgument);
    assert!(error.message().contains("pollIntervalMs"), "{}", error.message());
    let error = client
        .media()
        .wait_ready(
            "med_1",
            aether::media::MediaWaitOptions::from(options.spelled(Spelling::Python)),
        )
        .await
        .unwrap_err();
    assert!(error.message().contains("poll_interval="), "{}", error.message());
    let error = serde_json::from_value::<PollOptions>(json!({"interval": 1})).unwrap_err();
    assert!(error.to_string().contains("unknown field"), "{error}");
}
