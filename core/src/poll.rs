//! The one poll loop: how [`crate::posts::Posts::wait`]/[`watch`](crate::posts::Posts::watch)
//! and [`crate::media::MediaResource::wait_ready`] follow a resource until it settles, and the
//! one options type they share.
//!
//! Between polls the loop waits the server's hint (`Retry-After-Ms`, else `Retry-After`: on a
//! publishing post, the server's estimate of its next change) when the response (or a failed
//! poll) had one, at most the longest interval, else the poll interval, growing by half after
//! every poll that saw no change up to the longest interval, and back to the first interval
//! after a change. Whatever the hint, two polls start at least the resource's shortest
//! interval apart (100 ms for posts), measured from the previous request's start. The first
//! poll is sent at once, unless the answer that started the publishing (a create, a retry) is
//! at hand with a hint that ends before the deadline: that answer is then the
//! first poll, and the next is sent at the hinted time. A poll that
//! fails transiently is tried again until the deadline; one that cannot succeed by trying
//! again ends the wait with its error. Each poll's own timeout is cut to what is left of the
//! wait. The cancel token (or dropping the future) stops it at any await.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use crate::error::{Error, Result};
use crate::settings::{as_millis, millis, names, Spelling};
use crate::transport::{deadline_after, RequestOptions, Response};

mod first_polls;
pub(crate) use first_polls::{First, FirstPolls};

/// Growth of the interval after each poll that saw no change.
const POLL_BACKOFF_FACTOR: f64 = 1.5;

/// What a resource's waits default to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollDefaults {
    /// First time between polls.
    pub poll_interval: Duration,
    /// Longest time between polls while nothing changes.
    pub max_poll_interval: Duration,
    /// Bound on a whole wait.
    pub timeout: Duration,
    /// Shortest time between polls, whatever the options or the server say.
    pub min_poll_interval: Duration,
}

/// Waiting for a post to publish: every 3 s at first (as in the tutorial), at most every 30 s,
/// for up to 15 minutes.
pub const POSTS: PollDefaults = PollDefaults {
    poll_interval: Duration::from_secs(3),
    max_poll_interval: Duration::from_secs(30),
    timeout: Duration::from_secs(15 * 60),
    min_poll_interval: Duration::from_millis(100),
};

/// Waiting for media verification, which takes seconds, not minutes: every 0.5 s at first, at
/// most every 5 s, for up to 10 minutes.
pub const MEDIA: PollDefaults = PollDefaults {
    poll_interval: Duration::from_millis(500),
    max_poll_interval: Duration::from_secs(5),
    timeout: Duration::from_secs(10 * 60),
    min_poll_interval: Duration::from_millis(50),
};

/// How a wait polls, as plain data (what the bindings pass through): every field optional,
/// `None` meaning the waited resource's default ([`POSTS`], [`MEDIA`]). Durations in
/// milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PollOptions {
    /// First time between polls; more than zero.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub poll_interval_ms: Option<f64>,
    /// Longest time between polls while nothing changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_poll_interval_ms: Option<f64>,
    /// Bound on the whole wait; passing it fails `TIMEOUT`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<f64>,
    /// `true`: no bound on the wait (a `timeout_ms` given as well is ignored).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub no_timeout: Option<bool>,
    /// How messages name these options.
    #[serde(skip)]
    pub spelling: Spelling,
}

/// [`PollOptions`] checked, with a resource's defaults filled in.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Polling {
    pub poll_interval: Duration,
    pub max_poll_interval: Duration,
    pub timeout: Option<Duration>,
    pub min_poll_interval: Duration,
}

impl PollOptions {
    /// A resource's defaults, every field set.
    pub fn defaults(defaults: &PollDefaults) -> PollOptions {
        PollOptions {
            poll_interval_ms: Some(as_millis(defaults.poll_interval)),
            max_poll_interval_ms: Some(as_millis(defaults.max_poll_interval)),
            timeout_ms: Some(as_millis(defaults.timeout)),
            no_timeout: Some(false),
            spelling: Spelling::Rust,
        }
    }

    /// The same options, with messages spelled for `spelling`.
    pub fn spelled(mut self, spelling: Spelling) -> PollOptions {
        self.spelling = spelling;
        self
    }

    /// Every check, with `defaults` for what is not set.
    pub(crate) fn resolve(&self, defaults: &PollDefaults) -> Result<Polling> {
        let s = self.spelling;
        let poll_interval = millis(s, &names::POLL_INTERVAL, self.poll_interval_ms)?
            .unwrap_or(defaults.poll_interval);
        if poll_interval.is_zero() {
            let name = s.name(&names::POLL_INTERVAL);
            return Err(Error::invalid_argument(format!(
                "the poll interval must be more than zero ({name})"
            ))
            .with_field(name));
        }
        let max_poll_interval = millis(s, &names::MAX_POLL_INTERVAL, self.max_poll_interval_ms)?
            .unwrap_or(defaults.max_poll_interval);
        let timeout = millis(s, &names::WAIT_TIMEOUT, self.timeout_ms)?;
        let timeout = match self.no_timeout {
            Some(true) => None,
            _ => Some(timeout.unwrap_or(defaults.timeout)),
        };
        Ok(Polling {
            poll_interval,
            max_poll_interval,
            timeout,
            min_poll_interval: defaults.min_poll_interval,
        })
    }
}

/// A callback told about every change of a waited-on resource.
pub type ChangeCallback<T> = Arc<dyn Fn(&T) + Send + Sync>;

/// How a wait runs: the [`PollOptions`] (plain data) and, beside them, the change callback and
/// the cancel token. `posts::WaitOptions` and `media::MediaWaitOptions` are this type.
pub struct WaitOptions<T> {
    /// How to poll.
    pub poll: PollOptions,
    /// Told about every distinct status, the first one included, on the polling task.
    pub on_status: Option<ChangeCallback<T>>,
    /// Cancels the wait (`CANCELLED`) when cancelled; dropping the future works too.
    pub cancel: Option<CancellationToken>,
}

impl<T> Default for WaitOptions<T> {
    fn default() -> Self {
        WaitOptions { poll: PollOptions::default(), on_status: None, cancel: None }
    }
}

impl<T> Clone for WaitOptions<T> {
    fn clone(&self) -> Self {
        WaitOptions {
            poll: self.poll.clone(),
            on_status: self.on_status.clone(),
            cancel: self.cancel.clone(),
        }
    }
}

impl<T> fmt::Debug for WaitOptions<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitOptions")
            .field("poll", &self.poll)
            .field("on_status", &self.on_status.as_ref().map(|_| "<callback>"))
            .field("cancel", &self.cancel)
            .finish()
    }
}

impl<T> From<PollOptions> for WaitOptions<T> {
    fn from(poll: PollOptions) -> Self {
        WaitOptions { poll, ..WaitOptions::default() }
    }
}

impl<T> WaitOptions<T> {
    /// Sets [`PollOptions::poll_interval_ms`].
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll.poll_interval_ms = Some(as_millis(interval));
        self
    }

    /// Sets [`PollOptions::max_poll_interval_ms`].
    pub fn max_poll_interval(mut self, interval: Duration) -> Self {
        self.poll.max_poll_interval_ms = Some(as_millis(interval));
        self
    }

    /// Sets [`PollOptions::timeout_ms`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.poll.timeout_ms = Some(as_millis(timeout));
        self.poll.no_timeout = None;
        self
    }

    /// Waits without a deadline.
    pub fn no_timeout(mut self) -> Self {
        self.poll.no_timeout = Some(true);
        self
    }

    /// Sets [`WaitOptions::on_status`].
    pub fn on_status(mut self, callback: impl Fn(&T) + Send + Sync + 'static) -> Self {
        self.on_status = Some(Arc::new(callback));
        self
    }

    /// Sets [`WaitOptions::cancel`].
    pub fn cancel_token(mut self, token: CancellationToken) -> Self {
        self.cancel = Some(token);
        self
    }
}

/// A resource a wait follows.
pub(crate) trait Polled: Clone + Send + Sync + 'static {
    /// What a change is a change of (a status).
    type State: PartialEq + Clone + Send + Sync + 'static;
    fn state(&self) -> Self::State;
    /// Whether the resource will not change any more: the wait ends with it.
    fn is_final(&self) -> bool;
}

/// One poll: the `GET` with the options it should use.
pub(crate) type Fetch<T> = Arc<
    dyn Fn(RequestOptions) -> Pin<Box<dyn Future<Output = Result<Response<T>>> + Send>>
        + Send
        + Sync,
>;

/// What the resource says when a wait's deadline passes.
pub(crate) type Expired<T> = fn(&Expiry<'_, T>) -> Error;

/// The state of a wait whose deadline passed.
pub(crate) struct Expiry<'a, T> {
    pub id: &'a str,
    pub timeout: Duration,
    pub last: Option<&'a T>,
    pub last_error: Option<&'a Error>,
}

/// The poll loop's state; `wait` and `watch` both drive it with [`Poller::next_change`].
pub(crate) struct Poller<T: Polled> {
    /// Named in messages, e.g. `post pst_1`.
    subject: String,
    id: String,
    fetch: Fetch<T>,
    /// The resource's per-call options, without an idempotency key.
    request: RequestOptions,
    /// The client's bound on a call, cut to what is left of the wait.
    request_timeout: Duration,
    polling: Polling,
    on_status: Option<ChangeCallback<T>>,
    cancel: Option<CancellationToken>,
    expired: Expired<T>,
    deadline: Option<Instant>,
    /// Time to wait before the next poll when the server gives no hint.
    interval: Duration,
    /// The server's `Retry-After` on the last poll.
    hint: Option<Duration>,
    /// The answer the wait starts from instead of a first poll (see [`FirstPolls`]).
    first: Option<First<T>>,
    /// When the last poll's request started: the next one starts the shortest interval later
    /// at the earliest.
    last_sent: Option<Instant>,
    last_state: Option<T::State>,
    last: Option<T>,
    last_error: Option<Error>,
    polled: bool,
    finished: bool,
}

/// What a resource gives [`Poller::new`].
pub(crate) struct Target<T: Polled> {
    pub subject: String,
    pub id: String,
    pub fetch: Fetch<T>,
    pub request: RequestOptions,
    pub request_timeout: Duration,
    pub defaults: &'static PollDefaults,
    pub expired: Expired<T>,
    /// The answer that started the change, when its hinted time is still ahead.
    pub first: Option<First<T>>,
}

impl<T: Polled> Poller<T> {
    pub(crate) fn new(target: Target<T>, options: WaitOptions<T>) -> Result<Poller<T>> {
        let polling = options.poll.resolve(target.defaults)?;
        Ok(Poller {
            subject: target.subject,
            id: target.id,
            fetch: target.fetch,
            request: RequestOptions { idempotency_key: None, ..target.request },
            request_timeout: target.request_timeout,
            deadline: polling.timeout.map(deadline_after),
            interval: polling.poll_interval.max(polling.min_poll_interval),
            polling,
            on_status: options.on_status,
            cancel: options.cancel,
            expired: target.expired,
            hint: None,
            first: target.first,
            last_sent: None,
            last_state: None,
            last: None,
            last_error: None,
            polled: false,
            finished: false,
        })
    }

    /// The resource the next time its state differs from the last one seen; `None` after a
    /// final state or an error has been returned.
    pub(crate) async fn next_change(&mut self) -> Option<Result<T>> {
        if self.finished {
            return None;
        }
        let result = self.poll_until_change().await;
        if result.as_ref().map_or(true, Polled::is_final) {
            self.finished = true;
        }
        Some(result)
    }

    async fn poll_until_change(&mut self) -> Result<T> {
        let min = self.polling.min_poll_interval;
        if let Some(first) = self.first.take() {
            // Taken as the first poll when its hinted time comes before the deadline.
            if !self.polled && self.deadline.is_none_or(|d| first.next_change < d) {
                self.polled = true;
                self.last_sent = Some(first.answered);
                self.hint = Some(first.next_change.saturating_duration_since(Instant::now()));
                if let Some(item) = self.observe(first.item) {
                    return Ok(item);
                }
            }
        }
        loop {
            if self.polled {
                let remaining = self.remaining();
                if remaining == Some(Duration::ZERO) {
                    return Err(self.timeout_error());
                }
                let after = match self.hint {
                    Some(hint) => hint.min(self.polling.max_poll_interval.max(min)),
                    None => self.interval,
                };
                // The hinted (or backed-off) time, but never sooner than the shortest interval
                // after the previous request started, and never past the deadline.
                let floor = self.last_sent.and_then(|sent| sent.checked_add(min));
                let mut at = Instant::now().checked_add(after).max(floor);
                if let Some(deadline) = self.deadline {
                    at = at.map(|at| at.min(deadline));
                }
                if let Some(at) = at {
                    self.cancellable(tokio::time::sleep_until(at.into())).await?;
                }
            }
            self.polled = true;
            self.last_sent = Some(Instant::now());

            let mut options = self.request.clone();
            if let Some(remaining) = self.remaining() {
                let bound = options.timeout.unwrap_or(self.request_timeout);
                options.timeout = Some(bound.min(remaining.max(min)));
            }
            let polled = self.cancellable((self.fetch)(options)).await?;
            match polled {
                Ok(response) => {
                    self.hint = response.retry_after;
                    self.last_error = None;
                    if let Some(item) = self.observe(response.data) {
                        return Ok(item);
                    }
                }
                Err(error) if error.is_retryable() && self.remaining() != Some(Duration::ZERO) => {
                    tracing::debug!(%error, subject = %self.subject, "poll failed; polling again");
                    self.hint = error.retry_after();
                    self.last_error = Some(error);
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// One answer about the resource: `Some` when its state changed (the callback told), else
    /// `None` with the interval grown.
    fn observe(&mut self, item: T) -> Option<T> {
        let min = self.polling.min_poll_interval;
        let state = item.state();
        if self.last_state.as_ref() != Some(&state) {
            self.last_state = Some(state);
            self.last = Some(item.clone());
            self.interval = self.polling.poll_interval.max(min);
            if let Some(callback) = &self.on_status {
                callback(&item);
            }
            return Some(item);
        }
        self.last = Some(item);
        let ceiling = self.polling.max_poll_interval.max(self.polling.poll_interval);
        let grown = self.interval.as_secs_f64() * POLL_BACKOFF_FACTOR;
        self.interval = Duration::try_from_secs_f64(grown).unwrap_or(ceiling).min(ceiling);
        None
    }

    fn remaining(&self) -> Option<Duration> {
        self.deadline.map(|d| d.saturating_duration_since(Instant::now()))
    }

    /// Runs `future` unless the cancel token fires first (`CANCELLED`).
    async fn cancellable<F: Future>(&self, future: F) -> Result<F::Output> {
        match &self.cancel {
            None => Ok(future.await),
            Some(token) => tokio::select! {
                biased;
                _ = token.cancelled() => {
                    Err(Error::cancelled(format!("waiting for {} was cancelled", self.subject)))
                }
                output = future => Ok(output),
            },
        }
    }

    fn timeout_error(&self) -> Error {
        (self.expired)(&Expiry {
            id: &self.id,
            timeout: self.polling.timeout.unwrap_or_default(),
            last: self.last.as_ref(),
            last_error: self.last_error.as_ref(),
        })
    }
}
