//! Posts: create (safely retried under an idempotency key), read, list, edit, cancel, retry
//! the failed targets, and follow a post until it is published with [`Posts::wait`] or
//! [`Posts::watch`].
//!
//! # What to do when a create times out
//! When every attempt's answer is lost (a network error or a timeout after the request may have
//! reached the server), [`Posts::create`] fails with [`ErrorCode::OutcomeUnknown`], not
//! `NETWORK_ERROR`: the post may exist. Create it again with the key the error carries; the
//! server returns the post if it was made and makes it once if not (a fresh key could publish
//! it twice):
//!
//! ```no_run
//! # async fn example(
//! #     client: aether::Client,
//! #     request: aether::model::CreatePostRequest,
//! # ) -> aether::Result<()> {
//! use aether::{ErrorCode, RequestOptions};
//!
//! let post = match client.posts().create(&request).await {
//!     Ok(post) => post,
//!     Err(error) if *error.code() == ErrorCode::OutcomeUnknown => {
//!         // details()["cause"] is NETWORK_ERROR or TIMEOUT; client_request_id() is the
//!         // call's creq_… id, to quote to support. Later, or once the network is back:
//!         let key = error.idempotency_key().unwrap_or_default().to_owned();
//!         let again = client.posts().with_options(RequestOptions::new().idempotency_key(key));
//!         again.create(&request).await?
//!     }
//!     Err(error) => return Err(error),
//! };
//! # let _ = post;
//! # Ok(())
//! # }
//! ```
//!
//! Give your own [`RequestOptions::idempotency_key`] to make a create safe to repeat across
//! process restarts.

mod bulk;
mod capabilities;

use std::sync::Arc;
use std::time::Duration;

use futures_util::Stream;
use serde_json::json;

use crate::error::{Error, ErrorCode, Result};
use crate::model::{
    BulkResult, CreatePostRequest, ListPostsQuery, Page, Post, PostStatus, UpdatePostRequest,
};
use crate::poll::{self, Poller};
use crate::profiles::{CapabilitiesCache, Profiles};
use crate::transport::{
    item_path, paginate, with_response, ApiRequest, RequestOptions, Response, Transport,
};

#[doc(hidden)]
pub use bulk::fuzzing as bulk_csv_fuzzing;
pub use bulk::BulkSource;

/// Default time between polls, as in the tutorial.
pub const DEFAULT_POLL_INTERVAL: Duration = poll::POSTS.poll_interval;
/// Default ceiling of the time between polls while nothing changes.
pub const DEFAULT_MAX_POLL_INTERVAL: Duration = poll::POSTS.max_poll_interval;
/// Default bound on a whole wait.
pub const DEFAULT_WAIT_TIMEOUT: Duration = poll::POSTS.timeout;

/// `client.posts()`.
#[derive(Debug, Clone)]
pub struct Posts {
    transport: Transport,
    options: RequestOptions,
    capabilities: CapabilitiesCache,
    /// The poll hints of the creates and retries of this client, for the first poll of a wait.
    first_polls: poll::FirstPolls<Post>,
}

/// A callback told about every status a waited-on post goes through.
pub type StatusCallback = poll::ChangeCallback<Post>;

/// How [`Posts::wait`] and [`Posts::watch`] poll: the shared [`poll::WaitOptions`], with the
/// defaults of [`poll::POSTS`] (every 3 s at first, at most every 30 s, for up to 15 min; `no_timeout`
/// waits until a terminal status). When the timeout passes the wait fails with `TIMEOUT`, and
/// [`Error::last_post`] is the last post seen.
pub type WaitOptions = poll::WaitOptions<Post>;

/// Each target's retries so far and when its next attempt is due: a server retry of a
/// transient platform failure changes it twice (the failure sets `nextAttemptAt`, the retry
/// starting counts an attempt and clears it) while the post stays `publishing`.
type Retries = Vec<(u32, Option<String>)>;

impl poll::Polled for Post {
    /// The status, and the retries: [`Posts::watch`] yields (and a wait's callback sees) every
    /// publish attempt after the first, not only status changes.
    type State = (PostStatus, Retries);

    fn state(&self) -> (PostStatus, Retries) {
        let retries = self
            .results
            .iter()
            .map(|r| (r.attempts.saturating_sub(1), r.next_attempt_at.clone()))
            .collect();
        (self.status.clone(), retries)
    }

    fn is_final(&self) -> bool {
        self.is_terminal()
    }
}

impl Posts {
    pub(crate) fn new(
        transport: Transport,
        capabilities: CapabilitiesCache,
        first_polls: poll::FirstPolls<Post>,
    ) -> Posts {
        Posts { transport, options: RequestOptions::default(), capabilities, first_polls }
    }

    /// A publishing post's answer: with its poll hint (if the server sent one) it is the first
    /// poll of a wait on it that starts before the hinted time.
    fn started(&self, response: Response<Post>) -> Post {
        if let Some(hint) = response.retry_after {
            if response.data.status == PostStatus::Publishing {
                self.first_polls.remember(&response.data.id, response.data.clone(), hint);
            }
        }
        response.data
    }

    /// The same resource with these per-call options (e.g. your own idempotency key).
    pub fn with_options(mut self, options: RequestOptions) -> Posts {
        self.options = options;
        self
    }

    /// `POST /v1/posts`. Sent with an idempotency key (generated unless given in the options)
    /// and retried safely: a create whose response was lost is never published twice. When
    /// every answer is lost it fails with `OUTCOME_UNKNOWN` and the key to repeat it with (see
    /// "What to do when a create times out" above). Validation errors (`CAPTION_TOO_LONG`, `MEDIA_REQUIRED`, …) name the field and platform;
    /// `POST_LIMIT_REACHED` carries `retry_after` to the quota reset.
    ///
    /// Two forms of the same thing (`text` with `content`, `platforms` with `overrides`, two
    /// media forms) are refused before sending, with the server's `INVALID_REQUEST` and field.
    ///
    /// When the options ask something an account's capabilities decide (TikTok's
    /// `privacyLevel`, `disableComment`/`disableDuet`/`disableStitch`), each named profile's
    /// capabilities are read first (cached per client for [`crate::profiles::CAPABILITIES_TTL`])
    /// and a post they forbid fails before sending: `INVALID_PLATFORM_OPTION` with the
    /// account's `details.allowed`; an unknown profile is `NOT_FOUND`.
    pub async fn create(&self, request: &CreatePostRequest) -> Result<Post> {
        request.check()?;
        capabilities::preflight(&self.capability_reader(), request).await?;
        let request = ApiRequest::post("/v1/posts").json(request)?.options(self.options.clone());
        Ok(self.started(self.transport.send_json(request).await?))
    }

    /// Reads capabilities with this resource's options (without its idempotency key).
    fn capability_reader(&self) -> Profiles {
        let options = RequestOptions { idempotency_key: None, ..self.options.clone() };
        Profiles::new(self.transport.clone(), self.capabilities.clone()).with_options(options)
    }

    /// `POST /v1/posts/bulk`: every row of a CSV file (or of `rows`, written as CSV) created
    /// as [`Posts::create`] would create it, independently; the answer has one result per row
    /// (`row`, `line`, `ok`, the post or the error). With `dry_run` every row is checked and
    /// nothing is created. One idempotency key covers the whole call, so a retry creates
    /// nothing twice. Over 5 MiB or 1,000 data rows is `INVALID_ARGUMENT` before anything is
    /// sent; a file the server cannot read as CSV is `BULK_INVALID` with `details.line`.
    pub async fn bulk(&self, source: impl Into<BulkSource>, dry_run: bool) -> Result<BulkResult> {
        let parts = bulk::parts(source.into(), dry_run).await?;
        let request =
            ApiRequest::post("/v1/posts/bulk").multipart(parts).options(self.options.clone());
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
    /// otherwise `POST_NOT_EDITABLE`. An update whose answer was lost is retried; when the
    /// retry finds the post no longer editable (releasing a draft starts publishing it), the
    /// post is read back and returned if it shows every change asked for (one more `GET`).
    pub async fn update(&self, id: &str, request: &UpdatePostRequest) -> Result<Post> {
        let path = item_path("/v1/posts", "post", id)?;
        let sent = ApiRequest::patch(path).json(request)?.options(self.options.clone());
        let result = self.transport.send_json(sent).await.map(|response| response.data);
        self.done_by_a_lost_attempt(id, result, |post| shows_update(post, request)).await
    }

    /// `DELETE /v1/posts/{id}`: cancels a draft or scheduled post and returns it, now
    /// `cancelled`; otherwise `POST_NOT_EDITABLE`. A cancel whose answer was lost is retried,
    /// and the retry finds the post that attempt cancelled no longer editable: the post is then
    /// read back and returned when it is `cancelled` (one more `GET`), as if the first answer
    /// had arrived. (The retry cannot tell a post its lost attempt cancelled from one that was
    /// cancelled already, so after a lost answer a post cancelled before is returned too: it is
    /// cancelled, as asked.)
    pub async fn cancel(&self, id: &str) -> Result<Post> {
        let path = item_path("/v1/posts", "post", id)?;
        let sent = ApiRequest::delete(path).options(self.options.clone());
        let result = self.transport.send_json(sent).await.map(|response| response.data);
        self.done_by_a_lost_attempt(id, result, |post| post.status == PostStatus::Cancelled).await
    }

    /// `result`, unless it is a retry's `POST_NOT_EDITABLE` after an earlier attempt's answer
    /// was lost (a PATCH or DELETE carries no idempotency key, so the retry finds the post that
    /// attempt changed): then the post is read back, and returned when it shows the change
    /// (`done`); else the refusal stands.
    async fn done_by_a_lost_attempt(
        &self,
        id: &str,
        result: Result<Post>,
        done: impl Fn(&Post) -> bool,
    ) -> Result<Post> {
        let error = match result {
            Err(error)
                if *error.code() == ErrorCode::PostNotEditable && error.after_lost_answer() =>
            {
                error
            }
            other => return other,
        };
        match self.get(id).await {
            Ok(post) if done(&post) => {
                tracing::info!(%error, "done by an attempt whose answer was lost");
                Ok(post)
            }
            _ => Err(error),
        }
    }

    /// `POST /v1/posts/{id}/retry`: publishes the failed targets of a `failed` or
    /// `partially_published` post again, and only those (a target that published is never sent
    /// again). Answers the post, `publishing` again; follow it with [`Posts::wait`]. Any other
    /// status (a retry still publishing included) is `POST_NOT_RETRYABLE`, with the post's
    /// status in `details.status`; a failed target that cannot start is refused with the codes
    /// of a create (`PROFILE_DISCONNECTED`, `POST_LIMIT_REACHED`, …) and the post is unchanged.
    /// Sent with an idempotency key, so a retry whose response was lost starts nothing twice.
    pub async fn retry(&self, id: &str) -> Result<Post> {
        let path = format!("{}/retry", item_path("/v1/posts", "post", id)?);
        let request = ApiRequest::post(path).options(self.options.clone());
        Ok(self.started(self.transport.send_json(request).await?))
    }

    /// Polls the post until its status is terminal (`published`, `partially_published`,
    /// `failed`, `cancelled`) and returns it; a post that *failed* is returned, not an error —
    /// look at its `status`, `error` and `results`.
    ///
    /// Fails with `TIMEOUT` when `options.timeout` passes first ([`Error::last_post`] is the
    /// last post seen), `CANCELLED` when `options.cancel` is cancelled, or the error of a poll
    /// that cannot succeed by trying again (e.g. `NOT_FOUND`). Polls that fail transiently are
    /// retried until the deadline. Dropping the future stops polling. A draft never changes by
    /// itself, so waiting on one ends in `TIMEOUT`. While the server retries a transient
    /// platform failure the post stays `publishing` and the wait goes on (the retries take up
    /// to about 16 minutes of the server's time); the callback sees every attempt.
    pub async fn wait(&self, id: &str, options: WaitOptions) -> Result<Post> {
        let mut poller = self.poller(id, options)?;
        while let Some(post) = poller.next_change().await {
            let post = post?;
            if post.is_terminal() {
                return Ok(post);
            }
        }
        Err(Error::protocol("the post poller stopped before a terminal status"))
    }

    /// A stream of the post each time its status changes (the current status first) or a
    /// target's publish attempt fails transiently or is retried (`attempts`, `nextAttemptAt`),
    /// ending after a terminal status. It polls as [`Posts::wait`] does and yields an error
    /// (`TIMEOUT`, `CANCELLED`, `NOT_FOUND`, …) as its last item. Dropping it stops polling.
    pub fn watch(
        &self,
        id: &str,
        options: WaitOptions,
    ) -> impl Stream<Item = Result<Post>> + Send + 'static {
        let poller = self.poller(id, options);
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

impl Posts {
    /// The poll loop of `wait` and `watch`, following post `id`.
    fn poller(&self, id: &str, options: WaitOptions) -> Result<Poller<Post>> {
        if id.is_empty() {
            return Err(Error::invalid_argument("the post id is empty"));
        }
        let posts = self.clone();
        let owned = id.to_owned();
        let fetch: poll::Fetch<Post> = Arc::new(move |options: RequestOptions| {
            let (posts, id) = (posts.clone(), owned.clone());
            Box::pin(async move { posts.get_response(&id, &options).await })
        });
        let target = poll::Target {
            subject: format!("post {id}"),
            id: id.to_owned(),
            fetch,
            request: self.options.clone(),
            request_timeout: self.transport.request_timeout(),
            defaults: &poll::POSTS,
            expired: timeout_error,
            first: self.first_polls.take(id),
        };
        Poller::new(target, options)
    }
}

/// `TIMEOUT` for a wait whose deadline passed: the last status, the last post seen (for
/// [`Error::last_post`]) and the last poll's error.
fn timeout_error(expiry: &poll::Expiry<'_, Post>) -> Error {
    let status = expiry.last.map(|p| p.status.as_str().to_owned());
    let mut message = format!(
        "post {} did not reach a terminal status within {:?} (last status: {})",
        expiry.id,
        expiry.timeout,
        status.as_deref().unwrap_or("unknown")
    );
    if let Some(error) = expiry.last_error {
        message.push_str(&format!("; last poll failed: {error}"));
    }
    let details = json!({
        "postId": expiry.id,
        "lastStatus": status,
        "post": expiry.last.and_then(|p| serde_json::to_value(p).ok()),
    });
    let mut error = Error::timeout(message).with_details(details);
    if let Some(source) = expiry.last_error.cloned() {
        error = error.with_source(source);
    }
    error
}

/// Whether `post` shows every change `request` asks for: the fields it sets are stored as
/// given (`scheduledFor`, `timezone`, `content`), and `draft` is the status it leads to.
fn shows_update(post: &Post, request: &UpdatePostRequest) -> bool {
    let same = |asked: &Option<String>, shown: &Option<String>| asked.is_none() || asked == shown;
    let status = match request.draft {
        None => true,
        Some(true) => post.status == PostStatus::Draft,
        Some(false) => !matches!(post.status, PostStatus::Draft | PostStatus::Cancelled),
    };
    status
        && same(&request.scheduled_for, &post.scheduled_for)
        && same(&request.timezone, &post.timezone)
        && request.content.as_ref().is_none_or(|content| *content == post.content)
}

/// Waiting's half of [`Error`]: kept here so the error vocabulary needs no `Post`.
impl Error {
    /// The last state of the post a `posts().wait(..)` timed out on (`details.post`).
    pub fn last_post(&self) -> Option<Post> {
        let post = self.details()?.get("post")?;
        serde_json::from_value(post.clone()).ok()
    }
}

with_response!(Posts {
    /// [`Posts::create`] with the status and headers of its response.
    create_with_response => create(request: &CreatePostRequest) -> Post;
    /// [`Posts::bulk`] with the status and headers of its response.
    bulk_with_response => bulk(source: impl Into<BulkSource>, dry_run: bool) -> BulkResult;
    /// [`Posts::get`] with the status and headers of its response.
    get_with_response => get(id: &str) -> Post;
    /// [`Posts::list_page`] with the status and headers of its response.
    list_page_with_response => list_page(query: &ListPostsQuery) -> Page<Post>;
    /// [`Posts::update`] with the status and headers of its response.
    update_with_response => update(id: &str, request: &UpdatePostRequest) -> Post;
    /// [`Posts::cancel`] with the status and headers of its response.
    cancel_with_response => cancel(id: &str) -> Post;
    /// [`Posts::retry`] with the status and headers of its response.
    retry_with_response => retry(id: &str) -> Post;
});

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn post(status: &str, scheduled_for: Option<&str>, timezone: Option<&str>) -> Post {
        serde_json::from_value(json!({
            "id": "post_1", "status": status, "profileIds": ["p"], "content": {"text": "hi"},
            "scheduledFor": scheduled_for, "timezone": timezone,
            "createdAt": "2026-12-06T10:00:00Z", "updatedAt": "2026-12-06T10:00:00Z",
        }))
        .expect("a post")
    }

    fn update(value: serde_json::Value) -> UpdatePostRequest {
        serde_json::from_value(value).expect("an update")
    }

    #[test]
    fn an_update_is_shown_when_every_field_it_sets_is_what_the_post_holds() {
        let scheduled = post("scheduled", Some("2026-12-24T09:00:00"), Some("Europe/Paris"));
        let moved =
            update(json!({"scheduledFor": "2026-12-24T09:00:00", "timezone": "Europe/Paris"}));
        assert!(shows_update(&scheduled, &moved));
        assert!(!shows_update(&scheduled, &update(json!({"scheduledFor": "2026-12-25T09:00:00"}))));
        assert!(!shows_update(&scheduled, &update(json!({"timezone": "Europe/Berlin"}))));
        assert!(shows_update(&scheduled, &update(json!({"content": {"text": "hi"}}))));
        assert!(!shows_update(&scheduled, &update(json!({"content": {"text": "bye"}}))));

        let released = update(json!({"draft": false}));
        assert!(shows_update(&post("publishing", None, None), &released));
        assert!(!shows_update(&post("draft", None, None), &released));
        assert!(!shows_update(&post("cancelled", None, None), &released));
        assert!(shows_update(&post("draft", None, None), &update(json!({"draft": true}))));
        assert!(!shows_update(&scheduled, &update(json!({"draft": true}))));
    }
}
