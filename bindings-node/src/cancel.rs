//! `CancelToken`: the native end of an `AbortSignal`. The wrapper makes one per call that has
//! a signal and cancels it from the signal's `abort` event; the core stops at its next await
//! point (an upload also aborts its session on the server).

use napi_derive::napi;
use tokio_util::sync::CancellationToken;

#[napi]
#[derive(Debug)]
pub struct CancelToken {
    token: CancellationToken,
}

impl Default for CancelToken {
    fn default() -> Self {
        Self::new()
    }
}

#[napi]
impl CancelToken {
    #[napi(constructor)]
    pub fn new() -> CancelToken {
        CancelToken { token: CancellationToken::new() }
    }

    /// Cancels every operation this token was given to.
    #[napi]
    pub fn cancel(&self) {
        self.token.cancel();
    }

    #[napi(getter)]
    pub fn cancelled(&self) -> bool {
        self.token.is_cancelled()
    }
}

impl CancelToken {
    pub fn token(&self) -> CancellationToken {
        self.token.clone()
    }
}

/// Runs `future` unless `cancel` fires first, which is `CANCELLED` with `what` in the message.
pub async fn cancellable<T, F>(
    cancel: Option<CancellationToken>,
    what: &str,
    future: F,
) -> aether::Result<T>
where
    F: std::future::Future<Output = aether::Result<T>>,
{
    match cancel {
        None => future.await,
        Some(token) => tokio::select! {
            biased;
            _ = token.cancelled() => Err(aether::Error::cancelled(format!("{what} was cancelled"))),
            output = future => output,
        },
    }
}
