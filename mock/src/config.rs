//! How an emulator is started: address, keys, data directory, timings and limits.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The API key the emulator accepts when none is configured.
pub const DEFAULT_API_KEY: &str = "sk_test_aether_mock";

/// Everything an emulator is started with. `MockConfig::default()` listens on 127.0.0.1 on a
/// port the OS picks, accepts [`DEFAULT_API_KEY`], and keeps media in a fresh temp dir.
/// Its `Debug` shows how many keys there are and whether an admin token is set, never them.
#[derive(Clone)]
pub struct MockConfig {
    /// The address to listen on (loopback by default).
    pub host: IpAddr,
    /// 0 lets the OS pick a free port; read it back from [`crate::MockServer::url`].
    pub port: u16,
    /// Keys accepted as `Authorization: Bearer <key>`.
    pub api_keys: Vec<String>,
    /// Token for the `/_mock/` admin API; random when `None`.
    pub admin_token: Option<String>,
    /// Where media bytes are stored; a temp dir (removed at shutdown) when `None`.
    pub data_dir: Option<PathBuf>,
    /// Processing time, rate limits, size caps and expiries (also changed at run time through `PATCH /_mock/settings`).
    pub settings: Settings,
    /// HTTPS instead of plain HTTP (`--tls`); see [`crate::tls`].
    pub tls: Option<crate::tls::TlsConfig>,
}

impl std::fmt::Debug for MockConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |set: bool| if set { "<redacted>" } else { "<none>" };
        f.debug_struct("MockConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("api_keys", &format_args!("<{} redacted>", self.api_keys.len()))
            .field("admin_token", &format_args!("{}", redacted(self.admin_token.is_some())))
            .field("data_dir", &self.data_dir)
            .field("settings", &self.settings)
            .field("tls", &self.tls)
            .finish()
    }
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            api_keys: vec![DEFAULT_API_KEY.to_owned()],
            admin_token: None,
            data_dir: None,
            settings: Settings::default(),
            tls: None,
        }
    }
}

/// The knobs the admin API can turn while the emulator runs (`PATCH /_mock/settings`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Settings {
    /// How long a target takes to publish once it starts, in virtual milliseconds.
    pub processing_ms: u64,
    /// API calls allowed per key in each rate-limit window.
    pub rate_limit: u32,
    /// Length of the rate-limit window in seconds.
    pub rate_limit_window_secs: u64,
    /// Largest JSON request body accepted, in bytes.
    pub max_json_body: usize,
    /// Largest single-shot upload (`POST /v1/media`) accepted, in bytes.
    pub max_single_upload: u64,
    /// Largest file a chunked upload may declare, in bytes.
    pub max_upload_size: u64,
    /// Lifetime of an upload session, in seconds.
    pub upload_expiry_secs: u64,
    /// Lifetime of a pending connect link, in seconds.
    pub connect_link_expiry_secs: u64,
    /// Tier given to profiles approved through the hosted connect page.
    pub approved_tier: String,
    /// Suggested seconds between polls, sent as `Retry-After` on a publishing post.
    pub poll_hint_secs: u64,
    /// The same hint in milliseconds, sent as `Retry-After-Ms` (which clients prefer) with
    /// `Retry-After` rounded up to whole seconds; absent: `pollHintSecs` × 1000.
    pub poll_hint_ms: Option<u64>,
    /// How long the emulator spends fetching one media URL (`POST /v1/media/ingest`, a post's
    /// `mediaUrls`), from the first request to the last byte, in real milliseconds; past it
    /// the media fails with `MEDIA_FETCH_FAILED` (`reason: timeout`).
    pub ingest_timeout_ms: u64,
    /// Attempts per webhook delivery, the first included, before it is `failed` (a dead letter).
    pub webhook_max_attempts: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            processing_ms: 1_500,
            rate_limit: 100_000,
            rate_limit_window_secs: 60,
            max_json_body: 1024 * 1024,
            max_single_upload: 64 * 1024 * 1024,
            max_upload_size: 256_000_000_000,
            upload_expiry_secs: 24 * 3600,
            connect_link_expiry_secs: 3600,
            approved_tier: "standard".to_owned(),
            poll_hint_secs: 1,
            poll_hint_ms: None,
            ingest_timeout_ms: 10_000,
            webhook_max_attempts: 8,
        }
    }
}

impl Settings {
    /// How long verifying a media file or publishing a target takes (`processingMs`).
    pub fn processing(&self) -> Duration {
        Duration::from_millis(self.processing_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_keys_or_the_admin_token() {
        let config = MockConfig {
            api_keys: vec!["sk_live_secret_key".into()],
            admin_token: Some("adm_secret_token".into()),
            ..MockConfig::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("sk_live_secret_key"), "{shown}");
        assert!(!shown.contains("adm_secret_token"), "{shown}");
        assert!(
            shown.contains("<1 redacted>") && shown.contains("admin_token: <redacted>"),
            "{shown}"
        );
    }
}
