//! Helpers for the resources: item paths and cursor pagination.

use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

use super::request::{push_segment, ApiRequest, RequestOptions};
use super::Transport;

/// `collection/{id}` with the id percent-encoded; an empty id is `INVALID_ARGUMENT` (it would
/// otherwise address the collection itself), and so are `.` and `..`, which a URL resolves as
/// "this" and "the parent" path (`/v1/posts/..` is `/v1/`) whether encoded or not.
pub(crate) fn item_path(collection: &str, kind: &str, id: &str) -> Result<String> {
    if id.is_empty() {
        return Err(Error::invalid_argument(format!("the {kind} id is empty")));
    }
    if id == "." || id == ".." {
        return Err(Error::invalid_argument(format!(
            "the {kind} id {id:?} is not an id: \".\" and \"..\" would address another path"
        )));
    }
    let mut path = String::with_capacity(collection.len() + 1 + id.len());
    path.push_str(collection);
    path.push('/');
    push_segment(&mut path, id);
    Ok(path)
}

/// Every item of a list endpoint, page after page, following `nextCursor`: a stream that asks
/// for the next page only when the current one has been consumed. A `cursor` in `query` is
/// where the first page starts. An error ends the stream after it is yielded.
pub(crate) fn paginate<T>(
    transport: Transport,
    path: impl Into<String>,
    mut query: Vec<(String, String)>,
    options: RequestOptions,
) -> impl futures_util::Stream<Item = Result<T>> + Send + 'static
where
    T: DeserializeOwned + Send + 'static,
{
    struct State<T> {
        transport: Transport,
        path: String,
        query: Vec<(String, String)>,
        options: RequestOptions,
        items: std::collections::VecDeque<T>,
        cursor: Option<String>,
        done: bool,
    }
    let cursor = query.iter().position(|(name, _)| name == "cursor").map(|i| query.remove(i).1);
    let state = State {
        transport,
        path: path.into(),
        query,
        options,
        items: std::collections::VecDeque::new(),
        cursor,
        done: false,
    };
    futures_util::stream::unfold(state, move |mut state| async move {
        loop {
            if let Some(item) = state.items.pop_front() {
                return Some((Ok(item), state));
            }
            if state.done {
                return None;
            }
            let mut request = ApiRequest::get(state.path.clone()).options(state.options.clone());
            for (name, value) in &state.query {
                request = request.query(name.clone(), value.clone());
            }
            if let Some(cursor) = &state.cursor {
                request = request.query("cursor", cursor.clone());
            }
            match state.transport.send_json::<crate::model::Page<T>>(request).await {
                Ok(response) => {
                    let page = response.data;
                    match page.next_cursor {
                        Some(next) if state.cursor.as_deref() == Some(next.as_str()) => {
                            state.done = true;
                            let error = Error::protocol(format!(
                                "GET {}: the server returned the same cursor twice",
                                state.path
                            ));
                            return Some((Err(error), state));
                        }
                        Some(next) => state.cursor = Some(next),
                        None => state.done = true,
                    }
                    state.items.extend(page.data);
                }
                Err(error) => {
                    state.done = true;
                    return Some((Err(error), state));
                }
            }
        }
    })
}
