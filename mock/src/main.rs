//! `aether-mock`: run the Aether emulator until SIGINT or SIGTERM.
//!
//! Prints exactly one JSON line on stdout when ready — `{"url": …, "adminToken": …, "apiKey": …}` —
//! and logs to stderr. With `--tls` the line also has `caFile` (the generated CA to trust) and
//! `clientCertFile`/`clientKeyFile` (a client certificate signed by that CA, for mutual TLS).

use std::io::Write;
use std::process::ExitCode;

use aether_mock::serve::{ready_line, ServeFlags};
use aether_mock::DEFAULT_API_KEY;
use clap::Parser;

/// A stateful local emulator of the Aether API, for tests and offline development.
#[derive(Debug, Parser)]
#[command(version, about, after_help = "Example: aether-mock --port 0 --processing-ms 200")]
struct Args {
    /// API key to accept (repeatable).
    #[arg(long = "api-key", default_value = DEFAULT_API_KEY)]
    api_keys: Vec<String>,
    #[command(flatten)]
    serve: ServeFlags,
}

fn main() -> ExitCode {
    aether_mock::serve::keep_heap_pages();
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
        // Signal handlers go in before the ready line, so a supervisor that signals as soon as
        // it reads the line still gets a clean shutdown.
        let signals = match Signals::install() {
            Ok(signals) => signals,
            Err(error) => {
                eprintln!("aether-mock: cannot install signal handlers: {error}");
                return ExitCode::FAILURE;
            }
        };
        let server = match args.serve.start(args.api_keys).await {
            Ok(server) => server,
            Err(error) => {
                eprintln!("aether-mock: {error}");
                return ExitCode::FAILURE;
            }
        };
        let ready = ready_line(&server);
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
