//! `aether mock`: the emulator in the foreground, as the `aether-mock` binary runs it.

use std::io::Write;

use aether_mock::serve::{ready_line, ServeError};
use aether_mock::DEFAULT_API_KEY;

use super::Ctx;
use crate::cli::MockArgs;
use crate::error::CliError;

pub async fn run(ctx: &Ctx, args: MockArgs) -> Result<(), CliError> {
    // From here on this process is the emulator.
    aether_mock::serve::keep_heap_pages();
    let mut api_keys = vec![DEFAULT_API_KEY.to_owned()];
    api_keys.extend(args.accept_keys.into_iter().filter(|key| !key.trim().is_empty()));
    // Listening for SIGTERM before the ready line, so a supervisor that signals as soon as it
    // reads the line still gets a clean shutdown (Ctrl-C is already handled: ctx.cancel).
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .map_err(|e| aether::Error::io(format!("cannot listen for SIGTERM: {e}"), e))?;
    let server = args.serve.start(api_keys).await.map_err(|error| {
        let message = error.to_string();
        match error {
            ServeError::Flags(error) => CliError::usage(error.message().to_owned()),
            ServeError::Listen { error, .. } => CliError::from(aether::Error::io(message, error)),
            ServeError::Chaos(error) => CliError::from(error),
        }
    })?;
    let ready = ready_line(&server);
    {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{ready}");
        let _ = stdout.flush();
    }
    if !ctx.ui.json && ctx.ui.live {
        let ca = match &server.tls_files().ca_file {
            Some(ca) => format!(" AETHER_CA_BUNDLE={}", ca.display()),
            None => String::new(),
        };
        ctx.ui.note(format!(
            "Aether emulator at {} — try: AETHER_BASE_URL={} AETHER_API_KEY={}{ca} aether \
             profiles\nCtrl-C stops it.",
            server.url(),
            server.url(),
            server.api_key()
        ));
    }
    tokio::select! {
        _ = ctx.cancel.cancelled() => {}
        _ = terminate.recv() => {}
    }
    server.shutdown().await;
    Ok(())
}
