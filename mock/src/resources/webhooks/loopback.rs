//! Loopback only: the emulator delivers webhooks to `127.0.0.0/8`, `::1` and `localhost` (when
//! it resolves to loopback addresses only), checked at registration and again before every
//! send, so a test can never make it POST to the outside world.

use std::net::IpAddr;

#[derive(Debug)]
pub(super) enum UrlProblem {
    NotHttp(String),
    NotLoopback(String),
}

impl UrlProblem {
    pub(super) fn message(&self) -> String {
        match self {
            UrlProblem::NotHttp(url) => {
                format!("url must be an absolute http:// or https:// URL; got {url:?}")
            }
            UrlProblem::NotLoopback(host) => format!(
                "the emulator only delivers webhooks to loopback addresses (127.0.0.0/8, ::1 or \
                 localhost), and {host:?} is not one; run the receiver locally, e.g. at \
                 http://127.0.0.1:<port>/webhooks"
            ),
        }
    }
}

pub(super) fn is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// The URL, if it is http(s) to a loopback IP address or `localhost`.
pub(super) fn loopback_url(url: &str) -> Result<reqwest::Url, UrlProblem> {
    let not_http = || UrlProblem::NotHttp(url.to_owned());
    let parsed = reqwest::Url::parse(url).map_err(|_| not_http())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(not_http());
    }
    let host = parsed.host_str().filter(|h| !h.is_empty()).ok_or_else(not_http)?;
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = match bare.parse::<IpAddr>() {
        Ok(ip) => is_loopback(ip),
        Err(_) => bare.eq_ignore_ascii_case("localhost"),
    };
    if loopback {
        Ok(parsed)
    } else {
        Err(UrlProblem::NotLoopback(host.to_owned()))
    }
}

/// `localhost` must resolve to loopback addresses only (a hosts file could say otherwise).
pub(super) async fn resolves_to_loopback(url: &reqwest::Url) -> Result<(), String> {
    let Some(host) = url.host_str().filter(|h| h.eq_ignore_ascii_case("localhost")) else {
        return Ok(());
    };
    let port = url.port_or_known_default().unwrap_or(80);
    let addrs: Vec<_> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| format!("{host} does not resolve: {e}"))?
        .collect();
    if addrs.is_empty() || !addrs.iter().all(|a| is_loopback(a.ip())) {
        return Err(format!("{host} resolves to a non-loopback address; refused"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_http_urls_are_accepted() {
        for good in [
            "http://127.0.0.1:8080/hook",
            "https://127.9.8.7/x",
            "http://[::1]:3000/",
            "http://LOCALHOST:1/",
            "http://[::ffff:127.0.0.1]/",
        ] {
            assert!(loopback_url(good).is_ok(), "{good}");
        }
        for bad in [
            "http://example.com/hook",
            "http://10.0.0.1/",
            "http://[::2]/",
            "http://localhost.example.com/",
            "http://0.0.0.0/",
        ] {
            assert!(matches!(loopback_url(bad), Err(UrlProblem::NotLoopback(_))), "{bad}");
        }
        for bad in ["ftp://127.0.0.1/", "127.0.0.1:80", "/hook", "http://"] {
            assert!(matches!(loopback_url(bad), Err(UrlProblem::NotHttp(_))), "{bad}");
        }
    }
}
