//! How the API's HTTP client reaches the server: a TCP connection, TLS on it (hyper-rustls,
//! with the roots and client certificate of `transport/tls.rs`), and the proxy of
//! `transport/proxy.rs` on the way — an `http://` request forwarded to it, an `https://` one in
//! a `CONNECT` tunnel (hyper-util's) with TLS end to end — all within the connect timeout.
//!
//! This is hyper-util's pooled client's connector; the client itself (`transport/clients.rs`)
//! adds the SDK's default headers, and `Proxy-Authorization` to forwarded requests.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper::rt::{Read, ReadBufCursor, Write};
use hyper::Uri;
use hyper_rustls::{HttpsConnector, MaybeHttpsStream};
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::client::proxy::matcher::Matcher;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tower_service::Service;

pub(super) type BoxError = Box<dyn std::error::Error + Send + Sync>;
type Connecting<T> = Pin<Box<dyn Future<Output = Result<T, BoxError>> + Send>>;

/// The connector of the API's client: the route, TLS to the server, the connect timeout.
pub(super) type ApiConnector = Timed<HttpsConnector<Route>>;

/// A connector that reaches hosts through `proxies` (none: directly), speaks TLS with `tls` to
/// `https://` hosts and to `https://` proxies, and gives up after `connect_timeout`.
pub(super) fn connector(
    tls: Arc<rustls::ClientConfig>,
    proxies: Option<Arc<Matcher>>,
    connect_timeout: Duration,
) -> ApiConnector {
    let mut tcp = HttpConnector::new();
    // The scheme is the TLS layer's business: this connector only opens TCP connections.
    tcp.enforce_http(false);
    tcp.set_nodelay(true);
    // A proxy is spoken to in HTTP/1.1 (`CONNECT`, or a forwarded request), never HTTP/2.
    let mut to_proxy_tls = (*tls).clone();
    to_proxy_tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    let to_proxy = HttpsConnector::from((tcp.clone(), Arc::new(to_proxy_tls)));
    let route = Route { tcp, to_proxy, proxies };
    Timed { inner: HttpsConnector::from((route, tls)), timeout: connect_timeout }
}

/// Opens the connection a request to a host travels on: to the host itself, to the proxy that
/// a forwarded request is sent to, or a tunnel through the proxy to the host.
#[derive(Clone)]
pub(super) struct Route {
    tcp: HttpConnector,
    /// To a proxy: TLS when its URL is `https://`.
    to_proxy: HttpsConnector<HttpConnector>,
    proxies: Option<Arc<Matcher>>,
}

impl Service<Uri> for Route {
    type Response = Routed;
    type Error = BoxError;
    type Future = Connecting<Routed>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, host: Uri) -> Self::Future {
        let Some(proxy) = self.proxies.as_ref().and_then(|proxies| proxies.intercept(&host)) else {
            let connecting = self.tcp.call(host);
            return Box::pin(async move {
                Ok(Routed { io: MaybeHttpsStream::Http(connecting.await?), forwarded: false })
            });
        };
        if host.scheme() == Some(&hyper::http::uri::Scheme::HTTP) {
            // Forwarded: the request goes to the proxy in absolute form.
            let connecting = self.to_proxy.call(proxy.uri().clone());
            return Box::pin(async move { Ok(Routed { io: connecting.await?, forwarded: true }) });
        }
        let mut tunnel = Tunnel::new(proxy.uri().clone(), self.to_proxy.clone());
        if let Some(credentials) = proxy.basic_auth() {
            tunnel = tunnel.with_auth(credentials.clone());
        }
        let connecting = tunnel.call(host);
        Box::pin(async move { Ok(Routed { io: connecting.await?, forwarded: false }) })
    }
}

/// A connection opened by [`Route`]; `forwarded` when it goes to a proxy that forwards plain
/// HTTP requests (which are then written in absolute form).
pub(super) struct Routed {
    io: MaybeHttpsStream<TokioIo<TcpStream>>,
    forwarded: bool,
}

impl Connection for Routed {
    fn connected(&self) -> Connected {
        self.io.connected().proxy(self.forwarded)
    }
}

impl Read for Routed {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl Write for Routed {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }
}

/// A connector whose connections (TCP, proxy, TLS) must be made within `timeout`.
#[derive(Clone)]
pub(super) struct Timed<C> {
    inner: C,
    timeout: Duration,
}

impl<C> Service<Uri> for Timed<C>
where
    C: Service<Uri, Error = BoxError>,
    C::Future: Send + 'static,
    C::Response: Send + 'static,
{
    type Response = C::Response;
    type Error = BoxError;
    type Future = Connecting<C::Response>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, host: Uri) -> Self::Future {
        let connecting = self.inner.call(host);
        let timeout = self.timeout;
        Box::pin(async move {
            match tokio::time::timeout(timeout, connecting).await {
                Ok(connected) => connected,
                Err(_) => Err(Box::new(ConnectTimedOut(timeout)) as BoxError),
            }
        })
    }
}

/// A connection that was not made within the connect timeout.
#[derive(Debug)]
pub(super) struct ConnectTimedOut(Duration);

impl fmt::Display for ConnectTimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not connected within {:?}", self.0)
    }
}

impl std::error::Error for ConnectTimedOut {}
