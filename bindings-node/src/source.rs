//! `Source`: the bytes of one upload — a path, a buffer, or a stream fed from JavaScript through
//! `sink.rs` (the counterpart of the Python binding's `src/source.rs`). `media.upload` in
//! `resources/media.rs` consumes it.

use std::sync::Mutex;

use aether::upload::UploadSource;
use napi::bindgen_prelude::{Buffer, PromiseRaw};
use napi::Env;
use napi_derive::napi;

use crate::error::invalid;
use crate::sink::{pipe, Sink};

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
    /// The source, for the one upload that consumes it.
    pub(crate) fn take(&self) -> napi::Result<UploadSource> {
        self.source
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .ok_or_else(|| invalid("this source was already uploaded"))
    }
}
