//! `aether mock`: the emulator in the foreground, as the `aether-mock` binary runs it.

use std::io::Write;

use aether_mock::{MockConfig, MockServer, TlsConfig, DEFAULT_API_KEY};
use serde_json::json;

use super::Ctx;
use crate::cli::MockArgs;
use crate::error::CliError;

pub async fn run(ctx: &Ctx, args: MockArgs) -> Result<(), CliError> {
    let mut api_keys = vec![DEFAULT_API_KEY.to_owned()];
    api_keys.extend(args.accept_keys.into_iter().filter(|key| !key.trim().is_empty()));
    let mut config = MockConfig {
        host: args.host,
        port: args.port,
        api_keys,
        admin_token: args.admin_token,
        data_dir: args.data_dir,
        tls: TlsConfig::from_flags(
            args.tls,
            args.tls_cert.zip(args.tls_key),
            args.tls_client_ca,
            args.tls_client_auth,
        ),
        ..MockConfig::default()
    };
    config.settings.processing_ms = args.processing_ms;
    // Listening for SIGTERM before the ready line, so a supervisor that signals as soon as it
    // reads the line still gets a clean shutdown (Ctrl-C is already handled: ctx.cancel).
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .map_err(|e| aether::Error::io(format!("cannot listen for SIGTERM: {e}"), e))?;
    let server = MockServer::start(config).await.map_err(|e| {
        CliError::from(aether::Error::io(
            format!(
                "cannot listen on {}:{}: {e} (choose another --port, or 0)",
                args.host, args.port
            ),
            e,
        ))
    })?;
    let mut ready = json!({
        "url": server.url(),
        "adminToken": server.admin_token(),
        "apiKey": server.api_key(),
    });
    server.tls_files().add_to(&mut ready);
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
