//! `NativeClient`: one `aether::Client`, with the options and helpers its calls share. The
//! calls themselves are in `crate::resources` (one module per resource): each parses its JSON
//! arguments, runs the core's future on the runtime (see `crate::init`) and resolves with the
//! result as JSON text; `lib/` gives them their public shape.

use std::time::Duration;

use std::future::Future;

use aether::poll::{PollOptions, WaitOptions};
use aether::runtime::EventLoopCall;
use aether::{CallOptions, Client, ClientBuilder, ClientOptions, RequestOptions, Spelling};
use futures_util::Stream;
use napi::bindgen_prelude::{PromiseRaw, ToNapiValue};
use napi::threadsafe_function::ThreadsafeFunction;
use napi::{Env, Status};
use napi_derive::napi;
use serde::Serialize;

use crate::cancel::{cancellable, CancelToken};
use crate::cursor::Cursor;
use crate::error::{invalid, IntoNapi};
use crate::json::parse;

/// A JavaScript callback given one JSON string, called from runtime threads without blocking
/// them. Weak: it never keeps the process alive by itself (the pending promise does). After
/// the operation settles it gets `undefined` once more (see [`flush`]).
pub type JsonCallback = ThreadsafeFunction<Option<String>, (), Option<String>, Status, false, true>;

/// Calls `callback` with `barrier` and waits until JavaScript ran it. Calls are delivered in
/// order, so every event queued before has been handled too: the operation's promise then
/// settles after its last callback, never before it. (The wrapper ignores the barrier value;
/// it never throws, so a failed call here only means the environment is going away.)
pub async fn flush<T>(
    callback: &ThreadsafeFunction<Option<T>, (), Option<T>, Status, false, true>,
    barrier: Option<T>,
) where
    T: 'static + ToNapiValue,
{
    let _ = callback.call_async(barrier).await;
}

/// A duration given in milliseconds (for what has no core option type, e.g. a webhook's
/// tolerance); refuses NaN, negative and absurd values.
pub fn millis(what: &str, ms: f64) -> napi::Result<Duration> {
    if !ms.is_finite() || ms < 0.0 {
        return Err(invalid(format!(
            "{what} must be a finite, non-negative number of milliseconds"
        )));
    }
    Duration::try_from_secs_f64(ms / 1000.0)
        .map_err(|_| invalid(format!("{what} is too large: {ms} ms")))
}

pub fn request_options(json: Option<String>) -> napi::Result<RequestOptions> {
    match json {
        Some(json) => parse_request_options(&json),
        None => Ok(RequestOptions::default()),
    }
}

/// The per-call options (`idempotencyKey`, `maxRetries`, `timeoutMs`): the core's
/// [`CallOptions`], checked by the core.
///
/// `withResponse: true` (set by the wrapper, never by a user) adds a [`aether::ResponseSink`]:
/// the call then resolves with `{ data, response }` (see `crate::raw`).
pub fn parse_request_options(json: &str) -> napi::Result<RequestOptions> {
    let mut value: serde_json::Value = parse("request options", json)?;
    let with_response = match value.as_object_mut() {
        Some(map) => map.remove("withResponse").is_some_and(|v| v == serde_json::Value::Bool(true)),
        None => false,
    };
    let options: CallOptions = serde_json::from_value(value)
        .map_err(|e| invalid(format!("invalid request options: {e}")))?;
    let options = options.spelled(Spelling::Node).resolve().into_napi()?;
    Ok(if with_response { options.response_sink(aether::ResponseSink::new()) } else { options })
}

/// How `posts.wait`, `posts.watch` and `media.waitReady` poll: the core's [`PollOptions`]
/// (callbacks and the signal travel separately; the wrapper turns `timeoutMs: null` into
/// `noTimeout`).
pub fn wait_options<T>(json: &str) -> napi::Result<WaitOptions<T>> {
    let options: PollOptions = parse("wait options", json)?;
    Ok(WaitOptions::from(options.spelled(Spelling::Node)))
}

/// Every default of the core, as JSON (`Aether.defaults()`).
#[napi]
pub fn defaults() -> String {
    aether::defaults().to_string()
}

/// Runs `future` on the runtime and gives its result to JavaScript as a Promise. As an
/// [`EventLoopCall`]: the worker spins briefly for the answer and for the next call rather than
/// sleep (see `crate::init`). Boxed first: a call's future is several KiB, and napi's wrapper
/// and tokio's task cell would otherwise each copy it whole (callgrind: ~45,000 instructions of
/// `memcpy` per call); boxed, they move a pointer.
pub fn spawn<'env, T, F>(env: &'env Env, future: F) -> napi::Result<PromiseRaw<'env, T>>
where
    T: ToNapiValue + Send + 'static,
    F: Future<Output = napi::Result<T>> + Send + 'static,
{
    env.spawn_future(EventLoopCall::new(Box::pin(future)))
}

pub fn token(cancel: Option<&CancelToken>) -> Option<tokio_util::sync::CancellationToken> {
    cancel.map(CancelToken::token)
}

#[napi]
#[derive(Debug)]
pub struct NativeClient {
    client: Client,
}

#[napi]
impl NativeClient {
    /// Builds the client from the core's [`ClientOptions`] as the wrapper sent them; the core
    /// reads the environment and checks everything (`INVALID_ARGUMENT` without an API key,
    /// with a bad base URL or duration).
    ///
    /// `observer`, when given, hears the log lines and the hooks named in `hooks` (`request`,
    /// `response`, `retry`) as JSON: `{"log": level, "line": …}` or `{"hook": kind, "event":
    /// …}`, in order, on the JavaScript thread after the fact (see `lib/observe.js`).
    #[napi(constructor)]
    pub fn new(
        options: String,
        observer: Option<JsonCallback>,
        hooks: Option<Vec<String>>,
    ) -> napi::Result<NativeClient> {
        let options: ClientOptions = parse("client options", &options)?;
        let mut builder = ClientBuilder::from_options(options.spelled(Spelling::Node));
        if let Some(observer) = observer {
            builder = crate::observe::install(builder, observer, hooks.unwrap_or_default());
        }
        // Building the HTTP client may touch the runtime's context (timers, the resolver).
        let client = napi::bindgen_prelude::within_runtime_if_available(|| builder.build());
        Ok(NativeClient { client: client.into_napi()? })
    }

    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.client.base_url().to_owned()
    }

    #[napi(getter)]
    pub fn user_agent(&self) -> String {
        self.client.user_agent().to_owned()
    }

    /// The settings the client runs with, as JSON (the core's names; never the key).
    #[napi]
    pub fn effective_options(&self) -> String {
        serde_json::to_string(&self.client.effective_options()).unwrap_or_default()
    }

    /// Closes the kept-alive connections and waits for them (see `Aether.close`).
    #[napi]
    pub fn close_connections<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, ()>> {
        let client = self.client.clone();
        spawn(env, async move {
            client.close_connections().await;
            Ok(())
        })
    }

    /// The rate-limit headers of the latest response that had them, as JSON (or null).
    #[napi]
    pub fn last_rate_limit(&self) -> Option<String> {
        self.client.last_rate_limit().map(|r| {
            serde_json::json!({ "limit": r.limit, "remaining": r.remaining, "reset": r.reset })
                .to_string()
        })
    }
}

impl NativeClient {
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// One request of the core as a Promise of JSON text: the per-call `options` (checked by
    /// the core) applied to the resource `pick` chooses, the future `call` makes from it raced
    /// against `cancel`, and its result serialized (`null` for an operation that returns
    /// nothing). Every plain operation of `crate::resources` is this and its argument parsing.
    pub fn op<'env, R, F, T>(
        &self,
        env: &'env Env,
        options: Option<String>,
        cancel: Option<&CancelToken>,
        pick: fn(&Client) -> R,
        call: impl FnOnce(R) -> F,
    ) -> napi::Result<PromiseRaw<'env, String>>
    where
        R: Resource,
        F: Future<Output = aether::Result<T>> + Send + 'static,
        T: Serialize,
    {
        let options = request_options(options)?;
        let sink = options.response_sink.clone();
        let future = call(pick(&self.client).with_options(options));
        let cancel = token(cancel);
        spawn(env, async move {
            let value = cancellable(cancel, "the request", future).await.into_napi()?;
            crate::raw::output(&value, sink)
        })
    }

    /// A listing as a `Cursor` the wrapper iterates: the per-call `options` applied to the
    /// resource `pick` chooses, and the stream `list` makes from it.
    pub fn pages<R, S, T>(
        &self,
        options: Option<String>,
        pick: fn(&Client) -> R,
        list: impl FnOnce(R) -> S,
    ) -> napi::Result<Cursor>
    where
        R: Resource,
        S: Stream<Item = aether::Result<T>> + Send + 'static,
        T: Serialize,
    {
        Ok(Cursor::new(list(self.resource(pick, options)?)))
    }

    /// The resource `pick` chooses, with the per-call options parsed from `options`.
    pub fn resource<R: Resource>(
        &self,
        pick: fn(&Client) -> R,
        options: Option<String>,
    ) -> napi::Result<R> {
        Ok(pick(&self.client).with_options(request_options(options)?))
    }
}

/// A resource handle of the core (`client.posts()` and the like), which takes per-call options.
pub trait Resource {
    fn with_options(self, options: RequestOptions) -> Self;
}

macro_rules! resources {
    ($($resource:ty),* $(,)?) => {$(
        impl Resource for $resource {
            fn with_options(self, options: RequestOptions) -> Self {
                <$resource>::with_options(self, options)
            }
        }
    )*};
}

resources!(
    aether::connect_links::ConnectLinks,
    aether::media::MediaResource,
    aether::posts::Posts,
    aether::profiles::Profiles,
    aether::webhooks::Webhooks,
);

/// Declares plain operations of [`NativeClient`], each one line of arguments, bindings and a
/// core call: the `#[napi]` method takes its own arguments, then the per-call options (JSON)
/// and a `CancelToken`, and resolves with the result as JSON text (through
/// [`NativeClient::op`]). A macro rather than a function because the exported signature is
/// the part that repeats, and `#[napi]` reads it from the source. The calling module imports
/// `NativeClient` (`#[napi]` names the type as written).
///
/// ```ignore
/// operations! {
///     /// Doc comment of the method.
///     fn posts_update(id: String, body: String)
///         let body: UpdatePostRequest = parse("post update", &body)?;
///         => Client::posts, |posts| posts.update(&id, &body);
/// }
/// ```
#[macro_export]
macro_rules! operations {
    ($(
        $(#[$attr:meta])*
        fn $name:ident($($arg:ident: $ty:ty),* $(,)?)
            $(let $bind:ident: $bty:ty = $init:expr;)*
            => $pick:path, |$resource:ident| $call:expr;
    )*) => {
        #[napi_derive::napi]
        impl NativeClient {$(
            $(#[$attr])*
            #[napi]
            pub fn $name<'env>(
                &self,
                env: &'env napi::Env,
                $($arg: $ty,)*
                options: Option<String>,
                cancel: Option<&$crate::cancel::CancelToken>,
            ) -> napi::Result<napi::bindgen_prelude::PromiseRaw<'env, String>> {
                $(let $bind: $bty = $init;)*
                self.op(env, options, cancel, $pick, move |$resource| async move { $call.await })
            }
        )*}
    };
}
