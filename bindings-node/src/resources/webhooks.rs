//! `webhooks.*`: endpoint registration (signature checks are in `crate::webhooks`).

use aether::model::CreateWebhookRequest;
use napi::bindgen_prelude::PromiseRaw;
use napi::Env;
use napi_derive::napi;

use crate::cancel::{cancellable, CancelToken};
use crate::client::{request_options, token, NativeClient};
use crate::cursor::Cursor;
use crate::error::IntoNapi;
use crate::json::{parse, text};

#[napi]
impl NativeClient {
    #[napi]
    pub fn webhooks_create<'env>(
        &self,
        env: &'env Env,
        body: String,
        options: Option<String>,
        cancel: Option<&CancelToken>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let body: CreateWebhookRequest = parse("webhook", &body)?;
        let webhooks = self.client().webhooks().with_options(request_options(options)?);
        let cancel = token(cancel);
        env.spawn_future(async move {
            let webhook =
                cancellable(cancel, "the request", webhooks.create(&body)).await.into_napi()?;
            text(&webhook)
        })
    }

    #[napi]
    pub fn webhooks_list(&self, options: Option<String>) -> napi::Result<Cursor> {
        let webhooks = self.client().webhooks().with_options(request_options(options)?);
        Ok(Cursor::new(webhooks.list()))
    }

    #[napi]
    pub fn webhooks_delete<'env>(
        &self,
        env: &'env Env,
        id: String,
        options: Option<String>,
        cancel: Option<&CancelToken>,
    ) -> napi::Result<PromiseRaw<'env, ()>> {
        let webhooks = self.client().webhooks().with_options(request_options(options)?);
        let cancel = token(cancel);
        env.spawn_future(async move {
            cancellable(cancel, "the request", webhooks.delete(&id)).await.into_napi()
        })
    }
}
