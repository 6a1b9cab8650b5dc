//! Calls `posts.get` N times on one client (keep-alive) and prints one JSON line with the mean
//! time per call. Usage: get_loop URL API_KEY POST_ID N
//!
//! The loop runs as a task on the runtime's workers, where a Rust service makes its calls (a
//! request handler, a job), not in `main`'s `block_on`, which runs on a thread of its own: there,
//! every call would also pay two hand-overs between that thread and the worker that drives the
//! connection (bench/README.md, "posts.get"). `GET_LOOP_IN_MAIN=1` measures that case.

use std::time::Instant;

use aether::Client;

async fn calls(client: Client, post_id: String, count: u32) -> aether::Result<f64> {
    client.posts().get(&post_id).await?; // connect once, outside the measurement
    let started = Instant::now();
    for _ in 0..count {
        client.posts().get(&post_id).await?;
    }
    Ok(started.elapsed().as_secs_f64() * 1e6 / f64::from(count))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, key, post_id, count] = args.as_slice() else {
        return Err("usage: get_loop URL API_KEY POST_ID N".into());
    };
    let count: u32 = count.parse()?;
    let client = Client::builder().api_key(key.as_str()).base_url(url.as_str()).build()?;
    let post_id = post_id.clone();
    let per_call_us = if std::env::var_os("GET_LOOP_IN_MAIN").is_some_and(|v| v == "1") {
        calls(client, post_id, count).await?
    } else {
        tokio::spawn(calls(client, post_id, count)).await??
    };
    println!("{{\"calls\": {count}, \"microsPerCall\": {per_call_us:.1}}}");
    Ok(())
}
