//! `posts_*`: create, read, update, cancel, retry, list, bulk-create from a CSV, and wait for or watch
//! a post's publishing.

use std::path::PathBuf;

use aether::model::{CreatePostRequest, ListPostsQuery, PostStatus, UpdatePostRequest};
use aether::posts::{BulkSource, WaitOptions};
use aether::CancellationToken;
use pyo3::prelude::*;

use crate::call::{json, Call, Extras, Pager};
use crate::client::{body, poll_options, PyClient};

#[pymethods]
impl PyClient {
    #[pyo3(signature = (request, idempotency_key=None))]
    fn posts_create(
        &self,
        py: Python<'_>,
        request: &Bound<'_, PyAny>,
        idempotency_key: Option<String>,
    ) -> PyResult<Call> {
        // Unknown keys in nested dicts (a media entry, platform options) are refused by the
        // core with the nearest known name; top-level keywords are Python's own.
        let request = CreatePostRequest::from_json(crate::convert::from_py(request)?)
            .map_err(|error| crate::errors::to_pyerr(py, &error))?;
        let mut options = self.options.clone();
        if let Some(key) = idempotency_key {
            options = options.idempotency_key(key);
        }
        let posts = self.client.posts().with_options(options);
        Ok(Call::new(async move { json(&posts.create(&request).await?) }))
    }

    /// `path` (a CSV file) or `rows` (a list of camelCase row dicts the core writes as CSV).
    #[pyo3(signature = (path=None, rows=None, dry_run=false, idempotency_key=None))]
    fn posts_bulk(
        &self,
        py: Python<'_>,
        path: Option<PathBuf>,
        rows: Option<&Bound<'_, PyAny>>,
        dry_run: bool,
        idempotency_key: Option<String>,
    ) -> PyResult<Call> {
        let source = match (path, rows) {
            (Some(path), None) => BulkSource::File(path),
            (None, Some(rows)) => BulkSource::Rows(body(py, rows, "bulk rows")?),
            _ => {
                return Err(crate::errors::invalid_argument(
                    py,
                    "posts.bulk takes a CSV file path or a list of rows".to_owned(),
                ))
            }
        };
        let mut options = self.options.clone();
        if let Some(key) = idempotency_key {
            options = options.idempotency_key(key);
        }
        let posts = self.client.posts().with_options(options);
        Ok(Call::new(async move { json(&posts.bulk(source, dry_run).await?) }))
    }

    fn posts_get(&self, id: String) -> Call {
        let posts = self.client.posts().with_options(self.options.clone());
        Call::new(async move { json(&posts.get(&id).await?) })
    }

    fn posts_update(
        &self,
        py: Python<'_>,
        id: String,
        request: &Bound<'_, PyAny>,
    ) -> PyResult<Call> {
        let request: UpdatePostRequest = body(py, request, "post update")?;
        let posts = self.client.posts().with_options(self.options.clone());
        Ok(Call::new(async move { json(&posts.update(&id, &request).await?) }))
    }

    fn posts_cancel(&self, id: String) -> Call {
        let posts = self.client.posts().with_options(self.options.clone());
        Call::new(async move { json(&posts.cancel(&id).await?) })
    }

    fn posts_retry(&self, id: String) -> Call {
        let posts = self.client.posts().with_options(self.options.clone());
        Call::new(async move { json(&posts.retry(&id).await?) })
    }

    #[pyo3(signature = (status=None, profile_id=None, limit=None))]
    fn posts_list(
        &self,
        status: Option<String>,
        profile_id: Option<String>,
        limit: Option<u32>,
    ) -> Pager {
        let query = ListPostsQuery {
            status: status.as_deref().map(PostStatus::parse),
            profile_id,
            limit,
            cursor: None,
        };
        Pager::new(self.client.posts().with_options(self.options.clone()).list(query))
    }

    #[pyo3(signature = (id, timeout=None, poll_interval=None, max_poll_interval=None))]
    fn posts_wait(
        &self,
        id: String,
        timeout: Option<f64>,
        poll_interval: Option<f64>,
        max_poll_interval: Option<f64>,
    ) -> PyResult<Call> {
        let cancel = CancellationToken::new();
        let options = WaitOptions::from(poll_options(timeout, poll_interval, max_poll_interval))
            .cancel_token(cancel.clone());
        let posts = self.client.posts().with_options(self.options.clone());
        let future = Box::pin(async move { json(&posts.wait(&id, options).await?) });
        Ok(Call::with(future, cancel, Extras { cancels_itself: true, ..Extras::default() }))
    }

    #[pyo3(signature = (id, timeout=None, poll_interval=None, max_poll_interval=None))]
    fn posts_watch(
        &self,
        id: String,
        timeout: Option<f64>,
        poll_interval: Option<f64>,
        max_poll_interval: Option<f64>,
    ) -> PyResult<Pager> {
        let options = WaitOptions::from(poll_options(timeout, poll_interval, max_poll_interval));
        Ok(Pager::new(self.client.posts().with_options(self.options.clone()).watch(&id, options)))
    }
}
