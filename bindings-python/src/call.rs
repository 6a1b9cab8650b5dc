//! Running the core's futures for Python: blocking (GIL released, Ctrl-C honoured) or as an
//! asyncio future.
//!
//! Every operation of the binding builds a [`Call`]: a future of the core, not yet started.
//! The pure-Python layer runs it one of two ways:
//!
//! - **`Call.wait()`** (the `Aether` client): the future is spawned on the core's embedded
//!   runtime ([`aether::runtime::handle`], rebuilt in a forked child) and the calling thread
//!   waits for it *with the GIL released*, waking every [`TICK`] to call
//!   `Python::check_signals`. When a signal handler raises (Ctrl-C → `KeyboardInterrupt`), the
//!   call's cancellation token is cancelled — an upload then aborts its session on the server,
//!   a wait stops polling — the call is given up to [`CLEANUP`] to finish that, and the
//!   exception propagates. Upload progress events are delivered on the waiting thread too, so
//!   a callback runs where the caller is and its exception stops the upload.
//! - **`Call.start(loop)`** (the `AsyncAether` client): returns an `asyncio.Future` of `loop`;
//!   the core future runs on the core's runtime for event loops
//!   ([`aether::runtime::event_loop_handle`]: one worker, which spins briefly for the answer and
//!   for the next call) and its result is handed back with
//!   `loop.call_soon_threadsafe`. Cancelling the asyncio future cancels the token. No asyncio
//!   state is touched outside the loop's thread, so it works under any running loop.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use aether::runtime::EventLoopCall;
use aether::upload::UploadProgress;
use aether::{CancellationToken, Error};
use futures_util::{Stream, StreamExt};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::convert::to_py;
use crate::errors::{to_pyerr, IntoPyResult};

/// How often a blocked caller looks at Python's signals.
const TICK: Duration = Duration::from_millis(20);
/// How long an interrupted call may take to clean up (abort an upload session) before the
/// interrupt propagates anyway; the cleanup then goes on in the background.
const CLEANUP: Duration = Duration::from_millis(1500);

/// Set by the `atexit` hook: the interpreter is finalizing, runtime threads stay out of it.
static EXITING: AtomicBool = AtomicBool::new(false);
/// Runtime threads inside Python right now (handing a result or progress to an event loop).
static IN_PYTHON: AtomicUsize = AtomicUsize::new(0);
/// Longest the `atexit` hook waits for them.
const EXIT_WAIT: Duration = Duration::from_secs(2);

/// Runs `f` with the GIL on a runtime thread, unless the interpreter is shutting down.
///
/// A thread that is inside Python when finalization begins — e.g. in `call_soon_threadsafe`,
/// which releases the GIL to write to the loop's self-pipe after the loop may already have
/// seen the result — is ended by CPython with `pthread_exit` when it takes the GIL back, and
/// that forced unwind through Rust frames aborts the process at exit. [`exit_hook`] (run by
/// `atexit`, before finalization) closes this gate and waits for the threads inside.
pub(crate) fn attach_from_runtime<R>(f: impl FnOnce(Python<'_>) -> R) -> Option<R> {
    IN_PYTHON.fetch_add(1, Ordering::SeqCst);
    let result = if EXITING.load(Ordering::SeqCst) { None } else { Python::try_attach(f) };
    IN_PYTHON.fetch_sub(1, Ordering::SeqCst);
    result
}

/// Registered with `atexit` by the module: see [`attach_from_runtime`].
#[pyfunction]
pub fn exit_hook(py: Python<'_>) {
    EXITING.store(true, Ordering::SeqCst);
    let deadline = Instant::now() + EXIT_WAIT;
    while IN_PYTHON.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
        py.detach(|| std::thread::sleep(Duration::from_millis(1)));
    }
}

/// What every call produces: a JSON value (`None` for "nothing", or the end of a pager).
pub type Output = aether::Result<Option<Value>>;
/// A core future as the binding runs it.
pub type OpFuture = Pin<Box<dyn Future<Output = Output> + Send + 'static>>;

/// A value of the core model as a call's output.
pub fn json<T: Serialize>(value: &T) -> Output {
    serde_json::to_value(value)
        .map(Some)
        .map_err(|e| Error::protocol(format!("could not represent the result for Python: {e}")))
}

/// A Python exception kept for later: one raised by a file object's `read()` (the cause of the
/// `LocalIOError`) or by a progress callback (raised instead of the upload's `CANCELLED`).
#[derive(Debug, Default)]
pub struct ErrorSlot(Mutex<Option<PyErr>>);

impl ErrorSlot {
    pub fn set(&self, error: PyErr) {
        let mut slot = self.0.lock().unwrap_or_else(|e| e.into_inner());
        slot.get_or_insert(error);
    }

    fn take(&self) -> Option<PyErr> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// An event loop and the callable to schedule on it.
type LoopNotify = (Py<PyAny>, Py<PyAny>);

/// Upload progress on its way from a runtime thread to the Python callback.
pub struct Progress {
    callback: Py<PyAny>,
    events: Mutex<VecDeque<UploadProgress>>,
    /// In async mode: the loop to schedule a drain on, and the drain callable.
    notify: Mutex<Option<Arc<LoopNotify>>>,
    /// In blocking mode: wakes the waiting caller, so the callback runs at once rather than
    /// at its next tick (and an exception from it stops the upload before it goes further).
    wake: Mutex<Option<Arc<dyn Fn() + Send + Sync>>>,
    scheduled: AtomicBool,
    /// Events queued, and events handed to the callback (or dropped after a cancel): the
    /// upload's barrier waits for the second to reach the first.
    pushed: AtomicUsize,
    handled: AtomicUsize,
    handled_more: tokio::sync::Notify,
    callback_error: ErrorSlot,
    cancel: CancellationToken,
}

impl Progress {
    pub fn new(callback: Py<PyAny>, cancel: CancellationToken) -> Arc<Progress> {
        Arc::new(Progress {
            callback,
            events: Mutex::new(VecDeque::new()),
            notify: Mutex::new(None),
            wake: Mutex::new(None),
            scheduled: AtomicBool::new(false),
            pushed: AtomicUsize::new(0),
            handled: AtomicUsize::new(0),
            handled_more: tokio::sync::Notify::new(),
            callback_error: ErrorSlot::default(),
            cancel,
        })
    }

    /// Called by the upload engine, on a runtime thread.
    pub fn push(&self, event: UploadProgress) {
        self.events.lock().unwrap_or_else(|e| e.into_inner()).push_back(event);
        self.pushed.fetch_add(1, Ordering::AcqRel);
        let wake = self.wake.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(wake) = wake {
            wake();
        }
        let notify = self.notify.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(notify) = notify {
            if !self.scheduled.swap(true, Ordering::AcqRel) {
                let mut scheduled = false;
                attach_from_runtime(|py| {
                    let (event_loop, drain) = &*notify;
                    scheduled =
                        event_loop.bind(py).call_method1("call_soon_threadsafe", (drain,)).is_ok();
                });
                if !scheduled {
                    // A closed loop or an exiting interpreter: nobody will see the events or
                    // wait for the upload, so it stops (its barrier too) rather than completing
                    // unseen.
                    self.cancel.cancel();
                }
            }
        }
    }

    /// Hands the queued events to the callback, on the caller's (or the loop's) thread. An
    /// exception from the callback is kept, cancels the upload, and is raised by the call.
    fn drain(&self, py: Python<'_>) {
        self.scheduled.store(false, Ordering::Release);
        loop {
            let next = self.events.lock().unwrap_or_else(|e| e.into_inner()).pop_front();
            let Some(event) = next else { break };
            if !self.cancel.is_cancelled() {
                let args = (event.bytes_sent, event.total, event.parts_done, event.parts_total);
                if let Err(error) = self.callback.bind(py).call1(args) {
                    self.callback_error.set(error);
                    self.cancel.cancel();
                }
            }
            self.handled.fetch_add(1, Ordering::AcqRel);
            self.handled_more.notify_waiters();
        }
    }

    /// The upload's progress barrier: resolves once the callback has handled every event
    /// queued so far (or the upload was cancelled), so an exception from the callback stops
    /// the upload before the server completes it.
    pub fn caught_up(self: &Arc<Self>) -> impl Future<Output = ()> + Send + 'static {
        let progress = self.clone();
        let target = progress.pushed.load(Ordering::Acquire);
        async move {
            loop {
                let handled_more = progress.handled_more.notified();
                tokio::pin!(handled_more);
                handled_more.as_mut().enable();
                if progress.handled.load(Ordering::Acquire) >= target {
                    return;
                }
                tokio::select! {
                    _ = handled_more => {}
                    _ = progress.cancel.cancelled() => return,
                }
            }
        }
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress").field("cancel", &self.cancel).finish_non_exhaustive()
    }
}

/// Drains a [`Progress`] when the event loop calls it.
#[pyclass(module = "aether._aether", frozen)]
struct ProgressDrain {
    progress: Arc<Progress>,
}

#[pymethods]
impl ProgressDrain {
    fn __call__(&self, py: Python<'_>) {
        self.progress.drain(py);
    }
}

/// What a call may carry besides its future.
#[derive(Debug, Default)]
pub struct Extras {
    /// Upload progress and its callback.
    pub progress: Option<Arc<Progress>>,
    /// A file object's exception, the cause of the call's error.
    pub source_error: Option<Arc<ErrorSlot>>,
    /// The future takes the call's token itself and ends with `CANCELLED` after cleaning up
    /// (an upload aborts its session); otherwise the future is simply dropped on cancel.
    pub cancels_itself: bool,
}

struct Parts {
    future: OpFuture,
    cancel: CancellationToken,
    extras: Extras,
}

/// A core operation, ready to run once with `wait()` or `start(loop)`.
#[pyclass(module = "aether._aether", frozen)]
pub struct Call {
    parts: Mutex<Option<Parts>>,
}

impl std::fmt::Debug for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call").finish_non_exhaustive()
    }
}

impl Call {
    /// A call whose future ignores `cancel` (it is dropped when cancelled).
    pub fn new(future: impl Future<Output = Output> + Send + 'static) -> Call {
        Call::with(Box::pin(future), CancellationToken::new(), Extras::default())
    }

    /// A call with its token and extras.
    pub fn with(future: OpFuture, cancel: CancellationToken, extras: Extras) -> Call {
        Call { parts: Mutex::new(Some(Parts { future, cancel, extras })) }
    }

    fn take(&self) -> PyResult<Parts> {
        self.parts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .ok_or_else(|| PyRuntimeError::new_err("this call was already run"))
    }
}

#[pymethods]
impl Call {
    /// Runs the call to completion on the SDK's runtime, blocking this thread with the GIL
    /// released; Ctrl-C (any exception from a signal handler) cancels it.
    fn wait(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let Parts { future, cancel, extras } = self.take()?;
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(to_pyerr(
                py,
                &Error::invalid_argument(
                    "a blocking Aether call was made from the SDK's own runtime thread (e.g. \
                     inside a callback); use AsyncAether or call it from another thread",
                ),
            ));
        }
        let handle = aether::runtime::handle().py_err(py)?;
        let done = Arc::new(Slot::default());
        if let Some(progress) = &extras.progress {
            let waiting = done.clone();
            *progress.wake.lock().unwrap_or_else(|e| e.into_inner()) =
                Some(Arc::new(move || waiting.poke()));
        }
        let deliver = done.clone();
        handle
            .spawn(run(future, cancel.clone(), extras.cancels_itself, move |out| deliver.put(out)));

        py.detach(|| done.spin());
        let output = loop {
            if let Some(output) = py.detach(|| done.take_timeout(TICK)) {
                break output;
            }
            if let Some(progress) = &extras.progress {
                progress.drain(py);
            }
            if let Err(interrupt) = py.check_signals() {
                cancel.cancel();
                let deadline = Instant::now() + CLEANUP;
                while Instant::now() < deadline {
                    if py.detach(|| done.take_timeout(TICK)).is_some() {
                        break;
                    }
                    // A second Ctrl-C does not wait for the cleanup.
                    py.check_signals()?;
                }
                return Err(interrupt);
            }
        };
        if let Some(progress) = &extras.progress {
            progress.drain(py);
        }
        finish(py, output, &extras)
    }

    /// Starts the call on the SDK's runtime for event loops and returns an `asyncio.Future` of
    /// `event_loop` that completes with its result; cancelling that future cancels the call.
    /// As an [`EventLoopCall`]: the runtime's one worker spins briefly for the answer and for
    /// the next call rather than sleep (`posts.get` in an asyncio loop ~285 → ~210 µs on a
    /// 2-core virtual machine).
    fn start<'py>(
        &self,
        py: Python<'py>,
        event_loop: Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let Parts { future, cancel, extras } = self.take()?;
        let handle = aether::runtime::event_loop_handle().py_err(py)?;
        let result = event_loop.call_method0("create_future")?;
        result.call_method1("add_done_callback", (CancelOnDone { cancel: cancel.clone() },))?;
        if let Some(progress) = &extras.progress {
            let drain = Py::new(py, ProgressDrain { progress: progress.clone() })?.into_any();
            *progress.notify.lock().unwrap_or_else(|e| e.into_inner()) =
                Some(Arc::new((event_loop.clone().unbind(), drain)));
        }
        let target = (event_loop.unbind(), result.clone().unbind());
        let call = run(future, cancel, extras.cancels_itself, move |output| {
            attach_from_runtime(|py| {
                let (ok, value) = match finish(py, output, &extras) {
                    Ok(value) => (true, value),
                    Err(error) => (false, error.into_value(py).into_any()),
                };
                let (event_loop, future) = &target;
                let resolve = pyo3::wrap_pyfunction!(resolve_future, py);
                if let Ok(resolve) = resolve {
                    // A closed loop raises here; nobody is waiting for the result then.
                    let _ = event_loop
                        .bind(py)
                        .call_method1("call_soon_threadsafe", (resolve, future, ok, value));
                }
            });
        });
        // Boxed: an `EventLoopCall` polls a future that stays put (and a call's state is KiBs,
        // which tokio's task cell would otherwise copy whole).
        handle.spawn(EventLoopCall::new(Box::pin(call)));
        Ok(result)
    }
}

/// `future` raced against `cancel` unless it handles the token itself, its output handed to
/// `deliver` (on a runtime thread): the task that runs a call.
async fn run(
    future: OpFuture,
    cancel: CancellationToken,
    cancels_itself: bool,
    deliver: impl FnOnce(Output) + Send + 'static,
) {
    let output = if cancels_itself {
        future.await
    } else {
        tokio::select! {
            biased;
            _ = cancel.cancelled() => Err(Error::cancelled("the operation was cancelled")),
            output = future => output,
        }
    };
    deliver(output);
}

/// The Python result of a call: its value, or its exception (a progress callback's own
/// exception first; a file object's exception as the cause).
fn finish(py: Python<'_>, output: Output, extras: &Extras) -> PyResult<Py<PyAny>> {
    if let Some(error) = extras.progress.as_ref().and_then(|p| p.callback_error.take()) {
        return Err(error);
    }
    match output {
        Ok(Some(value)) => Ok(to_py(py, &value)?.unbind()),
        Ok(None) => Ok(py.None()),
        Err(error) => {
            let exception = to_pyerr(py, &error);
            if let Some(cause) = extras.source_error.as_ref().and_then(|slot| slot.take()) {
                exception.set_cause(py, Some(cause));
            }
            Err(exception)
        }
    }
}

/// Completes an asyncio future unless it is already done (cancelled): runs on the loop.
#[pyfunction]
fn resolve_future(future: &Bound<'_, PyAny>, ok: bool, value: Bound<'_, PyAny>) -> PyResult<()> {
    if future.call_method0("done")?.is_truthy()? {
        return Ok(());
    }
    let method = if ok { "set_result" } else { "set_exception" };
    future.call_method1(method, (value,))?;
    Ok(())
}

/// The done-callback of an asyncio future: cancels the call when the future was cancelled.
#[pyclass(module = "aether._aether", frozen)]
struct CancelOnDone {
    cancel: CancellationToken,
}

#[pymethods]
impl CancelOnDone {
    fn __call__(&self, future: &Bound<'_, PyAny>) -> PyResult<()> {
        if future.call_method0("cancelled")?.is_truthy()? {
            self.cancel.cancel();
        }
        Ok(())
    }
}

/// A one-shot result slot a Python thread can wait on with a timeout; a poke ends the wait
/// early without a value (upload progress to deliver).
struct Slot<T> {
    state: Mutex<SlotState<T>>,
    ready: Condvar,
    /// Set with the value or a poke, for [`Slot::spin`].
    signalled: AtomicBool,
}

struct SlotState<T> {
    value: Option<T>,
    poked: bool,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Slot {
            state: Mutex::new(SlotState { value: None, poked: false }),
            ready: Condvar::new(),
            signalled: AtomicBool::new(false),
        }
    }
}

impl<T> Slot<T> {
    fn put(&self, value: T) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).value = Some(value);
        self.signalled.store(true, Ordering::Release);
        self.ready.notify_all();
    }

    fn poke(&self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).poked = true;
        self.signalled.store(true, Ordering::Release);
        self.ready.notify_all();
    }

    /// Busy-waits briefly for a value or a poke ([`aether::runtime::spin_wait`]). A call to a
    /// nearby server answers in about 100 µs; parking the thread for that long costs as much
    /// again in wake-up latency (more on a VM), so a short spin first halves the time of small
    /// calls, and costs a slow call at most the spin of one core (none once this thread's
    /// answers keep outlasting it).
    fn spin(&self) {
        aether::runtime::spin_wait(|| self.signalled.load(Ordering::Acquire));
    }

    /// The value once it is there; `None` after `timeout` or a poke.
    fn take_timeout(&self, timeout: Duration) -> Option<T> {
        let guard = self.state.lock().unwrap_or_else(|e| e.into_inner());
        self.signalled.store(false, Ordering::Relaxed);
        let (mut guard, _) = self
            .ready
            .wait_timeout_while(guard, timeout, |state| state.value.is_none() && !state.poked)
            .unwrap_or_else(|e| e.into_inner());
        guard.poked = false;
        guard.value.take()
    }
}

type ItemStream = Pin<Box<dyn Stream<Item = aether::Result<Value>> + Send>>;

/// A list or a watch: a stream of the core read one item per `next()` call.
#[pyclass(module = "aether._aether", frozen)]
pub struct Pager {
    stream: Arc<tokio::sync::Mutex<Option<ItemStream>>>,
}

impl std::fmt::Debug for Pager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pager").finish_non_exhaustive()
    }
}

impl Pager {
    pub fn new<T: Serialize>(
        stream: impl Stream<Item = aether::Result<T>> + Send + 'static,
    ) -> Pager {
        let values = stream.map(|item| {
            item.and_then(|value| {
                serde_json::to_value(&value).map_err(|e| {
                    Error::protocol(format!("could not represent the item for Python: {e}"))
                })
            })
        });
        Pager { stream: Arc::new(tokio::sync::Mutex::new(Some(Box::pin(values)))) }
    }
}

#[pymethods]
impl Pager {
    /// A call giving the next item, or `None` at the end; an error ends the pager.
    fn next(&self) -> Call {
        let stream = self.stream.clone();
        Call::new(async move {
            let mut guard = stream.lock().await;
            let Some(items) = guard.as_mut() else { return Ok(None) };
            match items.next().await {
                Some(Ok(value)) => Ok(Some(value)),
                Some(Err(error)) => {
                    *guard = None;
                    Err(error)
                }
                None => {
                    *guard = None;
                    Ok(None)
                }
            }
        })
    }
}
