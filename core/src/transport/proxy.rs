//! Forward proxies: which one a client's requests go through, and how a proxy's failure
//! becomes `PROXY_ERROR` with a message that says what to set.
//!
//! # Which proxy
//! - The `proxy` option (`http://[user:pass@]host:port`, or `https://…` for a proxy spoken to
//!   over TLS) sends every request through that proxy, **whatever** `HTTPS_PROXY`,
//!   `HTTP_PROXY` and `ALL_PROXY` say. `NO_PROXY` / `no_proxy` still applies to it, as it does
//!   with curl's `--proxy`: a host listed there is reached directly.
//! - The `proxy` option set to `""` (the empty string) reaches every host directly and ignores
//!   the proxy variables: for a program that must never be proxied.
//! - Unset, the standard variables decide, upper or lower case: `HTTPS_PROXY` for `https://`
//!   base URLs, `HTTP_PROXY` for `http://` ones (ignored when `REQUEST_METHOD` is set, i.e.
//!   in a CGI script, where it is a request header), `ALL_PROXY` for both, `NO_PROXY` for hosts
//!   reached directly (comma-separated names, which cover their subdomains, IP addresses and
//!   CIDR ranges, or `*` for all). They are read when the client is built.
//!
//! An `https://` base URL goes through the proxy in a `CONNECT` tunnel: TLS stays end to end,
//! checked against the system's roots plus `caBundle`. An `http://` one is sent to the proxy
//! as an absolute-URI request. Credentials in the proxy URL are sent as `Proxy-Authorization:
//! Basic`; they are percent-decoded, so a password with `@` or `:` is written `%40`, `%3A`.
//!
//! # Secrets
//! The proxy URL's password is never shown: `Debug`, `effective_options`, error messages and
//! logs print the URL as `http://user:[redacted]@host:port`.
//!
//! # Errors
//! A proxied request that cannot connect to the proxy, that the proxy answers with `407 Proxy
//! Authentication Required`, or whose tunnel the proxy refuses, ends with `PROXY_ERROR`
//! (Connection family, not retried: a wrong address or password stays wrong), naming the proxy
//! (redacted) and what to set. A `502`/`503` a proxy answers an `http://` request with stays
//! the retried "not an API error body" error of the transport.

use std::fmt;

use hyper_util::client::proxy::matcher::Matcher;
use reqwest::Url;

use crate::error::{Error, ErrorCode, Result};
use crate::settings::{names, Spelling};

/// The variables read when no `proxy` is given (each also in lower case).
pub const PROXY_ENV: [&str; 4] = ["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"];

/// How a client reaches the API, and how messages name the option.
#[derive(Clone, Default)]
pub(crate) struct ProxySettings {
    mode: Mode,
    spelling: Spelling,
}

#[derive(Clone, Default)]
enum Mode {
    /// The proxy variables of the environment decide.
    #[default]
    Environment,
    /// Every host directly (`proxy: ""`).
    Direct,
    /// This proxy (`NO_PROXY` still applies).
    Explicit(Url),
}

impl fmt::Debug for ProxySettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.mode {
            Mode::Environment => f.write_str("Environment"),
            Mode::Direct => f.write_str("Direct"),
            Mode::Explicit(url) => write!(f, "Explicit({})", redacted(url)),
        }
    }
}

/// `url` with its password replaced by `[redacted]`, for messages and `Debug`.
pub(crate) fn redacted(url: &Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        // Setting a password only fails on URLs that cannot have one; this one has one.
        let _ = shown.set_password(Some("[redacted]"));
    }
    shown.as_str().trim_end_matches('/').replace("%5Bredacted%5D", "[redacted]")
}

/// A proxy URL as given (possibly with a password) shown without its password; for a string
/// that is not a URL, only the part before any `@`-qualified credentials is kept.
pub(crate) fn redacted_str(given: &str) -> String {
    match Url::parse(given) {
        Ok(url) => redacted(&url),
        Err(_) => match given.rsplit_once('@') {
            Some((_, host)) => format!("[redacted]@{host}"),
            None => given.to_owned(),
        },
    }
}

/// Checks the `proxy` option: `None` leaves the environment in charge, `""` means direct.
pub(crate) fn resolve(spelling: Spelling, proxy: Option<&str>) -> Result<ProxySettings> {
    let settings = |mode| ProxySettings { mode, spelling };
    let Some(given) = proxy else { return Ok(settings(Mode::Environment)) };
    let given = given.trim();
    if given.is_empty() {
        return Ok(settings(Mode::Direct));
    }
    let name = spelling.name(&names::PROXY);
    let allowed = "it must be an http://[user:password@]host:port URL (or https:// for a proxy \
                   spoken to over TLS), or \"\" to reach every host directly";
    let url = Url::parse(given).map_err(|e| {
        Error::invalid_argument(format!(
            "{name} {:?} is not a valid URL ({e}); {allowed}",
            redacted_str(given)
        ))
        .with_field(name)
    })?;
    let shown = redacted(&url);
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::invalid_argument(format!(
            "{name} {shown:?} has the scheme {:?}; {allowed}",
            url.scheme()
        ))
        .with_field(name));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid_argument(format!("{name} {shown:?} has no host; {allowed}"))
            .with_field(name));
    }
    if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid_argument(format!(
            "{name} {shown:?} has a path, query or fragment; {allowed}"
        ))
        .with_field(name));
    }
    Ok(settings(Mode::Explicit(url)))
}

impl ProxySettings {
    /// The option as `effective_options` shows it: the redacted URL, `""` for direct, `None`
    /// for the environment.
    pub(crate) fn shown(&self) -> Option<String> {
        match &self.mode {
            Mode::Environment => None,
            Mode::Direct => Some(String::new()),
            Mode::Explicit(url) => Some(redacted(url)),
        }
    }

    /// Which hosts go through which proxy: `None` when every host is reached directly. The
    /// environment's variables are read now (when a client is built).
    pub(crate) fn matcher(&self) -> Option<Matcher> {
        match &self.mode {
            Mode::Direct => None,
            Mode::Environment => Some(Matcher::from_env()),
            Mode::Explicit(proxy) => {
                let no = std::env::var("NO_PROXY")
                    .or_else(|_| std::env::var("no_proxy"))
                    .unwrap_or_default();
                Some(Matcher::builder().all(proxy.as_str().to_owned()).no(no).build())
            }
        }
    }

    /// The proxy (redacted) a request to `url` goes through, if any: the same decision
    /// the connector makes, so that an error can be put on the proxy.
    pub(crate) fn proxy_for(&self, url: &Url) -> Option<String> {
        let matcher = self.matcher()?;
        let uri: hyper::Uri = url.as_str().parse().ok()?;
        let intercept = matcher.intercept(&uri)?;
        if let Mode::Explicit(proxy) = &self.mode {
            return Some(redacted(proxy));
        }
        let shown = Url::parse(&intercept.uri().to_string()).ok()?;
        let mut shown = redacted(&shown);
        if intercept.basic_auth().is_some() && !shown.contains('@') {
            // The matcher keeps the credentials apart from the URI; say there are some.
            shown = shown.replacen("://", "://[credentials redacted]@", 1);
        }
        Some(shown)
    }
}

impl ProxySettings {
    /// Where the proxy of a request to `url` was set: the option, or the variables.
    fn what_to_set(&self, url: &Url) -> String {
        match (&self.mode, url.scheme()) {
            (Mode::Explicit(_), _) => self.spelling.name(&names::PROXY).to_owned(),
            (_, "https") => "HTTPS_PROXY or ALL_PROXY".to_owned(),
            _ => "HTTP_PROXY or ALL_PROXY".to_owned(),
        }
    }
}

/// `PROXY_ERROR` for a request to `url` that failed at its proxy (`connecting`: while its
/// connection was being made), with what to set; `None` when the request was not proxied or the
/// failure was not the proxy's.
pub(crate) fn proxy_error(
    settings: &ProxySettings,
    url: &Url,
    error: &(dyn std::error::Error + 'static),
    connecting: bool,
) -> Option<Error> {
    let proxy = settings.proxy_for(url)?;
    let tunnel = tunnel_failure(error);
    let set = settings.what_to_set(url);
    let message = match tunnel.as_deref() {
        Some(text) if text.contains("proxy authorization required") => format!(
            "the proxy {proxy} demands credentials (407 Proxy Authentication Required) and \
             refused the ones sent, or none were sent: put them in the proxy URL as \
             http://user:password@host:port ({set})"
        ),
        Some(text) if text.contains("failed to create underlying connection") => format!(
            "could not connect to the proxy {proxy}: check its address and that it runs ({set}), \
             or list the API's host in NO_PROXY to reach it directly"
        ),
        // hyper-util names only a 407; other refusals (some proxies answer wrong credentials
        // with 401 or 403) arrive as "unsuccessful", without the status.
        Some(text) => format!(
            "the proxy {proxy} refused to open a tunnel to {}:{} ({text}): check the \
             credentials in the proxy URL (http://user:password@host:port, {set}) and that it \
             allows CONNECT to this host and port, or list the host in NO_PROXY to reach it \
             directly",
            url.host_str().unwrap_or("the API"),
            url.port_or_known_default().unwrap_or(443)
        ),
        None if connecting => format!(
            "could not connect to the proxy {proxy}: check its address and that it runs ({set}), \
             or list the API's host in NO_PROXY to reach it directly"
        ),
        None => return None,
    };
    Some(Error::new(ErrorCode::ProxyError, message))
}

/// `PROXY_ERROR` for a `407` answer to a request sent through a proxy (an `http://` base URL:
/// no tunnel, so the proxy's refusal arrives as a response).
pub(crate) fn proxy_auth_refused(settings: &ProxySettings, url: &Url) -> Option<Error> {
    let proxy = settings.proxy_for(url)?;
    let set = settings.what_to_set(url);
    Some(Error::new(
        ErrorCode::ProxyError,
        format!(
            "the proxy {proxy} demands credentials (407 Proxy Authentication Required) and \
             refused the ones sent, or none were sent: put them in the proxy URL as \
             http://user:password@host:port ({set})"
        ),
    ))
}

/// The text of a failed `CONNECT` tunnel in `error`'s chain (hyper-util's `TunnelError`,
/// which is not public: recognized by its message, "tunnel error: …").
fn tunnel_failure(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    crate::error::causes(error)
        .find_map(|e| e.to_string().strip_prefix("tunnel error: ").map(str::to_owned))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_never_shown() {
        let settings = resolve(Spelling::Rust, Some("http://user:s3cr%40t@127.0.0.1:3128"))
            .expect("a valid proxy URL");
        for shown in [format!("{settings:?}"), settings.shown().unwrap_or_default()] {
            assert!(!shown.contains("s3cr"), "{shown}");
            assert!(shown.contains("user:[redacted]@127.0.0.1:3128"), "{shown}");
        }
        let error = resolve(Spelling::Node, Some("socks5://user:s3cret@127.0.0.1:1080"))
            .expect_err("socks is refused");
        assert_eq!(error.code(), &ErrorCode::InvalidArgument);
        assert!(!error.to_string().contains("s3cret"), "{error}");
        assert!(error.to_string().contains("proxy"), "{error}");
        let error = resolve(Spelling::Python, Some("http://user:s3cret@[::1")).expect_err("bad");
        assert!(!error.to_string().contains("s3cret"), "{error}");
    }

    #[test]
    fn empty_means_direct_and_unset_means_the_environment() {
        assert!(matches!(resolve(Spelling::C, Some(" ")).map(|s| s.mode), Ok(Mode::Direct)));
        assert!(matches!(resolve(Spelling::C, None).map(|s| s.mode), Ok(Mode::Environment)));
        let error = resolve(Spelling::C, Some("http://127.0.0.1:3128/path")).expect_err("path");
        assert!(error.to_string().contains("options.proxy"), "{error}");
    }
}
