//! Profiles: the connected social accounts that posts are published to, and what each may
//! post ([`Profiles::capabilities`]), which the SDK's preflight reads through a short-lived
//! per-client cache ([`CAPABILITIES_TTL`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::Stream;

use crate::error::{ErrorCode, Result};
use crate::model::{ListQuery, Page, Profile, ProfileCapabilities};
use crate::transport::{item_path, paginate, with_response, ApiRequest, RequestOptions, Transport};

/// How long a client reuses an account's capabilities in its preflight before asking again:
/// long enough that a burst of posts to one account costs one request, short enough that a
/// creator's changed settings are seen within a minute (the server checks every post anyway).
pub const CAPABILITIES_TTL: Duration = Duration::from_secs(60);

/// The capabilities a client fetched, per profile id, for [`CAPABILITIES_TTL`]. Shared by a
/// client's clones (an `Arc` inside).
#[derive(Debug, Clone, Default)]
pub(crate) struct CapabilitiesCache {
    entries: Arc<Mutex<HashMap<String, (Instant, ProfileCapabilities)>>>,
}

impl CapabilitiesCache {
    fn get(&self, id: &str) -> Option<ProfileCapabilities> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (at, caps) = entries.get(id)?;
        (at.elapsed() < CAPABILITIES_TTL).then(|| caps.clone())
    }

    fn put(&self, caps: &ProfileCapabilities) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|_, (at, _)| at.elapsed() < CAPABILITIES_TTL);
        entries.insert(caps.profile_id.clone(), (Instant::now(), caps.clone()));
    }
}

/// `client.profiles()`.
#[derive(Debug, Clone)]
pub struct Profiles {
    transport: Transport,
    options: RequestOptions,
    cache: CapabilitiesCache,
}

impl Profiles {
    pub(crate) fn new(transport: Transport, cache: CapabilitiesCache) -> Profiles {
        Profiles { transport, options: RequestOptions::default(), cache }
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

    /// `GET /v1/profiles/{id}/capabilities`: what the account may post now (TikTok's creator
    /// info: privacy levels, longest video, comment/duet/stitch switches; the daily quota).
    /// Always asks the server, and refreshes the client's preflight cache. Unknown id:
    /// `NOT_FOUND`.
    pub async fn capabilities(&self, id: &str) -> Result<ProfileCapabilities> {
        let path = format!("{}/capabilities", item_path("/v1/profiles", "profile", id)?);
        let request = ApiRequest::get(path).options(self.options.clone());
        let caps: ProfileCapabilities = self.transport.send_json(request).await?.data;
        self.cache.put(&caps);
        Ok(caps)
    }

    /// The capabilities of each `(field, profile id)` for a preflight: from the cache when
    /// fetched less than [`CAPABILITIES_TTL`] ago, else asked once. An unknown profile is
    /// `NOT_FOUND` naming `field` (the post or upload could not succeed). Any other failure
    /// (network, timeout, 5xx, rate limit) skips that profile's check with a warning rather
    /// than failing the call: the server checks the same capabilities when the post is made.
    pub(crate) async fn for_preflight(
        &self,
        targets: &[(String, String)],
    ) -> Result<Vec<ProfileCapabilities>> {
        let mut found = Vec::new();
        for (field, id) in targets {
            if let Some(caps) = self.cache.get(id) {
                found.push(caps);
                continue;
            }
            match self.capabilities(id).await {
                Ok(caps) => found.push(caps),
                Err(error)
                    if matches!(error.code(), ErrorCode::NotFound | ErrorCode::InvalidArgument) =>
                {
                    return Err(error.with_field(field.clone()));
                }
                Err(error) => tracing::warn!(
                    profile = %id, %error,
                    "the account's capabilities could not be read; not preflighted (the server \
                     checks them)"
                ),
            }
        }
        Ok(found)
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

with_response!(Profiles {
    /// [`Profiles::get`] with the status and headers of its response.
    get_with_response => get(id: &str) -> Profile;
    /// [`Profiles::capabilities`] with the status and headers of its response.
    capabilities_with_response => capabilities(id: &str) -> ProfileCapabilities;
    /// [`Profiles::disconnect`] with the status and headers of its response.
    disconnect_with_response => disconnect(id: &str) -> Profile;
    /// [`Profiles::list_page`] with the status and headers of its response.
    list_page_with_response => list_page(query: &ListQuery) -> Page<Profile>;
});
