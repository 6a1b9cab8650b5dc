//! Connect links: the hosted OAuth page that connects an end user's social account, and the
//! check of the redirect that comes back from it.

use reqwest::Url;
use serde_json::json;
use subtle::ConstantTimeEq;

use crate::error::{Error, Result};
use crate::model::{ConnectLink, CreateConnectLinkRequest};
use crate::transport::{item_path, with_response, ApiRequest, RequestOptions, Transport};

/// `client.connect_links()`.
#[derive(Debug, Clone)]
pub struct ConnectLinks {
    transport: Transport,
    options: RequestOptions,
}

/// What a verified callback says: the profile that was connected, through which link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackOutcome {
    /// The new profile's id (opaque, e.g. `tiktok_…`), to use in posts.
    pub profile_id: String,
    /// The connect link that was completed (`link_…`).
    pub link_id: String,
}

impl ConnectLinks {
    pub(crate) fn new(transport: Transport) -> ConnectLinks {
        ConnectLinks { transport, options: RequestOptions::default() }
    }

    /// The same resource with these per-call options.
    pub fn with_options(mut self, options: RequestOptions) -> ConnectLinks {
        self.options = options;
        self
    }

    /// `POST /v1/connect-links`: a link whose `url` is the hosted authorization page to send
    /// the end user to. Pass a random `state` and keep it in the user's session, then check the
    /// redirect with [`verify_callback`].
    pub async fn create(&self, request: &CreateConnectLinkRequest) -> Result<ConnectLink> {
        let request =
            ApiRequest::post("/v1/connect-links").json(request)?.options(self.options.clone());
        Ok(self.transport.send_json(request).await?.data)
    }

    /// `GET /v1/connect-links/{id}`: the link, with `status` and, once completed, `profileId`.
    pub async fn get(&self, id: &str) -> Result<ConnectLink> {
        let path = item_path("/v1/connect-links", "connect link", id)?;
        let request = ApiRequest::get(path).options(self.options.clone());
        Ok(self.transport.send_json(request).await?.data)
    }

    /// Same as the free function [`verify_callback`].
    pub fn verify_callback(&self, url: &str, expected_state: &str) -> Result<CallbackOutcome> {
        verify_callback(url, expected_state)
    }
}

/// Checks the redirect Aether sends the end user back with
/// (`redirectUrl?profileId=…&linkId=…&state=…`, or `?error=access_denied&linkId=…&state=…`).
///
/// `state` is compared with `expected_state` in constant time first: a callback with a missing
/// or different state is refused with `INVALID_ARGUMENT` (it was not started by this session —
/// possibly a forged request) before anything else in it is believed. Then an `error` parameter
/// becomes `FORBIDDEN` (`details.error` is the OAuth error, e.g. `access_denied` when the user
/// declined; `details.linkId` the link), and a callback without `profileId` or `linkId` is
/// `INVALID_ARGUMENT`.
pub fn verify_callback(url: &str, expected_state: &str) -> Result<CallbackOutcome> {
    let url = Url::parse(url)
        .map_err(|e| Error::invalid_argument(format!("the callback URL cannot be parsed: {e}")))?;
    let mut state = None;
    let mut profile_id = None;
    let mut link_id = None;
    let mut error = None;
    let mut error_description = None;
    for (name, value) in url.query_pairs() {
        let slot = match name.as_ref() {
            "state" => &mut state,
            "profileId" => &mut profile_id,
            "linkId" => &mut link_id,
            "error" => &mut error,
            "error_description" => &mut error_description,
            _ => continue,
        };
        if slot.is_some() {
            return Err(Error::invalid_argument(format!(
                "the callback URL has more than one {name} parameter"
            )));
        }
        *slot = Some(value.into_owned());
    }

    let state_matches = state
        .as_deref()
        .is_some_and(|state| bool::from(state.as_bytes().ct_eq(expected_state.as_bytes())));
    if !state_matches {
        return Err(Error::invalid_argument(
            "the callback's state does not match the state this session created the link with; \
             refusing it (it may be forged or belong to another session)",
        )
        .with_field("state"));
    }
    if let Some(oauth_error) = error {
        let message = match oauth_error.as_str() {
            "access_denied" => "the user declined to connect the account".to_owned(),
            other => format!("connecting the account failed: {other}"),
        };
        let mut details = json!({ "error": oauth_error, "linkId": link_id });
        if let Some(description) = error_description {
            details["errorDescription"] = json!(description);
        }
        return Err(Error::new(crate::ErrorCode::Forbidden, message).with_details(details));
    }
    match (profile_id, link_id) {
        (Some(profile_id), Some(link_id)) if !profile_id.is_empty() && !link_id.is_empty() => {
            Ok(CallbackOutcome { profile_id, link_id })
        }
        _ => Err(Error::invalid_argument(
            "the callback URL has neither an error nor both profileId and linkId",
        )),
    }
}

with_response!(ConnectLinks {
    /// [`ConnectLinks::create`] with the status and headers of its response.
    create_with_response => create(request: &CreateConnectLinkRequest) -> ConnectLink;
    /// [`ConnectLinks::get`] with the status and headers of its response.
    get_with_response => get(id: &str) -> ConnectLink;
});
