//! The embedded runtime used by blocking callers (C, Python).

use std::time::Duration;

use aether::{runtime, CancellationToken, Error, ErrorCode};
use aether_mock::{MockConfig, MockServer};

#[test]
fn block_on_runs_a_future_to_completion() {
    assert_eq!(runtime::block_on(async { Ok::<_, Error>(41 + 1) }).unwrap(), 42);
    let error = runtime::block_on(async { Err::<(), _>(Error::protocol("boom")) }).unwrap_err();
    assert_eq!(error.code(), &ErrorCode::ProtocolError);
}

#[test]
fn block_on_drives_real_calls_and_the_runtime_outlives_them() {
    // The emulator runs on the embedded runtime's workers between the blocking calls.
    let server = runtime::block_on(async {
        MockServer::start(MockConfig::default()).await.map_err(Error::from)
    })
    .unwrap();
    let client =
        aether::Client::builder().api_key(server.api_key()).base_url(server.url()).build().unwrap();
    for _ in 0..2 {
        let rules = runtime::block_on(client.platforms().try_fetch()).unwrap();
        assert!(!rules.platforms.is_empty());
    }
    // From another OS thread too: the runtime is shared by the process.
    let other = client.clone();
    std::thread::spawn(move || runtime::block_on(other.platforms().try_fetch()).unwrap())
        .join()
        .unwrap();
    runtime::handle().unwrap().spawn(async move { drop(server) });
}

#[tokio::test]
async fn block_on_inside_a_runtime_is_refused() {
    let error = runtime::block_on(async { Ok::<_, Error>(()) }).unwrap_err();
    assert_eq!(error.code(), &ErrorCode::InvalidArgument);
    assert!(error.message().contains("inside a tokio runtime"), "{error}");
    let token = CancellationToken::new();
    let error = runtime::block_on_cancellable(async { Ok::<_, Error>(()) }, &token).unwrap_err();
    assert_eq!(error.code(), &ErrorCode::InvalidArgument);
}

#[test]
fn block_on_cancellable_stops_when_cancelled_from_another_thread() {
    let token = CancellationToken::new();
    let canceller = token.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        canceller.cancel();
    });
    let error = runtime::block_on_cancellable(
        async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            Ok::<_, Error>(())
        },
        &token,
    )
    .unwrap_err();
    assert_eq!(error.code(), &ErrorCode::Cancelled);
}

#[test]
fn the_handle_spawns_on_the_embedded_runtime() {
    let handle = runtime::handle().unwrap();
    let task = handle.spawn(async { 7 });
    assert_eq!(
        runtime::block_on(async { task.await.map_err(|e| Error::protocol(e.to_string())) })
            .unwrap(),
        7
    );
}

/// The tasks alive on the current runtime (the client's connections, once a call has returned).
fn alive_tasks() -> usize {
    tokio::runtime::Handle::current().metrics().num_alive_tasks()
}

#[test]
fn close_returns_once_the_clients_connections_have_ended() {
    let server = runtime::block_on(async {
        MockServer::start(MockConfig::default()).await.map_err(Error::from)
    })
    .unwrap();
    let client = || {
        aether::Client::builder().api_key(server.api_key()).base_url(server.url()).build().unwrap()
    };
    // The client's own runtime, with one thread: nothing of the client runs but when it awaits.
    let own = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    own.block_on(async {
        let dropped = client();
        dropped.platforms().try_fetch().await.unwrap();
        drop(dropped);
        assert!(
            alive_tasks() > 0,
            "a dropped client's kept-alive connection ends in the background"
        );
        while alive_tasks() > 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }

        let closed = client();
        closed.platforms().try_fetch().await.unwrap();
        let shared = closed.clone();
        closed.close().await;
        assert!(alive_tasks() > 0, "a clone still uses the connection: it stays open");
        shared.close().await;
        assert_eq!(alive_tasks(), 0, "closing the last handle waited for its connection to end");
    });
}

#[test]
fn close_connections_ends_them_and_the_client_stays_usable() {
    let server = runtime::block_on(async {
        MockServer::start(MockConfig::default()).await.map_err(Error::from)
    })
    .unwrap();
    let own = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    own.block_on(async {
        let client = aether::Client::builder()
            .api_key(server.api_key())
            .base_url(server.url())
            .build()
            .unwrap();
        let watching = client.clone();
        client.platforms().try_fetch().await.unwrap();
        assert!(alive_tasks() > 0, "the connection is kept alive");

        client.close_connections().await;
        assert_eq!(
            alive_tasks(),
            0,
            "closed for every handle, the clone's too, before it returned"
        );
        watching.platforms().try_fetch().await.expect("a new connection for the next call");
    });
}
