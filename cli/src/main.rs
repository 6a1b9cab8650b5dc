//! `aether`: the Aether SDK from a shell, and `aether demo`, the tutorial run for real against
//! an emulator embedded in the binary.
//!
//! Exit codes: 0 success, 1 an API or validation error, 2 usage, 130 interrupted.
#![forbid(unsafe_code)]

mod cli;
mod commands;
mod error;
mod fixtures;
mod ui;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Usage errors exit 2 here, with clap's message.
    let cli = cli::Cli::parse();
    if let Ok(filter) = std::env::var("AETHER_LOG") {
        tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .init();
    }
    let ui = ui::Ui::new(cli.global.json);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(error::EXIT_ERROR);
        }
    };
    runtime.block_on(commands::run(cli, ui))
}
