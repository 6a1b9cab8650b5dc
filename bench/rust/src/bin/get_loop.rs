//! Calls `posts.get` N times on one client (keep-alive) and prints one JSON line with the mean
//! time per call. Usage: get_loop URL API_KEY POST_ID N
//!
//! The loop runs in `main`'s `block_on`, a thread of its own: each call hands its request to
//! the runtime worker that drives the connection and is handed the answer back.
//! `GET_LOOP_IN_TASK=1` runs it as a task on the workers instead, as a service's request handler
//! would, where those hand-overs can stay on one thread (bench/README.md, "posts.get": on the
//! busy 2-core machine its best runs were faster and its median slower and far more spread).
//! `GET_LOOP_RUNTIME=current-thread` runs `main` on a current-thread runtime instead: the
//! connection's task is then driven by the calling thread itself while it waits, so that nothing
//! crosses threads — the shape a blocking binding could have with a runtime (and a connection
//! pool) per calling thread (bench/README.md, "posts.get").

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

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let current_thread =
        std::env::var_os("GET_LOOP_RUNTIME").is_some_and(|v| v == "current-thread");
    let mut runtime = if current_thread {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    runtime.enable_all().build()?.block_on(run())
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, key, post_id, count] = args.as_slice() else {
        return Err("usage: get_loop URL API_KEY POST_ID N".into());
    };
    let count: u32 = count.parse()?;
    let client = Client::builder().api_key(key.as_str()).base_url(url.as_str()).build()?;
    let post_id = post_id.clone();
    let per_call_us = if std::env::var_os("GET_LOOP_IN_TASK").is_some_and(|v| v == "1") {
        tokio::spawn(calls(client, post_id, count)).await??
    } else {
        calls(client, post_id, count).await?
    };
    println!("{{\"calls\": {count}, \"microsPerCall\": {per_call_us:.1}}}");
    Ok(())
}
