//! `aether_post` and `aether_target_result`: reading, waiting for and cancelling posts.
//! (Creating one: `post_builder.rs`; watching one: `watch.rs`.)

use std::ffi::{c_char, CString};

use aether::model::{
    ListPostsQuery, Post, PostContent, PostStatus, TargetResult, UpdatePostRequest,
};
use aether::poll::{PollOptions, WaitOptions};
use aether::Spelling;
use futures_util::TryStreamExt;

use crate::cancel::{aether_cancel_token, token_of};
use crate::client::{aether_client, block_on, client_arg, non_empty};
use crate::error::aether_error;
use crate::ffi::{borrowed_str, boundary, cstring, field, free_raw, getter, into_raw, Lent};
use crate::ffi::{opt_str_arg, out_arg, ref_arg, str_arg, write_json, Res};
use crate::status::aether_status;

/// Waits without a deadline: the value of aether_wait_options.timeout_ms for that.
pub const AETHER_NO_TIMEOUT: i64 = -1;

/// How aether_post_wait(), aether_post_watch() and aether_media_wait_ready() poll. Start from
/// AETHER_WAIT_OPTIONS_INIT (every field "default"). Between polls they wait the server's
/// Retry-After hint when it sends one, else the poll interval, which grows by half after each
/// poll that saw no change, up to the longest interval.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct aether_wait_options {
    /// First time between polls, in milliseconds; 0: the default (posts 3 s, media 0.5 s).
    pub poll_interval_ms: u32,
    /// Longest time between polls, in milliseconds; 0: the default (posts 30 s, media 5 s).
    pub max_poll_interval_ms: u32,
    /// Deadline of the whole wait, in milliseconds from the call; 0: the default (posts
    /// 15 min, media 10 min); AETHER_NO_TIMEOUT (any negative value): none. When it passes the
    /// wait fails with AETHER_ERROR_TIMEOUT.
    pub timeout_ms: i64,
    /// Cancels the wait (AETHER_ERROR_CANCELLED); NULL: none. Borrowed during the call (a watch
    /// takes its own reference).
    pub cancel: *const aether_cancel_token,
}

/// The options as given, or all defaults when `options` is NULL.
pub(crate) fn wait_options_arg(options: *const aether_wait_options) -> aether_wait_options {
    // SAFETY: NULL or valid options, by the header's conventions.
    unsafe { options.as_ref() }.copied().unwrap_or(aether_wait_options {
        poll_interval_ms: 0,
        max_poll_interval_ms: 0,
        timeout_ms: 0,
        cancel: std::ptr::null(),
    })
}

/// `aether_wait_options` (NULL: defaults) as the core's one wait options type, for posts and
/// media alike: 0 is the core's default, the checks are the core's.
pub(crate) fn wait_options<T>(options: *const aether_wait_options) -> WaitOptions<T> {
    let options = wait_options_arg(options);
    let millis = |ms: u32| (ms > 0).then_some(f64::from(ms));
    let poll = PollOptions {
        poll_interval_ms: millis(options.poll_interval_ms),
        max_poll_interval_ms: millis(options.max_poll_interval_ms),
        // Exact for any deadline a wait can have (below 2^53 ms).
        timeout_ms: (options.timeout_ms > 0).then_some(options.timeout_ms as f64),
        no_timeout: (options.timeout_ms <= AETHER_NO_TIMEOUT).then_some(true),
        spelling: Spelling::C,
    };
    WaitOptions { poll, on_status: None, cancel: token_of(options.cancel) }
}

/// `aether_wait_options` (NULL: defaults) as the core's post wait options.
pub(crate) fn post_wait_options(options: *const aether_wait_options) -> WaitOptions<Post> {
    wait_options(options)
}

/// A post and its per-target results, as the server returned it. Immutable: read it from any
/// thread. Free it with aether_post_free(); the strings and results its accessors return live
/// as long as it does.
pub struct aether_post {
    post: Post,
    // The C strings the accessors lend, each made on its first read (`Lent`).
    id: Lent,
    status: Lent,
    text: Lent,
    title: Lent,
    profile_ids: Lent<Vec<CString>>,
    media_keys: Lent<Vec<CString>>,
    scheduled_for: Lent,
    timezone: Lent,
    publish_at: Lent,
    schedule_resolution: Lent,
    created_at: Lent,
    updated_at: Lent,
    results: Lent<Vec<aether_target_result>>,
    error_code: Lent,
    error_message: Lent,
    /// The strings of `post.media` and `post.warnings` (`post_warning.rs`).
    extras: Lent<crate::post_warning::Extras>,
}

/// The outcome of a post on one target (one profile). Borrowed from its aether_post: valid
/// until the post is freed; never free it.
pub struct aether_target_result {
    result: TargetResult,
    profile_id: Lent,
    platform: Lent,
    status: Lent,
    platform_post_id: Lent,
    url: Lent,
    published_at: Lent,
    next_attempt_at: Lent,
    error_code: Lent,
    error_message: Lent,
}

impl aether_target_result {
    fn new(result: TargetResult) -> aether_target_result {
        aether_target_result {
            result,
            profile_id: Lent::default(),
            platform: Lent::default(),
            status: Lent::default(),
            platform_post_id: Lent::default(),
            url: Lent::default(),
            published_at: Lent::default(),
            next_attempt_at: Lent::default(),
            error_code: Lent::default(),
            error_message: Lent::default(),
        }
    }
}

impl aether_post {
    pub(crate) fn new(post: Post) -> aether_post {
        aether_post {
            post,
            id: Lent::default(),
            status: Lent::default(),
            text: Lent::default(),
            title: Lent::default(),
            profile_ids: Lent::default(),
            media_keys: Lent::default(),
            scheduled_for: Lent::default(),
            timezone: Lent::default(),
            publish_at: Lent::default(),
            schedule_resolution: Lent::default(),
            created_at: Lent::default(),
            updated_at: Lent::default(),
            results: Lent::default(),
            error_code: Lent::default(),
            error_message: Lent::default(),
            extras: Lent::default(),
        }
    }

    pub(crate) fn is_terminal(&self) -> bool {
        self.post.is_terminal()
    }

    /// The status string, borrowed from the post.
    pub(crate) fn status_ptr(&self) -> *const c_char {
        self.status.of(self.post.status.as_str()).as_ptr()
    }

    /// The strings of the post's media and warnings, made on the first read of any.
    pub(crate) fn extras(&self) -> &crate::post_warning::Extras {
        self.extras.get(|| crate::post_warning::Extras::new(&self.post))
    }

    fn results(&self) -> &[aether_target_result] {
        self.results
            .get(|| self.post.results.iter().cloned().map(aether_target_result::new).collect())
    }
}

fn strings(items: &[String]) -> Vec<CString> {
    items.iter().map(|s| cstring(s)).collect()
}

fn post_id_arg<'a>(post_id: *const c_char) -> Res<&'a str> {
    // SAFETY: a NUL-terminated string valid for the call.
    non_empty(unsafe { str_arg(post_id, "post_id") }?, "post_id")
}

/// The calls that take a post id and answer the post (get, cancel, retry): the arguments
/// checked the same way, the post written to `*out_post`.
fn answer_post<F, Fut>(
    client: *const aether_client,
    post_id: *const c_char,
    out_post: *mut *mut aether_post,
    error: *mut *mut aether_error,
    call: F,
) -> aether_status
where
    F: FnOnce(aether::posts::Posts, String) -> Fut,
    Fut: std::future::Future<Output = aether::Result<Post>>,
{
    boundary(error, || {
        let client = client_arg(client)?;
        let id = post_id_arg(post_id)?.to_owned();
        let out = out_arg(out_post, "out_post")?;
        let post = block_on(call(client.posts(), id))?;
        out.write(into_raw(aether_post::new(post)));
        Ok(())
    })
}

/// Reads a post (GET /v1/posts/{id}): its status and per-target results. Blocks until the
/// server answers. On success writes it to `*out_post`. Unknown id: AETHER_ERROR_NOT_FOUND.
#[no_mangle]
pub extern "C" fn aether_post_get(
    client: *const aether_client,
    post_id: *const c_char,
    out_post: *mut *mut aether_post,
    error: *mut *mut aether_error,
) -> aether_status {
    answer_post(client, post_id, out_post, error, |posts, id| async move { posts.get(&id).await })
}

/// Posts from aether_post_list_all(), newest first. Immutable: read it from any thread. Free
/// it with aether_post_list_free(), which also frees the posts it lends.
pub struct aether_post_list {
    posts: Vec<aether_post>,
}

/// Reads every post matching the filters (GET /v1/posts, following every page; newest
/// first): `status` ("draft", "scheduled", "publishing", ...; NULL: any), `profile_id` (NULL:
/// any), `page_size` (posts per request, 1-100; 0: the server's default, 20). Blocks until the
/// last page arrives. On success writes the list to `*out_list`.
#[no_mangle]
pub extern "C" fn aether_post_list_all(
    client: *const aether_client,
    status: *const c_char,
    profile_id: *const c_char,
    page_size: u32,
    out_list: *mut *mut aether_post_list,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let client = client_arg(client)?;
        // SAFETY: NULL or NUL-terminated strings valid for the call.
        let (status, profile_id) =
            unsafe { (opt_str_arg(status, "status")?, opt_str_arg(profile_id, "profile_id")?) };
        let out = out_arg(out_list, "out_list")?;
        let query = ListPostsQuery {
            status: status.map(PostStatus::parse),
            profile_id: profile_id.map(str::to_owned),
            limit: (page_size > 0).then_some(page_size),
            cursor: None,
        };
        let posts: Vec<Post> = block_on(client.posts().list(query).try_collect())?;
        let posts = posts.into_iter().map(aether_post::new).collect();
        out.write(into_raw(aether_post_list { posts }));
        Ok(())
    })
}

/// How many posts the list holds; 0 when `list` is NULL.
#[no_mangle]
pub extern "C" fn aether_post_list_count(list: *const aether_post_list) -> usize {
    field(list, 0, |l| l.posts.len())
}

/// The post at `index` (0-based), or NULL when out of range or `list` is NULL. Borrowed: valid
/// until the list is freed; never free it.
#[no_mangle]
pub extern "C" fn aether_post_list_at(
    list: *const aether_post_list,
    index: usize,
) -> *const aether_post {
    field(list, std::ptr::null(), |l| {
        l.posts.get(index).map_or(std::ptr::null(), |p| p as *const aether_post)
    })
}

/// Frees a post list and the posts it lends. NULL is ignored.
#[no_mangle]
pub extern "C" fn aether_post_list_free(list: *mut aether_post_list) {
    // SAFETY: NULL or a list from this library, not used afterwards.
    getter((), || unsafe { free_raw(list) })
}

/// Blocks until the post reaches a terminal status ("published", "partially_published",
/// "failed", "cancelled"), polling as `options` says (NULL: defaults), and writes that post
/// to `*out_post`. A post that *failed* is a success of the wait: look at its status and
/// results. Fails with AETHER_ERROR_TIMEOUT when the deadline passes (aether_error_to_json()'s
/// "details.post" is the last post seen), AETHER_ERROR_CANCELLED when `options->cancel` is
/// cancelled (from another thread), or with the error of a poll that retrying cannot fix
/// (e.g. AETHER_ERROR_NOT_FOUND); polls that fail transiently are retried until the
/// deadline. A draft never changes by itself: waiting on one ends in TIMEOUT.
#[no_mangle]
pub extern "C" fn aether_post_wait(
    client: *const aether_client,
    post_id: *const c_char,
    options: *const aether_wait_options,
    out_post: *mut *mut aether_post,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let client = client_arg(client)?;
        let id = post_id_arg(post_id)?;
        let out = out_arg(out_post, "out_post")?;
        let post = block_on(client.posts().wait(id, post_wait_options(options)))?;
        out.write(into_raw(aether_post::new(post)));
        Ok(())
    })
}

/// What aether_post_update() changes. Start from AETHER_POST_CHANGES_INIT (nothing changes),
/// then set what should. Strings are borrowed during the call.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct aether_post_changes {
    /// The new text; NULL: the content stays as it is. When set, the content is replaced by
    /// this text and `title`.
    pub text: *const c_char,
    /// The new title, used only with `text`; NULL: no title.
    pub title: *const c_char,
    /// The new publish time (same forms as aether_post_builder_set_schedule()); NULL: unchanged.
    pub scheduled_for: *const c_char,
    /// The IANA time zone of a local `scheduled_for`; NULL: unchanged.
    pub timezone: *const c_char,
    /// 0 releases a draft (scheduled, or publishing at once), 1 turns a scheduled post back
    /// into a draft, negative: unchanged.
    pub draft: i32,
}

/// Changes a draft or scheduled post (PATCH /v1/posts/{id}) as `changes` says and writes the
/// post to `*out_post`. A post already publishing or done: AETHER_ERROR_POST_NOT_EDITABLE. An
/// update whose answer was lost is retried; when the retry finds the post no longer editable
/// (releasing a draft starts publishing it), the post is read back and written if it shows
/// every change asked for.
#[no_mangle]
pub extern "C" fn aether_post_update(
    client: *const aether_client,
    post_id: *const c_char,
    changes: *const aether_post_changes,
    out_post: *mut *mut aether_post,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        let client = client_arg(client)?;
        let id = post_id_arg(post_id)?;
        // SAFETY: NULL or valid changes, by the header's conventions.
        let changes = unsafe { ref_arg(changes, "changes") }?;
        let out = out_arg(out_post, "out_post")?;
        // SAFETY: NULL or NUL-terminated strings valid for the call.
        let (text, title, scheduled_for, timezone) = unsafe {
            (
                opt_str_arg(changes.text, "changes->text")?,
                opt_str_arg(changes.title, "changes->title")?,
                opt_str_arg(changes.scheduled_for, "changes->scheduled_for")?,
                opt_str_arg(changes.timezone, "changes->timezone")?,
            )
        };
        let request = UpdatePostRequest {
            scheduled_for: scheduled_for.map(str::to_owned),
            timezone: timezone.map(str::to_owned),
            content: text
                .map(|text| PostContent { text: text.to_owned(), title: title.map(str::to_owned) }),
            draft: (changes.draft >= 0).then_some(changes.draft > 0),
        };
        let post = block_on(client.posts().update(id, &request))?;
        out.write(into_raw(aether_post::new(post)));
        Ok(())
    })
}

/// Cancels a draft or scheduled post (DELETE /v1/posts/{id}) and writes it, now "cancelled",
/// to `*out_post`. A post already publishing or done: AETHER_ERROR_POST_NOT_EDITABLE. A cancel
/// whose answer was lost is retried; when the retry finds the post already cancelled (by the
/// lost attempt), the post is read back and written as if the first answer had arrived.
#[no_mangle]
pub extern "C" fn aether_post_cancel(
    client: *const aether_client,
    post_id: *const c_char,
    out_post: *mut *mut aether_post,
    error: *mut *mut aether_error,
) -> aether_status {
    answer_post(
        client,
        post_id,
        out_post,
        error,
        |posts, id| async move { posts.cancel(&id).await },
    )
}

/// Publishes the failed targets of a "failed" or "partially_published" post again, and only
/// those (POST /v1/posts/{id}/retry; a target that published is never sent again), and writes
/// the post, "publishing" again, to `*out_post`; follow it with aether_post_wait(). Any other
/// status (a retry still publishing included): AETHER_ERROR_POST_NOT_RETRYABLE, whose details
/// carry the post's "status". A failed target that cannot start is refused with the codes of a
/// create (AETHER_ERROR_PROFILE_DISCONNECTED, AETHER_ERROR_POST_LIMIT_REACHED, ...).
#[no_mangle]
pub extern "C" fn aether_post_retry(
    client: *const aether_client,
    post_id: *const c_char,
    out_post: *mut *mut aether_post,
    error: *mut *mut aether_error,
) -> aether_status {
    answer_post(client, post_id, out_post, error, |posts, id| async move { posts.retry(&id).await })
}

/// Copies a post, e.g. to keep the one an aether_post_event lends beyond its callback. On
/// success writes the copy to `*out_post`; free it with aether_post_free().
#[no_mangle]
pub extern "C" fn aether_post_clone(
    post: *const aether_post,
    out_post: *mut *mut aether_post,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        // SAFETY: NULL or a live post.
        let post = unsafe { ref_arg(post, "post") }?;
        let out = out_arg(out_post, "out_post")?;
        out.write(into_raw(aether_post::new(post.post.clone())));
        Ok(())
    })
}

/// Frees a post. NULL is ignored. Never pass the post an aether_post_event lends.
#[no_mangle]
pub extern "C" fn aether_post_free(post: *mut aether_post) {
    // SAFETY: NULL or a post from this library, not used afterwards.
    getter((), || unsafe { free_raw(post) })
}

/// The post's id ("post_..."). Borrowed: valid until the post is freed; NULL if `post` is NULL.
#[no_mangle]
pub extern "C" fn aether_post_id(post: *const aether_post) -> *const c_char {
    borrowed_str(post, |p| Some(p.id.of(&p.post.id)))
}

/// Where the post stands: "draft", "scheduled", "publishing", "published",
/// "partially_published", "failed" or "cancelled" (or a newer value). Borrowed like
/// aether_post_id().
#[no_mangle]
pub extern "C" fn aether_post_status(post: *const aether_post) -> *const c_char {
    borrowed_str(post, |p| Some(p.status.of(p.post.status.as_str())))
}

/// Whether the post can no longer change ("published", "partially_published", "failed",
/// "cancelled"). False when `post` is NULL.
#[no_mangle]
pub extern "C" fn aether_post_is_terminal(post: *const aether_post) -> bool {
    field(post, false, |p| p.is_terminal())
}

/// The post's text (caption). Borrowed like aether_post_id().
#[no_mangle]
pub extern "C" fn aether_post_text(post: *const aether_post) -> *const c_char {
    borrowed_str(post, |p| Some(p.text.of(&p.post.content.text)))
}

/// The post's title (YouTube, Reddit), or NULL. Borrowed like aether_post_id().
#[no_mangle]
pub extern "C" fn aether_post_title(post: *const aether_post) -> *const c_char {
    borrowed_str(post, |p| p.post.content.title.as_deref().map(|t| p.title.of(t)))
}

/// How many profiles the post targets; 0 when `post` is NULL.
#[no_mangle]
pub extern "C" fn aether_post_profile_id_count(post: *const aether_post) -> usize {
    field(post, 0, |p| p.post.profile_ids.len())
}

/// The target profile id at `index` (0-based), or NULL when out of range. Borrowed like
/// aether_post_id().
#[no_mangle]
pub extern "C" fn aether_post_profile_id(post: *const aether_post, index: usize) -> *const c_char {
    borrowed_str(post, |p| {
        p.profile_ids.get(|| strings(&p.post.profile_ids)).get(index).map(CString::as_c_str)
    })
}

/// How many media keys the post has; 0 when `post` is NULL.
#[no_mangle]
pub extern "C" fn aether_post_media_key_count(post: *const aether_post) -> usize {
    field(post, 0, |p| p.post.media_keys.len())
}

/// The media key at `index` (0-based), or NULL when out of range. Borrowed like
/// aether_post_id().
#[no_mangle]
pub extern "C" fn aether_post_media_key(post: *const aether_post, index: usize) -> *const c_char {
    borrowed_str(post, |p| {
        p.media_keys.get(|| strings(&p.post.media_keys)).get(index).map(CString::as_c_str)
    })
}

/// The per-platform options as a JSON object, e.g. {"tiktok":{"privacyLevel":"SELF_ONLY"}}.
/// On success writes an owned string to `*out_json`: free it with aether_string_free().
#[no_mangle]
pub extern "C" fn aether_post_platforms_json(
    post: *const aether_post,
    out_json: *mut *mut c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        // SAFETY: NULL or a live post.
        let post = unsafe { ref_arg(post, "post") }?;
        write_json(&post.post.platforms, out_json)
    })
}

/// The publish time as given (an instant, or a local date-time with a time zone), or NULL
/// when the post was not scheduled. Borrowed like aether_post_id().
#[no_mangle]
pub extern "C" fn aether_post_scheduled_for(post: *const aether_post) -> *const c_char {
    borrowed_str(post, |p| p.post.scheduled_for.as_deref().map(|t| p.scheduled_for.of(t)))
}

/// The IANA time zone given with a local schedule, or NULL. Borrowed like aether_post_id().
#[no_mangle]
pub extern "C" fn aether_post_timezone(post: *const aether_post) -> *const c_char {
    borrowed_str(post, |p| p.post.timezone.as_deref().map(|t| p.timezone.of(t)))
}

/// The UTC instant publishing starts (RFC 3339), or NULL. Borrowed like aether_post_id().
#[no_mangle]
pub extern "C" fn aether_post_publish_at(post: *const aether_post) -> *const c_char {
    borrowed_str(post, |p| p.post.publish_at.as_deref().map(|t| p.publish_at.of(t)))
}

/// How a local schedule in a DST gap or overlap was resolved ("shifted_forward",
/// "earlier_instant"), or NULL. Borrowed like aether_post_id().
#[no_mangle]
pub extern "C" fn aether_post_schedule_resolution(post: *const aether_post) -> *const c_char {
    borrowed_str(post, |p| {
        p.post.schedule_resolution.as_ref().map(|r| p.schedule_resolution.of(r.as_str()))
    })
}

/// When the post was created (RFC 3339, UTC). Borrowed like aether_post_id().
#[no_mangle]
pub extern "C" fn aether_post_created_at(post: *const aether_post) -> *const c_char {
    borrowed_str(post, |p| Some(p.created_at.of(&p.post.created_at)))
}

/// When the post last changed (RFC 3339, UTC). Borrowed like aether_post_id().
#[no_mangle]
pub extern "C" fn aether_post_updated_at(post: *const aether_post) -> *const c_char {
    borrowed_str(post, |p| Some(p.updated_at.of(&p.post.updated_at)))
}

/// The code of the error the whole post failed with (e.g. "POST_LIMIT_REACHED"), or NULL.
/// Borrowed like aether_post_id().
#[no_mangle]
pub extern "C" fn aether_post_error_code(post: *const aether_post) -> *const c_char {
    borrowed_str(post, |p| p.post.error.as_ref().map(|e| p.error_code.of(e.code.as_str())))
}

/// The message of the error the whole post failed with, or NULL. Borrowed like
/// aether_post_id().
#[no_mangle]
pub extern "C" fn aether_post_error_message(post: *const aether_post) -> *const c_char {
    borrowed_str(post, |p| p.post.error.as_ref().map(|e| p.error_message.of(&e.message)))
}

/// How many target results the post has (one per target profile); 0 when `post` is NULL.
#[no_mangle]
pub extern "C" fn aether_post_result_count(post: *const aether_post) -> usize {
    field(post, 0, |p| p.post.results.len())
}

/// The target result at `index` (0-based), or NULL when out of range. Borrowed: valid until
/// the post is freed; never free it.
#[no_mangle]
pub extern "C" fn aether_post_result(
    post: *const aether_post,
    index: usize,
) -> *const aether_target_result {
    field(post, std::ptr::null(), |p| {
        p.results().get(index).map_or(std::ptr::null(), |r| r as *const aether_target_result)
    })
}

/// The whole post as JSON (the API's camelCase form). On success writes an owned string to
/// `*out_json`: free it with aether_string_free().
#[no_mangle]
pub extern "C" fn aether_post_to_json(
    post: *const aether_post,
    out_json: *mut *mut c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        // SAFETY: NULL or a live post.
        let post = unsafe { ref_arg(post, "post") }?;
        write_json(&post.post, out_json)
    })
}

/// The target profile's id. Borrowed from the post; NULL if `result` is NULL.
#[no_mangle]
pub extern "C" fn aether_target_result_profile_id(
    result: *const aether_target_result,
) -> *const c_char {
    borrowed_str(result, |r| Some(r.profile_id.of(&r.result.profile_id)))
}

/// The target profile's platform, e.g. "tiktok". Borrowed from the post.
#[no_mangle]
pub extern "C" fn aether_target_result_platform(
    result: *const aether_target_result,
) -> *const c_char {
    borrowed_str(result, |r| Some(r.platform.of(r.result.platform.as_str())))
}

/// Where this target stands: "pending", "scheduled", "publishing", "published", "failed" or
/// "cancelled" (or a newer value). Borrowed from the post.
#[no_mangle]
pub extern "C" fn aether_target_result_status(
    result: *const aether_target_result,
) -> *const c_char {
    borrowed_str(result, |r| Some(r.status.of(r.result.status.as_str())))
}

/// The platform's id of the published post, or NULL. Borrowed from the post.
#[no_mangle]
pub extern "C" fn aether_target_result_platform_post_id(
    result: *const aether_target_result,
) -> *const c_char {
    borrowed_str(result, |r| r.result.platform_post_id.as_deref().map(|t| r.platform_post_id.of(t)))
}

/// The public URL of the published post, or NULL. Borrowed from the post.
#[no_mangle]
pub extern "C" fn aether_target_result_url(result: *const aether_target_result) -> *const c_char {
    borrowed_str(result, |r| r.result.url.as_deref().map(|t| r.url.of(t)))
}

/// When this target was published (RFC 3339, UTC), or NULL. Borrowed from the post.
#[no_mangle]
pub extern "C" fn aether_target_result_published_at(
    result: *const aether_target_result,
) -> *const c_char {
    borrowed_str(result, |r| r.result.published_at.as_deref().map(|t| r.published_at.of(t)))
}

/// Publish attempts made so far, the one under way included: 0 before publishing starts, 1 on
/// the first, at most 6 (the server retries a transient platform failure up to 5 times); 0
/// when `result` is NULL.
#[no_mangle]
pub extern "C" fn aether_target_result_attempts(result: *const aether_target_result) -> u32 {
    field(result, 0, |r| r.result.attempts)
}

/// When the server's next attempt is due (RFC 3339, UTC) while a transient failure waits for
/// its retry, or NULL when none is. Borrowed from the post.
#[no_mangle]
pub extern "C" fn aether_target_result_next_attempt_at(
    result: *const aether_target_result,
) -> *const c_char {
    borrowed_str(result, |r| r.result.next_attempt_at.as_deref().map(|t| r.next_attempt_at.of(t)))
}

/// Why this target failed: the code (e.g. "VIDEO_TOO_SHORT"), or NULL. Borrowed from the post.
#[no_mangle]
pub extern "C" fn aether_target_result_error_code(
    result: *const aether_target_result,
) -> *const c_char {
    borrowed_str(result, |r| r.result.error.as_ref().map(|e| r.error_code.of(e.code.as_str())))
}

/// Why this target failed: the message, or NULL. Borrowed from the post.
#[no_mangle]
pub extern "C" fn aether_target_result_error_message(
    result: *const aether_target_result,
) -> *const c_char {
    borrowed_str(result, |r| r.result.error.as_ref().map(|e| r.error_message.of(&e.message)))
}

/// The target result as JSON (camelCase, with "error.details" when the platform gave some).
/// On success writes an owned string to `*out_json`: free it with aether_string_free().
#[no_mangle]
pub extern "C" fn aether_target_result_to_json(
    result: *const aether_target_result,
    out_json: *mut *mut c_char,
    error: *mut *mut aether_error,
) -> aether_status {
    boundary(error, || {
        // SAFETY: NULL or a live result.
        let result = unsafe { ref_arg(result, "result") }?;
        write_json(&result.result, out_json)
    })
}
