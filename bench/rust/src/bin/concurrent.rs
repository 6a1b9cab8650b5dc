//! Creates COUNT posts at once through the Rust core and waits until every one is published
//! (one tokio task per post, all in flight together); prints one JSON line with the wall time
//! and peak RSS. PROFILE_IDS is one profile id or several separated by commas (the emulator's
//! daily quota is per profile; posts go to them in turn).
//! Usage: concurrent URL API_KEY PROFILE_IDS COUNT [PLATFORM]

use aether_bench::{peak_rss_mib, PostsBench};
use std::time::{Duration, Instant};

use aether::posts::WaitOptions;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bench = PostsBench::from_args(
        "concurrent URL API_KEY PROFILE_IDS COUNT [PLATFORM]",
        Duration::from_secs(600),
    )?;
    let count = bench.count;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..count {
        let client = bench.client.clone();
        let request = bench.request(i, format!("bench {i}"));
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
