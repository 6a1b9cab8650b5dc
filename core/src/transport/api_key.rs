//! The API key: kept in a type whose `Debug` and `Display` never show it.

use std::fmt;

use reqwest::header::HeaderValue;

use crate::error::{Error, Result};

/// An API key. Its `Debug` and `Display` show at most its `sk_` prefix (`sk_…[redacted]`),
/// so it can sit in structs that are logged.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key; it is checked when the client is built.
    pub fn new(key: impl Into<String>) -> ApiKey {
        ApiKey(key.into())
    }

    /// The key itself, for what must scrub it from text (the log lines).
    pub(crate) fn secret(&self) -> &str {
        &self.0
    }

    /// The `Authorization` header value, marked sensitive so HTTP logging never prints it.
    pub(crate) fn header_value(&self) -> Result<HeaderValue> {
        let key = self.0.trim();
        if key.is_empty() {
            return Err(Error::invalid_argument("the API key is empty"));
        }
        if !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::invalid_argument(
                "the API key contains characters that cannot be sent in a header (spaces, \
                 control or non-ASCII characters); copy it again from the dashboard",
            ));
        }
        let mut value = HeaderValue::from_str(&format!("Bearer {key}"))
            .map_err(|_| Error::invalid_argument("the API key cannot be sent in a header"))?;
        value.set_sensitive(true);
        Ok(value)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.starts_with("sk_") {
            f.write_str("sk_…[redacted]")
        } else {
            f.write_str("…[redacted]")
        }
    }
}
