//! `aether-mock`: run the Aether emulator until SIGINT or SIGTERM.
//!
//! Prints exactly one JSON line on stdout when ready — `{"url": …, "adminToken": …, "apiKey": …}` —
//! and logs to stderr.

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use aether_mock::{MockConfig, MockServer, DEFAULT_API_KEY};
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
    runtime.block_on(async move {
        let mut config = MockConfig {
            host: args.host,
            port: args.port,
            api_keys: args.api_keys,
            admin_token: args.admin_token,
            data_dir: args.data_dir,
            ..MockConfig::default()
        };
        config.settings.processing_ms = args.processing_ms;
        let server = match MockServer::start(config).await {
            Ok(server) => server,
            Err(error) => {
                eprintln!("aether-mock: cannot listen: {error}");
                return ExitCode::FAILURE;
            }
        };
        let ready = serde_json::json!({
            "url": server.url(),
            "adminToken": server.admin_token(),
            "apiKey": server.api_key(),
        });
        let mut stdout = std::io::stdout().lock();
        if writeln!(stdout, "{ready}").and_then(|_| stdout.flush()).is_err() {
            return ExitCode::FAILURE;
        }
        drop(stdout);
        wait_for_signal().await;
        tracing::info!("shutting down");
        server.shutdown().await;
        ExitCode::SUCCESS
    })
}

async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let Ok(mut term) = signal(SignalKind::terminate()) else {
        let _ = tokio::signal::ctrl_c().await;
        return;
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
