//! The floor of a Rust call without reqwest: `GET /v1/posts/{id}` N times on one kept-alive
//! connection driven by hyper's own HTTP/1 client (`hyper::client::conn::http1`), each answer
//! decoded into the core's `Post`, and the headers the SDK sends. No pool, no retries, no
//! timeouts, no TLS or proxy: what a leaner HTTP layer than reqwest could at best reach
//! (bench/README.md, "posts.get"). Usage: hyper_get URL API_KEY POST_ID N
//! `GET_LOOP_IN_TASK=1` runs the loop as a task; `GET_LOOP_RUNTIME=current-thread` on a
//! current-thread runtime, as get_loop does.

use std::time::Instant;

use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::Request;
use hyper_util::rt::TokioIo;

type Failure = Box<dyn std::error::Error + Send + Sync>;

async fn get(
    sender: &mut SendRequest<Empty<Bytes>>,
    host: &str,
    path: &str,
    key: &str,
) -> Result<aether::model::Post, Failure> {
    sender.ready().await?;
    let request = Request::get(path)
        .header("host", host)
        .header("authorization", key)
        .header("accept", "application/json")
        .header("user-agent", "aether-bench")
        .header("x-client-request-id", "creq_0123456789abcdef")
        .body(Empty::new())?;
    let response = sender.send_request(request).await?;
    if !response.status().is_success() {
        return Err(format!("HTTP {}", response.status()).into());
    }
    let body = response.into_body().collect().await?.to_bytes();
    Ok(serde_json::from_slice(&body)?)
}

/// The same call through hyper-util's pooled client (the one reqwest wraps), without reqwest.
async fn pooled_get(
    client: &hyper_util::client::legacy::Client<
        hyper_util::client::legacy::connect::HttpConnector,
        Empty<Bytes>,
    >,
    uri: &hyper::Uri,
    key: &str,
) -> Result<aether::model::Post, Failure> {
    let request = Request::get(uri.clone())
        .header("authorization", key)
        .header("accept", "application/json")
        .header("user-agent", "aether-bench")
        .header("x-client-request-id", "creq_0123456789abcdef")
        .body(Empty::new())?;
    let response = client.request(request).await?;
    if !response.status().is_success() {
        return Err(format!("HTTP {}", response.status()).into());
    }
    let body = response.into_body().collect().await?.to_bytes();
    Ok(serde_json::from_slice(&body)?)
}

async fn pooled_calls(
    url: String,
    key: String,
    post_id: String,
    count: u32,
) -> Result<f64, Failure> {
    let mut connector = hyper_util::client::legacy::connect::HttpConnector::new();
    connector.set_nodelay(true);
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build(connector);
    let uri: hyper::Uri = format!("{}/v1/posts/{post_id}", url.trim_end_matches('/')).parse()?;
    let key = format!("Bearer {key}");
    pooled_get(&client, &uri, &key).await?;
    let started = Instant::now();
    for _ in 0..count {
        pooled_get(&client, &uri, &key).await?;
    }
    Ok(started.elapsed().as_secs_f64() * 1e6 / f64::from(count))
}

async fn calls(url: String, key: String, post_id: String, count: u32) -> Result<f64, Failure> {
    let host = url.trim_start_matches("http://").trim_end_matches('/').to_owned();
    let stream = tokio::net::TcpStream::connect(&host).await?;
    stream.set_nodelay(true)?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    let path = format!("/v1/posts/{post_id}");
    let key = format!("Bearer {key}");
    get(&mut sender, &host, &path, &key).await?; // outside the measurement, as get_loop
    let started = Instant::now();
    for _ in 0..count {
        get(&mut sender, &host, &path, &key).await?;
    }
    Ok(started.elapsed().as_secs_f64() * 1e6 / f64::from(count))
}

fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, key, post_id, count] = args.as_slice() else {
        return Err("usage: hyper_get URL API_KEY POST_ID N".into());
    };
    let count: u32 = count.parse()?;
    let runtime_kind = std::env::var("GET_LOOP_RUNTIME").unwrap_or_default();
    let current_thread = runtime_kind == "current-thread";
    let runtime = || {
        let mut builder = if current_thread {
            tokio::runtime::Builder::new_current_thread()
        } else {
            tokio::runtime::Builder::new_multi_thread()
        };
        builder.enable_all().build()
    };
    let pooled = std::env::var_os("HYPER_POOL").is_some_and(|v| v == "legacy");
    let (url, key, post_id) = (url.clone(), key.clone(), post_id.clone());
    let work = async move {
        if pooled {
            pooled_calls(url, key, post_id, count).await
        } else {
            calls(url, key, post_id, count).await
        }
    };
    let per_call_us = if runtime_kind == "blocking-bridge" {
        // The C binding's bridge: the SDK's embedded runtime, the call polled on this thread.
        aether::runtime::block_on(async { Ok(work.await) })??
    } else if std::env::var_os("GET_LOOP_IN_TASK").is_some_and(|v| v == "1") {
        runtime()?.block_on(async { tokio::spawn(work).await })??
    } else {
        runtime()?.block_on(work)?
    };
    println!("{{\"calls\": {count}, \"microsPerCall\": {per_call_us:.1}}}");
    Ok(())
}
