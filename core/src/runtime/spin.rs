//! How a caller waits for an answer from a nearby server: it busy-waits briefly before it
//! sleeps, because putting a thread to sleep and waking it again costs tens of microseconds on a
//! virtual machine, as much as the rest of a call (bench/README.md, "posts.get").
//!
//! Every wait of the SDK that hands work to another thread and waits for its answer spins:
//! - a blocking caller's own runtime ([`Spin`], C's calls),
//! - the blocking bridge on the shared runtime ([`spin_block_on`], C's uploads and watches),
//! - Python's blocking calls ([`spin_wait`]),
//! - an async call awaited on a thread that is not a runtime worker, such as
//!   `#[tokio::main]`'s `block_on` ([`AwaitSpin`]),
//! - the worker that runs an event loop's calls (Node's, asyncio's), for the answer and for the
//!   next call ([`EventLoopCall`]).
//!
//! They share one policy per thread ([`Pause`]): a thread whose answers keep coming after its
//! spin ended (a distant server, a long poll) would spend the whole spin on every wait for
//! nothing, so after [`PAUSE_AFTER_MISSES`] such waits in a row it sleeps at once, and tries the
//! spin again every [`PROBE_EVERY`]th wait.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

/// The environment variable that sets [`spin_limit`].
pub const SPIN_ENV: &str = "AETHER_SPIN_US";
/// The default [`spin_limit`].
pub const DEFAULT_SPIN: Duration = Duration::from_micros(200);

/// Waits in a row that outlast the spin before a thread stops spinning.
const PAUSE_AFTER_MISSES: u32 = 2;
/// While it does not spin, a thread tries again every this many waits.
const PROBE_EVERY: u32 = 16;

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

/// Like [`spin_until`] for [`spin_limit`], unless this thread's recent waits outlasted their
/// spins (then it only looks once; see the module's docs): what a blocking binding calls before
/// it sleeps on its answer. Returns `done()`.
pub fn spin_wait(done: impl Fn() -> bool) -> bool {
    let limit = spin_limit();
    if limit.is_zero() || !next_wait_spins() {
        return done();
    }
    let answered = spin_until(done, limit);
    wait_spun(answered);
    answered
}

/// What a thread's recent waits taught it: whether its next wait is worth a spin.
#[derive(Default)]
struct Pause {
    /// Waits in a row whose spin ended before their answer.
    missed: Cell<u32>,
    /// Waits since the spin was last tried while they do.
    skipped: Cell<u32>,
}

impl Pause {
    fn spins(&self) -> bool {
        self.missed.get() < PAUSE_AFTER_MISSES || {
            let skipped = self.skipped.get() + 1;
            self.skipped.set(skipped % PROBE_EVERY);
            skipped == PROBE_EVERY
        }
    }

    fn learn(&self, answered_within_the_spin: bool) {
        let missed = if answered_within_the_spin { 0 } else { self.missed.get().saturating_add(1) };
        self.missed.set(missed);
    }
}

thread_local! {
    static PAUSE: Pause = Pause::default();
}

/// Whether this thread's next wait spins (a thread that is exiting gets none).
fn next_wait_spins() -> bool {
    PAUSE.try_with(Pause::spins).unwrap_or(false)
}

/// A wait that spun has ended, answered within its spin or after it.
fn wait_spun(answered_within_the_spin: bool) {
    let _ = PAUSE.try_with(|pause| pause.learn(answered_within_the_spin));
}

/// One wait's spin, as both [`Spin`] and [`AwaitSpin`] keep it: begun at the first look that
/// finds no answer, ended when the answer comes.
#[derive(Clone, Copy, Default, Debug, PartialEq)]
struct SpinWindow {
    /// When the spin ends (the wait's start if it does not spin); `None` between waits.
    until: Option<Instant>,
    /// Whether this wait spins.
    tried: bool,
    /// Whether a look found its spin over (the thread went to sleep for the answer).
    outlasted: bool,
}

impl SpinWindow {
    /// A look that found no answer: whether the thread goes on spinning rather than sleep. The
    /// first look of a wait decides whether it spins at all: only if `allowed()` (asked then
    /// only) and the thread's recent waits make it worth it.
    fn spins_on(&mut self, allowed: impl FnOnce() -> bool) -> bool {
        let limit = spin_limit();
        if limit.is_zero() {
            // Spinning is off (under valgrind, say): not even the clock is read.
            return false;
        }
        let now = Instant::now();
        let until = *self.until.get_or_insert_with(|| {
            self.tried = allowed() && next_wait_spins();
            if self.tried {
                now + limit
            } else {
                now
            }
        });
        let spinning = now < until;
        self.outlasted |= !spinning;
        spinning
    }

    /// The answer came: the thread learns whether it came within the spin.
    fn end(&mut self) {
        if self.tried {
            wait_spun(!self.outlasted);
        }
        *self = SpinWindow::default();
    }
}

/// The spin of a blocking caller's own runtime (see [`spin_limit`]). tokio calls
/// [`Spin::before_sleep`] when the thread has nothing left to run and would sleep in
/// `epoll_wait`; while the spin lasts, that wakes the call instead, so that tokio only looks at
/// its sockets (`epoll_wait` without waiting) and polls the call again, and the thread stays on
/// its core. On this project's 2-core virtual machine a `posts.get` took 39 µs sleeping for its
/// answer and 31 µs spinning (bench/README.md, "posts.get").
#[derive(Default)]
pub(super) struct Spin {
    /// The call's waker, kept while the call runs.
    waker: RefCell<Option<Waker>>,
    /// The current wait's spin.
    window: Cell<SpinWindow>,
    /// Whether the latest wake-up was the spin's own (then the spin goes on), not the socket's or
    /// a timer's (then the wait is over, and the next one gets a spin of its own).
    spun: Cell<bool>,
}

impl Spin {
    /// The call is being polled, woken by `waker`'s runtime.
    pub(super) fn polled(&self, waker: &Waker) {
        let mut kept = self.waker.borrow_mut();
        if kept.is_none() {
            *kept = Some(waker.clone());
        }
        if !self.spun.replace(false) {
            self.with_window(SpinWindow::end);
        }
    }

    pub(super) fn before_sleep(&self) {
        if !self.with_window(|window| window.spins_on(|| true)) {
            return;
        }
        if let Some(waker) = self.waker.borrow().as_ref() {
            // Offers the core to any other runnable thread first, as `spin_until` does.
            std::thread::yield_now();
            self.spun.set(true);
            waker.wake_by_ref();
        }
    }

    fn with_window<R>(&self, f: impl FnOnce(&mut SpinWindow) -> R) -> R {
        let mut window = self.window.get();
        let result = f(&mut window);
        self.window.set(window);
        result
    }

    /// Forgets the call (its waker, its spin); what the thread's waits taught it stays (a call's
    /// start or end is not the end of a wait the thread can learn from).
    fn clear(&self) {
        self.waker.take();
        self.spun.set(false);
        self.window.take();
    }
}

thread_local! {
    pub(super) static SPIN: Spin = Spin::default();
}

/// A call on this thread's own runtime, for [`Spin`]: starts clear, and keeps nothing of the
/// call once it returned or panicked.
pub(super) struct SpinningCall;

impl SpinningCall {
    pub(super) fn start() -> SpinningCall {
        let _ = SPIN.try_with(Spin::clear);
        SpinningCall
    }
}

impl Drop for SpinningCall {
    fn drop(&mut self) {
        let _ = SPIN.try_with(Spin::clear);
    }
}

thread_local! {
    /// Set while this thread is in [`spin_block_on`], which spins for every future it polls.
    static BRIDGED: Cell<bool> = const { Cell::new(false) };
}

/// The spin of an async call awaited on a thread that is not a runtime worker (`main`'s
/// `block_on` under `#[tokio::main]`), while the call's exchange runs as a task on a worker:
/// until the spin ends, a poll that finds the task unfinished wakes the call again at once, so
/// that the thread polls again instead of sleeping on its condition variable and being woken
/// by the worker. Without it a `posts.get` awaited in `main` took ~1.9 × as long as in a task.
#[derive(Default)]
pub(super) struct AwaitSpin {
    window: SpinWindow,
}

impl AwaitSpin {
    /// The awaited task was not finished.
    pub(super) fn pending(&mut self, waker: &Waker) {
        // In `spin_block_on` the thread already spins, and learns, for every wake-up.
        let unbridged = || !BRIDGED.try_with(Cell::get).unwrap_or(true);
        if self.window.spins_on(unbridged) {
            std::thread::yield_now();
            waker.wake_by_ref();
        }
    }

    /// The awaited task has finished: the wait is over.
    pub(super) fn finished(&mut self) {
        self.window.end();
    }
}

/// A call run as a task for a caller that waits on an event loop in another thread (Node's
/// JavaScript thread, which napi wakes with the result; Python's asyncio loop). The runtime's
/// worker would sleep twice per call, and each wake-up costs tens of microseconds on a virtual
/// machine: once while the call waits for its answer, once between the result and the caller's
/// next call. So, like the other spins of this module:
/// - while the call waits, up to [`spin_limit`], the worker looks at its sockets without
///   sleeping: each poll that finds the call unfinished defers it (as `yield_now` does), so
///   tokio polls the sockets with no wait and then the call again;
/// - when the call is over, the worker lingers, up to [`spin_limit`] again, for the next call:
///   a task of its own yields in the same way until a call starts or the time is up. A worker
///   whose lingers keep ending with no call (a program that calls now and then) stops
///   lingering, and tries again every 16th time, as a spin does.
///
/// Meant for a runtime with one worker ([`super::event_loop_runtime`]): with two, the spinning
/// worker would keep waking the other to steal work from it. Node's `posts.get` loop: the
/// worker slept 1.6 times per call without these spins and 0.02 with them, and a call took
/// ~0.7 × the time (bench/README.md, "posts.get").
pub struct EventLoopCall<F> {
    future: F,
    window: SpinWindow,
    started: bool,
}

/// A worker's lingers (see [`EventLoopCall`]). Kept per thread: a runtime for an event loop has
/// one worker, whose calls and linger all run on its thread.
#[derive(Default)]
struct Lingers {
    /// Calls that have begun to run on this thread, so that a linger stops when the next one
    /// begins.
    calls_started: Cell<u64>,
    /// The linger this thread runs (one is enough to keep it awake): the calls begun when it
    /// began waiting for the next one, and when it gives up.
    current: Cell<Option<(u64, Instant)>>,
    /// What its lingers taught it, apart from its spins: a program can get its answers fast and
    /// still call seldom.
    pause: Pause,
}

thread_local! {
    static LINGERS: Lingers = Lingers::default();
}

impl<F> EventLoopCall<F> {
    /// `future`, to be spawned on a runtime's worker.
    pub fn new(future: F) -> EventLoopCall<F> {
        EventLoopCall { future, window: SpinWindow::default(), started: false }
    }
}

impl<F> std::fmt::Debug for EventLoopCall<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventLoopCall").field("window", &self.window).finish_non_exhaustive()
    }
}

impl<F: Future + Unpin> Future for EventLoopCall<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let call = &mut *self;
        if !call.started {
            call.started = true;
            let _ = LINGERS
                .try_with(|lingers| lingers.calls_started.set(lingers.calls_started.get() + 1));
        }
        match Pin::new(&mut call.future).poll(cx) {
            Poll::Ready(output) => {
                call.window.end();
                linger();
                Poll::Ready(output)
            }
            Poll::Pending => {
                if call.window.spins_on(|| true) {
                    look_again(cx);
                }
                Poll::Pending
            }
        }
    }
}

/// One turn of a worker's spin: offers the core to any other runnable thread (as `spin_until`
/// does), then has tokio poll the current task again once it has looked at its sockets and
/// timers without waiting (`yield_now`'s deferral: a plain self-wake would be polled again
/// before tokio looks at the sockets, for up to 61 polls).
fn look_again(cx: &mut Context<'_>) {
    std::thread::yield_now();
    let _ = pin!(tokio::task::yield_now()).poll(cx);
}

/// Keeps this worker awake for the next call (see [`EventLoopCall`]), unless spinning is off or
/// this worker's lingers keep going unanswered. A call that ends while the worker lingers (it
/// began during the linger, and took no longer than its turn) has the linger wait again, for
/// the call after it.
fn linger() {
    if spin_limit().is_zero() {
        return;
    }
    let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
    let begins = LINGERS.try_with(|lingers| {
        let wait = Some((lingers.calls_started.get(), Instant::now() + spin_limit()));
        if lingers.current.get().is_some() {
            lingers.pause.learn(true);
            lingers.current.set(wait);
            false
        } else if lingers.pause.spins() {
            lingers.current.set(wait);
            true
        } else {
            false
        }
    });
    if begins == Ok(true) {
        runtime.spawn(Linger);
    }
}

/// A linger's task: ready when a call has begun on this thread since the linger's wait began,
/// or when the wait is over (see [`Lingers::current`]).
struct Linger;

impl Future for Linger {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let over = LINGERS.try_with(|lingers| {
            let Some((calls_started, until)) = lingers.current.get() else { return true };
            let next_call = lingers.calls_started.get() != calls_started;
            let over = next_call || Instant::now() >= until;
            if over {
                lingers.pause.learn(next_call);
                lingers.current.set(None);
            }
            over
        });
        if over.unwrap_or(true) {
            return Poll::Ready(());
        }
        look_again(cx);
        Poll::Pending
    }
}

impl Drop for Linger {
    /// Dropped with its runtime before it was over: the thread may linger again.
    fn drop(&mut self) {
        let _ = LINGERS.try_with(|lingers| lingers.current.set(None));
    }
}

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

/// Marks this thread as in [`spin_block_on`] until dropped (also when the future panics).
struct Bridged(bool);

impl Bridged {
    fn set() -> Bridged {
        Bridged(BRIDGED.replace(true))
    }
}

impl Drop for Bridged {
    fn drop(&mut self) {
        let _ = BRIDGED.try_with(|bridged| bridged.set(self.0));
    }
}

/// Polls `future` on this thread until it is ready, spinning briefly before each sleep.
pub(super) fn spin_block_on<F: Future>(future: F) -> F::Output {
    let wakeup = Arc::new(Wakeup::default());
    let waker = Waker::from(wakeup.clone());
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    let _bridged = Bridged::set();
    loop {
        wakeup.woken.store(false, Ordering::Relaxed);
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        if !spin_wait(|| wakeup.woken.load(Ordering::Acquire)) {
            wakeup.sleep();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A thread that has learnt nothing yet (the test harness may run tests on one thread).
    fn fresh_pause() {
        PAUSE.with(|pause| {
            pause.missed.set(0);
            pause.skipped.set(0);
        });
    }

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

    /// Whether spinning is turned off (`AETHER_SPIN_US=0`, as under valgrind): then no wait
    /// spins, which is what the tests of the pause policy check instead.
    fn spinning_is_off() -> bool {
        if !spin_limit().is_zero() {
            return false;
        }
        fresh_pause();
        let spin = Spin::default();
        spin.polled(Waker::noop());
        assert!(!wait(&spin, true), "with spinning off, no wait spins");
        assert!(!spin_wait(|| false));
        true
    }

    #[test]
    fn a_thread_stops_spinning_while_its_answers_outlast_the_spin_and_tries_again() {
        if spinning_is_off() {
            return;
        }
        fresh_pause();
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
        assert_eq!(PAUSE.with(|pause| pause.missed.get()), 0);
        assert!(spin.window.get() == SpinWindow::default() && !spin.spun.get());
    }

    #[test]
    fn every_spin_of_a_thread_learns_from_the_others() {
        if spinning_is_off() {
            return;
        }
        // Two of `spin_wait`'s waits outlast their spin: the own runtime's next wait sleeps
        // at once, and so does an await's.
        fresh_pause();
        assert!(!spin_wait(|| false));
        assert!(!spin_wait(|| false));
        let spin = Spin::default();
        spin.polled(Waker::noop());
        assert!(!wait(&spin, false), "the own runtime's wait does not spin");
        let mut await_spin = AwaitSpin::default();
        await_spin.pending(Waker::noop());
        assert!(!await_spin.window.tried, "nor does an await's");
        await_spin.finished();
        // Answered within the spin (a probe, here): every kind spins again.
        PAUSE.with(|pause| pause.skipped.set(PROBE_EVERY - 1));
        assert!(spin_wait(|| true));
        let mut await_spin = AwaitSpin::default();
        await_spin.pending(Waker::noop());
        assert!(await_spin.window.tried, "an await spins again");
        await_spin.finished();
        assert!(wait(&spin, true), "so does the own runtime");
    }

    #[test]
    fn an_await_inside_the_blocking_bridge_leaves_the_spinning_to_it() {
        fresh_pause();
        let _bridged = Bridged::set();
        let mut await_spin = AwaitSpin::default();
        await_spin.pending(Waker::noop());
        assert!(!await_spin.window.tried);
        assert!(await_spin.window.until.is_none_or(|until| until <= Instant::now()));
    }

    #[test]
    fn a_spin_ends_when_done_or_at_its_limit() {
        assert!(spin_until(|| true, Duration::from_secs(5)));
        let started = Instant::now();
        assert!(!spin_until(|| false, Duration::from_millis(2)));
        assert!(started.elapsed() >= Duration::from_millis(2));
        assert!(!spin_until(|| false, Duration::ZERO));
    }
}
