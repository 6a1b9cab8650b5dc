//! Starting and stopping an emulator: the accept loop, per-connection control (so faults can
//! reset a connection), the background scheduler, and the temp data dir's lifetime.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tower::ServiceExt;

use crate::config::MockConfig;
use crate::context::ConnControl;
use crate::ids::random_token;
use crate::state::{AppState, SharedState};

/// A running emulator. Dropping it stops the server and removes its temp data dir.
pub struct MockServer {
    url: String,
    addr: SocketAddr,
    admin_token: String,
    api_key: String,
    state: SharedState,
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
        let url = format!("http://{addr}");
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
        let admin_token =
            config.admin_token.clone().unwrap_or_else(|| format!("adm_{}", random_token(24)));
        let api_key = config.api_keys.first().cloned().unwrap_or_default();
        let state = Arc::new(AppState::new(&config, admin_token.clone(), url.clone(), data_dir));
        let (shutdown, shutdown_rx) = watch::channel(false);
        let router = crate::app::router(state.clone());
        let tasks = vec![
            tokio::spawn(accept_loop(listener, router, shutdown_rx.clone())),
            tokio::spawn(crate::scheduler::run(state.clone(), shutdown_rx)),
        ];
        tracing::info!(%url, "aether-mock listening");
        Ok(MockServer {
            url,
            addr,
            admin_token,
            api_key,
            state,
            shutdown,
            tasks,
            _temp_dir: temp_dir,
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> &str {
        &self.url
    }

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
    router: axum::Router,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve_connection(stream, router.clone(), shutdown.clone()));
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
    router: axum::Router,
    mut shutdown: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    // A second handle on the same socket, so a fault can set SO_LINGER=0 (a TCP reset) after
    // hyper owns the stream.
    let Ok(std_stream) = stream.into_std() else { return };
    let control_handle = std_stream.try_clone().ok();
    let Ok(stream) = TcpStream::from_std(std_stream) else { return };
    let control = ConnControl::default();
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
