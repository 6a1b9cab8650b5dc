//! The soak of the Rust core (bench/soak): CYCLES create/get/wait cycles, then UPLOADS chunked
//! uploads of FILE, on one client (the cycles LANES at once); prints a JSON line with this process's resident set every
//! few cycles and uploads, which bench/soak/soak.py turns into growth after warm-up.
//! Usage: soak URL API_KEY PROFILE_IDS CYCLES UPLOADS FILE

use aether::model::{CreatePostRequest, PostContent};
use aether::posts::WaitOptions;
use aether::upload::{UploadOptions, UploadSource};
use aether::Client;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// This process's resident set in KiB (statm's second field, in pages).
fn rss_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm.split_whitespace().nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as u64;
    pages * page / 1024
}

fn sample(phase: &str, n: usize) {
    println!("{{\"phase\": \"{phase}\", \"n\": {n}, \"rssKiB\": {}}}", rss_kib());
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, key, profiles, cycles, uploads, file] = args.as_slice() else {
        return Err("usage: soak URL API_KEY PROFILE_IDS CYCLES UPLOADS FILE".into());
    };
    let profiles: Vec<&str> = profiles.split(',').collect();
    let (cycles, uploads): (usize, usize) = (cycles.parse()?, uploads.parse()?);
    let client = Client::builder().api_key(key.as_str()).base_url(url.as_str()).build()?;
    let every = (cycles / 40).max(1);
    // LANES cycles at once: each wait spends most of its time between polls.
    let lanes: usize = std::env::var("LANES").ok().and_then(|l| l.parse().ok()).unwrap_or(16);
    let next = Arc::new(AtomicUsize::new(1));
    let done = Arc::new(AtomicUsize::new(0));
    let profiles: Arc<Vec<String>> = Arc::new(profiles.iter().map(|p| (*p).to_owned()).collect());
    sample("cycles", 0);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..lanes {
        let (client, next, done, profiles) =
            (client.clone(), next.clone(), done.clone(), profiles.clone());
        tasks.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i > cycles {
                    return Ok::<(), aether::Error>(());
                }
                let request = CreatePostRequest {
                    profile_id: Some(profiles[i % profiles.len()].clone()),
                    content: Some(PostContent::new(format!("soak {i}"))),
                    ..CreatePostRequest::default()
                };
                let post = client.posts().create(&request).await?;
                client.posts().get(&post.id).await?;
                client.posts().wait(&post.id, WaitOptions::default()).await?;
                let finished = done.fetch_add(1, Ordering::SeqCst) + 1;
                if finished % every == 0 || finished == cycles {
                    sample("cycles", finished);
                }
            }
        });
    }
    while let Some(lane) = tasks.join_next().await {
        lane??;
    }
    let options = UploadOptions::new().part_size(5 * 1024 * 1024).single_shot_threshold(0);
    sample("uploads", 0);
    for i in 1..=uploads {
        client.media().upload(UploadSource::path(file), options.clone()).await?;
        if i % 5 == 0 || i == uploads {
            sample("uploads", i);
        }
    }
    Ok(())
}
