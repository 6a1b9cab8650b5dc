//! `aether demo`: the TikTok tutorial, run for real against the emulator embedded in this
//! process — connect, upload, publish, follow the status, then the errors the tutorial warns
//! about, each produced by a real request (or refused by the client's preflight before one).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use aether::media::MediaWaitOptions;
use aether::model::{
    CreateConnectLinkRequest, CreatePostRequest, Media, Platform, PlatformOptionsMap, Post,
    PostContent, PostStatus, TikTokOptions,
};
use aether::posts::WaitOptions;
use aether::upload::{UploadOptions, UploadSource};
use aether::{Client, Error, ErrorCode};
use aether_mock::{MockConfig, MockServer};
use rand::distr::{Alphanumeric, SampleString};
use serde_json::{json, Value};

use super::validate::describe_facts;
use super::{interruptible, Ctx};
use crate::cli::DemoArgs;
use crate::error::{self, CliError};
use crate::fixtures;
use crate::ui::{self, Ui};

/// How long TikTok "processes" a video in the demo: real time, short enough to keep the demo
/// snappy, long enough to watch the status change.
const PROCESSING_MS: u64 = 1_500;
/// The tutorial's caption.
const CAPTION: &str = "My first TikTok via API! #coding #developer";
/// The tutorial's redirect URL (never opened: the demo reads the redirect, as your server would).
const REDIRECT_URL: &str = "https://yourapp.com/oauth/tiktok/callback";
/// One character over TikTok's 2,200.
const LONG_CAPTION_CHARS: usize = aether::platforms::TIKTOK_TEXT_MAX + 1;

/// What the demo found, printed as its JSON document.
#[derive(Debug, Default)]
struct Report {
    steps: Vec<Value>,
    errors: Vec<Value>,
}

pub async fn run(ctx: &Ctx, args: DemoArgs) -> Result<(), CliError> {
    let started = Instant::now();
    let ui = &ctx.ui;
    let mut config = MockConfig::default();
    config.settings.processing_ms = PROCESSING_MS;
    let server = MockServer::start(config).await.map_err(|e| {
        Error::io(format!("cannot start the embedded emulator on 127.0.0.1: {e}"), e)
    })?;
    let client = Client::builder()
        .base_url(server.url())
        .api_key(server.api_key())
        .user_agent_suffix(format!("aether-cli/{} demo", env!("CARGO_PKG_VERSION")))
        .build()?;
    let mut demo = Demo { ctx, ui, client, report: Report::default() };

    ui.say(ui.out.bold("Aether demo — the TikTok tutorial, for real"));
    ui.say(ui.out.dim(format!(
        "An Aether emulator runs inside this process at {} — no API key, no account, no network.",
        server.url()
    )));

    let result = demo.walk(args.video).await;
    server.shutdown().await;
    let (profile_id, media, post) = result?;

    let elapsed = started.elapsed();
    if ui.json {
        ui.print_json(&json!({
            "ok": true,
            "profileId": profile_id,
            "mediaKey": media.media_key,
            "postId": post.id,
            "status": post.status,
            "url": post.results.first().and_then(|r| r.url.clone()),
            "steps": demo.report.steps,
            "errors": demo.report.errors,
            "elapsedMs": elapsed.as_millis() as u64,
        }));
        return Ok(());
    }
    let codes: Vec<String> =
        demo.report.errors.iter().filter_map(|e| e["code"].as_str().map(str::to_owned)).collect();
    ui.say("");
    ui.say(format!(
        "{} Done in {}: connected {profile_id}, uploaded {}, published {}, and saw {} refusals \
         ({}).",
        ui.out.green("✓"),
        ui::duration(elapsed),
        media.media_key,
        post.id,
        codes.len(),
        dedup(&codes).join(", ")
    ));
    ui.say(ui.out.dim(
        "Next: `aether mock` runs this emulator for your own code; `aether --help` lists the \
         commands for the real API.",
    ));
    Ok(())
}

struct Demo<'a> {
    ctx: &'a Ctx,
    ui: &'a Ui,
    client: Client,
    report: Report,
}

impl Demo<'_> {
    async fn walk(&mut self, video: Option<PathBuf>) -> Result<(String, Media, Post), CliError> {
        let profile_id = self.connect().await?;
        let media = self.upload(video).await?;
        let post = self.publish(&profile_id, &media).await?;
        self.caption_too_long(&profile_id, &media).await?;
        self.video_too_short(&profile_id).await?;
        self.daily_limit(&profile_id, &media).await?;
        Ok((profile_id, media, post))
    }

    fn heading(&self, n: u32, title: &str) {
        self.ui.say("");
        self.ui.say(self.ui.out.bold(format!("{n}. {title}")));
    }

    fn line(&self, text: impl AsRef<str>) {
        self.ui.say(format!("   {}", text.as_ref()));
    }

    fn step(&mut self, name: &str, started: Instant, extra: Value) {
        let mut step = json!({ "step": name, "ms": started.elapsed().as_millis() as u64 });
        if let (Value::Object(step), Value::Object(extra)) = (&mut step, extra) {
            step.extend(extra);
        }
        self.report.steps.push(step);
    }

    /// Step 1: a connect link, approved in the "browser", verified on the "callback".
    async fn connect(&mut self) -> Result<String, CliError> {
        let started = Instant::now();
        self.heading(1, "Connect a TikTok account");
        let state = Alphanumeric.sample_string(&mut rand::rng(), 24);
        let request = CreateConnectLinkRequest {
            platform: Platform::Tiktok,
            redirect_url: REDIRECT_URL.into(),
            state: Some(state.clone()),
        };
        let link = interruptible(self.ctx, self.client.connect_links().create(&request)).await?;
        self.line(format!("connectLinks.create → {} ({})", link.id, link.status));
        self.line(format!("your user opens {}", self.ui.out.cyan(&link.url)));

        // The user's browser: open the hosted page with ?approve=1 and read the 302.
        let approve_url =
            format!("{}{}approve=1", link.url, if link.url.contains('?') { '&' } else { '?' });
        let browser = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::network(format!("cannot build the demo's browser: {e}")))?;
        let response = interruptible(self.ctx, async {
            browser
                .get(&approve_url)
                .send()
                .await
                .map_err(|e| Error::network(format!("opening the approval page failed: {e}")))
        })
        .await?;
        let status = response.status();
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .ok_or_else(|| {
                Error::protocol(format!("the approval page answered {status} without a redirect"))
            })?;
        self.line(format!("…approves, and is redirected ({}) to", status.as_u16()));
        self.line(self.ui.out.dim(&location));

        // Your callback handler: check state, read profileId.
        let outcome = self.client.connect_links().verify_callback(&location, &state)?;
        let profile =
            interruptible(self.ctx, self.client.profiles().get(&outcome.profile_id)).await?;
        self.line(format!(
            "connectLinks.verifyCallback: state matches → profileId {} (@{}, {} tier)",
            self.ui.out.bold(&outcome.profile_id),
            profile.username,
            profile.tier
        ));
        self.step(
            "connect",
            started,
            json!({ "linkId": outcome.link_id, "profileId": outcome.profile_id }),
        );
        Ok(outcome.profile_id)
    }

    /// Step 2: the video, preflighted for TikTok, uploaded with a progress bar, verified.
    async fn upload(&mut self, video: Option<PathBuf>) -> Result<Media, CliError> {
        let started = Instant::now();
        self.heading(2, "Upload a video");
        let (source, name, size, facts) = match &video {
            Some(path) => {
                let size = std::fs::metadata(path)
                    .map_err(|e| Error::io(format!("cannot read {}: {e}", path.display()), e))?
                    .len();
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
                let facts = aether::probe::probe_path(path).ok();
                (UploadSource::path(path), name.unwrap_or_default(), size, facts)
            }
            None => {
                let bytes = fixtures::SAMPLE_VIDEO;
                let facts =
                    aether::probe::probe(std::io::Cursor::new(bytes), bytes.len() as u64).ok();
                (
                    UploadSource::bytes(bytes),
                    fixtures::SAMPLE_VIDEO_NAME.to_owned(),
                    bytes.len() as u64,
                    facts,
                )
            }
        };
        if let Some(facts) = &facts {
            self.line(format!("{name}: {}", describe_facts(facts)));
        }
        self.line("media.upload: probe + TikTok preflight (15–60 s, MP4/MOV, H.264/H.265), then the bytes");
        let bar = self.ui.bytes_bar(size, &name);
        let mut options = UploadOptions::new()
            .platform(Platform::Tiktok)
            .file_name(name.clone())
            .cancel_token(self.ctx.cancel.clone())
            .on_progress({
                let bar = bar.clone();
                move |progress| bar.set_position(progress.bytes_sent)
            });
        if video.is_none() {
            options = options.mime_type("video/mp4");
        }
        let uploaded = self.client.media().upload(source, options).await;
        // A finished bar stays on screen: the demo shows what happened.
        match &uploaded {
            Ok(_) => bar.finish(),
            Err(_) => bar.finish_and_clear(),
        }
        let media = uploaded?;
        self.line(format!(
            "uploaded {} → mediaKey {}",
            ui::bytes(size),
            self.ui.out.bold(&media.media_key)
        ));
        let wait = MediaWaitOptions::default().poll_interval(Duration::from_millis(100));
        let media =
            interruptible(self.ctx, self.client.media().wait_ready(&media.media_key, wait)).await?;
        self.line(format!(
            "the server verified it (\"transcoding verification\"): {}",
            self.ui.out.green(media.status.as_str())
        ));
        self.step("upload", started, json!({ "mediaKey": media.media_key, "size": size }));
        Ok(media)
    }

    /// Step 3: the post, followed until TikTok has "processed" it.
    async fn publish(&mut self, profile_id: &str, media: &Media) -> Result<Post, CliError> {
        let started = Instant::now();
        self.heading(3, "Publish to TikTok and poll until it is published");
        let post = interruptible(
            self.ctx,
            self.client.posts().create(&tiktok_post(profile_id, CAPTION, &media.media_key)),
        )
        .await?;
        self.line(format!(
            "posts.create → {} {}",
            self.ui.out.bold(&post.id),
            super::posts::status_text(self.ui, &post.status)
        ));
        let options = WaitOptions::default()
            .poll_interval(Duration::from_millis(500))
            .timeout(Duration::from_secs(60));
        let mut shown = post.status.clone();
        let label = post.status.to_string();
        let last = super::posts::follow(self.ctx, &self.client, &post.id, &label, options, |p| {
            if p.status != shown {
                self.line(format!(
                    "posts.get → {} after {}",
                    super::posts::status_text(self.ui, &p.status),
                    ui::duration(started.elapsed())
                ));
                shown = p.status.clone();
            }
        })
        .await?;
        if last.status != PostStatus::Published {
            let why = last.error.as_ref().map(|e| format!("{}: {}", e.code, e.message));
            return Err(Error::new(
                ErrorCode::PlatformError,
                format!(
                    "the demo post ended {} instead of published{}",
                    last.status,
                    why.map(|w| format!(" ({w})")).unwrap_or_default()
                ),
            )
            .into());
        }
        if let Some(url) = last.results.first().and_then(|r| r.url.as_deref()) {
            self.line(format!("live at {}", self.ui.out.cyan(url)));
        }
        self.step("publish", started, json!({ "postId": last.id, "status": last.status }));
        Ok(last)
    }

    /// Error 1: a caption one character over the limit, refused by the server.
    async fn caption_too_long(&mut self, profile_id: &str, media: &Media) -> Result<(), CliError> {
        self.heading(4, "The errors the tutorial warns about, for real");
        let started = Instant::now();
        let caption = format!("{CAPTION} {}", "a".repeat(LONG_CAPTION_CHARS - CAPTION.len() - 1));
        let request = tiktok_post(profile_id, &caption, &media.media_key);
        let refused = interruptible(self.ctx, self.client.posts().create(&request)).await;
        let error =
            expect_refusal(refused, ErrorCode::CaptionTooLong, "a 2,201-character caption")?;
        self.show(&error, "server", &format!("a {}-character caption", group(LONG_CAPTION_CHARS)));
        self.record("caption_too_long", &error, "server", started);
        Ok(())
    }

    /// Error 2: a 14.9 s video, refused by the client before upload, then by the server.
    async fn video_too_short(&mut self, profile_id: &str) -> Result<(), CliError> {
        let started = Instant::now();
        let short = fixtures::SHORT_VIDEO;
        let options = UploadOptions::new()
            .platform(Platform::Tiktok)
            .file_name(fixtures::SHORT_VIDEO_NAME)
            .mime_type("video/mp4");
        let refused = self.client.media().upload(UploadSource::bytes(short), options).await;
        let error = expect_refusal(refused, ErrorCode::VideoTooShort, "the 14.9 s video")?;
        self.show(&error, "client", "a 14.9 s video, before a byte was uploaded");
        self.record("video_too_short_preflight", &error, "client", started);

        // Without the preflight the bytes go up, and the server refuses the post instead.
        let started = Instant::now();
        let options =
            UploadOptions::new().file_name(fixtures::SHORT_VIDEO_NAME).mime_type("video/mp4");
        let media = self.client.media().upload(UploadSource::bytes(short), options).await?;
        let wait = MediaWaitOptions::default().poll_interval(Duration::from_millis(100));
        let media =
            interruptible(self.ctx, self.client.media().wait_ready(&media.media_key, wait)).await?;
        let request = tiktok_post(profile_id, CAPTION, &media.media_key);
        let refused = interruptible(self.ctx, self.client.posts().create(&request)).await;
        let error = expect_refusal(refused, ErrorCode::VideoTooShort, "the 14.9 s video")?;
        self.show(
            &error,
            "server",
            "the same video uploaded without the preflight, at posts.create",
        );
        self.record("video_too_short_server", &error, "server", started);
        Ok(())
    }

    /// Error 3: posts two to ten use up the day's quota; the eleventh is refused.
    async fn daily_limit(&mut self, profile_id: &str, media: &Media) -> Result<(), CliError> {
        let started = Instant::now();
        let limit = u64::from(aether::platforms::TIKTOK_DAILY_POSTS);
        let bar = self.ui.count_bar(limit, "posts today");
        bar.set_position(1);
        for n in 2..=limit {
            let text = format!("{CAPTION} (post {n} of the day)");
            let request = tiktok_post(profile_id, &text, &media.media_key);
            interruptible(self.ctx, self.client.posts().create(&request)).await?;
            bar.set_position(n);
        }
        bar.finish();
        let request = tiktok_post(profile_id, &format!("{CAPTION} (post 11)"), &media.media_key);
        let refused = interruptible(self.ctx, self.client.posts().create(&request)).await;
        let error = expect_refusal(refused, ErrorCode::PostLimitReached, "the eleventh post")?;
        self.show(
            &error,
            "server",
            &format!("the eleventh post of the day (posts 2–{limit} went through)"),
        );
        self.record("post_limit_reached", &error, "server", started);
        Ok(())
    }

    /// One refusal, for people: what was refused, by whom, its code, message and request id.
    fn show(&self, error: &Error, by: &str, what: &str) {
        let paint = &self.ui.out;
        self.line(format!(
            "{} {} refused by the {by}: {what}",
            paint.red("✗"),
            paint.bold(error.code())
        ));
        self.line(format!("    {}", error.message()));
        let mut facts = Vec::new();
        if let Some(request_id) = error.request_id() {
            facts.push(format!("request {request_id}"));
        } else {
            facts.push("no request sent".to_owned());
        }
        if let Some(retry_after) = error.retry_after() {
            facts.push(format!("retry after {}", ui::duration(retry_after)));
        }
        if let Some(reset_at) = error::reset_at(error) {
            facts.push(format!("quota resets at {reset_at}"));
        }
        self.line(format!("    {}", paint.dim(facts.join(" · "))));
    }

    fn record(&mut self, step: &str, error: &Error, by: &str, started: Instant) {
        let mut entry = error::error_json(error, None);
        if let Value::Object(map) = &mut entry {
            map.insert("step".into(), json!(step));
            map.insert("refusedBy".into(), json!(by));
            if let Some(reset_at) = error::reset_at(error) {
                map.insert("resetAt".into(), json!(reset_at));
            }
            map.remove("details");
        }
        self.report.errors.push(entry);
        self.step(step, started, json!({ "code": error.code().as_str() }));
    }
}

/// The tutorial's `posts.create` body.
fn tiktok_post(profile_id: &str, text: &str, media_key: &str) -> CreatePostRequest {
    CreatePostRequest {
        profile_id: Some(profile_id.to_owned()),
        content: Some(PostContent::new(text)),
        media_keys: vec![media_key.to_owned()],
        platforms: PlatformOptionsMap {
            tiktok: Some(TikTokOptions::default()),
            ..PlatformOptionsMap::default()
        },
        ..CreatePostRequest::default()
    }
}

/// The error the demo expects; anything else (success included) fails the demo.
fn expect_refusal<T>(
    result: Result<T, impl Into<CliError>>,
    code: ErrorCode,
    what: &str,
) -> Result<Error, CliError> {
    match result.map_err(Into::into) {
        Ok(_) => Err(Error::new(
            ErrorCode::Unknown("DEMO_EXPECTATION".into()),
            format!("{what} should have been refused with {code}, but it went through"),
        )
        .into()),
        Err(CliError::Api { error, .. }) if *error.code() == code => Ok(error),
        Err(other) => Err(other),
    }
}

/// `2,201`.
fn group(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn dedup(codes: &[String]) -> Vec<String> {
    let mut seen = Vec::new();
    for code in codes {
        if !seen.contains(code) {
            seen.push(code.clone());
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(group(2_201), "2,201");
        assert_eq!(group(10), "10");
        assert_eq!(group(1_000_000), "1,000,000");
    }

    #[test]
    fn the_long_caption_is_one_over_the_limit() {
        let caption = format!("{CAPTION} {}", "a".repeat(LONG_CAPTION_CHARS - CAPTION.len() - 1));
        assert_eq!(caption.encode_utf16().count(), 2_201);
    }

    #[test]
    fn the_sample_videos_are_what_the_demo_says() {
        let sample = aether::probe::probe(
            std::io::Cursor::new(fixtures::SAMPLE_VIDEO),
            fixtures::SAMPLE_VIDEO.len() as u64,
        )
        .unwrap();
        let ms = sample.duration_ms.unwrap();
        assert!((15_000..=60_000).contains(&ms), "{ms}");
        let short = aether::probe::probe(
            std::io::Cursor::new(fixtures::SHORT_VIDEO),
            fixtures::SHORT_VIDEO.len() as u64,
        )
        .unwrap();
        assert_eq!(short.duration_ms, Some(14_900));
    }
}
