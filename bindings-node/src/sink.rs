//! The bridge from a JavaScript stream to the core's `AsyncRead`: the wrapper reads the
//! Readable or async iterable and `await`s `write(chunk)` for each chunk; `write` resolves
//! once the chunk fits in a small bounded queue, so a slow upload slows the reading
//! (backpressure) and memory stays bounded. When the upload ends early, `write` resolves
//! `false` and the wrapper stops reading.

use std::io;
use std::pin::Pin;
use std::sync::Mutex;

use bytes::Bytes;
use futures_util::Stream;
use napi::bindgen_prelude::{Buffer, PromiseRaw};
use napi::Env;
use tokio::sync::mpsc;

/// Chunks queued between JavaScript and the upload (~1 MiB of 64 KiB stream chunks).
const QUEUE_CHUNKS: usize = 16;

type Chunk = io::Result<Bytes>;
type Sender = mpsc::Sender<Chunk>;

/// The writing end, kept by the `Source` object JavaScript writes to.
#[derive(Debug, Default)]
pub struct Sink {
    sender: Mutex<Option<Sender>>,
}

/// The reading end, handed to the core as an `AsyncRead`.
pub type Reader = tokio_util::io::StreamReader<Pin<Box<dyn Stream<Item = Chunk> + Send>>, Bytes>;

/// A connected sink and reader.
pub fn pipe() -> (Sink, Reader) {
    let (sender, receiver) = mpsc::channel::<Chunk>(QUEUE_CHUNKS);
    let chunks = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (chunk, receiver))
    });
    let chunks: Pin<Box<dyn Stream<Item = Chunk> + Send>> = Box::pin(chunks);
    (Sink { sender: Mutex::new(Some(sender)) }, tokio_util::io::StreamReader::new(chunks))
}

impl Sink {
    fn sender(&self) -> Option<Sender> {
        self.sender.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn take(&self) -> Option<Sender> {
        self.sender.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    /// Queues a chunk; resolves `true` once it is queued, `false` when nobody reads any more.
    pub fn write<'env>(
        &self,
        env: &'env Env,
        chunk: Buffer,
    ) -> napi::Result<PromiseRaw<'env, bool>> {
        let sender = self.sender();
        env.spawn_future(async move {
            let Some(sender) = sender else { return Ok(false) };
            if chunk.is_empty() {
                return Ok(!sender.is_closed());
            }
            // Copied (off the JavaScript thread) before the promise resolves, so a producer
            // that reuses its buffer for the next chunk cannot change what is uploaded.
            let bytes = Bytes::copy_from_slice(&chunk);
            drop(chunk);
            Ok(sender.send(Ok(bytes)).await.is_ok())
        })
    }

    /// The end of the data.
    pub fn end(&self) {
        drop(self.take());
    }

    /// The JavaScript source failed: the upload fails with `IO_ERROR` and this message.
    pub fn fail(&self, message: String) {
        if let Some(sender) = self.take() {
            // The queue may be full; the reader sees the error after the queued chunks.
            tokio_spawn_or_drop(async move {
                let _ = sender.send(Err(io::Error::other(message))).await;
            });
        }
    }
}

fn tokio_spawn_or_drop<F: std::future::Future<Output = ()> + Send + 'static>(future: F) {
    napi::bindgen_prelude::spawn(future);
}
