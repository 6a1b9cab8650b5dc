//! `profiles.*`: the connected social accounts.

use aether::Client;
use napi_derive::napi;

use crate::client::NativeClient;
use crate::cursor::Cursor;
use crate::operations;

operations! {
    fn profiles_get(id: String) => Client::profiles, |profiles| profiles.get(&id);
    fn profiles_disconnect(id: String) => Client::profiles, |profiles| profiles.disconnect(&id);
    fn profiles_capabilities(id: String) => Client::profiles, |profiles| profiles.capabilities(&id);
}

#[napi]
impl NativeClient {
    /// Every profile, page by page as the cursor is read.
    #[napi]
    pub fn profiles_list(&self, options: Option<String>) -> napi::Result<Cursor> {
        self.pages(options, Client::profiles, |profiles| profiles.list())
    }
}
