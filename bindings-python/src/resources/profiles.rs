//! `profiles_*`: the connected social accounts.

use pyo3::prelude::*;

use crate::call::{json, Call, Pager};
use crate::client::PyClient;

#[pymethods]
impl PyClient {
    fn profiles_get(&self, id: String) -> Call {
        let profiles = self.client.profiles().with_options(self.options.clone());
        Call::new(async move { json(&profiles.get(&id).await?) })
    }

    fn profiles_disconnect(&self, id: String) -> Call {
        let profiles = self.client.profiles().with_options(self.options.clone());
        Call::new(async move { json(&profiles.disconnect(&id).await?) })
    }

    fn profiles_capabilities(&self, id: String) -> Call {
        let profiles = self.client.profiles().with_options(self.options.clone());
        Call::new(async move { json(&profiles.capabilities(&id).await?) })
    }

    fn profiles_list(&self) -> Pager {
        Pager::new(self.client.profiles().with_options(self.options.clone()).list())
    }
}
