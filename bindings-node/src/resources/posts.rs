//! `posts.*`: create, read, list, edit, cancel, wait for and watch posts.

use std::sync::Arc;

use aether::model::{CreatePostRequest, ListPostsQuery, UpdatePostRequest};
use aether::posts::WaitOptions;
use napi::bindgen_prelude::PromiseRaw;
use napi::threadsafe_function::ThreadsafeFunctionCallMode;
use napi::Env;
use napi_derive::napi;

use crate::cancel::{cancellable, CancelToken};
use crate::client::{flush, request_options, token, wait_options, JsonCallback, NativeClient};
use crate::cursor::Cursor;
use crate::error::IntoNapi;
use crate::json::{parse, text};

#[napi]
impl NativeClient {
    #[napi]
    pub fn posts_create<'env>(
        &self,
        env: &'env Env,
        body: String,
        options: Option<String>,
        cancel: Option<&CancelToken>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let body: CreatePostRequest = parse("post", &body)?;
        let posts = self.client().posts().with_options(request_options(options)?);
        let cancel = token(cancel);
        env.spawn_future(async move {
            let post = cancellable(cancel, "the request", posts.create(&body)).await.into_napi()?;
            text(&post)
        })
    }

    #[napi]
    pub fn posts_get<'env>(
        &self,
        env: &'env Env,
        id: String,
        options: Option<String>,
        cancel: Option<&CancelToken>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let posts = self.client().posts().with_options(request_options(options)?);
        let cancel = token(cancel);
        env.spawn_future(async move {
            let post = cancellable(cancel, "the request", posts.get(&id)).await.into_napi()?;
            text(&post)
        })
    }

    #[napi]
    pub fn posts_update<'env>(
        &self,
        env: &'env Env,
        id: String,
        body: String,
        options: Option<String>,
        cancel: Option<&CancelToken>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let body: UpdatePostRequest = parse("post update", &body)?;
        let posts = self.client().posts().with_options(request_options(options)?);
        let cancel = token(cancel);
        env.spawn_future(async move {
            let post =
                cancellable(cancel, "the request", posts.update(&id, &body)).await.into_napi()?;
            text(&post)
        })
    }

    #[napi]
    pub fn posts_cancel<'env>(
        &self,
        env: &'env Env,
        id: String,
        options: Option<String>,
        cancel: Option<&CancelToken>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let posts = self.client().posts().with_options(request_options(options)?);
        let cancel = token(cancel);
        env.spawn_future(async move {
            let post = cancellable(cancel, "the request", posts.cancel(&id)).await.into_napi()?;
            text(&post)
        })
    }

    /// Every post matching the query (`status`, `profileId`, `limit` = page size, `cursor`).
    #[napi]
    pub fn posts_list(&self, query: String, options: Option<String>) -> napi::Result<Cursor> {
        let query: ListPostsQuery = parse("post list query", &query)?;
        let posts = self.client().posts().with_options(request_options(options)?);
        Ok(Cursor::new(posts.list(query)))
    }

    /// Polls until a terminal status; `on_status` gets every distinct status as JSON.
    #[napi]
    pub fn posts_wait<'env>(
        &self,
        env: &'env Env,
        id: String,
        wait: String,
        on_status: Option<JsonCallback>,
        cancel: Option<&CancelToken>,
        options: Option<String>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let mut wait: WaitOptions = wait_options(&wait)?;
        if let Some(token) = token(cancel) {
            wait = wait.cancel_token(token);
        }
        let on_status = on_status.map(Arc::new);
        if let Some(callback) = on_status.clone() {
            wait = wait.on_status(move |post| {
                if let Ok(json) = serde_json::to_string(post) {
                    callback.call(Some(json), ThreadsafeFunctionCallMode::NonBlocking);
                }
            });
        }
        let posts = self.client().posts().with_options(request_options(options)?);
        env.spawn_future(async move {
            let post = posts.wait(&id, wait).await;
            if let Some(callback) = on_status {
                flush(&callback, None).await;
            }
            text(&post.into_napi()?)
        })
    }

    /// The post each time its status changes, ending after a terminal one.
    #[napi]
    pub fn posts_watch(
        &self,
        id: String,
        wait: String,
        cancel: Option<&CancelToken>,
        options: Option<String>,
    ) -> napi::Result<Cursor> {
        let mut wait: WaitOptions = wait_options(&wait)?;
        if let Some(token) = token(cancel) {
            wait = wait.cancel_token(token);
        }
        let posts = self.client().posts().with_options(request_options(options)?);
        Ok(Cursor::new(posts.watch(&id, wait)))
    }
}
