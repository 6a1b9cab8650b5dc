//! What `media.upload` reads: a path, bytes, or a Python binary file object read in chunks.

use std::io;
use std::sync::Arc;

use aether::upload::UploadSource;
use bytes::Bytes;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyBytes, PyString};
use tokio_util::io::StreamReader;

use crate::call::ErrorSlot;

/// Bytes asked of a file object's `read()` at a time.
const READ_CHUNK: usize = 1024 * 1024;

/// `str` → a path, `bytes` → bytes in memory, else an object with a binary `read(n)`.
pub fn upload_source(
    source: &Bound<'_, PyAny>,
    size: Option<u64>,
    errors: &Arc<ErrorSlot>,
) -> PyResult<UploadSource> {
    if let Ok(bytes) = source.cast::<PyBytes>() {
        // The parts are slices of the Python object itself (immutable, kept alive by the
        // Bytes): no copy of the whole file before the upload starts.
        let data = Bytes::from_owner(PyBackedBytes::from(bytes.clone()));
        return Ok(UploadSource::bytes(data));
    }
    if source.is_instance_of::<PyString>() {
        return Ok(UploadSource::path(source.extract::<std::path::PathBuf>()?));
    }
    if !source.hasattr("read")? {
        let type_name = source.get_type().name()?.to_string();
        return Err(PyTypeError::new_err(format!(
            "cannot upload a {type_name}: pass a path (str or os.PathLike), bytes, or a file \
             object opened in binary mode"
        )));
    }
    let reader = file_reader(source.clone().unbind(), errors.clone());
    Ok(match size {
        Some(size) => UploadSource::reader(reader, size),
        None => UploadSource::reader_unknown_size(reader),
    })
}

/// An async reader over a Python file object: each chunk is one `read(n)` call, made on a
/// blocking thread of the runtime with the GIL taken just for it. An exception from `read()`
/// is kept in `errors` (it becomes the cause of the upload's `LocalIOError`) and fails the read.
fn file_reader(
    file: Py<PyAny>,
    errors: Arc<ErrorSlot>,
) -> StreamReader<impl futures_util::Stream<Item = io::Result<Bytes>> + Send + Unpin, Bytes> {
    let file = Arc::new(file);
    let chunks = futures_util::stream::unfold(Some(file), move |state| {
        let errors = errors.clone();
        async move {
            let file = state?;
            let reading = file.clone();
            let read = tokio::task::spawn_blocking(move || read_chunk(&reading, &errors)).await;
            match read {
                Ok(Ok(chunk)) if chunk.is_empty() => None,
                Ok(Ok(chunk)) => Some((Ok(chunk), Some(file))),
                Ok(Err(error)) => Some((Err(error), None)),
                Err(join) => Some((Err(io::Error::other(join.to_string())), None)),
            }
        }
    });
    StreamReader::new(Box::pin(chunks))
}

fn read_chunk(file: &Py<PyAny>, errors: &ErrorSlot) -> io::Result<Bytes> {
    Python::try_attach(|py| {
        let data = match file.bind(py).call_method1("read", (READ_CHUNK,)) {
            Ok(data) => data,
            Err(error) => {
                let message = format!("the file object's read() raised {error}");
                errors.set(error);
                return Err(io::Error::other(message));
            }
        };
        if data.is_instance_of::<PyString>() {
            return Err(io::Error::other(
                "the file object's read() returned str: open the file in binary mode ('rb')",
            ));
        }
        match data.extract::<PyBackedBytes>() {
            Ok(bytes) => Ok(Bytes::from_owner(bytes)), // the chunk itself, not a copy
            Err(_) if data.is_none() => Err(io::Error::other(
                "the file object's read() returned None (a non-blocking stream with no data)",
            )),
            Err(_) => {
                let type_name =
                    data.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
                Err(io::Error::other(format!(
                    "the file object's read() returned {type_name}, not bytes"
                )))
            }
        }
    })
    .unwrap_or_else(|| Err(io::Error::other("the Python interpreter is shutting down")))
}
