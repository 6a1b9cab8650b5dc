//! The embedded tokio runtime and the blocking bridge used by callers that are not async
//! (the C and Python bindings), a blocking caller's own runtime, and `in_own_task`: where an
//! async call's exchange runs when its caller is not a task.
//!
//! The async API runs on whichever runtime awaits it; only blocking callers use this one. It is
//! created lazily on first use, is multi-threaded (at most 4 workers: the SDK's work is I/O),
//! and is shared by every client in the process.
//!
//! # A blocking caller's own runtime
//! [`block_on_here`] runs a call on a current-thread runtime of the calling thread instead: the
//! thread itself then waits for the socket (`epoll_wait`) and runs the connection, as curl
//! does, where [`block_on`] hands every call to a worker thread and the answer back (two
//! wake-ups of another thread per call: ~8 µs of a ~65 µs `posts.get`, bench/README.md,
//! "posts.get"). The C binding's calls use it. What it takes:
//! - **A pool per runtime.** A kept-alive connection's task runs on the runtime that opened
//!   it, and a current-thread runtime only runs while its thread is inside a call; so the
//!   transport keeps a connection pool per such runtime, and a thread never sends on another
//!   thread's connection (it would wait until that thread called again).
//! - **Callbacks on the caller's thread.** Hooks, the log sink and progress callbacks of a call
//!   run on the thread that made it, never on another blocking caller's.
//! - **Thread exit.** A runtime is not dropped in its thread's exit (tokio's own thread-locals
//!   may be gone by then): it is retired, and the next blocking call of any thread drops it,
//!   which ends the connections it held.
//! - **A spin before each sleep,** as in [`block_on`]: up to [`spin_limit`], the thread looks
//!   at its sockets without waiting instead of sleeping in `epoll_wait` (a wake-up from sleep
//!   costs a virtual machine several microseconds per answer); a thread whose answers keep
//!   outlasting the spin stops spinning, and tries again now and then (one policy for every
//!   spin of a thread: [`spin_wait`], module `spin`).
//! - **Work for more than one core** (an upload's parallel parts) stays on the shared runtime:
//!   the bindings call [`block_on`] for it.
//!
//! # After `fork`
//! A forked child gets a copy of the parent's memory but only the thread that called `fork`.
//! The runtime's worker, timer and I/O-driver threads do not exist in the child, so the
//! runtime object it inherited looks alive but nothing would ever run a task on it: the first
//! `block_on` would hang forever. Each runtime is therefore stored with the id of the process
//! that built it; when [`std::process::id`] differs, a new runtime is built for the child.
//! The parent's copy is leaked, not dropped, because dropping it would try to stop and join
//! threads that are not there. (Not covered: a fork at the very moment another thread holds
//! the internal lock — a lookup of a few instructions, or the first build — would leave that
//! lock held in the child. The window is tiny and no lock-free alternative exists in safe
//! Rust.)

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Poll;

use tokio::runtime::{Handle, Runtime};
use tokio_util::sync::CancellationToken;

use crate::error::{Error, Result};

mod spin;

pub use spin::EventLoopCall;
use spin::{spin_block_on, AwaitSpin, Spin, SpinningCall, SPIN};
pub use spin::{spin_limit, spin_until, spin_wait, DEFAULT_SPIN, SPIN_ENV};

/// Most worker threads of the embedded runtime.
const MAX_WORKERS: usize = 4;

struct Embedded {
    /// The process that built `runtime`; its threads exist only there.
    pid: u32,
    runtime: Arc<Runtime>,
}

static RUNTIME: Mutex<Option<Embedded>> = Mutex::new(None);
static EVENT_LOOP_RUNTIME: Mutex<Option<Embedded>> = Mutex::new(None);

/// The embedded runtime of this process, built on first use (and again in a forked child).
fn runtime() -> Result<Arc<Runtime>> {
    embedded(&RUNTIME, || {
        let workers =
            std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, MAX_WORKERS);
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers)
            .thread_name("aether-runtime")
            .enable_all()
            .build()
            .map_err(not_started)
    })
}

/// The runtime kept in `slot`, built by `build` on first use (and again in a forked child).
fn embedded(
    slot: &Mutex<Option<Embedded>>,
    build: impl FnOnce() -> Result<Runtime>,
) -> Result<Arc<Runtime>> {
    let mut slot = slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let pid = std::process::id();
    if let Some(embedded) = slot.as_ref() {
        if embedded.pid == pid {
            return Ok(embedded.runtime.clone());
        }
        // We are a forked child: the inherited runtime's threads do not exist here. Leak it —
        // dropping it would wait for those threads to stop.
        std::mem::forget(slot.take());
    }
    let runtime = Arc::new(build()?);
    *slot = Some(Embedded { pid, runtime: runtime.clone() });
    Ok(runtime)
}

/// A handle to this process's runtime for event loops ([`event_loop_runtime`], built on first
/// use and again in a forked child), for a binding that spawns its calls from an event loop it
/// does not own (Python's asyncio) as [`EventLoopCall`]s.
pub fn event_loop_handle() -> Result<Handle> {
    Ok(embedded(&EVENT_LOOP_RUNTIME, event_loop_runtime)?.handle().clone())
}

/// The runtime of a binding whose callers wait on an event loop (Node's, which napi drives;
/// Python's asyncio, through [`event_loop_handle`]), for it to run their calls on
/// ([`EventLoopCall`]): one worker thread, and tokio's blocking threads for the uploads' file
/// reads and checksums.
///
/// One worker because a second only costs such a binding: every call woke the sleeping one (on
/// the workers 4.0 voluntary context switches per `posts.get` with two, 1.6 with one), and a
/// worker that spins for its caller would keep waking it to steal work. The SDK's work there is
/// I/O: Node's uploads still ran at 1,450–1,730 MiB/s, as fast as before (bench/README.md,
/// "posts.get").
pub fn event_loop_runtime() -> Result<Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("aether-event-loop")
        .enable_all()
        .build()
        .map_err(not_started)
}

/// The error of a runtime that tokio could not build (no thread could be started, say).
fn not_started(e: std::io::Error) -> Error {
    Error::io(format!("could not start the SDK's runtime: {e}"), e)
}

/// A handle to the embedded runtime, for spawning tasks (e.g. a binding's background work).
pub fn handle() -> Result<Handle> {
    Ok(runtime()?.handle().clone())
}

/// Runs `future` to completion on the embedded runtime, blocking the calling thread.
///
/// Refuses with `INVALID_ARGUMENT` when called from inside a tokio runtime (an async caller
/// must `.await` the future instead: blocking a runtime thread can deadlock it).
///
/// The future is polled on the calling thread (inside the runtime's context, so its I/O and
/// timers are driven by the runtime's workers). While it waits, the thread first busy-waits up
/// to [`spin_limit`] for its wake-up before it sleeps: a call to a nearby server is answered in
/// well under a millisecond, and putting the thread to sleep and waking it again costs tens of
/// microseconds on a virtual machine, as much as the rest of the call (see bench/README.md,
/// "posts.get"). A slow call costs at most that much of one core per wake-up, and a thread
/// whose wake-ups keep outlasting the spin stops spinning (see [`spin_wait`]).
pub fn block_on<T, F>(future: F) -> Result<T>
where
    F: Future<Output = Result<T>>,
{
    refuse_inside_runtime()?;
    let runtime = runtime()?;
    let _context = runtime.enter();
    spin_block_on(future)
}

/// Runs `future` to completion on the calling thread's own current-thread runtime, blocking the
/// thread (see "A blocking caller's own runtime" above). Refuses like [`block_on`] inside a
/// tokio runtime (a callback of a call that makes another call). Like [`block_on`], the thread
/// busy-waits up to [`spin_limit`] after each wake-up before it sleeps; here it keeps looking at
/// its sockets meanwhile.
pub fn block_on_here<T, F>(future: F) -> Result<T>
where
    F: Future<Output = Result<T>>,
{
    refuse_inside_runtime()?;
    drop_retired();
    // Boxed once: tokio's `block_on` moves the future it is given through its context more
    // than once, and a call's future is KiBs (~850 instructions of `memcpy` per call).
    let mut future = Some(Box::pin(future));
    let ran = HERE.try_with(|here| -> Result<T> {
        let mut slot = here.own.borrow_mut();
        let pid = std::process::id();
        if slot.as_ref().is_some_and(|own| own.pid != pid) {
            // Inherited through fork: its epoll instance is the parent's too. Leak it.
            std::mem::forget(slot.take());
        }
        let own = match slot.as_mut() {
            Some(own) => own,
            None => slot.insert(Own::new(pid)?),
        };
        let _driving = Driving::set(own.id);
        let mut future = future.take().expect("taken once");
        let _spin = SpinningCall::start();
        own.runtime.block_on(std::future::poll_fn(|cx| {
            let _ = SPIN.try_with(|spin| spin.polled(cx.waker()));
            future.as_mut().poll(cx)
        }))
    });
    match ran {
        Ok(output) => output,
        // This thread is exiting (a call from another thread-local's destructor): its own
        // runtime is gone; the shared one still serves.
        Err(_) => block_on(future.take().expect("not run")),
    }
}

/// The id of the blocking caller's own runtime this code runs on, if it runs on one: the key
/// of the connection pool its requests use.
pub(crate) fn local_id() -> Option<u64> {
    DRIVING.try_with(Cell::get).ok().flatten()
}

/// Where a task that must outlive its call runs (an abort sent after the call was dropped): the
/// current runtime, unless it is a blocking caller's own, which runs only while its thread is
/// in a call; then the shared one. `None` outside any runtime.
pub(crate) fn detached_handle() -> Option<Handle> {
    if local_id().is_some() {
        return handle().ok();
    }
    Handle::try_current().ok()
}

/// Whether the own runtime `id` still exists (its thread has not ended).
pub(crate) fn local_is_live(id: u64) -> bool {
    let mut locals = LOCALS.lock().unwrap_or_else(|e| e.into_inner());
    locals.here().live.contains(&id)
}

/// The blocking callers' own runtimes of this process: which exist, and those of ended threads
/// waiting to be dropped.
struct Locals {
    pid: u32,
    next_id: u64,
    /// A list, not a set: one entry per thread that makes calls, and a leak checker sees a
    /// list's block from its start (a hash table's only from the middle).
    live: Vec<u64>,
    retired: Vec<Runtime>,
}

static LOCALS: Mutex<Locals> =
    Mutex::new(Locals { pid: 0, next_id: 1, live: Vec::new(), retired: Vec::new() });

impl Locals {
    /// This process's registry: a forked child forgets the parent's (and leaks its runtimes).
    fn here(&mut self) -> &mut Locals {
        let pid = std::process::id();
        if self.pid != pid {
            std::mem::forget(std::mem::take(&mut self.retired));
            self.live.clear();
            self.pid = pid;
        }
        self
    }
}

/// One thread's own runtime.
struct Own {
    id: u64,
    /// The process that built it (see "After `fork`").
    pid: u32,
    runtime: Runtime,
}

impl Own {
    fn new(pid: u32) -> Result<Own> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .on_thread_park(|| {
                // A call from another thread-local's destructor may outlive this one: no spin.
                let _ = SPIN.try_with(Spin::before_sleep);
            })
            .build()
            .map_err(not_started)?;
        let mut locals = LOCALS.lock().unwrap_or_else(|e| e.into_inner());
        let locals = locals.here();
        let id = locals.next_id;
        locals.next_id += 1;
        locals.live.push(id);
        Ok(Own { id, pid, runtime })
    }
}

/// The thread-local slot of a thread's own runtime, which retires it when the thread ends.
#[derive(Default)]
struct Here {
    own: RefCell<Option<Own>>,
}

impl Drop for Here {
    fn drop(&mut self) {
        let Some(own) = self.own.get_mut().take() else { return };
        let mut locals = LOCALS.lock().unwrap_or_else(|e| e.into_inner());
        let locals = locals.here();
        if own.pid != locals.pid {
            std::mem::forget(own);
            return;
        }
        locals.live.retain(|&id| id != own.id);
        locals.retired.push(own.runtime);
        ANY_RETIRED.store(true, Ordering::Release);
    }
}

thread_local! {
    static HERE: Here = Here::default();
    /// Set while this thread runs its own runtime ([`local_id`]).
    static DRIVING: Cell<Option<u64>> = const { Cell::new(None) };
}

/// Marks this thread as running its own runtime `id` until dropped (also when the call panics).
struct Driving;

impl Driving {
    fn set(id: u64) -> Driving {
        DRIVING.set(Some(id));
        Driving
    }
}

impl Drop for Driving {
    fn drop(&mut self) {
        let _ = DRIVING.try_with(|driving| driving.set(None));
    }
}

/// Set when a runtime is retired, so that a call takes the registry's lock only then.
static ANY_RETIRED: AtomicBool = AtomicBool::new(false);

/// Drops the runtimes of ended threads: their tasks (kept-alive connections) end with them.
/// Called outside any runtime, where a runtime may be dropped.
fn drop_retired() {
    if !ANY_RETIRED.swap(false, Ordering::AcqRel) {
        return;
    }
    let retired = {
        let mut locals = LOCALS.lock().unwrap_or_else(|e| e.into_inner());
        std::mem::take(&mut locals.here().retired)
    };
    drop(retired);
}

/// Like [`block_on`], but gives up with `CANCELLED` as soon as `cancel` is cancelled (from
/// another thread: a C caller's cancel function, a Python signal handler). The future is
/// dropped at its next await point, which stops its requests.
pub fn block_on_cancellable<T, F>(future: F, cancel: &CancellationToken) -> Result<T>
where
    F: Future<Output = Result<T>>,
{
    refuse_inside_runtime()?;
    let runtime = runtime()?;
    let _context = runtime.enter();
    spin_block_on(async {
        tokio::select! {
            biased;
            _ = cancel.cancelled() => Err(Error::cancelled("the operation was cancelled")),
            output = future => output,
        }
    })
}

fn refuse_inside_runtime() -> Result<()> {
    if Handle::try_current().is_ok() {
        return Err(Error::invalid_argument(
            "aether::runtime::block_on was called from inside a tokio runtime, where blocking \
             can deadlock it; await the async API instead",
        ));
    }
    Ok(())
}

/// Runs an attempt's exchange (send, then read the answer) as a task of its own when the caller
/// is not a task, and waits for it; dropping the wait (a timeout, a cancelled call) aborts the
/// task. A caller that is a task (every binding's call, a service's handler) runs it inline.
///
/// Why: the connection's task runs on a runtime worker. Awaited from a thread that is not a
/// worker (`#[tokio::main]`'s `block_on`), every step of the exchange — the request handed to
/// the connection, the answer's head, each body chunk, the body's end — crossed threads, each
/// a futex wake-up (6.1 voluntary context switches per `posts.get`). As a task, the exchange
/// runs beside the connection on a worker and only its result crosses (4.0). From a task,
/// spawning would only add wake-ups (0.9 → 2.1): see bench/README.md, "posts.get".
///
/// While the task runs, the caller spins up to [`spin_limit`] (`spin::AwaitSpin`): its thread
/// polls again instead of sleeping on its condition variable until the worker wakes it, which
/// took `posts.get` in `main` from ~1.9 × a task's time to the task's (~74 µs against ~134 on a
/// 2-core virtual machine).
pub(crate) async fn in_own_task<T: Send + 'static>(
    exchange: impl Future<Output = Result<T>> + Send + 'static,
) -> Result<T> {
    // On a current-thread runtime (a blocking caller's own, a test's) everything runs on one
    // thread anyway: a task would only cost its spawn.
    if tokio::task::try_id().is_some()
        || Handle::try_current()
            .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::CurrentThread)
    {
        return exchange.await;
    }
    struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);
    impl<T> Drop for AbortOnDrop<T> {
        fn drop(&mut self) {
            self.0.abort();
        }
    }
    let mut task = AbortOnDrop(tokio::spawn(tracing::Instrument::in_current_span(exchange)));
    let mut spin = AwaitSpin::default();
    let joined = std::future::poll_fn(|cx| {
        let joined = std::pin::Pin::new(&mut task.0).poll(cx);
        match joined {
            Poll::Pending => spin.pending(cx.waker()),
            Poll::Ready(_) => spin.finished(),
        }
        joined
    })
    .await;
    match joined {
        Ok(result) => result,
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        // Only this function aborts the task, and only once nobody waits for it.
        Err(error) => Err(Error::network(format!("the request's task ended early: {error}"))),
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    #[test]
    fn a_blocking_call_is_woken_by_the_runtime_whether_it_spins_or_sleeps() {
        // Answered within the spin, then after it (the thread must sleep and be woken).
        for wait in [Duration::from_micros(50), Duration::from_millis(30)] {
            let started = Instant::now();
            let value = block_on(async move {
                tokio::time::sleep(wait).await;
                tokio::task::spawn(async { Ok::<_, Error>(7) }).await.expect("joined")
            })
            .expect("ran");
            assert_eq!(value, 7);
            assert!(started.elapsed() >= wait);
        }
    }

    #[test]
    fn block_on_refuses_to_run_inside_a_runtime() {
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        let error = runtime.block_on(async { block_on(async { Ok(()) }) }).expect_err("refused");
        assert_eq!(*error.code(), crate::ErrorCode::InvalidArgument);
    }
}
