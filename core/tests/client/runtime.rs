//! The embedded runtime used by blocking callers (C, Python), a blocking caller's own
//! (`block_on_here`, C's calls), and the runtime for event loops (Node's and asyncio's calls).

use std::time::Duration;

use aether::{runtime, CancellationToken, Error, ErrorCode};
use aether_mock::{MockConfig, MockServer};
use futures_util::FutureExt;

/// An emulator, its tasks on the embedded runtime's workers (they run between blocking calls).
fn emulator() -> MockServer {
    runtime::block_on(async { MockServer::start(MockConfig::default()).await.map_err(Error::from) })
        .unwrap()
}

fn client_of(server: &MockServer) -> aether::Client {
    aether::Client::builder().api_key(server.api_key()).base_url(server.url()).build().unwrap()
}

#[test]
fn block_on_runs_a_future_to_completion() {
    assert_eq!(runtime::block_on(async { Ok::<_, Error>(41 + 1) }).unwrap(), 42);
    let error = runtime::block_on(async { Err::<(), _>(Error::protocol("boom")) }).unwrap_err();
    assert_eq!(error.code(), &ErrorCode::ProtocolError);
}

#[test]
fn block_on_drives_real_calls_and_the_runtime_outlives_them() {
    // The emulator runs on the embedded runtime's workers between the blocking calls.
    let server = emulator();
    let client = client_of(&server);
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
    let server = emulator();
    let client = || client_of(&server);
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
    let server = emulator();
    let own = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    own.block_on(async {
        let client = client_of(&server);
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

/// The distinct connections the emulator's journal saw requests on.
fn connections_seen(server: &MockServer) -> std::collections::BTreeSet<u64> {
    server.state().journal().entries().iter().filter_map(|entry| entry.connection).collect()
}

#[test]
fn block_on_here_runs_the_call_and_its_connection_on_the_calling_thread() {
    let server = emulator();
    let client = client_of(&server);
    let caller = std::thread::current().id();
    let (spawned_on, flavor) = runtime::block_on_here(async {
        client.platforms().try_fetch().await?;
        let spawned = tokio::spawn(async { std::thread::current().id() });
        let flavor = tokio::runtime::Handle::current().runtime_flavor();
        Ok((spawned.await.expect("joined"), flavor))
    })
    .unwrap();
    assert_eq!(flavor, tokio::runtime::RuntimeFlavor::CurrentThread);
    assert_eq!(spawned_on, caller, "a task of the call runs on the calling thread");
    let alive = runtime::block_on_here(async { Ok(alive_tasks()) }).unwrap();
    assert!(alive > 0, "the kept-alive connection is a task of the caller's own runtime");
    runtime::block_on_here(client.platforms().try_fetch()).unwrap();
    assert_eq!(connections_seen(&server).len(), 1, "the next call reuses it");

    runtime::block_on_here(client.close_connections().map(Ok)).unwrap();
    let alive = runtime::block_on_here(async { Ok(alive_tasks()) }).unwrap();
    assert_eq!(alive, 0, "closed, on the caller's runtime, before it returned");
    runtime::handle().unwrap().spawn(async move { drop(server) });
}

#[test]
fn a_thread_never_sends_on_another_idle_threads_connection() {
    let server = emulator();
    let client = client_of(&server);
    // Thread A makes a call, then idles outside any call: its runtime, and the connection it
    // keeps alive, do not run until A calls again.
    let (called, a_called) = std::sync::mpsc::channel();
    let (release, a_released) = std::sync::mpsc::channel::<()>();
    let a_client = client.clone();
    let a = std::thread::spawn(move || {
        runtime::block_on_here(a_client.platforms().try_fetch()).unwrap();
        called.send(()).unwrap();
        a_released.recv().unwrap();
    });
    a_called.recv().unwrap();
    // B (this thread) must not be handed A's idle connection: it would wait for A.
    let started = std::time::Instant::now();
    runtime::block_on_here(async {
        tokio::time::timeout(Duration::from_secs(10), client.platforms().try_fetch())
            .await
            .map_err(|_| Error::protocol("B's call waited on A's connection"))?
    })
    .unwrap();
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert_eq!(connections_seen(&server).len(), 2, "one connection per calling thread");

    // A ends: its runtime is retired, dropped by the next blocking call, with its connection.
    release.send(()).unwrap();
    a.join().unwrap();
    runtime::block_on_here(client.platforms().try_fetch()).unwrap();
    runtime::handle().unwrap().spawn(async move { drop(server) });
}

#[test]
fn block_on_here_refuses_inside_a_runtime_and_cancels_like_block_on() {
    let own = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let error = own.block_on(async { runtime::block_on_here(async { Ok::<_, Error>(()) }) });
    assert_eq!(error.unwrap_err().code(), &ErrorCode::InvalidArgument);
    // A token cancelled from another thread wakes the caller's own runtime.
    let token = CancellationToken::new();
    let canceller = token.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        canceller.cancel();
    });
    let started = std::time::Instant::now();
    runtime::block_on_here(async {
        tokio::select! {
            () = token.cancelled() => Ok(()),
            () = tokio::time::sleep(Duration::from_secs(30)) => Err(Error::protocol("not woken")),
        }
    })
    .unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// The CPU time the calling thread has had so far (the scheduler's own count, in ns).
#[cfg(target_os = "linux")]
fn thread_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap();
    Duration::from_nanos(stat.split_whitespace().next().unwrap().parse().unwrap())
}

/// The CPU time the calling thread spends on `calls` calls on its own runtime, each a wait of
/// `each` for a timer.
#[cfg(target_os = "linux")]
fn cpu_of_waits(calls: u32, each: Duration) -> Duration {
    let before = thread_cpu();
    for _ in 0..calls {
        runtime::block_on_here(async {
            tokio::time::sleep(each).await;
            Ok::<_, Error>(())
        })
        .unwrap();
    }
    thread_cpu() - before
}

#[cfg(target_os = "linux")]
#[test]
fn block_on_here_spins_briefly_then_sleeps_until_woken() {
    // Answered by another thread at once (while the caller spins) and long after its spin
    // (it must have gone to sleep, and be woken).
    for delay in [Duration::ZERO, Duration::from_millis(50)] {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let answerer = std::thread::spawn(move || {
            std::thread::sleep(delay);
            answer.send(7).unwrap();
        });
        let got = runtime::block_on_here(async {
            answered.await.map_err(|e| Error::protocol(e.to_string()))
        });
        assert_eq!(got.unwrap(), 7, "answered after {delay:?}");
        answerer.join().unwrap();
    }
    // A 300 ms wait costs the thread its spin (200 µs by default), not 300 ms of a core.
    let used = cpu_of_waits(1, Duration::from_millis(300));
    assert!(used < Duration::from_millis(100), "the caller used {used:?} of CPU in a 300 ms wait");

    // Calls whose answers keep outlasting the spin (a distant server): after two of them the
    // thread sleeps at once, trying the spin again every 16th wait. Spinning on each of these
    // 40 waits would cost 40 × 200 µs = 8 ms of CPU.
    let used = cpu_of_waits(40, Duration::from_millis(10));
    assert!(used < Duration::from_millis(5), "40 waits of 10 ms cost the caller {used:?} of CPU");
}

/// As under `#[tokio::main]`: `calls` calls of `posts.get` awaited in a multi-threaded runtime's
/// `block_on` (not in a task), each answered after `delay`; the CPU time the calling thread
/// spent on them.
#[cfg(target_os = "linux")]
fn cpu_of_awaits_in_main(calls: u32, delay: Duration) -> Duration {
    use crate::client_common::{text_post, Emulator};
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let emulator = Emulator::start().await;
        let client = emulator.client();
        let profile = emulator.profile("linkedin").await;
        let post = client.posts().create(&text_post(&profile, "awaited")).await.unwrap();
        let ms = delay.as_millis() as u64;
        emulator
            .fault(serde_json::json!({"method": "GET", "path": "/v1/posts/*", "times": calls,
                                      "action": {"type": "delay", "ms": ms}}))
            .await;
        let before = thread_cpu();
        for _ in 0..calls {
            let got = client.posts().get(&post.id).await.unwrap();
            assert_eq!(got.id, post.id);
        }
        thread_cpu() - before
    })
}

#[cfg(target_os = "linux")]
#[test]
fn a_call_awaited_in_main_spins_briefly_and_stops_spinning_for_slow_answers() {
    // One answer 300 ms late: the thread spins up to 200 µs, then sleeps until it is woken.
    let used = cpu_of_awaits_in_main(1, Duration::from_millis(300));
    assert!(used < Duration::from_millis(100), "the caller used {used:?} of CPU in a 300 ms wait");
    // Answers that keep outlasting the spin (a distant server): after two of them the thread
    // sleeps at once. A spin on each of these 40 waits would cost 40 × 200 µs = 8 ms of CPU.
    let used = cpu_of_awaits_in_main(40, Duration::from_millis(10));
    assert!(used < Duration::from_millis(5), "40 waits of 10 ms cost the caller {used:?} of CPU");
}

/// How an event loop's binding (Node's) runs a call: spawned as an [`runtime::EventLoopCall`]
/// on the runtime for event loops; the result comes back to the caller's thread (napi's
/// thread-safe function in Node, a channel here).
fn call_from_event_loop<T: Send + 'static>(
    on: &tokio::runtime::Runtime,
    call: impl std::future::Future<Output = T> + Send + 'static,
) -> T {
    let (answer, answered) = std::sync::mpsc::channel();
    on.spawn(runtime::EventLoopCall::new(Box::pin(async move {
        let _ = answer.send(call.await);
    })));
    answered.recv().expect("the call answered")
}

/// The worker's CPU time and voluntary context switches (times it went to sleep) so far,
/// read on the worker itself (the runtime has one).
#[cfg(target_os = "linux")]
fn worker_load(on: &tokio::runtime::Runtime) -> (Duration, u64) {
    call_from_event_loop(on, async {
        let status = std::fs::read_to_string("/proc/thread-self/status").unwrap();
        let sleeps = status
            .lines()
            .find_map(|line| line.strip_prefix("voluntary_ctxt_switches:"))
            .map(|n| n.trim().parse().unwrap())
            .unwrap();
        (thread_cpu(), sleeps)
    })
}

#[test]
fn an_event_loops_calls_run_on_the_runtime_for_event_loops_and_answer_as_awaited() {
    let server = emulator();
    let client = client_of(&server);
    let on = runtime::event_loop_runtime().unwrap();
    // Results and errors come back as the call's own, on the connection the calls share.
    for _ in 0..3 {
        let client = client.clone();
        let rules = call_from_event_loop(&on, async move { client.platforms().try_fetch().await });
        assert!(!rules.unwrap().platforms.is_empty());
    }
    for _ in 0..3 {
        let client = client.clone();
        let missing =
            call_from_event_loop(&on, async move { client.posts().get("post_missing").await });
        assert_eq!(missing.unwrap_err().code(), &ErrorCode::NotFound);
    }
    let answer = call_from_event_loop(&on, async { 41 + 1 });
    assert_eq!(answer, 42);
    // The process's own runtime for event loops (Python's asyncio calls) is one worker, named.
    let handle = runtime::event_loop_handle().unwrap();
    for _ in 0..2 {
        let (answer, answered) = std::sync::mpsc::channel();
        runtime::event_loop_handle().unwrap().spawn(runtime::EventLoopCall::new(Box::pin(
            async move {
                let _ = answer.send(std::thread::current().name().map(str::to_owned));
            },
        )));
        assert_eq!(answered.recv().unwrap().as_deref(), Some("aether-event-loop"));
    }
    assert_eq!(handle.metrics().num_workers(), 1);
    // A call dropped unfinished (its promise's runtime shutting down) ends cleanly.
    let (_never, pending) = tokio::sync::oneshot::channel::<()>();
    on.spawn(runtime::EventLoopCall::new(Box::pin(pending)));
    on.shutdown_timeout(Duration::from_secs(5));
    runtime::handle().unwrap().spawn(async move { drop(server) });
}

#[cfg(target_os = "linux")]
#[test]
fn the_worker_lingers_for_calls_that_keep_coming_and_stops_when_they_come_seldom() {
    let on = runtime::event_loop_runtime().unwrap();
    // Calls back to back, as a JavaScript loop of awaited calls makes them: the worker stays
    // awake from one to the next (0–2 sleeps here) instead of sleeping after most of them
    // (~210 times without the linger, ~200 when a call ending during a linger did not renew it).
    let calls = 400;
    // Warmed up first, unmeasured: a freshly started test binary's first calls fault in its
    // code and the runtime's, which can hold a call past the linger.
    for i in 0..50 {
        assert_eq!(call_from_event_loop(&on, async move { i + 1 }), i + 1);
    }
    let (_, slept_before) = worker_load(&on);
    for i in 0..calls {
        assert_eq!(call_from_event_loop(&on, async move { i * 2 }), i * 2);
    }
    let (_, slept_after) = worker_load(&on);
    let slept = slept_after - slept_before;
    if runtime::spin_limit().is_zero() {
        // Spinning is off (`AETHER_SPIN_US=0`, as under valgrind): no linger either.
        assert!(slept > calls / 4, "the worker slept {slept} times in {calls} calls");
        return;
    }
    assert!(slept < calls / 8, "the worker slept {slept} times in {calls} calls back to back");

    // Calls 10 ms apart (a program that calls now and then): after two lingers that no call
    // ended, the worker sleeps at once, trying again every 16th time. Lingering after each of
    // these 50 calls would cost 50 × 200 µs = 10 ms of CPU (~2.2 ms with the pause here).
    let (cpu_before, _) = worker_load(&on);
    for i in 0..50u64 {
        std::thread::sleep(Duration::from_millis(10));
        assert_eq!(call_from_event_loop(&on, async move { i + 1 }), i + 1);
    }
    let (cpu_after, _) = worker_load(&on);
    let used = cpu_after - cpu_before;
    assert!(used < Duration::from_millis(5), "50 calls 10 ms apart cost the worker {used:?}");
}
