//! The commands, and what they share: the client built from the global options, and Ctrl-C.

mod api;
mod connect_links;
mod demo;
mod generate;
mod mcp;
mod media;
mod mock;
mod posts;
mod profiles;
mod validate;
mod webhooks;

use std::process::ExitCode;
use std::time::Duration;

use aether::{CancellationToken, Client, Error};
use serde_json::{Map, Value};

use crate::cli::{Cli, Command, GlobalArgs, PostCommand, WebhooksCommand};
use crate::error::CliError;
use crate::ui::Ui;

/// How long a command may take to wind down after Ctrl-C (abort an upload session, stop the
/// emulator) before the process exits anyway.
const INTERRUPT_GRACE: Duration = Duration::from_secs(3);

/// What every command gets.
#[derive(Debug)]
pub struct Ctx {
    pub ui: Ui,
    pub global: GlobalArgs,
    /// Cancelled on Ctrl-C.
    pub cancel: CancellationToken,
}

impl Ctx {
    /// The base URL in use: --base-url / AETHER_BASE_URL, else the production API.
    pub fn base_url(&self) -> String {
        self.global
            .base_url
            .as_deref()
            .map(str::trim)
            .filter(|url| !url.is_empty())
            .unwrap_or(aether::client::DEFAULT_BASE_URL)
            .to_owned()
    }

    /// A client for --base-url with --api-key; a missing key or a bad URL is a usage error.
    pub fn client(&self) -> Result<Client, CliError> {
        let key = self.global.api_key.as_deref().map(str::trim).filter(|key| !key.is_empty());
        let Some(key) = key else {
            return Err(CliError::usage(
                "no API key: set AETHER_API_KEY or pass --api-key (find the key in the Aether \
                 dashboard; for a local emulator, `aether mock` prints its key)",
            ));
        };
        let options = aether::ClientOptions {
            attempt_timeout_ms: self.global.attempt_timeout.map(|s| s * 1000.0),
            connect_timeout_ms: self.global.connect_timeout.map(|s| s * 1000.0),
            traceparent: self.global.traceparent.clone().filter(|t| !t.trim().is_empty()),
            // Unset (no -v), the core reads AETHER_LOG; lines go to stderr, stdout stays data.
            log_level: match self.global.verbose {
                0 => None,
                1 => Some("debug".to_owned()),
                _ => Some("trace".to_owned()),
            },
            ..aether::ClientOptions::new()
        };
        let mut builder = aether::ClientBuilder::from_options(options)
            .spelling(aether::Spelling::Cli)
            .api_key(key)
            .base_url(self.base_url())
            .user_agent_suffix(format!("aether-cli/{}", env!("CARGO_PKG_VERSION")));
        // Unset, the core reads AETHER_CA_BUNDLE, AETHER_CLIENT_CERT and AETHER_CLIENT_KEY.
        let g = &self.global;
        if let Some(path) = &g.ca_bundle {
            builder = builder.ca_bundle(path);
        }
        if let Some(path) = &g.client_cert {
            builder = builder.client_cert(path);
        }
        if let Some(path) = &g.client_key {
            builder = builder.client_key(path);
        }
        // Unset, the core reads HTTPS_PROXY, HTTP_PROXY, ALL_PROXY and NO_PROXY.
        if let Some(proxy) = &g.proxy {
            builder = builder.proxy(proxy);
        }
        builder.build().map_err(|error| {
            let own_fields = [
                "--ca-bundle",
                "--client-cert",
                "--client-key",
                "--traceparent",
                "--proxy",
                aether::transport::CA_BUNDLE_ENV,
                aether::transport::CLIENT_CERT_ENV,
                aether::transport::CLIENT_KEY_ENV,
            ];
            let field = error.field();
            let timeout =
                |f: &str| f.starts_with("--attempt-timeout") || f.starts_with("--connect-timeout");
            if field.is_some_and(|f| own_fields.contains(&f) || timeout(f)) {
                return CliError::usage(error.message().to_owned());
            }
            CliError::usage(format!(
                "{}; pass a URL such as http://127.0.0.1:8080 with --base-url or \
                 AETHER_BASE_URL",
                error.message()
            ))
        })
    }
}

/// Runs the command and turns its outcome into an exit code.
pub async fn run(cli: Cli, ui: Ui) -> ExitCode {
    let cancel = CancellationToken::new();
    let on_interrupt = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            on_interrupt.cancel();
        }
    });
    let ctx = Ctx { ui, global: cli.global, cancel: cancel.clone() };
    let base_url = ctx.base_url();
    let outcome = tokio::select! {
        outcome = dispatch(&ctx, cli.command) => outcome,
        _ = async { cancel.cancelled().await; tokio::time::sleep(INTERRUPT_GRACE).await } => {
            Err(Error::cancelled("interrupted").into())
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => error.report(&ctx.ui, &base_url),
    }
}

async fn dispatch(ctx: &Ctx, command: Command) -> Result<(), CliError> {
    match command {
        Command::Demo(args) => demo::run(ctx, args).await,
        Command::Connect(args) => connect_links::connect(ctx, args).await,
        Command::Profiles(args) => profiles::run(ctx, args).await,
        Command::Upload(args) => media::upload(ctx, args).await,
        Command::Post(mut args) => match args.action.take() {
            Some(PostCommand::Retry(retry)) => posts::retry(ctx, retry).await,
            None => posts::create(ctx, args).await,
        },
        Command::Bulk(args) => posts::bulk(ctx, args).await,
        Command::Status(args) => posts::status(ctx, args).await,
        Command::Validate(args) => validate::run(ctx, args),
        Command::Webhooks(WebhooksCommand::Verify(args)) => webhooks::verify(ctx, args),
        Command::Webhooks(WebhooksCommand::Deliveries(args)) => {
            webhooks::deliveries(ctx, args).await
        }
        Command::Webhooks(WebhooksCommand::Redeliver(args)) => webhooks::redeliver(ctx, args).await,
        Command::Api(args) => api::run(ctx, args).await,
        Command::Mock(args) => mock::run(ctx, args).await,
        Command::Completions { shell } => generate::completions(shell),
        Command::Man { dir } => generate::man_pages(ctx, &dir),
        Command::Mcp(args) => mcp::run(ctx, args).await,
    }
}

/// Runs `future` unless Ctrl-C comes first.
pub async fn interruptible<T>(
    ctx: &Ctx,
    future: impl std::future::Future<Output = aether::Result<T>>,
) -> Result<T, CliError> {
    tokio::select! {
        biased;
        _ = ctx.cancel.cancelled() => Err(Error::cancelled("interrupted").into()),
        result = future => Ok(result?),
    }
}

/// Parses `PLATFORM.NAME=VALUE` options into `{ platform: { name: value } }`; VALUE is JSON
/// when it parses as JSON (`true`, `12`, `"x"`), else text.
pub fn parse_options(options: &[String]) -> Result<Map<String, Value>, CliError> {
    let mut platforms = Map::new();
    for option in options {
        let bad = || {
            CliError::usage(format!(
                "--option {option:?} is not PLATFORM.NAME=VALUE (e.g. tiktok.privacyLevel=SELF_ONLY)"
            ))
        };
        let (path, value) = option.split_once('=').ok_or_else(bad)?;
        let (platform, name) = path.split_once('.').ok_or_else(bad)?;
        let (platform, name) = (platform.trim(), name.trim());
        if platform.is_empty() || name.is_empty() {
            return Err(bad());
        }
        let known: Vec<&str> = aether::model::Platform::ALL.iter().map(|p| p.as_str()).collect();
        if !known.contains(&platform) {
            return Err(CliError::usage(format!(
                "--option {option:?}: unknown platform {platform:?}; one of {}",
                known.join(", ")
            )));
        }
        let value = serde_json::from_str::<Value>(value)
            .ok()
            .filter(|v| !v.is_object() && !v.is_array())
            .unwrap_or_else(|| Value::String(value.to_owned()));
        let entry =
            platforms.entry(platform.to_owned()).or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(map) = entry {
            map.insert(name.to_owned(), value);
        }
    }
    Ok(platforms)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn options_parse_as_json_or_text() {
        let options = [
            "tiktok.privacyLevel=SELF_ONLY".to_owned(),
            "tiktok.disableDuet=true".to_owned(),
            "reddit.subreddit=rust".to_owned(),
        ];
        let parsed = parse_options(&options).unwrap();
        assert_eq!(
            Value::Object(parsed),
            json!({
                "tiktok": { "privacyLevel": "SELF_ONLY", "disableDuet": true },
                "reddit": { "subreddit": "rust" },
            })
        );
        assert!(parse_options(&["privacyLevel=SELF_ONLY".to_owned()]).is_err());
        assert!(parse_options(&["myspace.x=1".to_owned()]).is_err());
        assert!(parse_options(&["tiktok.privacyLevel".to_owned()]).is_err());
    }
}
