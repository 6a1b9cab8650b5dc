//! The client over HTTPS against the emulator's generated CA (`MockConfig::tls`): the tutorial
//! flow with the CA trusted, `TLS_ERROR` (never a hang, never `NETWORK_ERROR`, never retried)
//! when it is not, mutual TLS, and the checks on the PEM files made when a client is built.

use std::time::{Duration, Instant};

use crate::client_common::Emulator;
use aether::media::MediaWaitOptions;
use aether::model::{
    CreateConnectLinkRequest, CreatePostRequest, Platform, PostContent, PostStatus,
};
use aether::posts::WaitOptions;
use aether::upload::{UploadOptions, UploadSource};
use aether::ErrorCode;
use aether_mock::{ClientAuth, MockConfig, TlsConfig};

async fn https_emulator(client_auth: ClientAuth) -> Emulator {
    let tls = TlsConfig { client_auth, ..TlsConfig::default() };
    Emulator::with_config(MockConfig { tls: Some(tls), ..MockConfig::default() }).await
}

fn ca_file(emulator: &Emulator) -> String {
    let files = emulator.server.tls_files();
    files.ca_file.as_ref().expect("a generated CA").display().to_string()
}

use crate::client_common::media_fixture as fixture;

#[tokio::test]
async fn the_tutorial_flow_runs_over_https_when_the_emulators_ca_is_trusted() {
    let emulator = https_emulator(ClientAuth::None).await;
    assert!(emulator.server.url().starts_with("https://127.0.0.1:"), "{}", emulator.server.url());
    emulator.settings(serde_json::json!({"processingMs": 200})).await;
    let client = emulator.builder().ca_bundle(ca_file(&emulator)).build().unwrap();

    // Connect a TikTok account through a connect link (the end user approves it).
    let link = client
        .connect_links()
        .create(&CreateConnectLinkRequest {
            platform: Platform::Tiktok,
            redirect_url: "https://yourapp.example/callback".into(),
            state: Some("csrf-tls".into()),
        })
        .await
        .unwrap();
    assert!(link.url.starts_with("https://"), "{}", link.url);
    let decision = emulator.admin.approve_connect_link(&link.id, None).await.unwrap();
    let profile = decision.profile.expect("a connected profile");

    // Upload a video, post it, wait until it is published.
    let media = client
        .media()
        .upload(UploadSource::path(fixture("h264_15s.mp4")), UploadOptions::new())
        .await
        .unwrap();
    let wait = MediaWaitOptions::default().poll_interval(Duration::from_millis(20));
    client.media().wait_ready(&media.media_key, wait).await.unwrap();
    let request = CreatePostRequest {
        profile_id: Some(profile.id.clone()),
        content: Some(PostContent::new("over TLS")),
        media_keys: vec![media.media_key.clone()],
        ..Default::default()
    };
    let post = client.posts().create(&request).await.unwrap();
    let options = WaitOptions::default().poll_interval(Duration::from_millis(50));
    let done = client.posts().wait(&post.id, options).await.unwrap();
    assert_eq!(done.status, PostStatus::Published);
}

#[tokio::test]
async fn an_untrusted_server_certificate_is_tls_error_naming_ca_bundle_and_not_retried() {
    let emulator = https_emulator(ClientAuth::None).await;
    // Only the operating system's roots: the emulator's CA is not among them.
    let client = emulator.builder().max_retries(3).build().unwrap();
    let error = client.profiles().list_page(&Default::default()).await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::TlsError, "{error}");
    assert!(!error.is_retryable());
    let message = error.to_string();
    assert!(message.contains("not trusted"), "{message}");
    assert!(message.contains("ca_bundle") && message.contains("AETHER_CA_BUNDLE"), "{message}");
}

/// Issue 16 asks for the wrong-CA failure in under 2 s; the bound is asserted loosely here
/// (10 s, for loaded CI machines) because the point is "no retries, no hang".
#[tokio::test]
async fn another_servers_ca_is_tls_error_at_once_not_after_retries() {
    let emulator = https_emulator(ClientAuth::None).await;
    let other = https_emulator(ClientAuth::None).await;
    let client = emulator.builder().ca_bundle(ca_file(&other)).max_retries(5).build().unwrap();
    let started = Instant::now();
    let error = client.profiles().list_page(&Default::default()).await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::TlsError, "{error}");
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
}

#[tokio::test]
async fn mutual_tls_accepts_the_right_client_certificate_and_refuses_none() {
    let emulator = https_emulator(ClientAuth::GeneratedCa).await;
    let files = emulator.server.tls_files().clone();
    let cert = files.client_cert_file.unwrap().display().to_string();
    let key = files.client_key_file.unwrap().display().to_string();

    let with_cert = emulator
        .builder()
        .ca_bundle(ca_file(&emulator))
        .client_cert(cert)
        .client_key(key)
        .build()
        .unwrap();
    with_cert.profiles().list_page(&Default::default()).await.unwrap();

    let without = emulator.builder().ca_bundle(ca_file(&emulator)).build().unwrap();
    let error = without.profiles().list_page(&Default::default()).await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::TlsError, "{error}");
    let message = error.to_string();
    assert!(message.contains("client_cert") && message.contains("AETHER_CLIENT_CERT"), "{message}");
}

#[tokio::test]
async fn an_https_client_to_a_plain_http_server_is_tls_error_saying_so() {
    let plain = Emulator::start().await;
    let https_url = plain.server.url().replace("http://", "https://");
    let client = plain.builder().base_url(https_url).max_retries(0).build().unwrap();
    let error = client.profiles().list_page(&Default::default()).await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::TlsError, "{error}");
    assert!(error.to_string().contains("HTTPS"), "{error}");
}

#[test]
fn unreadable_or_invalid_pem_files_are_refused_when_the_client_is_built() {
    let dir = tempfile::tempdir().unwrap();
    let not_pem = dir.path().join("not.pem");
    std::fs::write(&not_pem, "hello").unwrap();
    let not_pem = not_pem.display().to_string();
    let builder = || aether::Client::builder().api_key("sk_test_x").base_url("https://127.0.0.1:9");

    let error = builder().ca_bundle("/nonexistent/ca.pem").build().unwrap_err();
    assert_eq!(error.code(), &ErrorCode::InvalidArgument);
    assert!(error.to_string().contains("ca_bundle"), "{error}");

    let error = builder().ca_bundle(&not_pem).build().unwrap_err();
    assert_eq!(error.code(), &ErrorCode::InvalidArgument);
    assert!(error.to_string().contains("no certificate"), "{error}");

    let error = builder().client_cert(&not_pem).build().unwrap_err();
    assert_eq!(error.code(), &ErrorCode::InvalidArgument);
    assert!(error.to_string().contains("client_key"), "{error}");

    let error = builder().client_cert(&not_pem).client_key(&not_pem).build().unwrap_err();
    assert_eq!(error.code(), &ErrorCode::InvalidArgument);
    assert!(error.to_string().contains("client_cert"), "{error}");
}

#[tokio::test]
async fn the_ca_bundle_and_client_certificate_spelled_in_node_and_read_back() {
    let emulator = https_emulator(ClientAuth::None).await;
    let options = aether::ClientOptions {
        api_key: Some(emulator.server.api_key().into()),
        base_url: Some(emulator.server.url().into()),
        ca_bundle: Some(ca_file(&emulator)),
        ..Default::default()
    };
    let client = aether::ClientBuilder::from_options(options).build().unwrap();
    client.profiles().list_page(&Default::default()).await.unwrap();
    assert_eq!(client.effective_options().ca_bundle, Some(ca_file(&emulator)));

    let bad = aether::ClientOptions {
        api_key: Some("sk".into()),
        ca_bundle: Some("/nonexistent".into()),
        spelling: aether::settings::Spelling::Node,
        ..Default::default()
    };
    let error = aether::ClientBuilder::from_options(bad).build().unwrap_err();
    assert!(error.to_string().contains("caBundle"), "{error}");
}
