//! `aether mcp` driven over stdio by rmcp's own client, against an emulator started in this
//! process on a port the OS picked: the tools with their schemas and annotations, the refusals
//! (read-only server, a name instead of an id, no confirmation, the write budget), a post made
//! and waited for, and the API key in no answer and no log line.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use aether::model::{Platform, Tier};
use aether_mock::{MockConfig, MockServer, NewProfile};
use rmcp::model::{CallToolRequestParams, CallToolResult, Tool};
use rmcp::service::RunningService;
use rmcp::transport::TokioChildProcess;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{json, Value};
use tokio::io::AsyncReadExt;
use tokio::process::{ChildStderr, Command};

const AETHER: &str = env!("CARGO_BIN_EXE_aether");

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/media")
}

async fn emulator() -> MockServer {
    let mut config = MockConfig::default();
    config.settings.processing_ms = 100;
    MockServer::start(config).await.expect("the emulator starts")
}

/// The server under test: `aether mcp ARGS…` with the emulator's URL and key in its
/// environment (as an `mcpServers` entry gives them), files read under the fixtures (unless
/// ARGS name a --root), and its
/// log at trace level on a pipe we read at the end.
struct Server {
    client: RunningService<RoleClient, ()>,
    stderr: ChildStderr,
    /// Every answer seen, as text, for the API-key check.
    seen: Vec<String>,
}

impl Server {
    async fn start(emulator: &MockServer, args: &[&str]) -> Server {
        Server::start_with_key(emulator, args, Some(emulator.api_key())).await
    }

    async fn start_with_key(emulator: &MockServer, args: &[&str], key: Option<&str>) -> Server {
        let mut command = Command::new(AETHER);
        command
            .arg("-vv")
            .arg("mcp")
            .args(args)
            .env("AETHER_BASE_URL", emulator.url())
            .env_remove("AETHER_API_KEY")
            .env_remove("AETHER_LOG")
            .env("NO_PROXY", "*");
        for name in ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY"] {
            command.env_remove(name);
        }
        if let Some(key) = key {
            command.env("AETHER_API_KEY", key);
        }
        if !args.contains(&"--root") {
            command.arg("--root").arg(fixtures());
        }
        let (transport, stderr) =
            TokioChildProcess::builder(command).stderr(Stdio::piped()).spawn().expect("spawn");
        let client = ().serve(transport).await.expect("the server initializes");
        Server { client, stderr: stderr.expect("stderr"), seen: Vec::new() }
    }

    async fn call(&mut self, tool: &str, arguments: Value) -> CallToolResult {
        let Value::Object(arguments) = arguments else { panic!("arguments are an object") };
        let params = CallToolRequestParams::new(tool.to_owned()).with_arguments(arguments);
        let result = self.client.call_tool(params).await.expect("the call is answered");
        self.seen.push(serde_json::to_string(&result).unwrap());
        result
    }

    /// The answer's JSON, asserting it succeeded.
    async fn ok(&mut self, tool: &str, arguments: Value) -> Value {
        let result = self.call(tool, arguments).await;
        assert_eq!(result.is_error, Some(false), "{tool}: {result:?}");
        document(&result)
    }

    /// The `error` object of the answer, asserting it is a tool error.
    async fn refused(&mut self, tool: &str, arguments: Value) -> Value {
        let result = self.call(tool, arguments).await;
        assert_eq!(result.is_error, Some(true), "{tool}: {result:?}");
        document(&result)["error"].clone()
    }

    /// Stops the server and answers its log.
    async fn stop(mut self) -> (String, Vec<String>) {
        self.client.cancel().await.expect("the client stops");
        let mut log = String::new();
        self.stderr.read_to_string(&mut log).await.expect("the log");
        (log, self.seen)
    }
}

/// The JSON of an answer: its structured content, which must equal its text.
fn document(result: &CallToolResult) -> Value {
    let structured = result.structured_content.clone().expect("structured content");
    let text = result.content[0].as_text().expect("a text block").text.clone();
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), structured);
    structured
}

fn tool<'a>(tools: &'a [Tool], name: &str) -> &'a Tool {
    tools.iter().find(|t| t.name == name).unwrap_or_else(|| panic!("no tool {name}"))
}

fn assert_no_key(emulator: &MockServer, log: &str, seen: &[String]) {
    let key = emulator.api_key();
    assert!(!log.contains(key), "the API key is in the log");
    assert!(seen.iter().all(|answer| !answer.contains(key)), "the API key is in an answer");
}

#[tokio::test]
async fn a_read_only_server_lists_its_tools_validates_offline_and_refuses_writes() {
    let emulator = emulator().await;
    let admin = aether_mock::Admin::for_server(&emulator).unwrap();
    let profile = NewProfile::new(Platform::Tiktok).tier(Tier::Standard);
    let id = admin.create_profile(&profile).await.unwrap().id;
    let mut server = Server::start(&emulator, &[]).await;

    let tools = server.client.list_all_tools().await.unwrap();
    let mut names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "bulk_posts",
            "cancel_post",
            "create_post",
            "get_post",
            "list_posts",
            "list_profiles",
            "platform_rules",
            "profile_capabilities",
            "retry_post",
            "upload_media",
            "validate_file",
            "wait_post",
        ]
    );
    let hints = |name: &str| {
        let a = tool(&tools, name).annotations.clone().expect("annotations");
        (a.read_only_hint, a.destructive_hint, a.idempotent_hint)
    };
    for name in ["list_profiles", "profile_capabilities", "validate_file", "platform_rules"] {
        assert_eq!(hints(name).0, Some(true), "{name}");
    }
    for name in ["get_post", "list_posts", "wait_post"] {
        assert_eq!(hints(name).0, Some(true), "{name}");
    }
    assert_eq!(hints("cancel_post"), (Some(false), Some(true), Some(true)));
    assert_eq!(hints("create_post"), (Some(false), Some(false), Some(true)));
    assert_eq!(hints("upload_media").0, Some(false));
    assert_eq!(hints("retry_post").1, Some(false));
    let create = serde_json::to_value(&*tool(&tools, "create_post").input_schema).unwrap();
    for field in ["profileIds", "text", "content", "mediaKeys", "mediaUrls", "media", "platforms"] {
        assert!(create["properties"][field].is_object(), "create_post lacks {field}: {create}");
    }
    let cancel = serde_json::to_value(&*tool(&tools, "cancel_post").input_schema).unwrap();
    assert_eq!(cancel["required"], json!(["postId"]));
    assert_eq!(cancel["properties"]["confirm"]["type"], "boolean");

    // Offline: the probe and the rules table.
    let checked = server
        .ok("validate_file", json!({ "path": "h264_14.9s.mp4", "platforms": ["tiktok"] }))
        .await;
    assert_eq!(checked["ok"], false);
    assert_eq!(checked["violations"][0]["code"], "VIDEO_TOO_SHORT");
    assert_eq!(checked["facts"]["container"], "mp4");
    let fine = server
        .ok("validate_file", json!({ "path": "h264_15s.mp4", "platforms": ["tiktok"] }))
        .await;
    assert_eq!(fine["ok"], true, "{fine}");
    let outside = server
        .refused("validate_file", json!({ "path": "../../../Cargo.toml", "platforms": ["tiktok"] }))
        .await;
    assert_eq!(outside["code"], "PATH_OUTSIDE_ROOT");
    let unknown = server.refused("validate_file", json!({ "platforms": ["myspace"] })).await;
    assert_eq!(unknown["code"], "INVALID_ARGUMENT");
    // Arguments that do not fit the schema are a tool error too, naming the field.
    let typo = server.refused("get_post", json!({ "post_id": "post_x" })).await;
    assert_eq!(typo["code"], "INVALID_ARGUMENT");
    assert!(typo["message"].as_str().unwrap().contains("post_id"), "{typo}");
    let rules = server.ok("platform_rules", json!({ "platform": "tiktok" })).await;
    assert_eq!(rules["platform"], "tiktok");
    assert!(rules["rules"].is_object());

    let listed = server.ok("list_profiles", json!({})).await;
    assert_eq!(listed["profiles"][0]["id"], id.as_str());
    let missing = server.refused("get_post", json!({ "postId": "post_nope" })).await;
    assert_eq!(missing["code"], "NOT_FOUND");
    assert!(missing["message"].is_string());

    // Writes are refused, and nothing reaches the API.
    let refused = server.refused("create_post", json!({ "profileIds": [id], "text": "hi" })).await;
    assert_eq!(refused["code"], "WRITES_NOT_ALLOWED");
    assert!(refused["message"].as_str().unwrap().contains("--allow-writes"));
    let cancel =
        server.refused("cancel_post", json!({ "postId": "post_x", "confirm": true })).await;
    assert_eq!(cancel["code"], "WRITES_NOT_ALLOWED");
    let upload = server.refused("upload_media", json!({ "path": "h264_15s.mp4" })).await;
    assert_eq!(upload["code"], "WRITES_NOT_ALLOWED");
    let bulk = server.refused("bulk_posts", json!({ "path": "x.csv", "dryRun": false })).await;
    assert_eq!(bulk["code"], "WRITES_NOT_ALLOWED");
    let journal = admin.journal().await.unwrap();
    assert!(journal.iter().all(|e| e.method == "GET"), "{journal:?}");

    let (log, seen) = server.stop().await;
    assert!(log.contains("GET"), "-vv logs each request: {log}");
    assert_no_key(&emulator, &log, &seen);
}

#[tokio::test]
async fn writes_name_exact_ids_need_confirmation_and_stop_at_the_budget() {
    let emulator = emulator().await;
    let admin = aether_mock::Admin::for_server(&emulator).unwrap();
    let mut ids = Vec::new();
    for platform in [Platform::Linkedin, Platform::Threads] {
        let profile = NewProfile::new(platform).username("acme");
        ids.push(admin.create_profile(&profile).await.unwrap().id);
    }
    let mut server = Server::start(&emulator, &["--allow-writes", "--write-budget", "4"]).await;

    // A name is never resolved: both accounts called "acme" are offered, nothing is sent.
    let named =
        server.refused("create_post", json!({ "profileIds": ["@acme"], "text": "hi" })).await;
    assert_eq!(named["code"], "PROFILE_ID_REQUIRED");
    let mut offered: Vec<&str> = named["details"]["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    offered.sort();
    let mut expected = [ids[0].as_str(), ids[1].as_str()];
    expected.sort();
    assert_eq!(offered, expected);
    for id in &ids {
        assert!(named["message"].as_str().unwrap().contains(id.as_str()), "{named}");
    }

    // Published, waited for; the same call again answers the same post (one idempotency key).
    let args = json!({ "profileIds": [ids[0]], "text": "Shipped from an agent" });
    let post = server.ok("create_post", args.clone()).await;
    let again = server.ok("create_post", args).await;
    assert_eq!(again["id"], post["id"]);
    let done = server.ok("wait_post", json!({ "postId": post["id"], "timeoutSeconds": 30 })).await;
    assert_eq!(done["status"], "published", "{done}");

    // Every documented shape reaches the SDK's request: content, overrides, a schedule.
    let at = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(48)).to_string();
    let scheduled = server
        .ok(
            "create_post",
            json!({
                "profileIds": ids, "content": { "text": "Later" }, "scheduledFor": at,
                "overrides": { "linkedin": {} },
            }),
        )
        .await;
    assert_eq!(scheduled["status"], "scheduled");
    let post_id = scheduled["id"].as_str().unwrap().to_owned();

    // Destructive: first what would happen, then only with confirm.
    let asked = server.refused("cancel_post", json!({ "postId": post_id })).await;
    assert_eq!(asked["code"], "CONFIRMATION_REQUIRED");
    let message = asked["message"].as_str().unwrap();
    assert!(message.contains(&format!("would cancel post {post_id}")), "{message}");
    assert!(message.contains("linkedin") && message.contains("threads"), "{message}");
    assert!(message.contains("\"confirm\": true"), "{message}");
    let still = server.ok("get_post", json!({ "postId": post_id })).await;
    assert_eq!(still["status"], "scheduled");
    let cancelled = server.ok("cancel_post", json!({ "postId": post_id, "confirm": true })).await;
    assert_eq!(cancelled["status"], "cancelled");

    // Four writes made: the fifth is refused before it is sent.
    let over =
        server.refused("create_post", json!({ "profileIds": [ids[1]], "text": "one more" })).await;
    assert_eq!(over["code"], "WRITE_BUDGET_EXHAUSTED");
    assert_eq!(over["details"], json!({ "budget": 4, "used": 4, "asked": 1 }));
    let listed = server.ok("list_posts", json!({ "limit": 10 })).await;
    assert_eq!(listed["posts"].as_array().unwrap().len(), 2);

    // An API error is a tool error with the SDK's code and message.
    let not_editable = server.refused("cancel_post", json!({ "postId": post["id"] })).await;
    assert_eq!(not_editable["code"], "CONFIRMATION_REQUIRED");
    assert!(not_editable["message"].as_str().unwrap().contains("POST_NOT_EDITABLE"));

    let (log, seen) = server.stop().await;
    assert_no_key(&emulator, &log, &seen);
}

#[tokio::test]
async fn uploads_and_bulk_files_come_from_the_root_and_count_as_writes() {
    let emulator = emulator().await;
    let admin = aether_mock::Admin::for_server(&emulator).unwrap();
    let id = admin.create_profile(&NewProfile::new(Platform::Tiktok)).await.unwrap().id;
    let root = tempfile::tempdir().unwrap();
    std::fs::copy(fixtures().join("h264_15s.mp4"), root.path().join("clip.mp4")).unwrap();
    let linkedin = admin.create_profile(&NewProfile::new(Platform::Linkedin)).await.unwrap().id;
    let csv = format!("text,profileIds\nfirst,{linkedin}\nsecond,li_nobody\n");
    std::fs::write(root.path().join("posts.csv"), csv).unwrap();
    let root_arg = root.path().to_str().unwrap();
    let mut server =
        Server::start(&emulator, &["--allow-writes", "--write-budget", "2", "--root", root_arg])
            .await;

    let media = server.ok("upload_media", json!({ "path": "clip.mp4", "profileIds": [id] })).await;
    assert_eq!(media["status"], "ready", "{media}");
    assert!(media["mediaKey"].as_str().is_some_and(|k| !k.is_empty()));

    // A dry run unless told otherwise: nothing created, no write counted.
    let checked = server.ok("bulk_posts", json!({ "path": "posts.csv" })).await;
    assert_eq!((checked["dryRun"].clone(), checked["created"].clone()), (json!(true), json!(0)));
    assert_eq!(checked["failed"], 1);
    let made = server.ok("bulk_posts", json!({ "path": "posts.csv", "dryRun": false })).await;
    assert_eq!(made["created"], 1, "{made}");
    let over = server.refused("bulk_posts", json!({ "path": "posts.csv", "dryRun": false })).await;
    assert_eq!(over["code"], "WRITE_BUDGET_EXHAUSTED");

    let (log, seen) = server.stop().await;
    assert_no_key(&emulator, &log, &seen);
}

#[tokio::test]
async fn without_a_key_the_offline_tools_still_work() {
    let emulator = emulator().await;
    let mut server = Server::start_with_key(&emulator, &["--allow-writes"], None).await;
    let checked = server
        .ok("validate_file", json!({ "path": "h264_15s.mp4", "platforms": ["tiktok"] }))
        .await;
    assert_eq!(checked["ok"], true);
    let missing = server.refused("list_profiles", json!({})).await;
    assert_eq!(missing["code"], "API_KEY_MISSING");
    assert!(missing["message"].as_str().unwrap().contains("AETHER_API_KEY"), "{missing}");
    let write = server.refused("create_post", json!({ "profileIds": ["li_1"], "text": "x" })).await;
    assert_eq!(write["code"], "API_KEY_MISSING");
    server.stop().await;
}
