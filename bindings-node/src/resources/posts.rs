//! `posts.*`: create, read, list, edit, cancel, retry, bulk-create from a CSV, wait for and watch posts.

use std::sync::Arc;

use aether::model::{BulkRow, CreatePostRequest, ListPostsQuery, UpdatePostRequest};
use aether::posts::{BulkSource, WaitOptions};
use aether::Client;
use napi::bindgen_prelude::PromiseRaw;
use napi::threadsafe_function::ThreadsafeFunctionCallMode;
use napi::Env;
use napi_derive::napi;

use crate::cancel::CancelToken;
use crate::client::{flush, spawn, token, wait_options, JsonCallback, NativeClient};
use crate::cursor::Cursor;
use crate::error::IntoNapi;
use crate::json::{parse, text};
use crate::operations;

operations! {
    fn posts_create(body: String)
        // Unknown keys (a typo such as `platfroms`) are refused by the core, naming the nearest.
        let body: CreatePostRequest = CreatePostRequest::from_json(parse("posts.create params", &body)?)
            .map_err(crate::error::to_napi)?;
        => Client::posts, |posts| posts.create(&body);
    fn posts_get(id: String) => Client::posts, |posts| posts.get(&id);
    fn posts_update(id: String, body: String)
        let body: UpdatePostRequest = parse("post update", &body)?;
        => Client::posts, |posts| posts.update(&id, &body);
    fn posts_cancel(id: String) => Client::posts, |posts| posts.cancel(&id);
    fn posts_retry(id: String) => Client::posts, |posts| posts.retry(&id);
    /// A CSV file by its path.
    fn posts_bulk_file(path: String, dry_run: bool)
        let source: BulkSource = BulkSource::File(path.into());
        => Client::posts, |posts| posts.bulk(source, dry_run);
    /// Rows (a JSON array of row objects) that the core writes as CSV.
    fn posts_bulk_rows(rows: String, dry_run: bool)
        let rows: Vec<BulkRow> = parse("bulk rows", &rows)?;
        => Client::posts, |posts| posts.bulk(rows, dry_run);
}

#[napi]
impl NativeClient {
    /// Every post matching the query (`status`, `profileId`, `limit` = page size, `cursor`).
    #[napi]
    pub fn posts_list(&self, query: String, options: Option<String>) -> napi::Result<Cursor> {
        let query: ListPostsQuery = parse("post list query", &query)?;
        self.pages(options, Client::posts, |posts| posts.list(query))
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
        let posts = self.resource(Client::posts, options)?;
        spawn(env, async move {
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
        self.pages(options, Client::posts, |posts| posts.watch(&id, wait))
    }
}
