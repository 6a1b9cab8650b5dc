//! The reqwest clients of a transport: the main one, built with the client's
//! `connect_timeout`, and a few more for calls that set a connect timeout of their own.
//!
//! reqwest applies a connect timeout to a whole client (its connection pool), so a call whose
//! [`RequestOptions::connect_timeout`](super::RequestOptions::connect_timeout) differs from the
//! client's is sent through a client built with that value. Those are kept, keyed by the
//! duration, so repeated calls with the same value share a pool and its kept-alive
//! connections; at most [`MAX_EXTRA_CLIENTS`] of them, the least recently used dropped beyond
//! that. Calls that do not set one (or set the client's) keep using the main pool.
//!
//! All of them follow the transport's "After `fork`" rule: they are kept with the id of the
//! process that built them, a forked child builds its own, and the parent's are leaked there,
//! never dropped.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION};

use super::{tls, TransportConfig};
use crate::error::{Error, Result};

/// How many clients with a per-call connect timeout are kept besides the main one.
pub(super) const MAX_EXTRA_CLIENTS: usize = 4;

/// The HTTP clients and the process they were built in (see "After `fork`" in the transport).
pub(super) struct HttpClients {
    pid: u32,
    /// Always `Some` but while being dropped.
    main: Option<reqwest::Client>,
    /// Clients for other connect timeouts, the most recently used last.
    extra: Vec<(Duration, reqwest::Client)>,
}

impl HttpClients {
    pub(super) fn new(config: &TransportConfig) -> Result<HttpClients> {
        Ok(HttpClients {
            pid: std::process::id(),
            main: Some(build(config, config.connect_timeout)?),
            extra: Vec::new(),
        })
    }

    /// The client for a call with this connect timeout (`None`: the client's), built in this
    /// process.
    pub(super) fn get(
        &mut self,
        config: &TransportConfig,
        connect_timeout: Option<Duration>,
    ) -> Result<reqwest::Client> {
        if self.pid != std::process::id() {
            // The inherited clients are leaked by Drop.
            *self = HttpClients::new(config)?;
        }
        let timeout = match connect_timeout {
            Some(timeout) if timeout != config.connect_timeout => timeout,
            _ => {
                return self
                    .main
                    .clone()
                    .ok_or_else(|| Error::protocol("the HTTP client is being dropped"));
            }
        };
        let client = match self.extra.iter().position(|(t, _)| *t == timeout) {
            Some(index) => self.extra.remove(index).1,
            None => {
                let client = build(config, timeout)?;
                if self.extra.len() >= MAX_EXTRA_CLIENTS {
                    // Least recently used; its pooled connections close once no call uses it.
                    self.extra.remove(0);
                }
                client
            }
        };
        self.extra.push((timeout, client.clone()));
        Ok(client)
    }

    /// The connect timeouts that have a client of their own, least recently used first.
    #[cfg(test)]
    fn extra_timeouts(&self) -> Vec<Duration> {
        self.extra.iter().map(|(t, _)| *t).collect()
    }
}

impl Drop for HttpClients {
    fn drop(&mut self) {
        if self.pid != std::process::id() {
            // Inherited through fork: their connections' tasks do not run here; leak them.
            std::mem::forget(self.main.take());
            std::mem::forget(std::mem::take(&mut self.extra));
        }
    }
}

fn build(config: &TransportConfig, connect_timeout: Duration) -> Result<reqwest::Client> {
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, config.api_key.header_value()?);
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    let builder = tls::apply(&config.tls, reqwest::Client::builder())?;
    let builder = config.proxy.apply(builder)?;
    builder
        .default_headers(headers)
        .user_agent(config.user_agent.clone())
        .connect_timeout(connect_timeout)
        // API calls never follow redirects: Authorization must not reach another origin.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| {
            Error::invalid_argument("the HTTP client could not be set up")
                .with_source(e.without_url())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::{ApiKey, ProxySettings, TlsSettings};

    fn config() -> TransportConfig {
        TransportConfig {
            base_url: "http://127.0.0.1:9".into(),
            api_key: ApiKey::new("sk_test_x"),
            user_agent: "test".into(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            attempt_timeout: None,
            max_retries: 0,
            max_response_bytes: 1024,
            retry_budget: 10,
            backoff_base: Duration::from_millis(1),
            backoff_cap: Duration::from_millis(1),
            tls: TlsSettings::default(),
            traceparent: None,
            proxy: ProxySettings::default(),
        }
    }

    #[test]
    fn the_clients_own_connect_timeout_uses_the_main_pool() {
        let config = config();
        let mut clients = HttpClients::new(&config).unwrap();
        clients.get(&config, None).unwrap();
        clients.get(&config, Some(config.connect_timeout)).unwrap();
        assert!(clients.extra_timeouts().is_empty());
    }

    #[test]
    fn at_most_four_extra_clients_are_kept_the_least_recently_used_dropped() {
        let config = config();
        let mut clients = HttpClients::new(&config).unwrap();
        let ms = Duration::from_millis;
        for t in [1, 2, 3, 4] {
            clients.get(&config, Some(ms(t))).unwrap();
        }
        clients.get(&config, Some(ms(1))).unwrap(); // 1 is now the most recently used
        clients.get(&config, Some(ms(5))).unwrap(); // drops 2
        assert_eq!(clients.extra_timeouts(), vec![ms(3), ms(4), ms(1), ms(5)]);
    }
}
