//! Starting and stopping an emulator: the accept loop, per-connection control (so faults can
//! reset a connection), the background scheduler, and the temp data dir's lifetime.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower::ServiceExt;

use crate::config::MockConfig;
use crate::context::ConnControl;
use crate::ids::random_token;
use crate::state::{AppState, SharedState};
use crate::tls::TlsFiles;

/// How long a client may take over its TLS handshake before the connection is dropped.
const TLS_HANDSHAKE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A running emulator. Dropping it stops the server and removes its temp data dir.
pub struct MockServer {
    url: String,
    addr: SocketAddr,
    admin_token: String,
    api_key: String,
    state: SharedState,
    tls_files: TlsFiles,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
    // Held so the directory lives exactly as long as the server.
    _temp_dir: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for MockServer {
    // Not derived: the admin token (here and in the state) is a secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer").field("url", &self.url).finish_non_exhaustive()
    }
}

impl MockServer {
    /// Binds, starts serving on the current tokio runtime, and returns once it accepts
    /// connections.
    pub async fn start(config: MockConfig) -> io::Result<MockServer> {
        let listener = TcpListener::bind((config.host, config.port)).await?;
        let addr = listener.local_addr()?;
        let scheme = if config.tls.is_some() { "https" } else { "http" };
        let url = format!("{scheme}://{addr}");
        let (temp_dir, data_dir): (Option<tempfile::TempDir>, PathBuf) = match &config.data_dir {
            Some(dir) => {
                std::fs::create_dir_all(dir)?;
                (None, dir.clone())
            }
            None => {
                let dir = tempfile::Builder::new().prefix("aether-mock-").tempdir()?;
                let path = dir.path().to_path_buf();
                (Some(dir), path)
            }
        };
        let (acceptor, tls_files) = match &config.tls {
            Some(tls) => {
                let (server_config, files) = crate::tls::server_config(tls, &data_dir)?;
                (Some(tokio_rustls::TlsAcceptor::from(Arc::new(server_config))), files)
            }
            None => (None, TlsFiles::default()),
        };
        let admin_token =
            config.admin_token.clone().unwrap_or_else(|| format!("adm_{}", random_token(24)));
        let api_key = config.api_keys.first().cloned().unwrap_or_default();
        let mut app = AppState::new(&config, admin_token.clone(), url.clone(), data_dir);
        if let Some(ca) = &tls_files.ca_file {
            app.trust_for_fetching(&std::fs::read(ca)?);
        }
        let state = Arc::new(app);
        let (shutdown, shutdown_rx) = watch::channel(false);
        let router = crate::app::router(state.clone());
        let tasks = vec![
            tokio::spawn(accept_loop(listener, acceptor, router, shutdown_rx.clone())),
            tokio::spawn(crate::scheduler::run(state.clone(), shutdown_rx)),
        ];
        tracing::info!(%url, "aether-mock listening");
        Ok(MockServer {
            url,
            addr,
            admin_token,
            api_key,
            state,
            tls_files,
            shutdown,
            tasks,
            _temp_dir: temp_dir,
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:41234` (`https://…` when serving TLS).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The PEM files of a generated TLS set-up: the CA to trust, a client certificate and key.
    pub fn tls_files(&self) -> &TlsFiles {
        &self.tls_files
    }

    /// The socket address the emulator listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The token for the `/_mock/` admin API.
    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    /// The first API key the server accepts.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// The emulator's state, for in-process embedding (the bindings' testing helpers).
    pub fn state(&self) -> &SharedState {
        &self.state
    }

    /// Stops accepting, ends open connections and the scheduler.
    pub async fn shutdown(mut self) {
        self.stop();
        for task in self.tasks.drain(..) {
            let _ = task.await;
        }
    }

    fn stop(&self) {
        let _ = self.shutdown.send(true);
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.stop();
        for task in &self.tasks {
            task.abort();
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    router: axum::Router,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = tokio::task::JoinSet::new();
    let mut accepted_count = 0;
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    accepted_count += 1;
                    connections.spawn(serve_connection(
                        stream,
                        ConnControl::new(accepted_count),
                        acceptor.clone(),
                        router.clone(),
                        shutdown.clone(),
                    ));
                }
                Err(error) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            },
            _ = shutdown.changed() => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.shutdown().await;
}

async fn serve_connection(
    stream: TcpStream,
    control: ConnControl,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    router: axum::Router,
    mut shutdown: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    // A second handle on the same socket, so a fault can set SO_LINGER=0 (a TCP reset) after
    // hyper owns the stream.
    let Ok(std_stream) = stream.into_std() else { return };
    let control_handle = std_stream.try_clone().ok();
    let Ok(stream) = TcpStream::from_std(std_stream) else { return };
    let Some(acceptor) = acceptor else {
        return serve_io(stream, control, control_handle, router, shutdown).await;
    };
    // The handshake runs here, in the connection's own task, so a slow client holds up no one.
    let handshake = tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream));
    let stream = tokio::select! {
        result = handshake => match result {
            Ok(Ok(stream)) => stream,
            Ok(Err(error)) => {
                tracing::debug!(%error, "TLS handshake refused");
                return;
            }
            Err(_) => return,
        },
        _ = shutdown.changed() => return,
    };
    serve_io(stream, control, control_handle, router, shutdown).await;
}

/// Serves HTTP/1.1 on one connection, plain or TLS, until it ends, a fault kills it or the
/// server stops.
async fn serve_io<I: AsyncRead + AsyncWrite + Unpin + Send + 'static>(
    stream: I,
    control: ConnControl,
    control_handle: Option<std::net::TcpStream>,
    router: axum::Router,
    mut shutdown: watch::Receiver<bool>,
) {
    let per_connection = control.clone();
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(per_connection.clone());
        router.clone().oneshot(request.map(axum::body::Body::new))
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => {}
        // Dropping the connection closes the socket with a FIN (its dup below goes too).
        _ = control.closed() => {}
        _ = control.killed() => {
            if let Some(socket) = &control_handle {
                let _ = socket2::SockRef::from(socket).set_linger(Some(std::time::Duration::ZERO));
            }
        }
        _ = shutdown.changed() => {}
    }
}
