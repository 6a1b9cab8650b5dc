//! The command line: every command, argument and help text (clap derive).

use std::path::PathBuf;

use aether::model::{Platform, Tier};
use clap::{Args, Parser, Subcommand, ValueEnum};

mod mcp;
pub use mcp::McpArgs;

/// What `--version` prints: this command's version and the SDK's.
const VERSION: &str =
    concat!(env!("CARGO_PKG_VERSION"), " (aether-sdk-rust ", env!("CARGO_PKG_VERSION"), ")");

/// The exit codes, shown under every command's help.
macro_rules! exit_codes {
    () => {
        "Exit codes: 0 success · 1 an API or validation error (its code, message and request id are \
         printed) · 2 usage (a bad or missing argument, e.g. no API key) · 130 interrupted"
    };
}

#[derive(Debug, Parser)]
#[command(
    name = "aether",
    version = VERSION,
    about = "The Aether API from a shell: connect accounts, upload videos, publish posts, and wait \
             for the platforms to finish processing them.",
    long_about = "The Aether API from a shell: connect accounts, upload videos, publish posts, and \
                  wait for the platforms to finish processing them.\n\n\
                  Start with `aether demo`: it runs the whole TikTok tutorial against an emulator \
                  embedded in this binary — no key, no account, no network.\n\n\
                  The other commands talk to the server at --base-url (default \
                  https://api.aetherhq.dev) with --api-key; both can come from AETHER_BASE_URL and \
                  AETHER_API_KEY. Output is for people unless --json is given, which prints exactly \
                  one JSON document on stdout.",
    after_help = concat!(
        "Examples:\n",
        "  aether demo                                   the tutorial, for real, in a few seconds\n",
        "  aether mock --port 8080 &                     a local emulator for your own code\n",
        "  export AETHER_BASE_URL=http://127.0.0.1:8080 AETHER_API_KEY=sk_test_aether_mock\n",
        "  aether validate video.mp4 --platform tiktok   check a file offline\n",
        "  aether upload video.mp4 --platform tiktok     → mediaKey\n",
        "  aether post --profile tiktok_… --text 'Hi' --media org_…/….mp4 --wait\n\n",
        exit_codes!()
    )
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// The help heading of the options every command takes.
const GLOBAL: &str = "Global options";

/// Options every command takes.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The API's base URL, e.g. an emulator's http://127.0.0.1:8080 [default: https://api.aetherhq.dev]
    #[arg(long, env = "AETHER_BASE_URL", global = true, value_name = "URL", help_heading = GLOBAL)]
    pub base_url: Option<String>,
    /// Your API key (never printed). Prefer the environment variable: arguments show up in `ps`.
    #[arg(
        long,
        env = "AETHER_API_KEY",
        global = true,
        hide_env_values = true,
        value_name = "KEY",
        help_heading = GLOBAL
    )]
    pub api_key: Option<String>,
    /// Print exactly one JSON document on stdout (errors too: {"error": {code, message, …}}).
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub json: bool,
    /// A PEM file of CA certificates to trust besides the system's, e.g. a TLS-inspecting
    /// proxy's CA [env: AETHER_CA_BUNDLE]
    #[arg(long, global = true, value_name = "FILE", help_heading = GLOBAL)]
    pub ca_bundle: Option<String>,
    /// A PEM client certificate for mutual TLS, with --client-key [env: AETHER_CLIENT_CERT]
    #[arg(long, global = true, value_name = "FILE", help_heading = GLOBAL)]
    pub client_cert: Option<String>,
    /// The PEM private key of --client-cert [env: AETHER_CLIENT_KEY]
    #[arg(long, global = true, value_name = "FILE", help_heading = GLOBAL)]
    pub client_key: Option<String>,
    /// The forward proxy, http://[user:password@]host:port (hosts in NO_PROXY still go
    /// direct); "" for none, whatever the environment says [env: HTTPS_PROXY, HTTP_PROXY,
    /// ALL_PROXY, NO_PROXY]
    #[arg(long, global = true, value_name = "URL", help_heading = GLOBAL)]
    pub proxy: Option<String>,
    /// Bound on each attempt of a request, in seconds; one that passes it is retried [default: 30]
    #[arg(long, global = true, value_name = "SECONDS", allow_negative_numbers = true, help_heading = GLOBAL)]
    pub attempt_timeout: Option<f64>,
    /// Bound on each connect (TCP and TLS), in seconds [default: 10]
    #[arg(long, global = true, value_name = "SECONDS", allow_negative_numbers = true, help_heading = GLOBAL)]
    pub connect_timeout: Option<f64>,
    /// A W3C trace context (00-<32 hex>-<16 hex>-<2 hex>) sent as `traceparent` with every
    /// request, so the server's logs join your trace (the TRACEPARENT variable is the
    /// OpenTelemetry convention for handing a trace to a child process)
    #[arg(long, env = "TRACEPARENT", global = true, value_name = "TRACEPARENT", help_heading = GLOBAL)]
    pub traceparent: Option<String>,
    /// Log each request to stderr: -v one line per attempt (debug), -vv bodies too, secrets
    /// redacted (trace) [env: AETHER_LOG=error|warn|info|debug|trace]
    #[arg(short = 'v', long = "verbose", action = clap::ArgAction::Count, global = true, help_heading = GLOBAL)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the TikTok tutorial for real against an emulator embedded in this binary.
    #[command(after_help = concat!(
        "Connects a TikTok account through the hosted approval page, uploads a video with a \
         progress bar, publishes it and follows its status until it is published, then makes \
         the tutorial's errors happen: CAPTION_TOO_LONG, VIDEO_TOO_SHORT (refused by the client \
         before upload, and by the server) and POST_LIMIT_REACHED on the eleventh post of the \
         day. No key, no account, no network.\n\n",
        "Examples:\n",
        "  aether demo\n",
        "  aether demo --video ./my-clip.mp4\n",
        "  aether demo --json | jq '.errors[].code'\n\n",
        exit_codes!()
    ))]
    Demo(DemoArgs),

    /// Create a connect link: the hosted page that connects an end user's social account.
    #[command(after_help = concat!(
        "Send the printed URL to your user. After they approve, Aether redirects them to \
         --redirect-url with ?profileId=…&linkId=…&state=…; check that state is the one you \
         passed, then use profileId in posts.\n\n",
        "Examples:\n",
        "  aether connect tiktok --redirect-url https://yourapp.com/oauth/tiktok/callback --state 8f2c…\n",
        "  aether connect youtube --redirect-url https://yourapp.com/cb --json | jq -r .url\n\n",
        exit_codes!()
    ))]
    Connect(ConnectArgs),

    /// List the connected profiles (every page).
    #[command(after_help = concat!(
        "Examples:\n",
        "  aether profiles\n",
        "  aether profiles --json | jq -r '.[] | select(.platform == \"tiktok\") | .id'\n",
        "  aether profiles capabilities tiktok_8f2c\n\n",
        exit_codes!()
    ))]
    Profiles(ProfilesArgs),

    /// Upload a video or image and print its media key (preflighted, chunked, resumable).
    #[command(after_help = concat!(
        "With --platform the file is probed and checked against that platform's rules before a \
         byte is sent. Files over 8 MiB go in parallel, checksummed parts; when an upload fails \
         half-way the error names the upload id to pass to --resume. With --url the server \
         fetches the file itself (--platform then reads only the few KiB the check needs, with \
         range requests).\n\n",
        "Examples:\n",
        "  aether upload video.mp4 --platform tiktok\n",
        "  aether upload long.mp4 --platform tiktok --tier creator --wait\n",
        "  aether upload clip.mp4 --profile tiktok_8f2c\n",
        "  aether upload big.mp4 --resume upl_3fK9x0aQ2mZr7bLc\n",
        "  aether upload --url https://cdn.example.com/clip.mp4 --platform tiktok --wait\n\n",
        exit_codes!()
    ))]
    Upload(UploadArgs),

    /// Publish (or schedule, or draft) a post.
    #[command(after_help = concat!(
        "Platform options are PLATFORM.NAME=VALUE; VALUE is read as JSON when it is JSON (true, \
         12) and as text otherwise.\n\n",
        "Examples:\n",
        "  aether post --profile tiktok_… --text 'My first TikTok via API! #coding #developer' \\\n",
        "      --media org_abc123/f47ac10b.mp4 --option tiktok.privacyLevel=SELF_ONLY --wait\n",
        "  aether post --profile tiktok_… --text 'Launch' --media KEY \\\n",
        "      --schedule 2026-06-15T09:00:00 --timezone America/New_York\n",
        "  aether post --profile tiktok_a --profile ig_b --text 'Cross-post' --media KEY --draft\n",
        "  aether post retry post_8Hq2… --wait\n",
        "  aether post --profile li_… --text 'Once only' --idempotency-key launch-2026-06-15\n\n",
        "When no answer arrives (OUTCOME_UNKNOWN) the post may exist: the error prints this \
         command with --idempotency-key KEY; re-run it to get the post, or have it made once.\n\n",
        exit_codes!()
    ))]
    // `aether post retry ID` beside `aether post --profile …`: a subcommand, or the flags of a
    // new post (never both, and the new post's required flags only without a subcommand).
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Post(PostArgs),

    /// Create many posts from a CSV file: one per row, each independently.
    #[command(after_help = concat!(
        "The file is UTF-8 CSV (a BOM and CRLF are fine) with a header row naming its columns: \
         text (required), profileIds (several ids in one quoted cell: \"tiktok_a,ig_b\"), \
         scheduledFor, timezone, mediaUrls, mediaKeys, title, platforms (a JSON object). At most \
         1,000 rows and 5 MiB. Prints one line per row: its row and line numbers, and the post \
         created or the error. Exit code 1 when any row failed.\n\n",
        "Examples:\n",
        "  aether bulk posts.csv --dry-run\n",
        "  aether bulk posts.csv\n",
        "  aether bulk posts.csv --json | jq '.results[] | select(.ok | not)'\n\n",
        exit_codes!()
    ))]
    Bulk(BulkArgs),

    /// Show a post's status, or follow it until it is published or failed.
    #[command(after_help = concat!(
        "With --wait the exit code is 1 when the post ends failed or partially published.\n\n",
        "Examples:\n",
        "  aether status post_8Hq2…\n",
        "  aether status post_8Hq2… --wait\n\n",
        exit_codes!()
    ))]
    Status(StatusArgs),

    /// Check a file (and caption) against a platform's rules, offline: no key, no network.
    #[command(after_help = concat!(
        "Probes the file's own bytes (container, codec, size, duration — no ffmpeg) and checks \
         them, with --text/--title/--option, against the rules table built into the SDK. Exit \
         code 1 when anything breaks a rule.\n\n",
        "Examples:\n",
        "  aether validate video.mp4 --platform tiktok\n",
        "  aether validate long.mp4 --platform tiktok --tier creator\n",
        "  aether validate clip.mov --platform tiktok --platform instagram --text \"$(cat caption.txt)\"\n",
        "  aether validate video.mp4 --platform tiktok --json | jq '.violations[].code'\n\n",
        exit_codes!()
    ))]
    Validate(ValidateArgs),

    /// Webhook helpers.
    #[command(subcommand)]
    Webhooks(WebhooksCommand),

    /// Call any endpoint (like `gh api`), including one the commands do not cover.
    #[command(after_help = concat!(
        "Sends METHOD PATH through the same client as every command (API key, retries, an \
         idempotency key on a POST, timeouts) and prints the response's JSON. PATH is under the \
         base URL and starts with /; a full URL is refused (the key is only sent to the base \
         URL). With --include the status and headers come first (with --json: one document \
         {status, headers, requestId, data}).\n\n",
        "Examples:\n",
        "  aether api GET /v1/platforms\n",
        "  aether api GET /v1/posts --query status=published --query limit=5\n",
        "  aether api POST /v1/posts --data @post.json --idempotency-key order-42 --include\n\n",
        exit_codes!()
    ))]
    Api(ApiArgs),

    /// Serve the SDK to AI agents over the Model Context Protocol (stdio, or HTTP with --http).
    #[command(after_help = concat!(
        "Tools: list_profiles, profile_capabilities, validate_file, platform_rules, get_post, \
         list_posts, wait_post (read-only); upload_media, create_post, retry_post, cancel_post, \
         bulk_posts (writes). Writes are refused unless --allow-writes is given, count against \
         --write-budget, name profiles by exact id (a name or handle is refused, never \
         resolved), and cancel_post needs confirm: true. The API key is never in a tool's \
         output or log. Local files are read only under --root. See docs: guides/mcp.\n\n",
        "Examples:\n",
        "  aether mcp                                  stdio, read-only (for an mcpServers entry)\n",
        "  aether mcp --allow-writes --write-budget 5\n",
        "  aether mcp --http                           prints http://127.0.0.1:PORT/mcp\n\n",
        exit_codes!()
    ))]
    Mcp(McpArgs),

    /// Run the Aether emulator in the foreground until Ctrl-C.
    #[command(after_help = concat!(
        "Prints one JSON line when ready — {\"url\", \"adminToken\", \"apiKey\"} — exactly like \
         the aether-mock binary, then serves until Ctrl-C or SIGTERM. Point your code at it with \
         AETHER_BASE_URL=<url> AETHER_API_KEY=<apiKey>; its admin API is under <url>/_mock/ \
         (see the README).\n\n",
        "Examples:\n",
        "  aether mock\n",
        "  aether mock --port 8080 --processing-ms 200\n\n",
        exit_codes!()
    ))]
    Mock(MockArgs),

    /// Print the shell completion script for bash, zsh, fish, elvish or powershell.
    #[command(after_help = concat!(
        "Examples:\n",
        "  aether completions bash > ~/.local/share/bash-completion/completions/aether\n",
        "  aether completions zsh > ~/.zfunc/_aether\n",
        "  aether completions fish > ~/.config/fish/completions/aether.fish\n\n",
        exit_codes!()
    ))]
    Completions { shell: clap_complete::Shell },

    /// Write the man pages (aether.1 and one per subcommand) into a directory; the release
    /// tarball's man/man1 comes from here.
    #[command(hide = true, after_help = concat!(
        "Examples:\n",
        "  aether man target/man && man -l target/man/aether.1\n\n",
        exit_codes!()
    ))]
    Man { dir: PathBuf },
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Upload and publish this video instead of the built-in 20-second sample.
    #[arg(long, value_name = "FILE")]
    pub video: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ConnectArgs {
    /// The platform of the account to connect.
    pub platform: PlatformArg,
    /// Where Aether sends the user back (your OAuth callback).
    #[arg(long, value_name = "URL")]
    pub redirect_url: String,
    /// An unguessable value tied to the user's session, returned on the redirect.
    #[arg(long, value_name = "S")]
    pub state: Option<String>,
}

#[derive(Debug, Args)]
pub struct ProfilesArgs {
    #[command(subcommand)]
    pub command: Option<ProfilesCommand>,
    /// Only profiles of this platform.
    #[arg(long)]
    pub platform: Option<PlatformArg>,
}

#[derive(Debug, Subcommand)]
pub enum ProfilesCommand {
    /// What one account may post now: privacy levels, longest video, switches, quota.
    #[command(after_help = concat!(
        "TikTok's creator info (its Direct Post API requires reading it before a post) and the \
         same facts for other platforms: the privacy levels the creator offers, the longest and \
         shortest video, whether comments, duets and stitches can be turned on, and how many \
         posts are left today. `aether upload --profile ID` checks a file against them before \
         a byte is sent.\n\n",
        "Examples:\n",
        "  aether profiles capabilities tiktok_8f2c\n",
        "  aether profiles capabilities tiktok_8f2c --json | jq .privacyLevelOptions\n\n",
        exit_codes!()
    ))]
    Capabilities(CapabilitiesArgs),
}

#[derive(Debug, Args)]
pub struct CapabilitiesArgs {
    /// The profile id (from `aether profiles`).
    pub id: String,
}

#[derive(Debug, Args)]
pub struct UploadArgs {
    /// The file to upload.
    #[arg(required_unless_present = "url")]
    pub file: Option<PathBuf>,
    /// Have the server fetch this http(s) URL instead of uploading a file (media by URL).
    #[arg(long, value_name = "URL", conflicts_with_all = ["file", "resume", "state_file", "sha256", "stall_timeout", "parallelism"])]
    pub url: Option<String>,
    /// Check the file against this platform's rules before uploading (repeatable).
    #[arg(long, value_name = "PLATFORM")]
    pub platform: Vec<PlatformArg>,
    /// The account tier the rules are checked for (TikTok creators may post up to 10 minutes).
    #[arg(long, default_value = "standard")]
    pub tier: TierArg,
    /// Check the file against this profile's capabilities (its longest video) and its
    /// platform's rules before uploading (repeatable).
    #[arg(long = "profile", value_name = "ID")]
    pub profiles: Vec<String>,
    /// Continue this chunked upload (upl_…) with the same file: only missing parts are sent.
    #[arg(long, value_name = "UPLOAD_ID")]
    pub resume: Option<String>,
    /// Keep the upload's state in this file, so a new `aether upload` after a crash continues it.
    #[arg(long, value_name = "PATH")]
    pub state_file: Option<PathBuf>,
    /// The mime type [default: from the extension, else from the bytes].
    #[arg(long, value_name = "TYPE")]
    pub mime_type: Option<String>,
    /// Parts sent at once (1–64).
    #[arg(long, default_value_t = aether::upload::DEFAULT_PARALLELISM, value_name = "N")]
    pub parallelism: usize,
    /// A part that sends nothing and hears nothing this many seconds is sent again [default: 30]
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true)]
    pub stall_timeout: Option<f64>,
    /// Also compute the file's SHA-256 (by the one reader of the file) and have the server
    /// check it; the parts' CRC32Cs and the whole file's, combined from them, are always checked.
    #[arg(long)]
    pub sha256: bool,
    /// Wait for the server's verification and print the media as `ready`.
    #[arg(long)]
    pub wait: bool,
}

#[derive(Debug, Args)]
pub struct PostArgs {
    /// Something to do with an existing post instead of creating one.
    #[command(subcommand)]
    pub action: Option<PostCommand>,
    /// The profile to publish to (repeat to cross-post).
    #[arg(long = "profile", value_name = "ID", required = true)]
    pub profiles: Vec<String>,
    /// The post's text (caption).
    #[arg(long, default_value = "")]
    pub text: String,
    /// The post's title (YouTube, Reddit).
    #[arg(long)]
    pub title: Option<String>,
    /// A media key from `aether upload` (repeatable, in order).
    #[arg(long = "media", value_name = "KEY")]
    pub media: Vec<String>,
    /// A media URL the server fetches and stores at once (repeatable, in order; not with --media).
    #[arg(long = "media-url", value_name = "URL", conflicts_with = "media")]
    pub media_urls: Vec<String>,
    /// Name a platform, with its default options (a platform with an --option is named already).
    #[arg(long, value_name = "PLATFORM")]
    pub platform: Vec<PlatformArg>,
    /// A platform option, PLATFORM.NAME=VALUE, e.g. tiktok.privacyLevel=SELF_ONLY (repeatable).
    #[arg(long = "option", value_name = "PLATFORM.NAME=VALUE")]
    pub options: Vec<String>,
    /// When to publish: 2026-06-15T13:00:00Z, or a local 2026-06-15T09:00:00 with --timezone.
    #[arg(long, value_name = "TIME")]
    pub schedule: Option<String>,
    /// IANA zone of a local --schedule, e.g. America/New_York.
    #[arg(long, value_name = "ZONE", requires = "schedule")]
    pub timezone: Option<String>,
    /// Store the post as a draft instead of publishing it.
    #[arg(long, conflicts_with = "wait")]
    pub draft: bool,
    /// Follow the post until it is published or failed (exit 1 when it fails).
    #[arg(long)]
    pub wait: bool,
    /// The create's Idempotency-Key (1-255 visible ASCII characters; one is made when absent).
    /// Running the command again with the same key never makes a second post: after
    /// OUTCOME_UNKNOWN, re-run it with the key the error printed.
    #[arg(long, value_name = "KEY")]
    pub idempotency_key: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum PostCommand {
    /// Publish the failed targets of a failed or partially published post again (only those).
    #[command(after_help = concat!(
        "Targets that published are never sent again. A post that is a draft, scheduled, still \
         publishing, published or cancelled has nothing to retry (POST_NOT_RETRYABLE). With \
         --wait the exit code is 1 when the post ends failed or partially published again.\n\n",
        "Examples:\n",
        "  aether post retry post_8Hq2…\n",
        "  aether post retry post_8Hq2… --wait --json | jq '.results[] | {platform, status}'\n\n",
        exit_codes!()
    ))]
    Retry(RetryArgs),
}

#[derive(Debug, Args)]
pub struct RetryArgs {
    /// The post's id (post_…).
    pub post_id: String,
    /// Follow the post until it is published or failed (exit 1 when it fails again).
    #[arg(long)]
    pub wait: bool,
    /// Give up waiting after this many seconds.
    #[arg(long, default_value_t = 900, value_name = "SECS", requires = "wait")]
    pub timeout: u64,
}

#[derive(Debug, Args)]
pub struct BulkArgs {
    /// The CSV file.
    pub file: PathBuf,
    /// Check every row and create nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The post's id (post_…).
    pub post_id: String,
    /// Follow the post until it is published or failed.
    #[arg(long)]
    pub wait: bool,
    /// Give up waiting after this many seconds.
    #[arg(long, default_value_t = 900, value_name = "SECS")]
    pub timeout: u64,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The video or image to check (leave out to check text only).
    pub file: Option<PathBuf>,
    /// The platform whose rules apply (repeatable).
    #[arg(long, value_name = "PLATFORM", required = true)]
    pub platform: Vec<PlatformArg>,
    /// The account tier.
    #[arg(long, default_value = "standard")]
    pub tier: TierArg,
    /// The caption to check (counted as the platform counts).
    #[arg(long)]
    pub text: Option<String>,
    /// The title to check (YouTube, Reddit).
    #[arg(long)]
    pub title: Option<String>,
    /// A platform option to check, PLATFORM.NAME=VALUE (repeatable).
    #[arg(long = "option", value_name = "PLATFORM.NAME=VALUE")]
    pub options: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Check a delivery's x-aether-signature header against its raw body.
    #[command(after_help = concat!(
        "Verifies HMAC-SHA256(secret, \"<t>.<body>\") in constant time against each --secret \
         (pass the old and the new one during a rotation) and refuses a t more than --tolerance \
         seconds from now. The body must be the raw bytes received, unchanged.\n\n",
        "Examples:\n",
        "  aether webhooks verify --secret \"$WHSEC\" --header 't=1718441400,v1=5f2b…' --payload body.json\n",
        "  cat body.json | aether webhooks verify --secret \"$NEW\" --secret \"$OLD\" --header \"$SIG\"\n\n",
        exit_codes!()
    ))]
    Verify(VerifyArgs),

    /// List a webhook's deliveries, newest first (the failed ones are the dead letters).
    #[command(after_help = concat!(
        "A delivery that ran out of retries is `failed` and kept for 30 days; send it again          with `aether webhooks redeliver`.\n\n",
        "Examples:\n",
        "  aether webhooks deliveries wh_41aa0c\n",
        "  aether webhooks deliveries wh_41aa0c --status failed\n",
        "  aether webhooks deliveries wh_41aa0c --status failed --json | jq -r '.[].id'\n\n",
        exit_codes!()
    ))]
    Deliveries(DeliveriesArgs),

    /// Send a delivery again now: the same event id and body, a fresh signature.
    #[command(after_help = concat!(
        "Examples:\n",
        "  aether webhooks redeliver wh_41aa0c dlv_8c1f2e\n\n",
        exit_codes!()
    ))]
    Redeliver(RedeliverArgs),
}

#[derive(Debug, Args)]
pub struct DeliveriesArgs {
    /// The webhook's id (wh_…).
    pub webhook_id: String,
    /// Only deliveries in this status.
    #[arg(long, value_enum)]
    pub status: Option<DeliveryStatusArg>,
}

/// `--status` of `aether webhooks deliveries`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DeliveryStatusArg {
    Pending,
    Succeeded,
    Failed,
}

impl DeliveryStatusArg {
    pub fn status(self) -> aether::model::WebhookDeliveryStatus {
        use aether::model::WebhookDeliveryStatus as S;
        match self {
            DeliveryStatusArg::Pending => S::Pending,
            DeliveryStatusArg::Succeeded => S::Succeeded,
            DeliveryStatusArg::Failed => S::Failed,
        }
    }
}

#[derive(Debug, Args)]
pub struct ApiArgs {
    /// GET, POST, PUT, PATCH or DELETE.
    pub method: String,
    /// The path under the base URL, e.g. /v1/platforms.
    pub path: String,
    /// The JSON body, or @FILE to read it from a file (@- for stdin).
    #[arg(long, short = 'd', value_name = "JSON|@FILE")]
    pub data: Option<String>,
    /// A query parameter (repeatable).
    #[arg(long, short = 'q', value_name = "NAME=VALUE")]
    pub query: Vec<String>,
    /// An extra request header (repeatable); the client's own (Authorization, …) are refused.
    #[arg(long, short = 'H', value_name = "NAME:VALUE")]
    pub header: Vec<String>,
    /// The Idempotency-Key of a POST (else one is generated).
    #[arg(long, value_name = "KEY")]
    pub idempotency_key: Option<String>,
    /// Print the status line and the response headers before the body.
    #[arg(long, short = 'i')]
    pub include: bool,
}

#[derive(Debug, Args)]
pub struct RedeliverArgs {
    /// The webhook's id (wh_…).
    pub webhook_id: String,
    /// The delivery's id (dlv_…), from `aether webhooks deliveries`.
    pub delivery_id: String,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A signing secret (repeatable: any one may match).
    #[arg(long = "secret", value_name = "S", required = true)]
    pub secrets: Vec<String>,
    /// The x-aether-signature header's value: t=<unix seconds>,v1=<hex>.
    #[arg(long, value_name = "'t=…,v1=…'")]
    pub header: String,
    /// The raw body: a file, or - for stdin.
    #[arg(long, value_name = "FILE|-", default_value = "-")]
    pub payload: String,
    /// Largest accepted distance between t and now, in seconds.
    #[arg(long, default_value_t = aether::webhooks::DEFAULT_TOLERANCE.as_secs(), value_name = "SECS")]
    pub tolerance: u64,
}

#[derive(Debug, Args)]
pub struct MockArgs {
    /// An API key the emulator accepts besides sk_test_aether_mock (repeatable).
    #[arg(long = "accept-key", value_name = "KEY")]
    pub accept_keys: Vec<String>,
    /// Port, address, publish time, TLS and chaos mode: the flags `aether-mock` takes.
    #[command(flatten)]
    pub serve: aether_mock::serve::ServeFlags,
}

/// A platform, as typed on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlatformArg {
    Tiktok,
    Instagram,
    Linkedin,
    Facebook,
    Youtube,
    Threads,
    Reddit,
}

impl PlatformArg {
    pub fn platform(self) -> Platform {
        match self {
            PlatformArg::Tiktok => Platform::Tiktok,
            PlatformArg::Instagram => Platform::Instagram,
            PlatformArg::Linkedin => Platform::Linkedin,
            PlatformArg::Facebook => Platform::Facebook,
            PlatformArg::Youtube => Platform::Youtube,
            PlatformArg::Threads => Platform::Threads,
            PlatformArg::Reddit => Platform::Reddit,
        }
    }
}

/// An account tier, as typed on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TierArg {
    Standard,
    Creator,
}

impl TierArg {
    pub fn tier(self) -> Tier {
        match self {
            TierArg::Standard => Tier::Standard,
            TierArg::Creator => Tier::Creator,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_command_has_an_example() {
        for command in Cli::command().get_subcommands() {
            let mut commands = vec![command.clone()];
            commands.extend(command.get_subcommands().cloned());
            for command in commands.iter().filter(|c| !c.has_subcommands()) {
                let help = command.get_after_help().map(|h| h.to_string()).unwrap_or_default();
                assert!(help.contains("Examples:"), "{} has no example", command.get_name());
                assert!(help.contains("Exit codes"), "{} has no exit codes", command.get_name());
            }
        }
    }
}
