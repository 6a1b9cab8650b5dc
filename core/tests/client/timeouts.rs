//! Timeouts that hold on real networks: the per-attempt bound against a response that stalls
//! mid-body, the call's bound over all attempts, an upload part that stalls and is sent again,
//! the one free retry after a kept-alive connection the server closed while idle, and a
//! connect timeout set per call. Time bounds are generous "no hang" bounds, never tight ones.

use std::time::{Duration, Instant};

use crate::client_common::{text_post, Emulator};
use aether::upload::{UploadOptions, UploadSettings, UploadSource};
use aether::{CallOptions, ClientBuilder, ClientOptions, ErrorCode, RequestOptions, Spelling};
use serde_json::json;

use crate::client_common::media_fixture as fixture;

/// Every GET of the profile stalls mid-body for `ms`, `times` times (all, when `None`).
async fn stall_profile_reads(emulator: &Emulator, times: Option<u32>, ms: u64) -> String {
    let profile = emulator.profile("linkedin").await;
    let mut rule = json!({"method": "GET", "path": "/v1/profiles/*",
                          "action": {"type": "stall_mid_response", "afterBytes": 5, "ms": ms}});
    if let Some(times) = times {
        rule["times"] = json!(times);
    }
    emulator.fault(rule).await;
    profile
}

#[tokio::test]
async fn a_stalled_response_is_abandoned_after_the_attempt_timeout_and_retried() {
    let emulator = Emulator::start().await;
    let profile = stall_profile_reads(&emulator, Some(1), 20_000).await;
    let client = emulator.builder().attempt_timeout(Duration::from_millis(300)).build().unwrap();

    let started = Instant::now();
    let read = client.profiles().get(&profile).await.expect("the retry gets the answer");
    assert_eq!(read.id, profile);
    assert!(started.elapsed() < Duration::from_secs(10), "no wait for the stall to end");
    let reads = emulator.journal_for("GET", &format!("/v1/profiles/{profile}")).await;
    assert_eq!(reads.len(), 2, "{reads:#?}");
    assert_eq!(reads[0]["fault"], "stall_mid_response");
}

#[tokio::test]
async fn a_call_sets_its_own_attempt_timeout() {
    let emulator = Emulator::start().await;
    let profile = stall_profile_reads(&emulator, Some(1), 20_000).await;
    // The client's default (30 s) would wait; this call does not.
    let profiles = emulator
        .client()
        .profiles()
        .with_options(RequestOptions::new().attempt_timeout(Duration::from_millis(300)));

    let started = Instant::now();
    profiles.get(&profile).await.expect("the retry gets the answer");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(emulator.journal_for("GET", &format!("/v1/profiles/{profile}")).await.len(), 2);
}

#[tokio::test]
async fn the_call_timeout_bounds_every_attempt_together() {
    let emulator = Emulator::start().await;
    let profile = stall_profile_reads(&emulator, None, 20_000).await;
    let client = emulator
        .builder()
        .attempt_timeout(Duration::from_millis(400))
        .request_timeout(Duration::from_millis(1000))
        .max_retries(10)
        .build()
        .unwrap();

    let started = Instant::now();
    let error = client.profiles().get(&profile).await.expect_err("every attempt stalls");
    assert_eq!(*error.code(), ErrorCode::Timeout, "{error}");
    assert!(started.elapsed() < Duration::from_secs(5), "bounded by the call: {error}");
    let reads = emulator.journal_for("GET", &format!("/v1/profiles/{profile}")).await;
    assert!((2..=4).contains(&reads.len()), "a few attempts, not 11: {reads:#?}");
}

#[tokio::test]
async fn a_stalled_upload_part_is_sent_again_and_the_upload_completes() {
    let emulator = Emulator::start().await;
    emulator
        .fault(json!({"method": "PUT", "path": "/v1/media/uploads/*/parts/*", "times": 1,
                      "action": {"type": "stall_request_body", "afterBytes": 1024, "ms": 20_000}}))
        .await;
    let options =
        UploadOptions::new().single_shot_threshold(0).stall_timeout(Duration::from_millis(300));
    let path = fixture("h264_aac_faststart.mp4");

    let started = Instant::now();
    let media = emulator.client().media().upload(UploadSource::path(&path), options).await;
    let media = media.expect("the part is sent again and the upload completes");
    assert_eq!(media.size, std::fs::metadata(&path).unwrap().len());
    assert!(started.elapsed() < Duration::from_secs(10), "no wait for the stall to end");
    let puts: Vec<_> = emulator
        .journal()
        .await
        .into_iter()
        .filter(|e| e["method"] == "PUT" && e["path"].as_str().unwrap_or("").contains("/parts/"))
        .collect();
    assert_eq!(puts.len(), 2, "the part twice: {puts:#?}");
    assert_eq!(puts[0]["fault"], "stall_request_body");
    assert_eq!(puts[1]["status"], 200);
}

#[tokio::test]
async fn a_post_on_a_connection_closed_while_idle_is_sent_again_without_spending_a_retry() {
    let emulator = Emulator::start().await;
    let profile = emulator.profile("linkedin").await;
    // No retries and no budget: only the free retry can save the create.
    let client = emulator.builder().max_retries(0).retry_budget(0).build().unwrap();
    emulator
        .fault(json!({"method": "GET", "path": "/v1/profiles/*", "times": 1,
                      "action": {"type": "close_idle", "ms": 0}}))
        .await;
    client.profiles().get(&profile).await.expect("the read that leaves the connection idle");

    let post = client.posts().create(&text_post(&profile, "once")).await.expect("sent again");

    let creates = emulator.journal_for("POST", "/v1/posts").await;
    assert_eq!(creates.len(), 2, "{creates:#?}");
    assert_eq!(creates[0]["fault"], "close_idle");
    assert!(creates[0]["status"].is_null());
    assert_eq!(creates[0]["idempotencyKey"], creates[1]["idempotencyKey"]);
    assert_eq!(creates[1]["created"], post.id.as_str());
    let listed = client.posts().list_page(&Default::default()).await.unwrap();
    assert_eq!(listed.data.len(), 1, "exactly one post");
}

/// A loopback address whose connects never complete: a listener with a backlog of 1 that never
/// accepts, its accept queue filled, so the kernel drops further SYNs. Keep both values alive.
async fn never_accepting_address() -> (tokio::net::TcpListener, Vec<tokio::net::TcpStream>, String)
{
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut queued = Vec::new();
    for _ in 0..8 {
        let connect = tokio::net::TcpStream::connect(addr);
        match tokio::time::timeout(Duration::from_millis(300), connect).await {
            Ok(stream) => queued.push(stream.expect("a queued connection")),
            // The queue is full: this connect hangs, as the call's will.
            Err(_) => return (listener, queued, format!("http://{addr}")),
        }
    }
    panic!("the kernel kept accepting connections into a backlog of 1: no hanging connect here");
}

#[tokio::test]
async fn a_call_sets_its_own_connect_timeout_and_the_clients_pool_keeps_working() {
    let emulator = Emulator::start().await;
    let (_listener, _queued, hanging) = never_accepting_address().await;
    let long = Duration::from_secs(30);
    let short = RequestOptions::new().connect_timeout(Duration::from_millis(300));
    let stuck = emulator.builder().base_url(&hanging).connect_timeout(long).build().unwrap();

    let started = Instant::now();
    let error = stuck.profiles().with_options(short.clone()).get("prof_1").await.expect_err("");
    assert_eq!(*error.code(), ErrorCode::NetworkError, "{error}");
    assert!(error.message().contains("within the connect timeout"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(10), "not the client's 30 s: {error}");
    // Without it, the client's 30 s apply: only the call's own bound ends the wait.
    let bounded = RequestOptions::new().timeout(Duration::from_millis(1500));
    let error = stuck.profiles().with_options(bounded).get("prof_1").await.expect_err("");
    assert_eq!(*error.code(), ErrorCode::Timeout, "{error}");

    // Against the emulator, the default pool and a per-call one both work, in any order.
    let client = emulator.builder().connect_timeout(long).build().unwrap();
    let profile = emulator.profile("linkedin").await;
    assert_eq!(client.profiles().get(&profile).await.unwrap().id, profile);
    let own = client.profiles().with_options(short);
    assert_eq!(own.get(&profile).await.unwrap().id, profile);
    assert_eq!(client.profiles().get(&profile).await.unwrap().id, profile);
}

#[tokio::test]
async fn zero_and_negative_timeouts_are_refused_naming_the_option() {
    let base = || ClientOptions { api_key: Some("sk_test_1".into()), ..ClientOptions::new() };
    let cases = [
        (Spelling::Rust, 0.0, "Client::builder().attempt_timeout(..)"),
        (Spelling::Node, -5.0, "attemptTimeoutMs"),
        (Spelling::Python, 0.0, "attempt_timeout="),
        (Spelling::C, -1.0, "options.attempt_timeout_ms"),
    ];
    for (spelling, ms, name) in cases {
        let options = ClientOptions { attempt_timeout_ms: Some(ms), ..base().spelled(spelling) };
        let error = ClientBuilder::from_options(options).build().expect_err("refused");
        assert_eq!(*error.code(), ErrorCode::InvalidArgument);
        assert!(error.message().starts_with(name), "{}", error.message());
        assert_eq!(error.field(), Some(name));
    }
    let call = CallOptions { attempt_timeout_ms: Some(0.0), ..CallOptions::default() };
    let error = call.spelled(Spelling::Node).resolve().expect_err("refused");
    assert!(error.message().starts_with("attemptTimeoutMs must be more than 0"), "{error}");
    for (spelling, ms, name) in
        [(Spelling::Node, 0.0, "connectTimeoutMs"), (Spelling::Python, -1.0, "connect_timeout=")]
    {
        let call = CallOptions { connect_timeout_ms: Some(ms), ..CallOptions::default() };
        let error = call.spelled(spelling).resolve().expect_err("refused");
        assert_eq!(*error.code(), ErrorCode::InvalidArgument);
        assert!(error.message().starts_with(name), "{error}");
    }
    let settings = UploadSettings { stall_timeout_ms: Some(0.0), ..UploadSettings::default() };
    let error = settings.spelled(Spelling::Python).check().expect_err("refused");
    assert!(error.message().starts_with("stall_timeout= must be more than 0"), "{error}");
    let settings = UploadSettings { stall_timeout_ms: Some(-1.0), ..UploadSettings::default() };
    assert_eq!(*settings.check().expect_err("refused").code(), ErrorCode::InvalidArgument);
}

#[tokio::test]
async fn the_defaults_are_the_cores_and_shown() {
    let defaults = ClientOptions::defaults();
    assert_eq!(defaults.attempt_timeout_ms, Some(30_000.0));
    assert_eq!(UploadSettings::defaults().stall_timeout_ms, Some(30_000.0));
    let emulator = Emulator::start().await;
    let effective = emulator.client().effective_options();
    assert_eq!(effective.attempt_timeout_ms, defaults.attempt_timeout_ms);
    let set = emulator.builder().attempt_timeout(Duration::from_millis(1500)).build().unwrap();
    assert_eq!(set.effective_options().attempt_timeout_ms, Some(1500.0));
}
