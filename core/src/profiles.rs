//! Profiles: the connected social accounts that posts are published to.

use futures_util::Stream;

use crate::error::Result;
use crate::model::{ListQuery, Page, Profile};
use crate::transport::{item_path, paginate, ApiRequest, RequestOptions, Transport};

/// `client.profiles()`.
#[derive(Debug, Clone)]
pub struct Profiles {
    transport: Transport,
    options: RequestOptions,
}

impl Profiles {
    pub(crate) fn new(transport: Transport) -> Profiles {
        Profiles { transport, options: RequestOptions::default() }
    }

    /// The same resource with these per-call options.
    pub fn with_options(mut self, options: RequestOptions) -> Profiles {
        self.options = options;
        self
    }

    /// `GET /v1/profiles/{id}`. Unknown id: `NOT_FOUND`.
    pub async fn get(&self, id: &str) -> Result<Profile> {
        let path = item_path("/v1/profiles", "profile", id)?;
        let request = ApiRequest::get(path).options(self.options.clone());
        Ok(self.transport.send_json(request).await?.data)
    }

    /// `DELETE /v1/profiles/{id}`: disconnects the account and returns the profile, now
    /// `disconnected`. Disconnecting twice is not an error.
    pub async fn disconnect(&self, id: &str) -> Result<Profile> {
        let path = item_path("/v1/profiles", "profile", id)?;
        let request = ApiRequest::delete(path).options(self.options.clone());
        Ok(self.transport.send_json(request).await?.data)
    }

    /// Every profile, newest first, fetched page by page as the stream is read. An error is
    /// yielded once and ends the stream.
    pub fn list(&self) -> impl Stream<Item = Result<Profile>> + Send + 'static {
        paginate(self.transport.clone(), "/v1/profiles", Vec::new(), self.options.clone())
    }

    /// One page of `GET /v1/profiles`, for callers that keep the cursor themselves.
    pub async fn list_page(&self, query: &ListQuery) -> Result<Page<Profile>> {
        let mut request = ApiRequest::get("/v1/profiles").options(self.options.clone());
        if let Some(limit) = query.limit {
            request = request.query("limit", limit.to_string());
        }
        if let Some(cursor) = &query.cursor {
            request = request.query("cursor", cursor.clone());
        }
        Ok(self.transport.send_json(request).await?.data)
    }
}
