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
//!   outlasting the spin stops spinning, and tries again now and then.
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
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

use tokio::runtime::{Handle, Runtime};
use tokio_util::sync::CancellationToken;

use crate::error::{Error, Result};

/// Most worker threads of the embedded runtime.
const MAX_WORKERS: usize = 4;

struct Embedded {
    /// The process that built `runtime`; its threads exist only there.
    pid: u32,
    runtime: Arc<Runtime>,
}

static RUNTIME: Mutex<Option<Embedded>> = Mutex::new(None);

/// The embedded runtime of this process, built on first use (and again in a forked child).
fn runtime() -> Result<Arc<Runtime>> {
    let mut slot = RUNTIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let pid = std::process::id();
    if let Some(embedded) = slot.as_ref() {
        if embedded.pid == pid {
            return Ok(embedded.runtime.clone());
        }
        // We are a forked child: the inherited runtime's threads do not exist here. Leak it —
        // dropping it would wait for those threads to stop.
        std::mem::forget(slot.take());
    }
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, MAX_WORKERS);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name("aether-runtime")
        .enable_all()
        .build()
        .map_err(|e| Error::io(format!("could not start the SDK's runtime: {e}"), e))?;
    let runtime = Arc::new(runtime);
    *slot = Some(Embedded { pid, runtime: runtime.clone() });
    Ok(runtime)
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
/// "posts.get"). A slow call costs at most that much of one core per wake-up.
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
            .map_err(|e| Error::io(format!("could not start the SDK's runtime: {e}"), e))?;
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

/// The spin of a blocking caller's own runtime (see [`spin_limit`]). tokio calls
/// [`Spin::before_sleep`] when the thread has nothing left to run and would sleep in
/// `epoll_wait`; while the spin lasts, that wakes the call instead, so that tokio only looks at
/// its sockets (`epoll_wait` without waiting) and polls the call again, and the thread stays on
/// its core. On this project's 2-core virtual machine a `posts.get` took 39 µs sleeping for its
/// answer and 31 µs spinning (bench/README.md, "posts.get").
///
/// A thread whose answers keep coming after its spin ended (a distant server, a long poll)
/// would spend the whole spin on every wait for nothing: after [`PAUSE_AFTER_MISSES`] such
/// waits in a row it sleeps at once, and tries the spin again every [`PROBE_EVERY`]th wait.
#[derive(Default)]
struct Spin {
    /// The call's waker, kept while the call runs.
    waker: RefCell<Option<Waker>>,
    /// When the current spin ends; `None` until the thread first runs out of work after a wake.
    until: Cell<Option<Instant>>,
    /// Whether the latest wake-up was the spin's own (then the spin goes on), not the socket's or
    /// a timer's (then the wait is over, and the next one gets a spin of its own).
    spun: Cell<bool>,
    /// Whether the current wait spins, and whether it went to sleep after all.
    tried: Cell<bool>,
    slept: Cell<bool>,
    /// Waits in a row (on this thread, across calls) whose spin ended before their answer, and
    /// waits since the spin was last tried while they do.
    missed: Cell<u32>,
    skipped: Cell<u32>,
}

/// Waits in a row that outlast the spin before a thread stops spinning.
const PAUSE_AFTER_MISSES: u32 = 2;
/// While it does not spin, a thread tries again every this many waits.
const PROBE_EVERY: u32 = 16;

impl Spin {
    /// The call is being polled, woken by `waker`'s runtime.
    fn polled(&self, waker: &Waker) {
        let mut kept = self.waker.borrow_mut();
        if kept.is_none() {
            *kept = Some(waker.clone());
        }
        if !self.spun.replace(false) {
            self.wait_ended();
        }
    }

    /// A wake-up not of the spin's making: the wait (if any) is over.
    fn wait_ended(&self) {
        if self.tried.replace(false) {
            let missed = if self.slept.get() { self.missed.get().saturating_add(1) } else { 0 };
            self.missed.set(missed);
        }
        self.until.set(None);
        self.slept.set(false);
    }

    fn before_sleep(&self) {
        let limit = spin_limit();
        if limit.is_zero() {
            return;
        }
        let now = Instant::now();
        let until = match self.until.get() {
            Some(until) => until,
            None => {
                let spin = self.missed.get() < PAUSE_AFTER_MISSES || {
                    let skipped = self.skipped.get() + 1;
                    self.skipped.set(skipped % PROBE_EVERY);
                    skipped == PROBE_EVERY
                };
                self.tried.set(spin);
                let until = if spin { now + limit } else { now };
                self.until.set(Some(until));
                until
            }
        };
        if now >= until {
            self.slept.set(true);
            return;
        }
        if let Some(waker) = self.waker.borrow().as_ref() {
            // Offers the core to any other runnable thread first, as `spin_until` does.
            std::thread::yield_now();
            self.spun.set(true);
            waker.wake_by_ref();
        }
    }

    /// Forgets the call (its waker, its spin); what the thread's waits taught it stays.
    fn clear(&self) {
        self.waker.take();
        self.spun.set(false);
        // Not the end of a wait the thread can learn from.
        self.tried.set(false);
        self.wait_ended();
    }
}

thread_local! {
    static SPIN: Spin = Spin::default();
}

/// A call on this thread's own runtime, for [`Spin`]: starts clear, and keeps nothing of the
/// call once it returned or panicked.
struct SpinningCall;

impl SpinningCall {
    fn start() -> SpinningCall {
        let _ = SPIN.try_with(Spin::clear);
        SpinningCall
    }
}

impl Drop for SpinningCall {
    fn drop(&mut self) {
        let _ = SPIN.try_with(Spin::clear);
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

/// How long a blocking caller busy-waits for an answer before it sleeps: `AETHER_SPIN_US`
/// microseconds (0 turns it off, e.g. under valgrind, where threads run one at a time and a
/// spin only burns instructions), by default [`DEFAULT_SPIN`]. Read once.
pub fn spin_limit() -> Duration {
    static LIMIT: OnceLock<Duration> = OnceLock::new();
    *LIMIT.get_or_init(|| {
        std::env::var(SPIN_ENV)
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map_or(DEFAULT_SPIN, Duration::from_micros)
    })
}

/// Busy-waits until `done()` or for `limit`, whichever comes first, offering the core to any
/// other runnable thread between looks (so that on a busy machine the spin costs the workers
/// and the server little: they run in its place). Returns `done()`.
pub fn spin_until(done: impl Fn() -> bool, limit: Duration) -> bool {
    if limit.is_zero() {
        return done();
    }
    let until = Instant::now() + limit;
    loop {
        if done() {
            return true;
        }
        if Instant::now() >= until {
            return false;
        }
        for _ in 0..32 {
            std::hint::spin_loop();
        }
        std::thread::yield_now();
    }
}

/// The environment variable that sets [`spin_limit`].
pub const SPIN_ENV: &str = "AETHER_SPIN_US";
/// The default [`spin_limit`].
pub const DEFAULT_SPIN: Duration = Duration::from_micros(200);

/// Wakes the blocked caller: a flag it spins on and, only when it has gone to sleep, a condition
/// variable (no system call while it spins). Not `std::thread::park`: that would allocate a
/// handle for a C caller's thread that is never freed.
#[derive(Default)]
struct Wakeup {
    woken: AtomicBool,
    asleep: AtomicBool,
    lock: Mutex<()>,
    ready: Condvar,
}

impl Wakeup {
    /// Sleeps until woken (at once if woken meanwhile).
    fn sleep(&self) {
        let mut guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        self.asleep.store(true, Ordering::SeqCst);
        while !self.woken.load(Ordering::SeqCst) {
            guard = self.ready.wait(guard).unwrap_or_else(|e| e.into_inner());
        }
        self.asleep.store(false, Ordering::SeqCst);
    }
}

impl Wake for Wakeup {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        // Seen `false`: the sleeper has not yet looked at `woken` under the lock, and will see
        // it set. Seen `true`: it is waiting, or about to under the lock we take here.
        if self.asleep.load(Ordering::SeqCst) {
            let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
            self.ready.notify_one();
        }
    }
}

/// Polls `future` on this thread until it is ready, spinning briefly before each sleep.
fn spin_block_on<F: Future>(future: F) -> F::Output {
    let wakeup = Arc::new(Wakeup::default());
    let waker = Waker::from(wakeup.clone());
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    let limit = spin_limit();
    loop {
        wakeup.woken.store(false, Ordering::Relaxed);
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        if !spin_until(|| wakeup.woken.load(Ordering::Acquire), limit) {
            wakeup.sleep();
        }
    }
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
    match (&mut task.0).await {
        Ok(result) => result,
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        // Only this function aborts the task, and only once nobody waits for it.
        Err(error) => Err(Error::network(format!("the request's task ended early: {error}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One wait of a call on `spin`, as tokio drives it: the thread runs out of work, spins
    /// (tokio polls the call at each of the spin's wake-ups) and, unless the answer comes
    /// within the spin, sleeps; the answer then wakes the call. Whether it spun.
    fn wait(spin: &Spin, answered_within_the_spin: bool) -> bool {
        spin.before_sleep();
        let spun = spin.spun.get();
        if spun {
            spin.polled(Waker::noop());
        }
        if !answered_within_the_spin {
            std::thread::sleep(spin_limit() + Duration::from_millis(1));
            spin.before_sleep();
        }
        spin.polled(Waker::noop());
        spun
    }

    #[test]
    fn a_thread_stops_spinning_while_its_answers_outlast_the_spin_and_tries_again() {
        let spin = Spin::default();
        spin.polled(Waker::noop());
        assert!(wait(&spin, true), "a first wait spins");
        assert!(wait(&spin, false));
        assert!(wait(&spin, false), "one miss is not enough to stop");
        // Two misses in a row: the next waits sleep at once, but every PROBE_EVERY-th.
        let spun: Vec<bool> = (0..2 * PROBE_EVERY).map(|_| wait(&spin, false)).collect();
        let tried = spun.iter().enumerate().filter(|(_, &s)| s).map(|(i, _)| i + 1);
        let every = PROBE_EVERY as usize;
        assert_eq!(tried.collect::<Vec<_>>(), [every, 2 * every]);
        // A probe answered within its spin: the thread spins again from the next wait on.
        for _ in 1..PROBE_EVERY {
            assert!(!wait(&spin, false));
        }
        assert!(wait(&spin, true), "the probe");
        assert!(wait(&spin, true) && wait(&spin, true), "spinning again");
        // A call's end keeps what the waits taught the thread; a new call starts clean.
        spin.clear();
        assert_eq!(spin.missed.get(), 0);
        assert!(spin.until.get().is_none() && !spin.tried.get() && !spin.spun.get());
    }

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
    fn a_spin_ends_when_done_or_at_its_limit() {
        assert!(spin_until(|| true, Duration::from_secs(5)));
        let started = Instant::now();
        assert!(!spin_until(|| false, Duration::from_millis(2)));
        assert!(started.elapsed() >= Duration::from_millis(2));
        assert!(!spin_until(|| false, Duration::ZERO));
    }

    #[test]
    fn block_on_refuses_to_run_inside_a_runtime() {
        let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        let error = runtime.block_on(async { block_on(async { Ok(()) }) }).expect_err("refused");
        assert_eq!(*error.code(), crate::ErrorCode::InvalidArgument);
    }
}
