//! `aether-mock`: run the Aether emulator until SIGINT or SIGTERM.
//!
//! Prints exactly one JSON line on stdout when ready — `{"url": …, "adminToken": …, "apiKey": …}` —
//! and logs to stderr. With `--tls` the line also has `caFile` (the generated CA to trust) and
//! `clientCertFile`/`clientKeyFile` (a client certificate signed by that CA, for mutual TLS).

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use aether_mock::{MockConfig, MockServer, TlsConfig, DEFAULT_API_KEY};
use clap::Parser;

/// A stateful local emulator of the Aether API, for tests and offline development.
#[derive(Debug, Parser)]
#[command(version, about, after_help = "Example: aether-mock --port 0 --processing-ms 200")]
struct Args {
    /// Port to listen on; 0 lets the OS pick one (read it from the JSON line on stdout).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// API key to accept (repeatable).
    #[arg(long = "api-key", default_value = DEFAULT_API_KEY)]
    api_keys: Vec<String>,
    /// Token for the /_mock/ admin API; random when not given.
    #[arg(long, env = "AETHER_MOCK_ADMIN_TOKEN")]
    admin_token: Option<String>,
    /// Directory for media bytes; a temp dir removed at exit when not given.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Virtual milliseconds a post target takes to publish.
    #[arg(long, default_value_t = 1_500)]
    processing_ms: u64,
    /// Real milliseconds the emulator spends fetching one media URL before the media fails
    /// with MEDIA_FETCH_FAILED (reason timeout).
    #[arg(long, default_value_t = 10_000)]
    ingest_timeout_ms: u64,
    /// Serve HTTPS with a CA and a server certificate for 127.0.0.1/localhost made at start-up;
    /// the JSON line gains `caFile` (and `clientCertFile`, `clientKeyFile`: a client
    /// certificate signed by the same CA).
    #[arg(long)]
    tls: bool,
    /// Serve HTTPS with this PEM certificate chain (with --tls-key) instead of a generated one.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Require client certificates signed by a CA in this PEM file (implies HTTPS).
    #[arg(long, conflicts_with = "tls_client_auth")]
    tls_client_ca: Option<PathBuf>,
    /// Require client certificates signed by the generated CA (with --tls; the JSON line's
    /// `clientCertFile` and `clientKeyFile` are one).
    #[arg(long, requires = "tls", conflicts_with = "tls_cert")]
    tls_client_auth: bool,
    /// Chaos mode from the start (as `PUT /_mock/chaos`): random faults, from this seed, on
    /// --chaos-rate of the API requests.
    #[arg(long)]
    chaos_seed: Option<u64>,
    /// The share (0-1) of API requests chaos mode faults (with --chaos-seed).
    #[arg(long, default_value_t = 0.1, requires = "chaos_seed")]
    chaos_rate: f64,
}

impl Args {
    /// The TLS set-up the flags ask for (`None`: plain HTTP).
    fn tls(&self) -> Option<TlsConfig> {
        let cert_and_key = self.tls_cert.clone().zip(self.tls_key.clone());
        TlsConfig::from_flags(
            self.tls,
            cert_and_key,
            self.tls_client_ca.clone(),
            self.tls_client_auth,
        )
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("AETHER_MOCK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("aether-mock: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let tls = args.tls();
    let chaos = args.chaos_seed.map(|seed| aether_mock::chaos::ChaosConfig {
        seed,
        rate: args.chaos_rate,
        kinds: None,
        max_per_call: None,
        stall_ms: None,
        delay_ms: None,
    });
    runtime.block_on(async move {
        let mut config = MockConfig {
            tls,
            host: args.host,
            port: args.port,
            api_keys: args.api_keys,
            admin_token: args.admin_token,
            data_dir: args.data_dir,
            ..MockConfig::default()
        };
        config.settings.processing_ms = args.processing_ms;
        config.settings.ingest_timeout_ms = args.ingest_timeout_ms;
        // Signal handlers go in before the ready line, so a supervisor that signals as soon as
        // it reads the line still gets a clean shutdown.
        let signals = match Signals::install() {
            Ok(signals) => signals,
            Err(error) => {
                eprintln!("aether-mock: cannot install signal handlers: {error}");
                return ExitCode::FAILURE;
            }
        };
        let server = match MockServer::start(config).await {
            Ok(server) => server,
            Err(error) => {
                eprintln!(
                    "aether-mock: cannot start (cannot listen, or the TLS set-up failed): {error}"
                );
                return ExitCode::FAILURE;
            }
        };
        if let Some(chaos) = chaos {
            let admin = aether_mock::Admin::for_server(&server);
            let started = match admin {
                Ok(admin) => admin.start_chaos(&chaos).await.map(drop),
                Err(error) => Err(error),
            };
            if let Err(error) = started {
                eprintln!("aether-mock: cannot start chaos mode: {error}");
                return ExitCode::FAILURE;
            }
        }
        let mut ready = serde_json::json!({
            "url": server.url(),
            "adminToken": server.admin_token(),
            "apiKey": server.api_key(),
        });
        server.tls_files().add_to(&mut ready);
        let mut stdout = std::io::stdout().lock();
        if writeln!(stdout, "{ready}").and_then(|_| stdout.flush()).is_err() {
            return ExitCode::FAILURE;
        }
        drop(stdout);
        signals.wait().await;
        tracing::info!("shutting down");
        server.shutdown().await;
        ExitCode::SUCCESS
    })
}

/// SIGINT and SIGTERM, listened for from installation on.
struct Signals {
    interrupt: tokio::signal::unix::Signal,
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> std::io::Result<Signals> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    async fn wait(mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }
}
