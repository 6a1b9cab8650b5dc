//! `connectLinks.*`: the hosted OAuth flow that connects a social account, and the check of
//! the redirect back from it (pure, synchronous).

use aether::model::CreateConnectLinkRequest;
use napi::bindgen_prelude::PromiseRaw;
use napi::Env;
use napi_derive::napi;

use crate::cancel::{cancellable, CancelToken};
use crate::client::{request_options, token, NativeClient};
use crate::error::IntoNapi;
use crate::json::{parse, text};

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
        let links = self.client().connect_links().with_options(request_options(options)?);
        let cancel = token(cancel);
        env.spawn_future(async move {
            let link = cancellable(cancel, "the request", links.create(&body)).await.into_napi()?;
            text(&link)
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
        let links = self.client().connect_links().with_options(request_options(options)?);
        let cancel = token(cancel);
        env.spawn_future(async move {
            let link = cancellable(cancel, "the request", links.get(&id)).await.into_napi()?;
            text(&link)
        })
    }
}

/// Checks the redirect of a connect link and returns `{ profileId, linkId }` as JSON.
#[napi]
pub fn verify_connect_callback(url: String, expected_state: String) -> napi::Result<String> {
    let outcome = aether::connect_links::verify_callback(&url, &expected_state).into_napi()?;
    Ok(serde_json::json!({ "profileId": outcome.profile_id, "linkId": outcome.link_id })
        .to_string())
}
