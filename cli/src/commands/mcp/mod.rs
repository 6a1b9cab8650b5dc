//! `aether mcp`: the SDK as Model Context Protocol tools for AI agents, served over stdio (the
//! default, for an `mcpServers` entry) or streamable HTTP (`--http`), with the official Rust
//! MCP SDK (`rmcp`).
//!
//! Safe by default, because an agent acts on guesses: writes are refused unless the server was
//! started with `--allow-writes`, each write counts against `--write-budget`, a write names its
//! profiles by exact id (a name or handle is refused with the ids it could mean, never
//! resolved), a destructive tool says what it would do and waits for `confirm: true`, and local
//! files are read only under `--root`. Every tool answers JSON (text and structured content):
//! the SDK's models on success, `{ "error": { code, message, … } }` as a tool error otherwise,
//! with the SDK's codes and never the API key.
//!
//! The tools live beside the CLI command of the same resource: `profiles.rs`, `posts.rs`,
//! `media.rs` (upload, validate, rules).

mod media;
mod posts;
mod profiles;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use aether::{Client, Error};
use rmcp::handler::server::common::FromContextPart;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::ToolCallContext;
use rmcp::model::CallToolResult;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{tool_handler, ErrorData, ServerHandler, ServiceExt};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use super::Ctx;
use crate::cli::McpArgs;
use crate::error::CliError;

/// The refusal of a write on a server started without `--allow-writes`.
pub const WRITES_NOT_ALLOWED: &str = "WRITES_NOT_ALLOWED";
/// The refusal of a write past `--write-budget`.
pub const WRITE_BUDGET_EXHAUSTED: &str = "WRITE_BUDGET_EXHAUSTED";
/// The refusal of a destructive call without `confirm: true`: it says what would happen.
pub const CONFIRMATION_REQUIRED: &str = "CONFIRMATION_REQUIRED";
/// The refusal of a profile named by something other than its exact id.
pub const PROFILE_ID_REQUIRED: &str = "PROFILE_ID_REQUIRED";
/// The refusal of a local path outside `--root`.
pub const PATH_OUTSIDE_ROOT: &str = "PATH_OUTSIDE_ROOT";
/// A tool that needs the API while the server has no key.
pub const API_KEY_MISSING: &str = "API_KEY_MISSING";

/// What the server tells a client about itself at initialization.
const INSTRUCTIONS: &str = "Aether publishes posts to TikTok, Instagram, LinkedIn, Facebook, \
YouTube, Threads and Reddit. Read first: list_profiles gives the exact profile ids every write \
needs (never pass a name or handle); validate_file and platform_rules check a file offline. \
Writes (upload_media, create_post, retry_post, cancel_post, bulk_posts without dryRun) run only \
when the server was started with --allow-writes and count against a write budget; cancel_post \
needs confirm: true. Errors are JSON { error: { code, message, … } } with Aether's codes.";

/// The server: one per stdio connection, one per HTTP session; they share [`Shared`].
#[derive(Debug, Clone)]
pub struct AetherMcp {
    shared: Arc<Shared>,
    tool_router: ToolRouter<AetherMcp>,
}

/// What every session of one `aether mcp` process shares, the write budget first: it is
/// counted per process, so opening HTTP sessions cannot reset it.
#[derive(Debug)]
struct Shared {
    /// The client, or why there is none (no API key): the offline tools work without it.
    client: Result<Client, String>,
    /// Never printed; kept to scrub it from any answer, should one ever carry it.
    api_key: Option<String>,
    allow_writes: bool,
    write_budget: u32,
    writes: Mutex<u32>,
    /// Canonical; local paths must resolve under it.
    root: PathBuf,
    /// Makes the idempotency key of a create that names none unique to this process.
    session_nonce: String,
}

/// A tool's failure: the `error` object of its answer.
#[derive(Debug)]
pub struct ToolError(Value);

impl ToolError {
    /// A refusal of this server's own (not the API's): a stable code, what was wrong and what
    /// to do.
    pub fn refusal(code: &str, message: impl Into<String>, details: Option<Value>) -> ToolError {
        let mut error = json!({ "code": code, "message": message.into() });
        if let Some(details) = details {
            error["details"] = details;
        }
        ToolError(error)
    }

    /// Bad arguments, with the SDK's `INVALID_ARGUMENT`.
    pub fn invalid(message: impl Into<String>) -> ToolError {
        Error::invalid_argument(message).into()
    }
}

impl From<Error> for ToolError {
    /// The SDK's error as the core renders it (code, message, status, request id, field,
    /// platform, details, idempotency key; never the API key).
    fn from(error: Error) -> ToolError {
        ToolError(error.to_json())
    }
}

impl From<CliError> for ToolError {
    fn from(error: CliError) -> ToolError {
        match error {
            CliError::Api { error, .. } => error.into(),
            CliError::Usage(message) => ToolError::invalid(message),
            CliError::Reported(_) => ToolError::refusal("INTERNAL_ERROR", "the tool failed", None),
        }
    }
}

/// What a tool returns before it becomes an MCP answer.
pub type ToolResult = Result<Value, ToolError>;

/// A tool's arguments, or why they do not fit its schema. rmcp's own `Parameters` answers a
/// JSON-RPC error for that; this one hands the tool an `INVALID_ARGUMENT` to answer as a tool
/// error, like every other refusal an agent must read. (Named `Parameters` so that `#[tool]`
/// takes its schema, which is `T`'s.)
#[derive(Debug)]
pub struct Parameters<T>(pub Result<T, ToolError>);

impl<T: JsonSchema> JsonSchema for Parameters<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

impl<S, T: DeserializeOwned> FromContextPart<ToolCallContext<'_, S>> for Parameters<T> {
    fn from_context_part(context: &mut ToolCallContext<'_, S>) -> Result<Self, ErrorData> {
        let arguments = Value::Object(context.arguments.take().unwrap_or_default());
        Ok(Parameters(serde_json::from_value(arguments).map_err(|e| {
            ToolError::invalid(format!(
                "the arguments do not fit the tool's input schema: {e}; tools/list shows it"
            ))
        })))
    }
}

/// `aether mcp`.
pub async fn run(ctx: &Ctx, args: McpArgs) -> Result<(), CliError> {
    let root = match &args.root {
        Some(root) => root.clone(),
        None => std::env::current_dir()
            .map_err(|e| CliError::usage(format!("cannot read the working directory: {e}")))?,
    };
    let root = root.canonicalize().map_err(|e| {
        CliError::usage(format!("--root {}: {e}; pass a directory that exists", root.display()))
    })?;
    let api_key = ctx.global.api_key.clone().filter(|k| !k.trim().is_empty());
    let shared = Arc::new(Shared {
        client: ctx.client().map_err(|e| match e {
            CliError::Usage(message) => message,
            other => format!("{other:?}"),
        }),
        api_key,
        allow_writes: args.allow_writes,
        write_budget: args.write_budget,
        writes: Mutex::new(0),
        root,
        session_nonce: format!("{:016x}", rand::random::<u64>()),
    });
    let server = AetherMcp::new(shared);
    if args.http {
        return serve_http(ctx, server, args.port.unwrap_or(0)).await;
    }
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| CliError::usage(format!("the MCP client did not initialize: {e}")))?;
    tokio::select! {
        _ = running.waiting() => {}
        _ = ctx.cancel.cancelled() => {}
    }
    Ok(())
}

/// Streamable HTTP on 127.0.0.1 (loopback only: the tools act with the API key), its URL on
/// stdout, until Ctrl-C.
async fn serve_http(ctx: &Ctx, server: AetherMcp, port: u16) -> Result<(), CliError> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| CliError::usage(format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
    let address = listener
        .local_addr()
        .map_err(|e| CliError::usage(format!("cannot read the listening address: {e}")))?;
    let stop = ctx.cancel.child_token();
    let config = StreamableHttpServerConfig::default().with_cancellation_token(stop.clone());
    let service = StreamableHttpService::new(
        move || Ok(server.clone()),
        LocalSessionManager::default().into(),
        config,
    );
    let router = axum::Router::new().nest_service("/mcp", service);
    {
        use std::io::Write;
        let mut stdout = std::io::stdout().lock();
        // One line, flushed, so whoever started us can read it at once.
        let _ = writeln!(stdout, "http://{address}/mcp");
        let _ = stdout.flush();
    }
    axum::serve(listener, router)
        .with_graceful_shutdown(async move { stop.cancelled().await })
        .await
        .map_err(|e| CliError::usage(format!("the MCP HTTP server stopped: {e}")))
}

impl AetherMcp {
    fn new(shared: Arc<Shared>) -> AetherMcp {
        let tool_router = Self::profiles_router() + Self::posts_router() + Self::media_router();
        AetherMcp { shared, tool_router }
    }

    /// The client, or `API_KEY_MISSING`.
    fn client(&self) -> Result<&Client, ToolError> {
        self.shared.client.as_ref().map_err(|why| {
            ToolError::refusal(
                API_KEY_MISSING,
                format!(
                    "{why}. This tool calls the Aether API; set AETHER_API_KEY in the server's \
                     environment (the mcpServers entry's env) and restart it"
                ),
                None,
            )
        })
    }

    /// Lets a write of `count` operations through, or refuses it: `WRITES_NOT_ALLOWED` on a
    /// read-only server, `WRITE_BUDGET_EXHAUSTED` past the budget. Every write attempted
    /// counts, whatever its outcome (a failed one may still have reached the server).
    fn begin_write(&self, tool: &str, count: u32) -> Result<(), ToolError> {
        self.writes_allowed(tool)?;
        let shared = &self.shared;
        let mut used = shared.writes.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if used.saturating_add(count) > shared.write_budget {
            let left = shared.write_budget.saturating_sub(*used);
            return Err(ToolError::refusal(
                WRITE_BUDGET_EXHAUSTED,
                format!(
                    "{tool} needs {count} write(s) but this server has {left} left of its budget \
                     of {}; nothing was done. A person can restart it with a larger \
                     --write-budget",
                    shared.write_budget
                ),
                Some(json!({ "budget": shared.write_budget, "used": *used, "asked": count })),
            ));
        }
        *used += count;
        Ok(())
    }

    /// `WRITES_NOT_ALLOWED` unless the server was started with `--allow-writes`.
    fn writes_allowed(&self, tool: &str) -> Result<(), ToolError> {
        if self.shared.allow_writes {
            return Ok(());
        }
        Err(ToolError::refusal(
            WRITES_NOT_ALLOWED,
            format!(
                "{tool} writes, and this server is read-only: nothing was done. A person can \
                 restart it as `aether mcp --allow-writes` to let agents write"
            ),
            None,
        ))
    }

    /// A local path, resolved under `--root` (relative paths from it); anything outside it is
    /// `PATH_OUTSIDE_ROOT`, a missing file `IO_ERROR`.
    fn local_file(&self, path: &str) -> Result<PathBuf, ToolError> {
        let root = &self.shared.root;
        let joined = root.join(path);
        let canonical = joined.canonicalize().map_err(|e| {
            Error::io(
                format!("cannot read {path}: {e} (relative paths start at {})", root.display()),
                e,
            )
        })?;
        if !canonical.starts_with(root) {
            return Err(ToolError::refusal(
                PATH_OUTSIDE_ROOT,
                format!(
                    "{path} is outside the directory this server reads files from ({}); move \
                     the file there, or a person can restart the server with --root DIR",
                    root.display()
                ),
                None,
            ));
        }
        Ok(canonical)
    }

    /// The answer: the value as JSON text and structured content (an object: a list is
    /// wrapped as `{ key: [...] }` by the tool), or the error as a tool error. The API key is
    /// scrubbed from either, should it ever appear.
    fn answer(&self, result: ToolResult) -> CallToolResult {
        let (value, failed) = match result {
            Ok(value) => (value, false),
            Err(ToolError(error)) => (json!({ "error": error }), true),
        };
        let value = scrub(value, self.shared.api_key.as_deref());
        if failed {
            CallToolResult::structured_error(value)
        } else {
            CallToolResult::structured(value)
        }
    }
}

/// The value with every occurrence of `secret` replaced (defence in depth: the SDK's errors and
/// models never hold the key, and this keeps it so).
fn scrub(value: Value, secret: Option<&str>) -> Value {
    let Some(secret) = secret.filter(|s| s.len() >= 4) else { return value };
    let text = value.to_string();
    if !text.contains(secret) {
        return value;
    }
    let cleaned = text.replace(secret, "[redacted]");
    serde_json::from_str(&cleaned).unwrap_or_else(|_| json!({ "redacted": true }))
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for AetherMcp {
    fn get_info(&self) -> rmcp::model::ServerConfig {
        let capabilities = rmcp::model::ServerCapabilities::builder().enable_tools().build();
        rmcp::model::ServerConfig::new(capabilities)
            .with_server_info(rmcp::model::Implementation::new("aether", env!("CARGO_PKG_VERSION")))
            .with_instructions(INSTRUCTIONS.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_scrubbed_from_any_answer() {
        let value = json!({ "error": { "message": "sent sk_live_abcdef to the server" } });
        let clean = scrub(value, Some("sk_live_abcdef"));
        assert_eq!(clean["error"]["message"], "sent [redacted] to the server");
        assert!(INSTRUCTIONS.contains("--allow-writes"));
    }
}
