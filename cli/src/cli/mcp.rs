//! The arguments of `aether mcp` (beside cli.rs, which holds every other command's).

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Args)]
pub struct McpArgs {
    /// Let the tools that write (upload, create, retry, cancel, bulk) run; without it they are
    /// refused with WRITES_NOT_ALLOWED.
    #[arg(long)]
    pub allow_writes: bool,
    /// How many writes this server may make (per process, whatever the sessions); then
    /// WRITE_BUDGET_EXHAUSTED.
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub write_budget: u32,
    /// Serve streamable HTTP on 127.0.0.1 (the URL is printed on stdout) instead of stdio.
    #[arg(long)]
    pub http: bool,
    /// The port for --http [default: one the OS picks]
    #[arg(long, value_name = "PORT", requires = "http")]
    pub port: Option<u16>,
    /// The directory local files are read from; paths outside it are refused [default: the
    /// working directory]
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}
