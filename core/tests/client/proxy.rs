//! Through a real forward proxy (tinyproxy, started by `scripts/proxy` on a free port of
//! 127.0.0.1): the API over HTTPS in a CONNECT tunnel with the emulator's CA, a proxy that
//! demands credentials, and `PROXY_ERROR` (never retried, password never shown) when the proxy
//! is unreachable or refuses them. The environment variables (`HTTPS_PROXY`, `NO_PROXY`) are
//! tested through the CLI in a subprocess (cli/tests/cli/proxy.rs), so that they cannot leak
//! into the other tests of this process.

use std::time::{Duration, Instant};

use crate::client_common::forward_proxy::Proxy;
use crate::client_common::{text_post, CapturedLog, Emulator};
use aether::model::{CreateConnectLinkRequest, Platform};
use aether::{Error, ErrorCode, ErrorFamily};
use aether_mock::{MockConfig, TlsConfig};

async fn https_emulator() -> Emulator {
    Emulator::with_config(MockConfig { tls: Some(TlsConfig::default()), ..MockConfig::default() })
        .await
}

fn ca_file(emulator: &Emulator) -> String {
    emulator.server.tls_files().ca_file.as_ref().expect("a generated CA").display().to_string()
}

fn port_of(url: &str) -> u16 {
    reqwest::Url::parse(url).unwrap().port().unwrap()
}

/// Every way an error can be shown to a user or a log.
fn every_rendering(error: &Error) -> String {
    format!("{error} | {error:?} | {} | {:?}", error.message(), error.details(),)
        + &std::iter::successors(std::error::Error::source(error), |e| e.source())
            .map(|e| format!(" | {e} | {e:?}"))
            .collect::<String>()
}

#[tokio::test]
async fn the_api_over_https_goes_through_the_proxy_in_a_connect_tunnel() {
    let Some(proxy) = Proxy::start(None) else { return };
    let emulator = https_emulator().await;
    let port = port_of(emulator.server.url());
    let client =
        emulator.builder().ca_bundle(ca_file(&emulator)).proxy(proxy.url()).build().unwrap();

    // The tutorial's first steps: the platforms' rules, a connect link, a post.
    let platforms = client.platforms().try_fetch().await.unwrap();
    assert!(!platforms.platforms.is_empty());
    let link = client
        .connect_links()
        .create(&CreateConnectLinkRequest {
            platform: Platform::Linkedin,
            redirect_url: "https://yourapp.example/callback".into(),
            state: None,
        })
        .await
        .unwrap();
    let decision = emulator.admin.approve_connect_link(&link.id, None).await.unwrap();
    let profile = decision.profile.expect("a connected profile");
    let post = client.posts().create(&text_post(&profile.id, "through a proxy")).await.unwrap();
    assert!(post.id.starts_with("post_"), "{}", post.id);

    let log = proxy.log();
    assert!(log.contains(&format!("CONNECT 127.0.0.1:{port}")), "no CONNECT in:\n{log}");
    assert_eq!(client.effective_options().proxy.as_deref(), Some(proxy.url().as_str()));
}

#[tokio::test]
async fn an_untrusted_server_behind_the_proxy_is_tls_error_not_proxy_error() {
    let Some(proxy) = Proxy::start(None) else { return };
    let emulator = https_emulator().await;
    let client = emulator.builder().proxy(proxy.url()).build().unwrap();
    let error = client.platforms().try_fetch().await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::TlsError, "{error}");
    assert!(error.message().contains("ca_bundle"), "{error}");
}

#[tokio::test]
async fn proxy_empty_string_goes_direct() {
    let Some(proxy) = Proxy::start(None) else { return };
    let emulator = https_emulator().await;
    let port = port_of(emulator.server.url());
    let client = emulator.builder().ca_bundle(ca_file(&emulator)).proxy("").build().unwrap();
    client.platforms().try_fetch().await.unwrap();
    assert_eq!(client.effective_options().proxy.as_deref(), Some(""));
    assert!(!proxy.log().contains(&format!("127.0.0.1:{port}")), "{}", proxy.log());
}

#[tokio::test]
async fn a_proxy_demanding_credentials_takes_them_from_the_url_and_never_shows_the_password() {
    let Some(proxy) = Proxy::start(Some("aether:pr0xy-Secret")) else { return };
    let emulator = https_emulator().await;
    let port = port_of(emulator.server.url());
    let with = |proxy_url: String| {
        emulator.builder().ca_bundle(ca_file(&emulator)).proxy(proxy_url).build().unwrap()
    };

    let good = with(format!("http://aether:pr0xy-Secret@127.0.0.1:{}", proxy.port));
    good.platforms().try_fetch().await.unwrap();
    assert!(proxy.log().contains(&format!("CONNECT 127.0.0.1:{port}")), "{}", proxy.log());
    for shown in [format!("{good:?}"), format!("{:?}", good.effective_options())] {
        assert!(!shown.contains("pr0xy-Secret"), "the password leaked: {shown}");
        assert!(shown.contains("aether:[redacted]@127.0.0.1"), "{shown}");
    }

    for (proxy_url, what) in [
        (proxy.url(), "no credentials"),
        (format!("http://aether:wrong-pr0xy-Secret@127.0.0.1:{}", proxy.port), "wrong ones"),
    ] {
        let client = with(proxy_url);
        let started = Instant::now();
        let error = client.platforms().try_fetch().await.unwrap_err();
        assert_eq!(error.code(), &ErrorCode::ProxyError, "{what}: {error}");
        assert_eq!(error.code().family(), ErrorFamily::Connection);
        assert!(!error.is_retryable(), "a refused password stays refused");
        assert!(started.elapsed() < Duration::from_secs(5), "not retried with backoff");
        // tinyproxy answers no credentials with 407, wrong ones with 401.
        assert!(error.message().contains("credentials"), "{error}");
        if what == "no credentials" {
            assert!(error.message().contains("407"), "{error}");
        }
        assert!(
            error.message().contains("Client::builder().proxy(..)"),
            "says what to set: {error}"
        );
        assert!(error.message().contains(&format!("127.0.0.1:{}", proxy.port)), "{error}");
        let shown = every_rendering(&error) + &format!("{client:?}");
        assert!(!shown.contains("pr0xy-Secret"), "the password leaked: {shown}");
    }
}

#[tokio::test]
async fn an_http_base_url_through_a_proxy_refusing_the_credentials_is_proxy_error() {
    // No tunnel for http://: the proxy's 407 arrives as a response.
    let Some(proxy) = Proxy::start(Some("aether:pr0xy-Secret")) else { return };
    let emulator = Emulator::start().await;
    let client = emulator.builder().proxy(proxy.url()).build().unwrap();
    let error = client.platforms().try_fetch().await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::ProxyError, "{error}");
    assert_eq!(error.status(), Some(407));
    let good = emulator
        .builder()
        .proxy(format!("http://aether:pr0xy-Secret@127.0.0.1:{}", proxy.port))
        .build()
        .unwrap();
    good.platforms().try_fetch().await.unwrap();
    let path = format!("GET {}/v1/platforms", emulator.server.url());
    assert!(proxy.log().contains(&path), "{}", proxy.log());
}

#[tokio::test]
async fn an_unreachable_proxy_is_proxy_error_naming_it_and_not_retried() {
    // A port nothing listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let emulator = https_emulator().await;
    for base in [emulator.server.url().to_owned(), "http://127.0.0.1:9".to_owned()] {
        let client = emulator
            .builder()
            .base_url(base.clone())
            .ca_bundle(ca_file(&emulator))
            .proxy(format!("http://me:pr0xy-Secret@127.0.0.1:{port}"))
            .build()
            .unwrap();
        let error = client.platforms().try_fetch().await.unwrap_err();
        assert_eq!(error.code(), &ErrorCode::ProxyError, "{base}: {error}");
        assert!(error.message().contains("could not connect to the proxy"), "{error}");
        assert!(error.message().contains(&format!("me:[redacted]@127.0.0.1:{port}")), "{error}");
        assert!(error.message().contains("NO_PROXY"), "{error}");
        assert!(!every_rendering(&error).contains("pr0xy-Secret"), "{error:?}");
    }
}

#[test]
fn a_proxy_that_is_not_an_http_url_is_invalid_argument_saying_what_is_allowed() {
    for bad in ["socks5://127.0.0.1:1080", "127.0.0.1:3128", "http://u:pr0xy-Secret@/"] {
        let error = aether::Client::builder().api_key("sk_test_x").proxy(bad).build().unwrap_err();
        assert_eq!(error.code(), &ErrorCode::InvalidArgument, "{bad}: {error}");
        assert!(error.message().contains("http://"), "{error}");
        assert!(!error.message().contains("pr0xy-Secret"), "{error}");
    }
}

#[tokio::test]
async fn the_proxy_password_never_reaches_the_logs() {
    let Some(proxy) = Proxy::start(Some("aether:pr0xy-Secret")) else { return };
    let (captured, _guard) = CapturedLog::start(false);
    let emulator = https_emulator().await;
    for password in ["pr0xy-Secret", "wrong-pr0xy-Secret"] {
        let client = emulator
            .builder()
            .ca_bundle(ca_file(&emulator))
            .proxy(format!("http://aether:{password}@127.0.0.1:{}", proxy.port))
            .build()
            .unwrap();
        // `fetch` logs the error it falls back from, message included.
        client.platforms().fetch().await;
        tracing::info!(client = ?client, "built");
    }
    let output = captured.text();
    assert!(output.contains("PROXY_ERROR"), "the refusal is logged: {output}");
    assert!(output.contains("aether:[redacted]@127.0.0.1"), "{output}");
    assert!(!output.contains("pr0xy-Secret"), "the password was logged: {output}");
}
