//! How soon `posts.wait` returns after the emulator's state change: creates COUNT posts one
//! after another, waits for each, and measures from the post's change (the latest
//! `results[].publishedAt`, the time the emulator's publish step was due, on its clock, which
//! is this machine's) to the wait returning. Prints one JSON line with the median and every
//! latency in milliseconds.
//! Usage: wait_latency URL API_KEY PROFILE_IDS COUNT

use aether_bench::peak_rss_mib;
use std::time::Duration;

use aether::model::{CreatePostRequest, PlatformOptionsMap, PostContent, PostStatus};
use aether::posts::WaitOptions;
use aether::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, key, profiles, count] = args.as_slice() else {
        return Err("usage: wait_latency URL API_KEY PROFILE_IDS COUNT".into());
    };
    let profiles: Vec<String> = profiles.split(',').map(str::to_owned).collect();
    let count: usize = count.parse()?;
    let client = Client::builder()
        .api_key(key.as_str())
        .base_url(url.as_str())
        .request_timeout(Duration::from_secs(60))
        .build()?;
    let platforms = PlatformOptionsMap::from_json_str("{\"linkedin\": {}}")?;
    let mut latencies = Vec::with_capacity(count);
    for i in 0..count {
        let request = CreatePostRequest {
            profile_id: Some(profiles[i % profiles.len()].clone()),
            content: Some(PostContent::new(format!("latency {i}"))),
            platforms: platforms.clone(),
            ..CreatePostRequest::default()
        };
        let post = client.posts().create(&request).await?;
        let post = client.posts().wait(&post.id, WaitOptions::default()).await?;
        let returned = jiff::Timestamp::now();
        if post.status != PostStatus::Published {
            return Err(format!("post {} ended {}", post.id, post.status).into());
        }
        let changed = post
            .results
            .iter()
            .filter_map(|r| r.published_at.as_deref())
            .map(str::parse::<jiff::Timestamp>)
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .max()
            .ok_or("a published post without publishedAt")?;
        latencies.push(returned.duration_since(changed).as_secs_f64() * 1000.0);
    }
    let mut sorted = latencies.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    let all: Vec<String> = latencies.iter().map(|ms| format!("{ms:.1}")).collect();
    println!(
        "{{\"tool\": \"aether-rust\", \"op\": \"wait-latency\", \"count\": {count}, \"medianMs\": {median:.1}, \"latenciesMs\": [{}], \"peakRssMiB\": {}}}",
        all.join(", "),
        peak_rss_mib()
    );
    Ok(())
}
