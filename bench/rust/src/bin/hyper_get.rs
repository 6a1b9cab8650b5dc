//! The floor of a Rust call without reqwest: `GET /v1/posts/{id}` N times on one kept-alive
//! connection with the headers the SDK sends, each answer decoded into the core's `Post`; no
//! retries, timeouts, TLS or proxy (bench/README.md, "posts.get": "A leaner HTTP layer").
//! Usage: hyper_get URL API_KEY POST_ID N
//!
//! The connection is hyper's own HTTP/1 client (`hyper::client::conn::http1`, no pool), or with
//! `HYPER_POOL=legacy` hyper-util's pooled client, the one reqwest wraps. Where the loop runs is
//! chosen as in get_loop: `main` on a multi-thread runtime by default, `GET_LOOP_IN_TASK=1` a
//! task, `GET_LOOP_RUNTIME=current-thread` a current-thread runtime, and
//! `GET_LOOP_RUNTIME=blocking-bridge` the C binding's bridge (`aether::runtime::block_on`).

use std::time::Instant;

use http_body_util::{BodyExt, Empty};
use hyper::body::{Bytes, Incoming};
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, Response, Uri};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// One kept-alive connection to the emulator, and the request it repeats.
enum Connection {
    Direct { sender: SendRequest<Empty<Bytes>>, host: String, path: String },
    // Boxed: the pooled client is several times the size of the connection's sender.
    Pooled { client: Box<Client<HttpConnector, Empty<Bytes>>>, uri: Uri },
}

impl Connection {
    async fn open(url: &str, post_id: &str, pooled: bool) -> Result<Connection, Failure> {
        let url = url.trim_end_matches('/');
        if pooled {
            let mut connector = HttpConnector::new();
            connector.set_nodelay(true);
            let client = Box::new(Client::builder(TokioExecutor::new()).build(connector));
            return Ok(Connection::Pooled {
                client,
                uri: format!("{url}/v1/posts/{post_id}").parse()?,
            });
        }
        let host = url.trim_start_matches("http://").to_owned();
        let stream = tokio::net::TcpStream::connect(&host).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(connection);
        Ok(Connection::Direct { sender, host, path: format!("/v1/posts/{post_id}") })
    }

    async fn get(&mut self, authorization: &str) -> Result<aether::model::Post, Failure> {
        let request = Request::builder()
            .header("authorization", authorization)
            .header("accept", "application/json")
            .header("user-agent", "aether-bench")
            .header("x-client-request-id", "creq_0123456789abcdef");
        let response = match self {
            Connection::Direct { sender, host, path } => {
                sender.ready().await?;
                let request = request.uri(path.as_str()).header("host", host.as_str());
                sender.send_request(request.body(Empty::new())?).await?
            }
            Connection::Pooled { client, uri } => {
                client.request(request.uri(uri.clone()).body(Empty::new())?).await?
            }
        };
        decode(response).await
    }
}

async fn decode(response: Response<Incoming>) -> Result<aether::model::Post, Failure> {
    if !response.status().is_success() {
        return Err(format!("HTTP {}", response.status()).into());
    }
    let body = response.into_body().collect().await?.to_bytes();
    Ok(serde_json::from_slice(&body)?)
}

async fn calls(
    url: String,
    key: String,
    post_id: String,
    count: u32,
    pooled: bool,
) -> Result<f64, Failure> {
    let mut connection = Connection::open(&url, &post_id, pooled).await?;
    let authorization = format!("Bearer {key}");
    connection.get(&authorization).await?; // connect once, outside the measurement
    let started = Instant::now();
    for _ in 0..count {
        connection.get(&authorization).await?;
    }
    Ok(started.elapsed().as_secs_f64() * 1e6 / f64::from(count))
}

fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, key, post_id, count] = args.as_slice() else {
        return Err("usage: hyper_get URL API_KEY POST_ID N".into());
    };
    let count: u32 = count.parse()?;
    let pooled = std::env::var_os("HYPER_POOL").is_some_and(|v| v == "legacy");
    let work = calls(url.clone(), key.clone(), post_id.clone(), count, pooled);
    let runtime_kind = std::env::var("GET_LOOP_RUNTIME").unwrap_or_default();
    let runtime = || {
        let mut builder = if runtime_kind == "current-thread" {
            tokio::runtime::Builder::new_current_thread()
        } else {
            tokio::runtime::Builder::new_multi_thread()
        };
        builder.enable_all().build()
    };
    let per_call_us = if runtime_kind == "blocking-bridge" {
        aether::runtime::block_on(async { Ok(work.await) })??
    } else if std::env::var_os("GET_LOOP_IN_TASK").is_some_and(|v| v == "1") {
        runtime()?.block_on(async { tokio::spawn(work).await })??
    } else {
        runtime()?.block_on(work)?
    };
    println!("{{\"calls\": {count}, \"microsPerCall\": {per_call_us:.1}}}");
    Ok(())
}
