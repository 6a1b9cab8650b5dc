//! `media.upload` / `media.resume`: a `Source` (a path, a buffer, or a stream fed from
//! JavaScript through `sink.rs`) plus options, handed to the core's upload engine.

use std::sync::{Arc, Mutex};

use aether::model::{Platform, Tier};
use aether::upload::{UploadOptions, UploadProgress, UploadSource};
use napi::bindgen_prelude::{Buffer, PromiseRaw};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, Status};
use napi_derive::napi;
use serde::Deserialize;

use crate::cancel::CancelToken;
use crate::client::{flush, NativeClient};
use crate::error::{invalid, IntoNapi};
use crate::json::{parse, text};
use crate::sink::{pipe, Sink};

/// What `onProgress` receives.
#[napi(object)]
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub bytes_sent: f64,
    pub total: f64,
    pub parts_done: u32,
    pub parts_total: u32,
}

/// The progress callback, called from runtime threads; weak like every callback. It gets
/// `undefined` once more after the upload settles (a barrier: see `crate::client::flush`).
pub type ProgressCallback =
    ThreadsafeFunction<Option<Progress>, (), Option<Progress>, Status, false, true>;

/// The upload options the wrapper passes (the callback and the signal travel separately).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Options {
    file_name: Option<String>,
    mime_type: Option<String>,
    #[serde(default)]
    platforms: Vec<Platform>,
    tier: Option<Tier>,
    part_size: Option<u64>,
    parallelism: Option<usize>,
    single_shot_threshold: Option<u64>,
    resume_state_file: Option<String>,
}

/// The bytes to upload. Made by the wrapper from `file`, consumed by one upload.
#[napi]
#[derive(Debug)]
pub struct Source {
    source: Mutex<Option<UploadSource>>,
    sink: Option<Sink>,
}

#[napi]
impl Source {
    /// A file on disk, read natively (positioned reads, in parallel).
    #[napi(factory)]
    pub fn path(path: String) -> Source {
        Source { source: Mutex::new(Some(UploadSource::path(path))), sink: None }
    }

    /// A buffer; not copied, so it must not change until the upload settles.
    #[napi(factory)]
    pub fn bytes(bytes: Buffer) -> Source {
        let bytes = bytes::Bytes::from_owner(bytes);
        Source { source: Mutex::new(Some(UploadSource::bytes(bytes))), sink: None }
    }

    /// A stream the wrapper feeds with `write`, `end` and `fail`; `size` when known exactly.
    #[napi(factory)]
    pub fn stream(size: Option<f64>) -> napi::Result<Source> {
        let size = match size {
            None => None,
            Some(n) if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= 2f64.powi(53) => {
                Some(n as u64)
            }
            Some(n) => return Err(invalid(format!("the stream size {n} is not a byte count"))),
        };
        let (sink, reader) = pipe();
        let source = match size {
            Some(size) => UploadSource::reader(reader, size),
            None => UploadSource::reader_unknown_size(reader),
        };
        Ok(Source { source: Mutex::new(Some(source)), sink: Some(sink) })
    }

    /// Queues a chunk of a stream source; `false` once the upload stopped reading.
    #[napi]
    pub fn write<'env>(
        &self,
        env: &'env Env,
        chunk: Buffer,
    ) -> napi::Result<PromiseRaw<'env, bool>> {
        match &self.sink {
            Some(sink) => sink.write(env, chunk),
            None => Err(invalid("write() on a source that is not a stream")),
        }
    }

    /// The stream source has no more data.
    #[napi]
    pub fn end(&self) {
        if let Some(sink) = &self.sink {
            sink.end();
        }
    }

    /// The stream source failed; the upload fails with `IO_ERROR`.
    #[napi]
    pub fn fail(&self, message: String) {
        if let Some(sink) = &self.sink {
            sink.fail(message);
        }
    }
}

impl Source {
    fn take(&self) -> napi::Result<UploadSource> {
        self.source
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .ok_or_else(|| invalid("this source was already uploaded"))
    }
}

fn upload_options(
    json: &str,
    on_progress: Option<Arc<ProgressCallback>>,
    cancel: Option<&CancelToken>,
) -> napi::Result<UploadOptions> {
    let parsed: Options = parse("upload options", json)?;
    let mut options = UploadOptions::new();
    options.file_name = parsed.file_name;
    options.mime_type = parsed.mime_type;
    options.platforms = parsed.platforms;
    if let Some(tier) = parsed.tier {
        options.tier = tier;
    }
    options.part_size = parsed.part_size;
    if let Some(parallelism) = parsed.parallelism {
        options.parallelism = parallelism;
    }
    if let Some(threshold) = parsed.single_shot_threshold {
        options.single_shot_threshold = threshold;
    }
    options.resume_state_file = parsed.resume_state_file.map(Into::into);
    options.cancel = cancel.map(CancelToken::token);
    if let Some(callback) = on_progress {
        let barrier = callback.clone();
        options = options.on_progress(move |p: UploadProgress| {
            let event = Progress {
                bytes_sent: p.bytes_sent as f64,
                total: p.total as f64,
                parts_done: p.parts_done,
                parts_total: p.parts_total,
            };
            callback.call(Some(event), ThreadsafeFunctionCallMode::NonBlocking);
        });
        // JavaScript sees every event before the media is made; a throw there cancels first.
        options = options.progress_barrier(move || {
            let callback = barrier.clone();
            async move { flush(&callback, None).await }
        });
    }
    Ok(options)
}

#[napi]
impl NativeClient {
    /// Uploads `source` (or continues the upload `upload_id` with it) and resolves with the
    /// media as JSON.
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn media_upload<'env>(
        &self,
        env: &'env Env,
        source: &Source,
        upload_id: Option<String>,
        options: String,
        on_progress: Option<ProgressCallback>,
        cancel: Option<&CancelToken>,
        request_options: Option<String>,
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let on_progress = on_progress.map(Arc::new);
        let options = upload_options(&options, on_progress.clone(), cancel)?;
        let request = match request_options {
            Some(json) => crate::client::parse_request_options(&json)?,
            None => aether::RequestOptions::default(),
        };
        let source = source.take()?;
        let media = self.client().media().with_options(request);
        env.spawn_future(async move {
            let uploaded = match upload_id {
                None => media.upload(source, options).await,
                Some(id) => media.resume(&id, source, options).await,
            };
            if let Some(callback) = on_progress {
                flush(&callback, None).await;
            }
            text(&uploaded.into_napi()?)
        })
    }
}
