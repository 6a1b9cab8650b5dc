//! Posts: create (safely retried under an idempotency key), read, list, edit, cancel, and
//! follow a post until it is published with [`Posts::wait`] or [`Posts::watch`].

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::Stream;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::error::{Error, Result};
use crate::model::{CreatePostRequest, ListPostsQuery, Page, Post, PostStatus, UpdatePostRequest};
use crate::transport::{
    deadline_after, item_path, paginate, ApiRequest, RequestOptions, Response, Transport,
};

/// Default time between polls, as in the tutorial.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(3);
/// Default ceiling of the time between polls while nothing changes.
pub const DEFAULT_MAX_POLL_INTERVAL: Duration = Duration::from_secs(30);
/// Default bound on a whole wait.
pub const DEFAULT_WAIT_TIMEOUT: Duration = Duration::from_secs(15 * 60);
/// Shortest wait between polls, whatever the server hints.
const MIN_POLL_INTERVAL: Duration = Duration::from_millis(100);
/// Growth of the interval after each poll that saw no change.
const POLL_BACKOFF_FACTOR: f64 = 1.5;

/// `client.posts()`.
#[derive(Debug, Clone)]
pub struct Posts {
    transport: Transport,
    options: RequestOptions,
}

/// A callback told about every status a waited-on post goes through.
pub type StatusCallback = Arc<dyn Fn(&Post) + Send + Sync>;

/// How [`Posts::wait`] and [`Posts::watch`] poll.
///
/// Between polls they wait the server's `Retry-After` hint when the response had one, else
/// `poll_interval`, growing by half after every poll that saw no change up to
/// `max_poll_interval`, and back to `poll_interval` after a change.
#[derive(Clone)]
pub struct WaitOptions {
    /// First time between polls (default 3 s).
    pub poll_interval: Duration,
    /// Longest time between polls (default 30 s).
    pub max_poll_interval: Duration,
    /// Bound on the whole wait (default 15 min; `None` waits until a terminal status). When it
    /// passes the wait fails with `TIMEOUT`, and [`Error::last_post`] is the last post seen.
    pub timeout: Option<Duration>,
    /// Told about every distinct status, the first one included, on the polling task.
    pub on_status: Option<StatusCallback>,
    /// Cancels the wait (`CANCELLED`) when cancelled; dropping the future works too.
    pub cancel: Option<CancellationToken>,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            poll_interval: DEFAULT_POLL_INTERVAL,
            max_poll_interval: DEFAULT_MAX_POLL_INTERVAL,
            timeout: Some(DEFAULT_WAIT_TIMEOUT),
            on_status: None,
            cancel: None,
        }
    }
}

impl fmt::Debug for WaitOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitOptions")
            .field("poll_interval", &self.poll_interval)
            .field("max_poll_interval", &self.max_poll_interval)
            .field("timeout", &self.timeout)
            .field("on_status", &self.on_status.as_ref().map(|_| "<callback>"))
            .field("cancel", &self.cancel)
            .finish()
    }
}

impl WaitOptions {
    /// Sets [`WaitOptions::poll_interval`].
    pub fn poll_interval(mut self, interval: Duration) -> WaitOptions {
        self.poll_interval = interval;
        self
    }

    /// Sets [`WaitOptions::timeout`].
    pub fn timeout(mut self, timeout: Duration) -> WaitOptions {
        self.timeout = Some(timeout);
        self
    }

    /// Waits without a deadline.
    pub fn no_timeout(mut self) -> WaitOptions {
        self.timeout = None;
        self
    }

    /// Sets [`WaitOptions::on_status`].
    pub fn on_status(mut self, callback: impl Fn(&Post) + Send + Sync + 'static) -> WaitOptions {
        self.on_status = Some(Arc::new(callback));
        self
    }

    /// Sets [`WaitOptions::cancel`].
    pub fn cancel_token(mut self, token: CancellationToken) -> WaitOptions {
        self.cancel = Some(token);
        self
    }
}

impl Posts {
    pub(crate) fn new(transport: Transport) -> Posts {
        Posts { transport, options: RequestOptions::default() }
    }

    /// The same resource with these per-call options (e.g. your own idempotency key).
    pub fn with_options(mut self, options: RequestOptions) -> Posts {
        self.options = options;
        self
    }

    /// `POST /v1/posts`. Sent with an idempotency key (generated unless given in the options)
    /// and retried safely: a create whose response was lost is never published twice.
    /// Validation errors (`CAPTION_TOO_LONG`, `MEDIA_REQUIRED`, …) name the field and platform;
    /// `POST_LIMIT_REACHED` carries `retry_after` to the quota reset.
    pub async fn create(&self, request: &CreatePostRequest) -> Result<Post> {
        let request = ApiRequest::post("/v1/posts").json(request)?.options(self.options.clone());
        Ok(self.transport.send_json(request).await?.data)
    }

    /// `GET /v1/posts/{id}`.
    pub async fn get(&self, id: &str) -> Result<Post> {
        Ok(self.get_response(id, &self.options).await?.data)
    }

    async fn get_response(&self, id: &str, options: &RequestOptions) -> Result<Response<Post>> {
        let path = item_path("/v1/posts", "post", id)?;
        let request = ApiRequest::get(path).options(options.clone());
        self.transport.send_json(request).await
    }

    /// Every post matching `query` (status, profile), newest first, fetched page by page as
    /// the stream is read (`query.limit` is the page size; `query.cursor` is where to start).
    /// An error is yielded once and ends the stream.
    pub fn list(&self, query: ListPostsQuery) -> impl Stream<Item = Result<Post>> + Send + 'static {
        paginate(self.transport.clone(), "/v1/posts", list_query(&query), self.options.clone())
    }

    /// One page of `GET /v1/posts`, for callers that keep the cursor themselves.
    pub async fn list_page(&self, query: &ListPostsQuery) -> Result<Page<Post>> {
        let mut request = ApiRequest::get("/v1/posts").options(self.options.clone());
        for (name, value) in list_query(query) {
            request = request.query(name, value);
        }
        Ok(self.transport.send_json(request).await?.data)
    }

    /// `PATCH /v1/posts/{id}`: changes the schedule or content of a draft or scheduled post;
    /// otherwise `POST_NOT_EDITABLE`.
    pub async fn update(&self, id: &str, request: &UpdatePostRequest) -> Result<Post> {
        let path = item_path("/v1/posts", "post", id)?;
        let request = ApiRequest::patch(path).json(request)?.options(self.options.clone());
        Ok(self.transport.send_json(request).await?.data)
    }

    /// `DELETE /v1/posts/{id}`: cancels a draft or scheduled post and returns it, now
    /// `cancelled`; otherwise `POST_NOT_EDITABLE`. (A cancel whose response was lost is retried;
    /// if the first attempt had already cancelled the post, the retry answers
    /// `POST_NOT_EDITABLE` — [`Posts::get`] then shows `cancelled`.)
    pub async fn cancel(&self, id: &str) -> Result<Post> {
        let path = item_path("/v1/posts", "post", id)?;
        let request = ApiRequest::delete(path).options(self.options.clone());
        Ok(self.transport.send_json(request).await?.data)
    }

    /// Polls the post until its status is terminal (`published`, `partially_published`,
    /// `failed`, `cancelled`) and returns it; a post that *failed* is returned, not an error —
    /// look at its `status`, `error` and `results`.
    ///
    /// Fails with `TIMEOUT` when `options.timeout` passes first ([`Error::last_post`] is the
    /// last post seen), `CANCELLED` when `options.cancel` is cancelled, or the error of a poll
    /// that cannot succeed by trying again (e.g. `NOT_FOUND`). Polls that fail transiently are
    /// retried until the deadline. Dropping the future stops polling. A draft never changes by
    /// itself, so waiting on one ends in `TIMEOUT`.
    pub async fn wait(&self, id: &str, options: WaitOptions) -> Result<Post> {
        let mut poller = Poller::new(self.clone(), id, options)?;
        while let Some(post) = poller.next_change().await {
            let post = post?;
            if post.is_terminal() {
                return Ok(post);
            }
        }
        Err(Error::protocol("the post poller stopped before a terminal status"))
    }

    /// A stream of the post each time its status changes (the current status first), ending
    /// after a terminal status. It polls as [`Posts::wait`] does and yields an error
    /// (`TIMEOUT`, `CANCELLED`, `NOT_FOUND`, …) as its last item. Dropping it stops polling.
    pub fn watch(
        &self,
        id: &str,
        options: WaitOptions,
    ) -> impl Stream<Item = Result<Post>> + Send + 'static {
        let poller = Poller::new(self.clone(), id, options);
        futures_util::stream::unfold(Some(poller), |poller| async move {
            match poller? {
                Ok(mut poller) => {
                    let item = poller.next_change().await?;
                    Some((item, Some(Ok(poller))))
                }
                Err(error) => Some((Err(error), None)),
            }
        })
    }
}

/// `?status=&profileId=&limit=&cursor=` as pairs.
fn list_query(query: &ListPostsQuery) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    if let Some(status) = &query.status {
        pairs.push(("status".to_owned(), status.as_str().to_owned()));
    }
    if let Some(profile_id) = &query.profile_id {
        pairs.push(("profileId".to_owned(), profile_id.clone()));
    }
    if let Some(limit) = query.limit {
        pairs.push(("limit".to_owned(), limit.to_string()));
    }
    if let Some(cursor) = &query.cursor {
        pairs.push(("cursor".to_owned(), cursor.clone()));
    }
    pairs
}

/// The polling state shared by `wait` and `watch`.
struct Poller {
    posts: Posts,
    id: String,
    options: WaitOptions,
    deadline: Option<Instant>,
    /// Time to wait before the next poll when the server gives no hint.
    interval: Duration,
    /// The server's `Retry-After` on the last poll.
    hint: Option<Duration>,
    last_status: Option<PostStatus>,
    last_post: Option<Post>,
    last_error: Option<Error>,
    polled: bool,
    finished: bool,
}

impl Poller {
    fn new(posts: Posts, id: &str, options: WaitOptions) -> Result<Poller> {
        if id.is_empty() {
            return Err(Error::invalid_argument("the post id is empty"));
        }
        if options.poll_interval.is_zero() {
            return Err(Error::invalid_argument("the poll interval must be more than zero"));
        }
        Ok(Poller {
            posts,
            id: id.to_owned(),
            deadline: options.timeout.map(deadline_after),
            interval: options.poll_interval.max(MIN_POLL_INTERVAL),
            options,
            hint: None,
            last_status: None,
            last_post: None,
            last_error: None,
            polled: false,
            finished: false,
        })
    }

    /// The post the next time its status differs from the last one seen; `None` after a
    /// terminal status or an error has been returned.
    async fn next_change(&mut self) -> Option<Result<Post>> {
        if self.finished {
            return None;
        }
        let result = self.poll_until_change().await;
        if result.as_ref().map_or(true, |post| post.is_terminal()) {
            self.finished = true;
        }
        Some(result)
    }

    async fn poll_until_change(&mut self) -> Result<Post> {
        loop {
            if self.polled {
                let remaining = self.remaining();
                if remaining == Some(Duration::ZERO) {
                    return Err(self.timeout_error());
                }
                let mut wait = match self.hint {
                    Some(hint) => hint.clamp(
                        MIN_POLL_INTERVAL,
                        self.options.max_poll_interval.max(MIN_POLL_INTERVAL),
                    ),
                    None => self.interval,
                };
                if let Some(remaining) = remaining {
                    wait = wait.min(remaining);
                }
                self.cancellable(tokio::time::sleep(wait)).await?;
            }
            self.polled = true;

            let mut options = self.posts.options.clone();
            options.idempotency_key = None;
            if let Some(remaining) = self.remaining() {
                let bound = options.timeout.unwrap_or(self.posts.transport.request_timeout());
                options.timeout = Some(bound.min(remaining.max(MIN_POLL_INTERVAL)));
            }
            let polled = self.cancellable(self.posts.get_response(&self.id, &options)).await?;
            match polled {
                Ok(response) => {
                    self.hint = response.retry_after;
                    self.last_error = None;
                    let post = response.data;
                    if self.last_status.as_ref() != Some(&post.status) {
                        self.last_status = Some(post.status.clone());
                        self.last_post = Some(post.clone());
                        self.interval = self.options.poll_interval.max(MIN_POLL_INTERVAL);
                        if let Some(callback) = &self.options.on_status {
                            callback(&post);
                        }
                        return Ok(post);
                    }
                    self.last_post = Some(post);
                    let ceiling = self.options.max_poll_interval.max(self.options.poll_interval);
                    let grown = self.interval.as_secs_f64() * POLL_BACKOFF_FACTOR;
                    self.interval =
                        Duration::try_from_secs_f64(grown).unwrap_or(ceiling).min(ceiling);
                }
                Err(error) if error.is_retryable() && self.remaining() != Some(Duration::ZERO) => {
                    tracing::debug!(%error, post = %self.id, "poll failed; polling again");
                    self.hint = error.retry_after();
                    self.last_error = Some(error);
                }
                Err(error) => return Err(error),
            }
        }
    }

    fn remaining(&self) -> Option<Duration> {
        self.deadline.map(|d| d.saturating_duration_since(Instant::now()))
    }

    /// Runs `future` unless the cancel token fires first (`CANCELLED`).
    async fn cancellable<F: Future>(&self, future: F) -> Result<F::Output> {
        match &self.options.cancel {
            None => Ok(future.await),
            Some(token) => tokio::select! {
                biased;
                _ = token.cancelled() => Err(Error::cancelled(format!(
                    "waiting for post {} was cancelled",
                    self.id
                ))),
                output = future => Ok(output),
            },
        }
    }

    fn timeout_error(&self) -> Error {
        let timeout = self.options.timeout.unwrap_or_default();
        let status = self.last_status.as_ref().map(|s| s.as_str().to_owned());
        let mut message = format!(
            "post {} did not reach a terminal status within {timeout:?} (last status: {})",
            self.id,
            status.as_deref().unwrap_or("unknown")
        );
        if let Some(error) = &self.last_error {
            message.push_str(&format!("; last poll failed: {error}"));
        }
        let details = json!({
            "postId": self.id,
            "lastStatus": status,
            "post": self.last_post.as_ref().and_then(|p| serde_json::to_value(p).ok()),
        });
        let mut error = Error::timeout(message).with_details(details);
        if let Some(source) = self.last_error.clone() {
            error = error.with_source(source);
        }
        error
    }
}

/// Waiting's half of [`Error`]: kept here so the error vocabulary needs no `Post`.
impl Error {
    /// The last state of the post a `posts().wait(..)` timed out on (`details.post`).
    pub fn last_post(&self) -> Option<Post> {
        let post = self.details()?.get("post")?;
        serde_json::from_value(post.clone()).ok()
    }
}
