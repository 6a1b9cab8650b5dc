//! Media by URL for posts: the seam between `POST /v1/posts` (`mediaUrls`, `media[].url`) and
//! the ingest machinery of `POST /v1/media/ingest`, which lands separately (branch `ingest`).
//!
//! STUB until that branch is merged: [`ingest_for_post`] refuses URL media with a clear 400
//! naming the field. At merge, its body becomes one call of the ingest's `start_ingest` with
//! `IngestMediaRequest { url, mime_type: None, file_name: None }` and the post's field names.

use aether::model::Media;
use aether::probe::MediaKind;

use crate::api_error::{ApiError, ApiResult};
use crate::state::SharedState;

/// Starts ingesting `url` for a post's media item at `field` (`mediaUrls[0]`, `media[1]`)
/// and returns the new media (in `processing`, with its key). `kind` is the entry's declared
/// `type`, if any. Call it without holding the store lock.
pub fn ingest_for_post(
    _state: &SharedState,
    url: &str,
    _kind: Option<MediaKind>,
    field: &str,
) -> ApiResult<Media> {
    let _ = url;
    Err(ApiError::invalid(
        field,
        format!(
            "{field}: media by URL is not available in this emulator build yet (the ingest \
             service is not connected); upload the file and use mediaKeys"
        ),
    ))
}
