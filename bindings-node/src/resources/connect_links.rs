//! `connectLinks.*`: the hosted OAuth flow that connects a social account, and the check of
//! the redirect back from it (pure, synchronous).

use aether::model::CreateConnectLinkRequest;
use aether::Client;
use napi_derive::napi;

use crate::client::NativeClient;
use crate::error::IntoNapi;
use crate::json::parse;
use crate::operations;

operations! {
    fn connect_links_create(body: String)
        let body: CreateConnectLinkRequest = parse("connect link", &body)?;
        => Client::connect_links, |links| links.create(&body);
    fn connect_links_get(id: String) => Client::connect_links, |links| links.get(&id);
}

/// Checks the redirect of a connect link and returns `{ profileId, linkId }` as JSON.
#[napi]
pub fn verify_connect_callback(url: String, expected_state: String) -> napi::Result<String> {
    let outcome = aether::connect_links::verify_callback(&url, &expected_state).into_napi()?;
    Ok(serde_json::json!({ "profileId": outcome.profile_id, "linkId": outcome.link_id })
        .to_string())
}
