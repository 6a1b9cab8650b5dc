//! The tutorial "How to post to TikTok via API" in Rust: connect a TikTok account through a
//! connect link, upload a video, publish it and wait until TikTok has processed it.
//!
//!     AETHER_API_KEY=sk_… cargo run -p aether --example publish -- video.mp4
//!
//! AETHER_BASE_URL points it at another server (the emulator: `cargo run -p aether-mock --
//! --port 0`; approve the link by opening it with `?approve=1` appended). `cargo test` compiles
//! it; the documentation includes it between its ANCHOR lines.

use std::time::Duration;

use aether::model::{
    ConnectLinkStatus, CreateConnectLinkRequest, CreatePostRequest, Platform, PlatformOptionsMap,
    PostContent, TikTokOptions,
};
use aether::posts::WaitOptions;
use aether::upload::{UploadOptions, UploadSource};
use aether::{Client, ErrorCode};

#[tokio::main]
async fn main() -> Result<(), aether::Error> {
    let video = std::env::args().nth(1).unwrap_or_else(|| "./video.mp4".to_owned());
    // ANCHOR: client
    let aether = Client::from_env()?; // AETHER_API_KEY (and AETHER_BASE_URL)
                                      // ANCHOR_END: client

    // ANCHOR: connect
    let request = CreateConnectLinkRequest {
        platform: Platform::Tiktok,
        redirect_url: "https://yourapp.com/oauth/tiktok/callback".into(),
        state: None,
    };
    let mut link = aether.connect_links().create(&request).await?;
    println!("Send this to your user: {}", link.url);
    while link.status == ConnectLinkStatus::Pending {
        tokio::time::sleep(Duration::from_secs(1)).await;
        link = aether.connect_links().get(&link.id).await?;
    }
    let Some(profile_id) = link.profile_id.filter(|_| link.status == ConnectLinkStatus::Completed)
    else {
        eprintln!("the account was not connected: the link is {}", link.status);
        std::process::exit(1);
    };
    // ANCHOR_END: connect

    // ANCHOR: upload
    let options = UploadOptions::new().mime_type("video/mp4").platform(Platform::Tiktok);
    let media = aether.media().upload(UploadSource::path(&video), options).await?;
    println!("uploaded {}", media.media_key);
    // ANCHOR_END: upload

    // ANCHOR: publish
    let request = CreatePostRequest {
        profile_id: Some(profile_id),
        content: Some(PostContent::new("My first TikTok via API! #coding #developer")),
        media_keys: vec![media.media_key.clone()],
        platforms: PlatformOptionsMap {
            tiktok: Some(TikTokOptions::default()),
            ..PlatformOptionsMap::default()
        },
        ..CreatePostRequest::default()
    };
    let post = match aether.posts().create(&request).await {
        Ok(post) => post,
        Err(err) if *err.code() == ErrorCode::PostLimitReached => {
            eprintln!("daily limit reached: queue it for {:?} from now", err.retry_after());
            std::process::exit(1);
        }
        Err(err) => return Err(err),
    };
    // ANCHOR_END: publish

    // ANCHOR: wait
    // Polls at the server's hint of the next change (Retry-After-Ms), never sooner than 100 ms.
    let done = aether.posts().wait(&post.id, WaitOptions::default()).await?;
    println!("{}", done.status); // "published"
                                 // ANCHOR_END: wait
    Ok(())
}
