//! Creates COUNT posts at once through the Rust core and waits until every one is published
//! (one tokio task per post, all in flight together); prints one JSON line with the wall time
//! and peak RSS. PROFILE_IDS is one profile id or several separated by commas (the emulator's
//! daily quota is per profile; posts go to them in turn).
//! Usage: concurrent URL API_KEY PROFILE_IDS COUNT [PLATFORM]

use aether_bench::peak_rss_mib;
use std::time::{Duration, Instant};

use aether::model::{CreatePostRequest, PlatformOptionsMap, PostContent};
use aether::posts::WaitOptions;
use aether::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, key, profiles, count, rest @ ..] = args.as_slice() else {
        return Err("usage: concurrent URL API_KEY PROFILE_IDS COUNT [PLATFORM]".into());
    };
    let platform = rest.first().map_or("linkedin", String::as_str);
    let profiles: Vec<String> = profiles.split(',').map(str::to_owned).collect();
    let count: usize = count.parse()?;
    let client = Client::builder()
        .api_key(key.as_str())
        .base_url(url.as_str())
        .request_timeout(Duration::from_secs(600))
        .build()?;
    let platforms = PlatformOptionsMap::from_json_str(&format!("{{\"{platform}\": {{}}}}"))?;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..count {
        let client = client.clone();
        let request = CreatePostRequest {
            profile_id: Some(profiles[i % profiles.len()].clone()),
            content: Some(PostContent::new(format!("bench {i}"))),
            platforms: platforms.clone(),
            ..CreatePostRequest::default()
        };
        tasks.spawn(async move {
            let post = client.posts().create(&request).await?;
            client.posts().wait(&post.id, WaitOptions::default()).await
        });
    }
    let mut published = 0usize;
    while let Some(done) = tasks.join_next().await {
        let post = done??;
        if post.status == aether::model::PostStatus::Published {
            published += 1;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    if published != count {
        return Err(format!("{published} of {count} posts published").into());
    }
    println!(
        "{{\"tool\": \"aether-rust\", \"op\": \"concurrent\", \"count\": {count}, \"seconds\": {seconds:.3}, \"peakRssMiB\": {}}}",
        peak_rss_mib()
    );
    Ok(())
}
