//! `profiles.*`: the connected social accounts.

use napi::bindgen_prelude::PromiseRaw;
use napi::Env;
use napi_derive::napi;

use crate::cancel::{cancellable, CancelToken};
use crate::client::{request_options, token, NativeClient};
use crate::cursor::Cursor;
use crate::error::IntoNapi;
use crate::json::text;

#[napi]
impl NativeClient {
    #[napi]
    pub fn profiles_get<'env>(
        &self,
        env: &'env Env,
        id: String,
        options: Option<String>,
        cancel: Option<&CancelToken>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let profiles = self.client().profiles().with_options(request_options(options)?);
        let cancel = token(cancel);
        env.spawn_future(async move {
            let profile =
                cancellable(cancel, "the request", profiles.get(&id)).await.into_napi()?;
            text(&profile)
        })
    }

    #[napi]
    pub fn profiles_disconnect<'env>(
        &self,
        env: &'env Env,
        id: String,
        options: Option<String>,
        cancel: Option<&CancelToken>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let profiles = self.client().profiles().with_options(request_options(options)?);
        let cancel = token(cancel);
        env.spawn_future(async move {
            let profile =
                cancellable(cancel, "the request", profiles.disconnect(&id)).await.into_napi()?;
            text(&profile)
        })
    }

    /// Every profile, page by page as the cursor is read.
    #[napi]
    pub fn profiles_list(&self, options: Option<String>) -> napi::Result<Cursor> {
        let profiles = self.client().profiles().with_options(request_options(options)?);
        Ok(Cursor::new(profiles.list()))
    }
}
