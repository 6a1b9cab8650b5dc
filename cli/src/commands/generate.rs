//! `aether completions SHELL` and the hidden `aether man DIR`: text generated from the command
//! line's own definition (clap), so completions and man pages never drift from `--help`.
//! scripts/release.d/50-cli.sh puts both in the CLI tarball.

use std::io::Write;
use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;

use super::Ctx;
use crate::cli::Cli;
use crate::error::CliError;

/// Prints the completion script of `shell` on stdout.
pub fn completions(shell: Shell) -> Result<(), CliError> {
    // Into a buffer first: clap_complete panics when its writer fails (`| head` closing the
    // pipe), and a closed pipe is no error for a command whose reader had enough.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "aether", &mut script);
    match std::io::stdout().write_all(&script) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(aether::Error::io(format!("cannot write the completion script: {e}"), e).into())
        }
        _ => Ok(()),
    }
}

/// Writes aether.1 and a page per subcommand (aether-post.1, aether-webhooks-verify.1, …) into
/// `dir`, creating it.
pub fn man_pages(ctx: &Ctx, dir: &Path) -> Result<(), CliError> {
    let cannot = |e: std::io::Error| {
        aether::Error::io(format!("cannot write the man pages into {}: {e}", dir.display()), e)
    };
    std::fs::create_dir_all(dir).map_err(cannot)?;
    clap_mangen::generate_to(Cli::command(), dir).map_err(cannot)?;
    ctx.ui.note(format_args!("man pages written to {}", dir.display()));
    Ok(())
}
