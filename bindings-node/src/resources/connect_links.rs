//! `connectLinks.*`: the hosted OAuth flow that connects a social account, and the check of
//! the redirect back from it (pure, synchronous).

use aether::model::CreateConnectLinkRequest;
use aether::Client;
use napi::bindgen_prelude::PromiseRaw;
use napi::Env;
use napi_derive::napi;

use crate::cancel::CancelToken;
use crate::client::NativeClient;
use crate::error::IntoNapi;
use crate::json::parse;

#[napi]
impl NativeClient {
    #[napi]
    pub fn connect_links_create<'env>(
        &self,
        env: &'env Env,
        body: String,
        options: Option<String>,
        cancel: Option<&CancelToken>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let body: CreateConnectLinkRequest = parse("connect link", &body)?;
        self.op(env, options, cancel, Client::connect_links, |links| async move {
            links.create(&body).await
        })
    }

    #[napi]
    pub fn connect_links_get<'env>(
        &self,
        env: &'env Env,
        id: String,
        options: Option<String>,
        cancel: Option<&CancelToken>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        self.op(
            env,
            options,
            cancel,
            Client::connect_links,
            |links| async move { links.get(&id).await },
        )
    }
}

/// Checks the redirect of a connect link and returns `{ profileId, linkId }` as JSON.
#[napi]
pub fn verify_connect_callback(url: String, expected_state: String) -> napi::Result<String> {
    let outcome = aether::connect_links::verify_callback(&url, &expected_state).into_napi()?;
    Ok(serde_json::json!({ "profileId": outcome.profile_id, "linkId": outcome.link_id })
        .to_string())
}
