//! `aether_post_watch`: follow a post without blocking, through a callback on a runtime
//! thread, with a handle to stop it.
//!
//! The guarantee "no callback fires after aether_watch_stop() returns, even when stop is
//! called from inside the callback" comes from one lock per watch, held while the callback
//! runs: the task takes it, checks the `stopped` flag, and only then calls back. Stop sets the
//! flag, cancels the task, and takes the lock once — which waits for a callback in progress to
//! return — unless the calling thread is inside this very watch's callback (a thread-local
//! says so), where the lock is already held by this thread and the running callback is the
//! caller itself.

use std::cell::Cell;
use std::ffi::{c_char, c_void};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use aether::model::Post;
use aether::{CancellationToken, Error};
use futures_util::{Stream, StreamExt};

use crate::client::{aether_client, client_arg, non_empty};
use crate::error::aether_error;
use crate::ffi::UserData;
use crate::ffi::{boundary, field, free_raw, getter, into_raw, out_arg, ref_arg, str_arg};
use crate::post::{aether_post, aether_wait_options, post_wait_options};
use crate::status::{aether_status, status_of};

/// One change of a watched post, given to an aether_post_callback. Everything it points to is
/// borrowed for the duration of the callback only: copy what you need (aether_post_clone()).
#[repr(C)]
#[derive(Debug)]
pub struct aether_post_event {
    /// The post with its new status; NULL when the event reports an error.
    pub post: *const aether_post,
    /// The new status, e.g. "publishing" (the same string as aether_post_status(post)); NULL
    /// when the event reports an error.
    pub status: *const c_char,
    /// Why the watch ended (AETHER_ERROR_TIMEOUT, AETHER_ERROR_CANCELLED through the options'
    /// token, AETHER_ERROR_NOT_FOUND, ...); NULL otherwise. An error event is always final.
    pub error: *const aether_error,
    /// Whether this is the last event: the post reached a terminal status, or `error` is set.
    pub is_final: bool,
    /// The watch this event belongs to, e.g. to pass to aether_watch_stop() from inside the
    /// callback.
    pub watch: *mut aether_watch,
}

/// Told about every status a watched post goes through (the current one first) and every
/// publish attempt the server retries (aether_target_result_attempts(),
/// aether_target_result_next_attempt_at() change while the post stays "publishing"), then about
/// the end. Runs on a thread of the library's runtime, never on the thread that called
/// aether_post_watch(), and never concurrently with itself for the same watch. It must return
/// quickly (it delays the other watches sharing that thread), must not call blocking aether_
/// functions (they fail with AETHER_ERROR_INVALID_ARGUMENT there), and must not unwind (no C++
/// exceptions or longjmp out of it). It may call aether_watch_stop() or aether_watch_free() on
/// its own watch. `event` is borrowed for the call.
pub type aether_post_callback =
    Option<extern "C" fn(event: *const aether_post_event, user_data: *mut c_void)>;

/// A running watch, from aether_post_watch(). Stop it with aether_watch_stop() and free it
/// with aether_watch_free() (which stops it first). Thread-safe.
pub struct aether_watch {
    shared: Arc<WatchShared>,
}

struct WatchShared {
    /// Set by stop; read under `callback_lock` before every callback.
    stopped: AtomicBool,
    /// Held while the callback runs.
    callback_lock: Mutex<()>,
    /// Ends the polling task.
    stop: CancellationToken,
    /// Whether the task has ended (its last callback returned, or it was stopped).
    finished: Mutex<bool>,
    finished_changed: Condvar,
}

thread_local! {
    /// The watch whose callback this thread is running (its address), or 0.
    static RUNNING_CALLBACK: Cell<usize> = const { Cell::new(0) };
}

impl WatchShared {
    fn key(&self) -> usize {
        self as *const WatchShared as usize
    }

    fn inside_own_callback(&self) -> bool {
        RUNNING_CALLBACK.with(Cell::get) == self.key()
    }

    fn stop(&self) {
        self.stopped.store(true, Ordering::SeqCst);
        self.stop.cancel();
        if !self.inside_own_callback() {
            // Waits for a callback in progress on another thread to return.
            drop(self.callback_lock.lock().unwrap_or_else(PoisonError::into_inner));
        }
    }

    fn finish(&self) {
        *self.finished.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.finished_changed.notify_all();
    }

    fn is_finished(&self) -> bool {
        *self.finished.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Calls back with one item unless stopped.
    fn deliver(&self, item: Result<Post, Error>, is_final: bool, target: &Target) {
        let (post, error) = match item {
            Ok(post) => (Some(aether_post::new(post)), None),
            Err(error) => (None, Some(aether_error::new(status_of(error.code()), error))),
        };
        let _running = self.callback_lock.lock().unwrap_or_else(PoisonError::into_inner);
        if self.stopped.load(Ordering::SeqCst) {
            return;
        }
        let event = aether_post_event {
            post: post.as_ref().map_or(std::ptr::null(), |p| p as *const aether_post),
            status: post.as_ref().map_or(std::ptr::null(), |p| p.status_ptr()),
            error: error.as_ref().map_or(std::ptr::null(), |e| e as *const aether_error),
            is_final,
            watch: target.watch.get().cast(),
        };
        RUNNING_CALLBACK.with(|running| running.set(self.key()));
        (target.callback)(&event, target.user_data.get());
        RUNNING_CALLBACK.with(|running| running.set(0));
    }
}

/// Where events go.
struct Target {
    callback: extern "C" fn(*const aether_post_event, *mut c_void),
    user_data: UserData,
    /// The handle, for `aether_post_event::watch`; only handed to the callback, which cannot
    /// run after the handle is freed (freeing stops first).
    watch: UserData,
}

/// Marks the watch finished however the task ends (even by a panic).
struct FinishOnDrop(Arc<WatchShared>);

impl Drop for FinishOnDrop {
    fn drop(&mut self) {
        self.0.finish();
    }
}

async fn run(
    shared: Arc<WatchShared>,
    stream: impl Stream<Item = Result<Post, Error>> + Send + 'static,
    target: Target,
) {
    let _finish = FinishOnDrop(shared.clone());
    let mut stream = std::pin::pin!(stream);
    loop {
        let item = tokio::select! {
            biased;
            _ = shared.stop.cancelled() => break,
            item = stream.next() => item,
        };
        let Some(item) = item else { break };
        let is_final = item.as_ref().map_or(true, Post::is_terminal);
        shared.deliver(item, is_final, &target);
        if is_final {
            break;
        }
    }
}

/// Starts following a post without blocking: polls it as `options` says (NULL: defaults; a
/// deadline ends the watch with an AETHER_ERROR_TIMEOUT event) and calls `callback` with
/// `user_data` for every status it goes through, the current one first, until a terminal
/// status or an error (the final event), or until the watch is stopped. On success writes
/// the watch to `*out_watch` before the first callback can run. `callback` must not be NULL;
/// `user_data` must stay valid, and be usable from the runtime's threads, until the final
/// event or until aether_watch_stop() returns.
#[no_mangle]
pub extern "C" fn aether_post_watch(
    client: *const aether_client,
    post_id: *const c_char,
    options: *const aether_wait_options,
    callback: aether_post_callback,
    user_data: *mut c_void,
    out_watch: *mut *mut aether_watch,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let client = client_arg(client)?;
        // SAFETY: a NUL-terminated string valid for the call.
        let id = non_empty(unsafe { str_arg(post_id, "post_id") }?, "post_id")?;
        let callback = callback.ok_or_else(|| Error::invalid_argument("callback is NULL"))?;
        let out = out_arg(out_watch, "out_watch")?;
        let runtime = aether::runtime::handle()?;
        let stream = client.posts().watch(id, post_wait_options(options));
        let shared = Arc::new(WatchShared {
            stopped: AtomicBool::new(false),
            callback_lock: Mutex::new(()),
            stop: CancellationToken::new(),
            finished: Mutex::new(false),
            finished_changed: Condvar::new(),
        });
        let watch = into_raw(aether_watch { shared: shared.clone() });
        let target = Target {
            callback,
            user_data: UserData::new(user_data),
            watch: UserData::new(watch.cast()),
        };
        // Written before the task exists, so a callback always finds the handle set.
        out.write(watch);
        runtime.spawn(run(shared, stream, target));
        Ok(())
    })
}

/// Stops the watch: once this returns, its callback is not running and never runs again:
/// also when called from inside that callback (the callback in progress is then the caller
/// itself, and nothing follows it). Waits for a callback in progress on another thread to
/// return, so do not call it while holding a lock that the callback takes. Stopping twice, or
/// after the final event, is harmless; NULL is ignored.
#[no_mangle]
pub extern "C" fn aether_watch_stop(watch: *const aether_watch) {
    getter((), || {
        // SAFETY: NULL or a live watch, by the header's conventions.
        if let Some(watch) = unsafe { watch.as_ref() } {
            watch.shared.stop();
        }
    })
}

/// Whether the watch has ended: its final event's callback has returned, or it was stopped
/// and its polling has wound down. False when `watch` is NULL.
#[no_mangle]
pub extern "C" fn aether_watch_is_finished(watch: *const aether_watch) -> bool {
    field(watch, false, |w| w.shared.is_finished())
}

/// Blocks until the watch has ended (see aether_watch_is_finished()), at most `timeout_ms`
/// milliseconds (negative: no limit). Fails with AETHER_ERROR_TIMEOUT when it has not ended in
/// time, and AETHER_ERROR_INVALID_ARGUMENT when called from inside the watch's own callback
/// (it would wait for itself).
#[no_mangle]
pub extern "C" fn aether_watch_join(
    watch: *const aether_watch,
    timeout_ms: i64,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        // SAFETY: NULL or a live watch.
        let shared = &unsafe { ref_arg(watch, "watch") }?.shared;
        if shared.inside_own_callback() {
            return Err(Error::invalid_argument(
                "aether_watch_join was called from inside the watch's own callback, which would \
                 wait for itself",
            ));
        }
        let finished = shared.finished.lock().unwrap_or_else(PoisonError::into_inner);
        let not_finished = |finished: &mut bool| !*finished;
        let finished = if timeout_ms < 0 {
            shared
                .finished_changed
                .wait_while(finished, not_finished)
                .unwrap_or_else(PoisonError::into_inner)
        } else {
            let timeout = Duration::from_millis(timeout_ms.unsigned_abs());
            shared
                .finished_changed
                .wait_timeout_while(finished, timeout, not_finished)
                .unwrap_or_else(PoisonError::into_inner)
                .0
        };
        if *finished {
            Ok(())
        } else {
            Err(Error::timeout(format!("the watch did not end within {timeout_ms} ms")))
        }
    })
}

/// Stops the watch (as aether_watch_stop()) and frees it. NULL is ignored. May be called from
/// inside the watch's own callback; the event's pointers stay valid until the callback
/// returns.
#[no_mangle]
pub extern "C" fn aether_watch_free(watch: *mut aether_watch) {
    getter((), || {
        // SAFETY: NULL or a watch from this library, not used afterwards.
        if let Some(handle) = unsafe { watch.as_ref() } {
            handle.shared.stop();
        }
        // SAFETY: as above.
        unsafe { free_raw(watch) }
    })
}
