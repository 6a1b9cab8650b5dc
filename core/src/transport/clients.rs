//! The HTTP clients of a transport: the main one, built with the client's `connect_timeout`,
//! and a few more for calls that set a connect timeout of their own.
//!
//! Each is hyper-util's pooled client over the connector of `transport/connector.rs`, with the
//! SDK's default headers (`Authorization`, `Accept`, `User-Agent`) added to every request.
//! reqwest, which wraps the same client, spent ~30,000 instructions of every call in layers the
//! SDK does not use (redirects, two parses of the URL): bench/README.md, "posts.get", 110,100
//! against 80,300 instructions per `posts.get` in a task.
//!
//! The connector applies a connect timeout to a whole client (its connection pool), so a call
//! whose [`RequestOptions::connect_timeout`](super::RequestOptions::connect_timeout) differs from the
//! client's is sent through a client built with that value. Those are kept, keyed by the
//! duration, so repeated calls with the same value share a pool and its kept-alive
//! connections; at most [`MAX_EXTRA_CLIENTS`] of them, the least recently used dropped beyond
//! that. Calls that do not set one (or set the client's) keep using the main pool.
//!
//! A blocking caller's own runtime (`crate::runtime::block_on_here`) gets clients of its own:
//! a kept-alive connection's task runs on the runtime that opened it, and that runtime runs
//! only while its thread is in a call, so another thread sending on it would wait for that
//! thread. The shared runtimes (the embedded one's workers, an async caller's) share one set.
//!
//! Every task their connections run in (and their pools' idle sweepers) is spawned through a
//! [`TaskTracker`] per runtime, so that `Client::close` and `Client::close_connections` can
//! wait until the last of them has ended once the clients are dropped.
//!
//! All of them follow the transport's "After `fork`" rule: they are kept with the id of the
//! process that built them, a forked child builds its own, and the parent's are leaked there,
//! never dropped.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use hyper_util::client::legacy::{Client, ResponseFuture};
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioTimer;
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, PROXY_AUTHORIZATION, USER_AGENT};
use tokio_util::task::TaskTracker;

use super::connector::{self, ApiConnector, BoxError};
use super::{tls, TransportConfig};
use crate::error::{Error, Result};

/// A request body, as the API's client sends it.
pub(super) type Body = BoxBody<Bytes, BoxError>;

/// One HTTP client: a connection pool, and the headers every request carries.
#[derive(Clone)]
pub(super) struct HttpClient {
    client: Client<ApiConnector, Body>,
    /// Which hosts go through which proxy: for `Proxy-Authorization` on forwarded requests.
    proxies: Option<Arc<Matcher>>,
    authorization: HeaderValue,
    user_agent: HeaderValue,
}

impl HttpClient {
    /// Sends `request` with the default headers it does not set itself.
    pub(super) fn send(&self, mut request: hyper::Request<Body>) -> ResponseFuture {
        let forwarded_to = self.proxies.as_ref().and_then(|proxies| {
            let uri = request.uri();
            (uri.scheme() == Some(&hyper::http::uri::Scheme::HTTP))
                .then(|| proxies.intercept(uri))
                .flatten()
        });
        let headers = request.headers_mut();
        headers.entry(AUTHORIZATION).or_insert_with(|| self.authorization.clone());
        headers.entry(ACCEPT).or_insert_with(|| HeaderValue::from_static("application/json"));
        headers.entry(USER_AGENT).or_insert_with(|| self.user_agent.clone());
        if let Some(credentials) = forwarded_to.as_ref().and_then(|proxy| proxy.basic_auth()) {
            headers.insert(PROXY_AUTHORIZATION, credentials.clone());
        }
        self.client.request(request)
    }
}

/// How many clients with a per-call connect timeout are kept besides the main one.
pub(super) const MAX_EXTRA_CLIENTS: usize = 4;

/// The HTTP clients and the process they were built in (see "After `fork`" in the transport).
pub(super) struct HttpClients {
    pid: u32,
    /// The clients of each runtime that runs connections, the shared runtimes' first.
    pools: Vec<Pools>,
}

/// The clients whose connections one runtime runs. `runtime`: `None` for the shared runtimes
/// (the embedded one's workers, an async caller's); `Some(id)` for a blocking caller's own
/// ([`crate::runtime::local_id`]), which runs only while its thread is in a call, so that no
/// other thread may send on its connections.
struct Pools {
    runtime: Option<u64>,
    /// `None` after [`HttpClients::close`] (built again when next used) and while being dropped.
    main: Option<HttpClient>,
    /// Clients for other connect timeouts, the most recently used last.
    extra: Vec<(Duration, HttpClient)>,
    /// The tasks of these clients' connections; closed when the clients are dropped.
    connections: TaskTracker,
}

/// hyper's executor for the clients' background tasks: spawns them on the current runtime
/// (the embedded one, a blocking caller's own, or an async caller's), tracked.
#[derive(Clone)]
struct Tracked(TaskTracker);

impl<F> hyper::rt::Executor<F> for Tracked
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn execute(&self, task: F) {
        self.0.spawn(task);
    }
}

impl HttpClients {
    pub(super) fn new(config: &TransportConfig) -> Result<HttpClients> {
        // The shared runtimes' main client is built now: a setting it cannot take is an error
        // of the client's construction, not of its first call.
        let mut shared = Pools::new(None);
        shared.main = Some(build(config, config.connect_timeout, &shared.connections)?);
        Ok(HttpClients { pid: std::process::id(), pools: vec![shared] })
    }

    /// The trackers of the connection tasks a caller here can wait for: those of the shared
    /// runtimes, and of this thread's own runtime when it runs on it (another thread's run
    /// only when that thread next makes a call).
    pub(super) fn connections(&self) -> Vec<TaskTracker> {
        let here = crate::runtime::local_id();
        self.pools
            .iter()
            .filter(|pools| pools.waitable_from(here))
            .map(|pools| pools.connections.clone())
            .collect()
    }

    /// The client for a call with this connect timeout (`None`: the client's), built in this
    /// process, for the runtime the call runs on.
    pub(super) fn get(
        &mut self,
        config: &TransportConfig,
        connect_timeout: Option<Duration>,
    ) -> Result<HttpClient> {
        if self.pid != std::process::id() {
            // The inherited clients are leaked by Drop.
            *self = HttpClients::new(config)?;
        }
        let runtime = crate::runtime::local_id();
        let index = match self.pools.iter().position(|pools| pools.runtime == runtime) {
            Some(index) => index,
            None => {
                // A runtime new to this client: the pools of ended threads' runtimes go (their
                // connections ended with the runtime).
                self.pools.retain(|pools| pools.runtime.is_none_or(crate::runtime::local_is_live));
                self.pools.push(Pools::new(runtime));
                self.pools.len() - 1
            }
        };
        self.pools[index].get(config, connect_timeout)
    }

    /// Drops every client (their pools: idle connections close at once, busy ones when their
    /// call ends) and returns the trackers of the connections' tasks a caller here can wait for
    /// (as [`HttpClients::connections`]), closed; the next call builds new clients, with new
    /// connections.
    pub(super) fn close(&mut self) -> Vec<TaskTracker> {
        if self.pid != std::process::id() {
            // Inherited through fork: nothing of theirs runs here, and `get` replaces them.
            return Vec::new();
        }
        let here = crate::runtime::local_id();
        let mut waitable = Vec::new();
        for pools in &mut self.pools {
            let closing = pools.close();
            if pools.waitable_from(here) {
                waitable.push(closing);
            }
        }
        waitable
    }

    /// The connect timeouts that have a client of their own on the shared runtimes, least
    /// recently used first.
    #[cfg(test)]
    fn extra_timeouts(&self) -> Vec<Duration> {
        self.pools[0].extra.iter().map(|(t, _)| *t).collect()
    }
}

impl Pools {
    fn new(runtime: Option<u64>) -> Pools {
        Pools { runtime, main: None, extra: Vec::new(), connections: TaskTracker::new() }
    }

    /// Whether a caller on the own runtime `here` (`None`: not on one) can wait for these
    /// connections to end: those of the shared runtimes, and of its own; another thread's run
    /// only when that thread next makes a call.
    fn waitable_from(&self, here: Option<u64>) -> bool {
        self.runtime.is_none() || self.runtime == here
    }

    fn get(
        &mut self,
        config: &TransportConfig,
        connect_timeout: Option<Duration>,
    ) -> Result<HttpClient> {
        let timeout = match connect_timeout {
            Some(timeout) if timeout != config.connect_timeout => timeout,
            _ => {
                if let Some(main) = &self.main {
                    return Ok(main.clone());
                }
                let main = build(config, config.connect_timeout, &self.connections)?;
                self.main = Some(main.clone());
                return Ok(main);
            }
        };
        let client = match self.extra.iter().position(|(t, _)| *t == timeout) {
            Some(index) => self.extra.remove(index).1,
            None => {
                let client = build(config, timeout, &self.connections)?;
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

    /// Drops the clients and returns their connections' tracker, closed.
    fn close(&mut self) -> TaskTracker {
        self.main = None;
        self.extra.clear();
        let closing = std::mem::replace(&mut self.connections, TaskTracker::new());
        closing.close();
        closing
    }
}

impl Drop for HttpClients {
    fn drop(&mut self) {
        if self.pid != std::process::id() {
            // Inherited through fork: their connections' tasks do not run here; leak them.
            std::mem::forget(std::mem::take(&mut self.pools));
        }
    }
}

impl Drop for Pools {
    fn drop(&mut self) {
        // No client can start a connection any more: once those running end, the tracker is
        // empty and its waiters wake.
        self.connections.close();
    }
}

fn build(
    config: &TransportConfig,
    connect_timeout: Duration,
    connections: &TaskTracker,
) -> Result<HttpClient> {
    let authorization = config.api_key.header_value()?;
    let user_agent = HeaderValue::from_str(&config.user_agent).map_err(|_| {
        Error::invalid_argument("the user agent must be visible ASCII characters and spaces")
    })?;
    let proxies = config.proxy.matcher().map(Arc::new);
    let connector =
        connector::connector(tls::client_config(&config.tls)?, proxies.clone(), connect_timeout);
    // API calls never follow redirects (this client does not): `Authorization` must not
    // reach another origin.
    let client = Client::builder(Tracked(connections.clone()))
        .pool_timer(TokioTimer::new())
        .build(connector);
    Ok(HttpClient { client, proxies, authorization, user_agent })
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
