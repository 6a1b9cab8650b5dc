//! Calls `posts.get` N times on one client (keep-alive) and prints one JSON line with the mean
//! time per call. Usage: get_loop URL API_KEY POST_ID N

use std::time::Instant;

use aether::Client;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, key, post_id, count] = args.as_slice() else {
        return Err("usage: get_loop URL API_KEY POST_ID N".into());
    };
    let count: u32 = count.parse()?;
    let client = Client::builder().api_key(key.as_str()).base_url(url.as_str()).build()?;
    client.posts().get(post_id).await?; // connect once, outside the measurement
    let started = Instant::now();
    for _ in 0..count {
        client.posts().get(post_id).await?;
    }
    let per_call_us = started.elapsed().as_secs_f64() * 1e6 / f64::from(count);
    println!("{{\"calls\": {count}, \"microsPerCall\": {per_call_us:.1}}}");
    Ok(())
}
