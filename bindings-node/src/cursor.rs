//! `Cursor`: a core stream (a paginated list, a post being watched) read one item at a time
//! from JavaScript, which wraps it as an async iterator. `close()` (the iterator's `return`)
//! drops the stream, which stops its requests.

use std::pin::Pin;
use std::sync::Arc;

use futures_util::{Stream, StreamExt};
use napi::bindgen_prelude::PromiseRaw;
use napi::Env;
use napi_derive::napi;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use crate::error::to_napi;

type Items = Pin<Box<dyn Stream<Item = aether::Result<String>> + Send>>;

#[napi]
pub struct Cursor {
    items: Arc<tokio::sync::Mutex<Option<Items>>>,
    closed: CancellationToken,
}

impl std::fmt::Debug for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cursor")
            .field("closed", &self.closed.is_cancelled())
            .finish_non_exhaustive()
    }
}

impl Cursor {
    pub fn new<T, S>(stream: S) -> Cursor
    where
        T: Serialize,
        S: Stream<Item = aether::Result<T>> + Send + 'static,
    {
        let items = stream.map(|item| {
            item.and_then(|value| {
                serde_json::to_string(&value).map_err(|e| {
                    aether::Error::protocol(format!("could not serialize a result: {e}"))
                })
            })
        });
        Cursor {
            items: Arc::new(tokio::sync::Mutex::new(Some(Box::pin(items)))),
            closed: CancellationToken::new(),
        }
    }
}

#[napi]
impl Cursor {
    /// The next item as JSON, or null at the end; an error rejects once and ends the cursor.
    #[napi]
    pub fn next<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, Option<String>>> {
        let items = self.items.clone();
        let closed = self.closed.clone();
        env.spawn_future(async move {
            let mut slot = items.lock().await;
            let Some(stream) = slot.as_mut() else { return Ok(None) };
            let item = tokio::select! {
                biased;
                _ = closed.cancelled() => None,
                item = stream.next() => item,
            };
            match item {
                Some(Ok(json)) => Ok(Some(json)),
                Some(Err(error)) => {
                    *slot = None;
                    Err(to_napi(error))
                }
                None => {
                    *slot = None;
                    Ok(None)
                }
            }
        })
    }

    /// Ends the cursor: a pending `next` resolves with null and the stream is dropped.
    #[napi]
    pub fn close(&self) {
        self.closed.cancel();
        if let Ok(mut slot) = self.items.try_lock() {
            *slot = None;
        }
    }
}
