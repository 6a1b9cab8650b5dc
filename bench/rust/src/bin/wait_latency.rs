//! How soon `posts.wait` returns after the emulator's state change: creates COUNT posts one
//! after another, waits for each, and measures from the post's change (the latest
//! `results[].publishedAt`, the time the emulator's publish step was due, on its clock, which
//! is this machine's) to the wait returning. Prints one JSON line with the median and every
//! latency in milliseconds.
//! Usage: wait_latency URL API_KEY PROFILE_IDS COUNT

use aether_bench::{peak_rss_mib, PostsBench};
use std::time::Duration;

use aether::model::PostStatus;
use aether::posts::WaitOptions;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bench = PostsBench::from_args(
        "wait_latency URL API_KEY PROFILE_IDS COUNT",
        Duration::from_secs(60),
    )?;
    let (client, count) = (&bench.client, bench.count);
    let mut latencies = Vec::with_capacity(count);
    for i in 0..count {
        let post = client.posts().create(&bench.request(i, format!("latency {i}"))).await?;
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
