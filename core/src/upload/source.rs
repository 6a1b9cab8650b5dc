//! Sources: what to upload, opening and describing it (name, mime type, preflight), and
//! reading it (positioned reads, readers, spooling).

use std::fmt;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

use super::checksum::{crc32c, crc32c_append};
use super::options::{Checked, MAX_SINGLE_SHOT_BYTES};
use super::preflight::preflight;
use super::resume::{file_identity, SourceIdentity};
use crate::error::{Error, Result};
use crate::probe::{Container, MediaFacts, ProbeError};

/// Buffer used to hash and spool sources.
pub(super) const CHUNK: usize = 256 * 1024;
/// The mime type sent when neither the options, the extension nor the bytes say.
pub(super) const FALLBACK_MIME: &str = "application/octet-stream";

/// What to upload.
pub enum UploadSource {
    /// A file on disk: preflighted, hashed in one pass, parts read in parallel with positioned
    /// reads. Its name gives the default file name and mime type.
    Path(PathBuf),
    /// Bytes in memory: preflighted, parts sent as zero-copy slices.
    Bytes(Bytes),
    /// Any async reader, read once, in order. With `size`, exactly that many bytes are read;
    /// without, it is buffered up to the single-shot threshold and spooled to a temporary file
    /// beyond it (see the module documentation).
    Reader {
        /// The bytes.
        reader: Box<dyn AsyncRead + Send + Unpin>,
        /// How many bytes the reader holds, when known.
        size: Option<u64>,
    },
    /// A URL the server fetches itself (`POST /v1/media/ingest`): nothing is read locally but
    /// the few KiB a preflight needs, with range requests (see `upload/from_url.rs`). The options'
    /// file name and mime type are passed on; the part and single-shot settings do not apply.
    Url(String),
}

impl UploadSource {
    /// A file on disk.
    pub fn path(path: impl Into<PathBuf>) -> UploadSource {
        UploadSource::Path(path.into())
    }

    /// Bytes in memory.
    pub fn bytes(bytes: impl Into<Bytes>) -> UploadSource {
        UploadSource::Bytes(bytes.into())
    }

    /// A reader holding exactly `size` bytes.
    pub fn reader(reader: impl AsyncRead + Send + Unpin + 'static, size: u64) -> UploadSource {
        UploadSource::Reader { reader: Box::new(reader), size: Some(size) }
    }

    /// A URL for the server to fetch (media by URL).
    pub fn url(url: impl Into<String>) -> UploadSource {
        UploadSource::Url(url.into())
    }

    /// A reader whose size is not known in advance.
    pub fn reader_unknown_size(reader: impl AsyncRead + Send + Unpin + 'static) -> UploadSource {
        UploadSource::Reader { reader: Box::new(reader), size: None }
    }
}

impl fmt::Debug for UploadSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UploadSource::Path(path) => f.debug_tuple("Path").field(path).finish(),
            UploadSource::Bytes(bytes) => write!(f, "Bytes({} bytes)", bytes.len()),
            UploadSource::Reader { size, .. } => {
                f.debug_struct("Reader").field("size", size).finish_non_exhaustive()
            }
            // A signed URL's query is a credential: never in Debug.
            UploadSource::Url(url) => {
                let shown = url.split(['?', '#']).next().unwrap_or("");
                let more = if shown.len() < url.len() { "?…" } else { "" };
                f.debug_tuple("Url").field(&format!("{shown}{more}")).finish()
            }
        }
    }
}

impl From<PathBuf> for UploadSource {
    fn from(path: PathBuf) -> UploadSource {
        UploadSource::Path(path)
    }
}

impl From<&Path> for UploadSource {
    fn from(path: &Path) -> UploadSource {
        UploadSource::Path(path.to_owned())
    }
}

impl From<Bytes> for UploadSource {
    fn from(bytes: Bytes) -> UploadSource {
        UploadSource::Bytes(bytes)
    }
}

impl From<Vec<u8>> for UploadSource {
    fn from(bytes: Vec<u8>) -> UploadSource {
        UploadSource::Bytes(bytes.into())
    }
}

/// The mime type of a file name's extension, for the video and image formats the API
/// stores (and a few it refuses, so the server can say so): `clip.MOV` → `video/quicktime`.
pub fn guess_mime_type(file_name: &str) -> Option<&'static str> {
    let (_, ext) = file_name.rsplit_once('.')?;
    let mime = match ext.to_ascii_lowercase().as_str() {
        "mp4" | "m4v" => "video/mp4",
        "mov" | "qt" => "video/quicktime",
        "webm" => "video/webm",
        "mkv" => "video/x-matroska",
        "avi" => "video/x-msvideo",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "heic" => "image/heic",
        "m4a" => "audio/mp4",
        "mp3" => "audio/mpeg",
        _ => return None,
    };
    Some(mime)
}

pub(super) fn container_mime(container: &Container) -> Option<&'static str> {
    Some(match container {
        Container::Mp4 => "video/mp4",
        Container::Mov => "video/quicktime",
        Container::Webm => "video/webm",
        Container::Matroska => "video/x-matroska",
        Container::Jpeg => "image/jpeg",
        Container::Png => "image/png",
        Container::Gif => "image/gif",
        Container::Unknown(_) => return None,
    })
}

pub(super) fn mime_extension(mime: &str) -> &'static str {
    match mime.split(';').next().unwrap_or("").trim().to_ascii_lowercase().as_str() {
        "video/mp4" => "mp4",
        "video/quicktime" => "mov",
        "video/webm" => "webm",
        "video/x-matroska" => "mkv",
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/gif" => "gif",
        _ => "bin",
    }
}

/// Whether `name` can be sent as-is in `X-File-Name`.
pub(super) fn header_safe(name: &str) -> bool {
    name.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// The bytes being uploaded, once the source has been opened.
pub(super) enum Data {
    /// Positioned reads (a path, or a spooled reader).
    File(Arc<File>),
    /// Zero-copy slices.
    Bytes(Bytes),
    /// Read in order, once. (In a mutex only so that `&Data` is `Send`, which keeps the upload
    /// future `Send`; it is reached through `get_mut`/`into_inner`, never locked.)
    Reader(Mutex<Box<dyn AsyncRead + Send + Unpin>>),
}

/// A source opened and described.
pub(super) struct Prepared {
    pub(super) data: Data,
    pub(super) size: u64,
    pub(super) file_name: String,
    pub(super) mime_type: String,
    /// The whole-file SHA-256 when already known (a spooled reader, with the SHA-256 opted in).
    pub(super) sha256: Option<String>,
    pub(super) identity: SourceIdentity,
}

/// Runs blocking work (file reads, hashing, probing) off the async workers.
pub(super) async fn blocking<R: Send + 'static>(
    work: impl FnOnce() -> R + Send + 'static,
) -> Result<R> {
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => Ok(value),
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Err(_) => Err(Error::cancelled("the runtime is shutting down")),
    }
}

/// Opens the source: size, name, mime type, and the preflight.
pub(super) async fn prepare(source: UploadSource, options: &Checked) -> Result<Prepared> {
    match source {
        UploadSource::Path(path) => {
            let opening = path.clone();
            let (file, metadata) = blocking(move || {
                let file = File::open(&opening)?;
                let metadata = file.metadata()?;
                Ok::<_, io::Error>((file, metadata))
            })
            .await?
            .map_err(|e| Error::io(format!("opening {}: {e}", path.display()), e))?;
            if !metadata.is_file() {
                return Err(Error::invalid_argument(format!(
                    "{} is not a regular file",
                    path.display()
                )));
            }
            let identity = file_identity(&path, &metadata);
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            prepare_file(Arc::new(file), metadata.len(), name, None, identity, options).await
        }
        UploadSource::Bytes(bytes) => {
            let probing = bytes.clone();
            let probe = move || {
                let size = probing.len() as u64;
                crate::probe::probe(io::Cursor::new(probing), size)
            };
            let (file_name, mime_type) = describe(options, None, probe).await?;
            Ok(Prepared {
                size: bytes.len() as u64,
                data: Data::Bytes(bytes),
                file_name,
                mime_type,
                sha256: None,
                identity: SourceIdentity::default(),
            })
        }
        UploadSource::Reader { reader, size: Some(size) } => {
            let (file_name, mime_type) = describe_unprobed(options, None);
            Ok(Prepared {
                data: Data::Reader(Mutex::new(reader)),
                size,
                file_name,
                mime_type,
                sha256: None,
                identity: SourceIdentity::default(),
            })
        }
        UploadSource::Reader { mut reader, size: None } => {
            let threshold = options.single_shot_threshold.min(MAX_SINGLE_SHOT_BYTES);
            let mut head = Vec::new();
            (&mut reader)
                .take(threshold + 1)
                .read_to_end(&mut head)
                .await
                .map_err(|e| read_error(e, 0))?;
            if head.len() as u64 <= threshold {
                return Box::pin(prepare(UploadSource::Bytes(head.into()), options)).await;
            }
            let (file, size, sha256) = spool(head, reader, options.sha256).await?;
            let identity = SourceIdentity::default();
            prepare_file(Arc::new(file), size, None, sha256, identity, options).await
        }
        UploadSource::Url(_) => Err(Error::invalid_argument(
            "a URL is not read like a file: the server fetches it (media.upload with a url)",
        )),
    }
}

pub(super) async fn prepare_file(
    file: Arc<File>,
    size: u64,
    name: Option<String>,
    sha256: Option<String>,
    identity: SourceIdentity,
    options: &Checked,
) -> Result<Prepared> {
    let probing = file.clone();
    let probe = move || crate::probe::probe(&*probing, size);
    let (file_name, mime_type) = describe(options, name, probe).await?;
    Ok(Prepared { data: Data::File(file), size, file_name, mime_type, sha256, identity })
}

/// The file name and mime type of a source that can be probed, after the preflight. The
/// probe runs only when platforms are named or the type cannot be told from the name.
pub(super) async fn describe(
    options: &Checked,
    name: Option<String>,
    probe: impl FnOnce() -> std::result::Result<MediaFacts, ProbeError> + Send + 'static,
) -> Result<(String, String)> {
    let name = options.file_name.clone().or(name);
    let declared = options
        .mime_type
        .clone()
        .or_else(|| name.as_deref().and_then(guess_mime_type).map(str::to_owned));
    if !options.preflights() && declared.is_some() {
        return Ok(describe_unprobed(options, name));
    }
    let facts = blocking(probe).await?;
    if options.preflights() {
        preflight(facts.as_ref(), options)?;
    }
    let mime_type = declared
        .or_else(|| {
            let facts = facts.ok()?;
            container_mime(&facts.container).map(str::to_owned)
        })
        .unwrap_or_else(|| FALLBACK_MIME.to_owned());
    let file_name = name.unwrap_or_else(|| format!("upload.{}", mime_extension(&mime_type)));
    Ok((file_name, mime_type))
}

/// The file name and mime type from the options and the name alone.
pub(super) fn describe_unprobed(options: &Checked, name: Option<String>) -> (String, String) {
    let name = options.file_name.clone().or(name);
    let mime_type = options
        .mime_type
        .clone()
        .or_else(|| name.as_deref().and_then(guess_mime_type).map(str::to_owned))
        .unwrap_or_else(|| FALLBACK_MIME.to_owned());
    let file_name = name.unwrap_or_else(|| format!("upload.{}", mime_extension(&mime_type)));
    (file_name, mime_type)
}

/// How much of a part is read before it is checksummed: small enough that the bytes the read
/// just wrote are still in the CPU's cache when the CRC32C reads them.
const CHECKSUM_SLICE: usize = 256 * 1024;

/// Fills `buffer` (a part's length, pooled or new) from `offset` with positioned reads (the
/// file's cursor is not used, so parts can be read in parallel), and returns it with the
/// CRC32C of its bytes, computed slice by slice as they are read: an 8 MiB part read whole and
/// then checksummed goes through memory twice (the read writes it out of the cache, the
/// CRC32C reads it back); in slices, the CRC32C reads from the cache.
pub(super) fn read_part_checksummed(
    file: &File,
    offset: u64,
    mut buffer: Vec<u8>,
) -> Result<(Bytes, u32)> {
    let mut crc = 0;
    let mut at = 0;
    for slice in buffer.chunks_mut(CHECKSUM_SLICE) {
        let slice_offset = offset + at;
        read_exact_at(file, slice, slice_offset).map_err(|e| read_error(e, slice_offset))?;
        crc = crc32c_append(crc, slice);
        at += slice.len() as u64;
    }
    Ok((Bytes::from(buffer), crc))
}

#[cfg(unix)]
pub(super) fn read_exact_at(file: &File, buffer: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buffer, offset)
}

#[cfg(windows)]
pub(super) fn read_exact_at(file: &File, mut buffer: &mut [u8], mut offset: u64) -> io::Result<()> {
    while !buffer.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buffer, offset) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => {
                buffer = &mut buffer[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

pub(super) fn read_error(error: io::Error, offset: u64) -> Error {
    let what = if error.kind() == io::ErrorKind::UnexpectedEof {
        "the source ended early (did the file shrink, or does the reader hold fewer bytes \
         than declared?)"
            .to_owned()
    } else {
        error.to_string()
    };
    Error::io(format!("reading the upload source at byte {offset} failed: {what}"), error)
}

pub(super) fn too_big(size: u64) -> Error {
    Error::invalid_argument(format!("{size} bytes do not fit in this platform's memory"))
}

/// Fails unless a reader declared to hold `size` bytes is at its end.
pub(super) async fn ensure_ended(
    reader: &mut (dyn AsyncRead + Send + Unpin),
    size: u64,
) -> Result<()> {
    let mut probe = [0u8; 1];
    let read = reader.read(&mut probe).await.map_err(|e| read_error(e, size))?;
    if read > 0 {
        return Err(Error::invalid_argument(format!(
            "the reader holds more than the {size} bytes it was declared with"
        )));
    }
    Ok(())
}

pub(super) async fn hash_bytes(bytes: Bytes) -> Result<String> {
    blocking(move || hex::encode(Sha256::digest(&bytes))).await
}

/// `bytes` with their CRC32C, computed on a blocking thread.
pub(super) async fn checksummed(bytes: Bytes) -> Result<(Bytes, u32)> {
    blocking(move || {
        let crc = crc32c(&bytes);
        (bytes, crc)
    })
    .await
}

/// Copies `head` and the rest of `reader` to an anonymous temporary file, computing the
/// SHA-256 on the way when it is wanted (`sha256`).
pub(super) async fn spool(
    head: Vec<u8>,
    mut reader: Box<dyn AsyncRead + Send + Unpin>,
    sha256: bool,
) -> Result<(File, u64, Option<String>)> {
    let temp = blocking(tempfile::tempfile)
        .await?
        .map_err(|e| Error::io(format!("creating a temporary file to spool the reader: {e}"), e))?;
    let write_error =
        |e: io::Error| Error::io(format!("spooling the reader to a temporary file: {e}"), e);
    let mut out = tokio::fs::File::from_std(temp);
    let mut hasher = sha256.then(Sha256::new);
    if let Some(hasher) = &mut hasher {
        hasher.update(&head);
    }
    out.write_all(&head).await.map_err(write_error)?;
    let mut size = head.len() as u64;
    drop(head);
    let mut buffer = vec![0u8; CHUNK];
    loop {
        let read = reader.read(&mut buffer).await.map_err(|e| read_error(e, size))?;
        if read == 0 {
            break;
        }
        if let Some(hasher) = &mut hasher {
            hasher.update(&buffer[..read]);
        }
        out.write_all(&buffer[..read]).await.map_err(write_error)?;
        size += read as u64;
    }
    out.flush().await.map_err(write_error)?;
    let file = out.into_std().await;
    Ok((file, size, hasher.map(|h| hex::encode(h.finalize()))))
}
