//! The embedded tokio runtime and the blocking bridge used by callers that are not async
//! (the C and Python bindings).
//!
//! The async API runs on whichever runtime awaits it; only blocking callers use this one. It is
//! created lazily on first use, is multi-threaded (at most 4 workers: the SDK's work is I/O),
//! and is shared by every client in the process.
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

use std::future::Future;
use std::sync::{Arc, Mutex};

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
pub fn block_on<T, F>(future: F) -> Result<T>
where
    F: Future<Output = Result<T>>,
{
    refuse_inside_runtime()?;
    runtime()?.block_on(future)
}

/// Like [`block_on`], but gives up with `CANCELLED` as soon as `cancel` is cancelled (from
/// another thread: a C caller's cancel function, a Python signal handler). The future is
/// dropped at its next await point, which stops its requests.
pub fn block_on_cancellable<T, F>(future: F, cancel: &CancellationToken) -> Result<T>
where
    F: Future<Output = Result<T>>,
{
    refuse_inside_runtime()?;
    runtime()?.block_on(async {
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
