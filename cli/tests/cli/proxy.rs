//! The CLI through a real forward proxy (tinyproxy via scripts/proxy): the API over HTTPS in a
//! CONNECT tunnel, set with --proxy or with HTTPS_PROXY (each run is its own process, so the
//! variables reach no other test), NO_PROXY and --proxy "" going direct, and PROXY_ERROR (exit
//! 1) without the password when the proxy refuses the credentials.

use aether_mock::TlsConfig;

use crate::common::{run_with_env, Emulator};

#[path = "../../../core/tests/client_common/forward_proxy.rs"]
mod forward_proxy;
use forward_proxy::Proxy;

fn https() -> Emulator {
    Emulator::with(|config| config.tls = Some(TlsConfig::default()))
}

fn ca(emulator: &Emulator) -> String {
    let files = emulator.server.tls_files();
    files.ca_file.as_ref().expect("a generated CA").display().to_string()
}

fn connect_line(emulator: &Emulator) -> String {
    let port = reqwest::Url::parse(emulator.url()).unwrap().port().unwrap();
    format!("CONNECT 127.0.0.1:{port}")
}

/// `aether --base-url … --api-key … --ca-bundle … ARGS` with these variables.
fn aether(emulator: &Emulator, args: &[&str], env: &[(&str, &str)]) -> crate::common::Run {
    let ca = ca(emulator);
    let mut full =
        vec!["--base-url", emulator.url(), "--api-key", emulator.server.api_key(), "--ca-bundle"];
    full.push(&ca);
    full.extend_from_slice(args);
    run_with_env(&full, None, env)
}

#[test]
fn connect_and_post_over_https_through_proxy_flag_and_https_proxy() {
    let Some(proxy) = Proxy::start(None) else { return };
    let emulator = https();
    let url = proxy.url();
    let profile = emulator.profile("linkedin", "standard");

    let post = aether(
        &emulator,
        &["--proxy", &url, "post", "--profile", &profile, "--text", "via --proxy", "--json"],
        &[],
    );
    post.success();
    assert!(proxy.log().contains(&connect_line(&emulator)), "{}", proxy.log());

    // The same with the standard variable, lower case too; a fresh emulator to tell them apart.
    for name in ["HTTPS_PROXY", "https_proxy"] {
        let emulator = https();
        let link = aether(
            &emulator,
            &["connect", "linkedin", "--redirect-url", "https://x.example/cb", "--json"],
            &[(name, &url)],
        );
        link.success();
        assert!(proxy.log().contains(&connect_line(&emulator)), "{name}: {}", proxy.log());
    }
}

#[test]
fn no_proxy_and_an_empty_proxy_go_direct() {
    let Some(proxy) = Proxy::start(None) else { return };
    let url = proxy.url();
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)]);
    let cases: [Case; 3] = [
        (&[], &[("HTTPS_PROXY", &url), ("NO_PROXY", "127.0.0.1")]),
        // NO_PROXY applies to --proxy too, as with curl.
        (&["--proxy", &url], &[("no_proxy", "localhost,127.0.0.0/8")]),
        (&["--proxy", ""], &[("HTTPS_PROXY", &url), ("ALL_PROXY", &url)]),
    ];
    for (flags, env) in cases {
        let emulator = https();
        let mut args = flags.to_vec();
        args.extend(["profiles", "--json"]);
        aether(&emulator, &args, env).success();
        assert!(
            !proxy.log().contains(&connect_line(&emulator)),
            "{flags:?} {env:?} went through the proxy: {}",
            proxy.log()
        );
    }
}

#[test]
fn a_proxy_refusing_the_credentials_is_proxy_error_without_the_password() {
    let Some(proxy) = Proxy::start(Some("cli:pr0xy-Secret")) else { return };
    let emulator = https();
    let good = format!("http://cli:pr0xy-Secret@127.0.0.1:{}", proxy.port);
    aether(&emulator, &["--proxy", &good, "profiles", "--json"], &[]).success();

    let wrong = format!("http://cli:wrong-pr0xy-Secret@127.0.0.1:{}", proxy.port);
    for (flags, env) in [
        (vec!["--proxy".to_owned(), proxy.url()], vec![]),
        (vec![], vec![("HTTPS_PROXY", wrong.as_str())]),
    ] {
        let mut args: Vec<&str> = flags.iter().map(String::as_str).collect();
        args.extend(["profiles", "--json"]);
        let run = aether(&emulator, &args, &env);
        run.expect(1);
        let error = &run.json()["error"];
        assert_eq!(error["code"], "PROXY_ERROR", "{}", run.stdout());
        assert!(error["message"].as_str().unwrap().contains("credentials"), "{error}");
        let shown = format!("{}{}", run.stdout(), run.stderr());
        assert!(!shown.contains("pr0xy-Secret"), "the password leaked: {shown}");
    }
    // Without --json: a hint that says what to set.
    let run = aether(&emulator, &["--proxy", &proxy.url(), "profiles"], &[]);
    run.expect(1);
    assert!(run.stderr().contains("--proxy"), "{}", run.stderr());
}
