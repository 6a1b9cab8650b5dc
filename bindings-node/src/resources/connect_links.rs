//! `connectLinks.*`: the hosted OAuth flow that connects a social account.

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
