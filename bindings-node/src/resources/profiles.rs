//! `profiles.*`: the connected social accounts.

use aether::Client;
use napi::bindgen_prelude::PromiseRaw;
use napi::Env;
use napi_derive::napi;

use crate::cancel::CancelToken;
use crate::client::NativeClient;
use crate::cursor::Cursor;

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
        self.op(env, options, cancel, Client::profiles, |profiles| async move {
            profiles.get(&id).await
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
        self.op(env, options, cancel, Client::profiles, |profiles| async move {
            profiles.disconnect(&id).await
        })
    }

    /// Every profile, page by page as the cursor is read.
    #[napi]
    pub fn profiles_list(&self, options: Option<String>) -> napi::Result<Cursor> {
        self.pages(options, Client::profiles, |profiles| profiles.list())
    }
}
