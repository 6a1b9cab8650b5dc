//! Uploads one file through the Rust core and prints one JSON line: seconds, the CPU-seconds
//! (user + system, every thread) of the upload alone, MiB/s and this process's peak RSS.
//! Usage: upload URL API_KEY FILE [PARALLELISM] [PART_MIB]

use aether_bench::{cpu_seconds, peak_rss_mib};
use std::time::Instant;

use aether::upload::{UploadOptions, UploadSource};
use aether::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, key, file, rest @ ..] = args.as_slice() else {
        return Err("usage: upload URL API_KEY FILE [PARALLELISM] [PART_MIB]".into());
    };
    let parallelism = rest.first().map(|p| p.parse()).transpose()?.unwrap_or(4);
    let part_mib: u64 = rest.get(1).map(|p| p.parse()).transpose()?.unwrap_or(8);
    let size = std::fs::metadata(file)?.len();
    let client = Client::builder()
        .api_key(key.as_str())
        .base_url(url.as_str())
        .request_timeout(std::time::Duration::from_secs(600))
        .build()?;
    let cpu_started = cpu_seconds();
    let started = Instant::now();
    let mut options = UploadOptions::new().mime_type("video/mp4");
    if std::env::var_os("UPLOAD_TIMELINE").is_some() {
        // To stderr: when each tenth of the bytes was acknowledged, and when the last part was.
        let tenth = std::sync::atomic::AtomicU64::new(0);
        options = options.on_progress(move |p| {
            let step = p.bytes_sent * 10 / p.total.max(1);
            if step > tenth.load(std::sync::atomic::Ordering::Relaxed) || p.bytes_sent == p.total {
                tenth.store(step, std::sync::atomic::Ordering::Relaxed);
                eprintln!(
                    "{:.3}s: {} of {} bytes, {} of {} parts",
                    started.elapsed().as_secs_f64(),
                    p.bytes_sent,
                    p.total,
                    p.parts_done,
                    p.parts_total
                );
            }
        });
    }
    let options = options.parallelism(parallelism).part_size(part_mib * 1024 * 1024);
    let media = client.media().upload(UploadSource::path(file), options).await?;
    let seconds = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_started;
    println!(
        "{{\"mediaKey\": \"{}\", \"seconds\": {seconds:.3}, \"cpuSeconds\": {cpu:.4}, \"mibPerSec\": {:.1}, \"peakRssMiB\": {}}}",
        media.media_key,
        size as f64 / 1048576.0 / seconds,
        peak_rss_mib()
    );
    Ok(())
}
