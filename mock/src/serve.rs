//! The emulator in a process of its own, as `aether-mock` and the CLI's `aether mock` run it:
//! the flags both take (one definition, so they cannot drift), starting the server from them
//! (in chaos mode from the start when asked) and the JSON line it prints once it listens.

use std::net::IpAddr;
use std::path::PathBuf;

use crate::chaos::ChaosConfig;
use crate::{Admin, MockConfig, MockServer, TlsConfig};

/// The emulator's flags, for a `clap` command (`#[command(flatten)]`). The API keys are not
/// among them: `aether-mock --api-key` replaces the default key, `aether mock --accept-key`
/// adds to it.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeFlags {
    /// Port to listen on; 0 lets the OS pick one (read it from the JSON line on stdout).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Virtual milliseconds a post target takes to publish.
    #[arg(long, default_value_t = 1_500, value_name = "N")]
    pub processing_ms: u64,
    /// Real milliseconds the emulator spends fetching one media URL before the media fails
    /// with MEDIA_FETCH_FAILED (reason timeout).
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub ingest_timeout_ms: u64,
    /// Token for the /_mock/ admin API [default: random].
    #[arg(long, env = "AETHER_MOCK_ADMIN_TOKEN", hide_env_values = true, value_name = "TOKEN")]
    pub admin_token: Option<String>,
    /// Directory for media bytes [default: a temp dir removed at exit].
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Serve HTTPS with a CA and a server certificate for 127.0.0.1/localhost made at start-up;
    /// the JSON line gains `caFile` (and `clientCertFile`, `clientKeyFile`: a client
    /// certificate signed by the same CA).
    #[arg(long)]
    pub tls: bool,
    /// Serve HTTPS with this PEM certificate chain (with --tls-key) instead of a generated one.
    #[arg(long, requires = "tls_key", value_name = "FILE")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, requires = "tls_cert", value_name = "FILE")]
    pub tls_key: Option<PathBuf>,
    /// Require client certificates signed by a CA in this PEM file (implies HTTPS).
    #[arg(long, value_name = "FILE", conflicts_with = "tls_client_auth")]
    pub tls_client_ca: Option<PathBuf>,
    /// Require client certificates signed by the generated CA (with --tls; the JSON line's
    /// `clientCertFile` and `clientKeyFile` are one).
    #[arg(long, requires = "tls", conflicts_with = "tls_cert")]
    pub tls_client_auth: bool,
    /// Chaos mode from the start (as `PUT /_mock/chaos`): random faults, from this seed, on
    /// --chaos-rate of the API requests.
    #[arg(long, value_name = "SEED")]
    pub chaos_seed: Option<u64>,
    /// The share (0-1) of API requests chaos mode faults (with --chaos-seed).
    #[arg(long, default_value_t = 0.1, requires = "chaos_seed", value_name = "RATE")]
    pub chaos_rate: f64,
}

impl ServeFlags {
    /// The server's configuration, accepting `api_keys`.
    pub fn config(&self, api_keys: Vec<String>) -> MockConfig {
        let mut config = MockConfig {
            tls: TlsConfig::from_flags(
                self.tls,
                self.tls_cert.clone().zip(self.tls_key.clone()),
                self.tls_client_ca.clone(),
                self.tls_client_auth,
            ),
            host: self.host,
            port: self.port,
            api_keys,
            admin_token: self.admin_token.clone(),
            data_dir: self.data_dir.clone(),
            ..MockConfig::default()
        };
        config.settings.processing_ms = self.processing_ms;
        config.settings.ingest_timeout_ms = self.ingest_timeout_ms;
        config
    }

    /// The chaos settings of --chaos-seed and --chaos-rate (`None` without a seed), checked
    /// as `PUT /_mock/chaos` checks them: `INVALID_ARGUMENT` naming the flag otherwise.
    pub fn chaos(&self) -> aether::Result<Option<ChaosConfig>> {
        let Some(seed) = self.chaos_seed else { return Ok(None) };
        let chaos = ChaosConfig {
            seed,
            rate: self.chaos_rate,
            kinds: None,
            max_per_call: None,
            stall_ms: None,
            delay_ms: None,
        };
        chaos.check().map_err(|(field, message)| {
            aether::Error::invalid_argument(format!("--chaos-{field}: {message}"))
                .with_field(format!("--chaos-{field}"))
        })?;
        Ok(Some(chaos))
    }

    /// Starts the emulator the flags describe, accepting `api_keys`, in chaos mode from the
    /// start when --chaos-seed was given. Bad chaos flags are refused before it listens.
    pub async fn start(&self, api_keys: Vec<String>) -> Result<MockServer, ServeError> {
        let chaos = self.chaos().map_err(ServeError::Flags)?;
        let server = MockServer::start(self.config(api_keys))
            .await
            .map_err(|error| ServeError::Listen { host: self.host, port: self.port, error })?;
        if let Some(chaos) = chaos {
            let admin = Admin::for_server(&server).map_err(ServeError::Chaos)?;
            if let Err(error) = admin.start_chaos(&chaos).await {
                server.shutdown().await;
                return Err(ServeError::Chaos(error));
            }
        }
        Ok(server)
    }
}

/// For a process that runs only the emulator (`aether-mock`, `aether mock`), called first in
/// `main`: glibc's malloc keeps 16 MiB of spare room at the top of each heap instead of handing
/// freed pages back to the system at once.
///
/// Why: while parts arrive, hyper reads each body into fresh buffers (the chunks before them
/// are still held, waiting for their positional write), and glibc trims the heap as soon as
/// they are freed, so the next buffers fault their pages in again: ~30,000 page faults and
/// 8–10 % of the emulator's CPU per GiB received (`perf stat -e page-faults`, 1 GiB in 8 MiB
/// parts, 4 at once; bench/README.md). With the pad: ~200 faults, and the peak RSS moved from
/// 25 to 28 MiB. Not done for an emulator embedded in another program (a test process): its
/// allocator is that program's business. Other C libraries: nothing to do.
pub fn keep_heap_pages() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only sets a tuning parameter of glibc's allocator; any value is
        // accepted (it returns 0 on an invalid one, which leaves the default in place).
        unsafe {
            libc::mallopt(libc::M_TOP_PAD, 16 << 20);
        }
    }
}

/// The line printed on stdout once the emulator listens: `{"url", "adminToken", "apiKey"}`,
/// and with TLS `caFile` (and `clientCertFile`, `clientKeyFile`).
pub fn ready_line(server: &MockServer) -> serde_json::Value {
    let mut ready = serde_json::json!({
        "url": server.url(),
        "adminToken": server.admin_token(),
        "apiKey": server.api_key(),
    });
    server.tls_files().add_to(&mut ready);
    ready
}

/// Why [`ServeFlags::start`] did not start the emulator.
#[derive(Debug)]
pub enum ServeError {
    /// A flag's value is not allowed (`INVALID_ARGUMENT`, naming the flag).
    Flags(aether::Error),
    /// The address could not be listened on, or the TLS set-up failed.
    Listen {
        /// --host.
        host: IpAddr,
        /// --port.
        port: u16,
        /// What the system said.
        error: std::io::Error,
    },
    /// Chaos mode could not be started.
    Chaos(aether::Error),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::Flags(error) => write!(f, "{error}"),
            ServeError::Listen { host, port, error } => write!(
                f,
                "cannot listen on {host}:{port} (or the TLS set-up failed): {error}; choose \
                 another --port, or 0"
            ),
            ServeError::Chaos(error) => write!(f, "cannot start chaos mode: {error}"),
        }
    }
}

impl std::error::Error for ServeError {}
