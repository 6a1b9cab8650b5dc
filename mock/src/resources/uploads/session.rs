//! An upload session and the store of them: its geometry (part sizes and offsets), its data
//! file, the parts it holds or is writing, and the running hash's cursor. Every function here
//! is called with the store locked.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::path::PathBuf;
use std::sync::Arc;

use aether::model::{PartReceipt, UploadState, UploadStatus};
use aether::probe::MediaKind;
use aether::ErrorCode;
use bytes::Bytes;
use jiff::Timestamp;
use sha2::Sha256;
use tokio::sync::Mutex as AsyncMutex;

use crate::api_error::{ApiError, ApiResult};
use crate::clock::rfc3339;
use crate::state::{Part, SharedState, Store};

const MIB: u64 = 1024 * 1024;
/// Bytes of received parts a session keeps in memory (only when a SHA-256 was sent at create)
/// until the running hash reaches them, so
/// that they are hashed without being read back from the disk. Parts beyond it (or larger) are
/// read back. Bounds the emulator's memory per upload.
pub(super) const RETAIN_BUDGET: u64 = 8 * MIB;

/// Every upload session, by id, and the temp files of re-sent parts still streaming in.
#[derive(Debug, Default)]
pub struct Uploads {
    pub(super) sessions: HashMap<String, Session>,
    pending_files: HashSet<PathBuf>,
}

#[derive(Debug)]
pub(super) struct Session {
    pub(super) id: String,
    pub(super) media_key: String,
    pub(super) file_name: String,
    pub(super) mime_type: String,
    pub(super) kind: MediaKind,
    pub(super) size: u64,
    pub(super) part_size: u64,
    pub(super) part_count: u32,
    pub(super) sha256: Option<String>,
    pub(super) expires_at: Timestamp,
    pub(super) status: UploadStatus,
    /// Receipts of the parts received, by part number.
    pub(super) parts: BTreeMap<u32, PartReceipt>,
    /// Where the data file goes (named by the server: `uploads/<id>.data`).
    pub(super) data_path: PathBuf,
    /// The data file, once created; `None` again when no part is held, and once the session
    /// completes (the file becomes the media's), aborts or expires.
    pub(super) data_file: Option<PathBuf>,
    /// Parts being written into the data file now, with their writer's token: one writer per
    /// part at a time.
    pub(super) writing: HashMap<u32, u64>,
    /// Bumped whenever the bytes of a held part are replaced: the running hash starts over.
    pub(super) epoch: u64,
    /// The bytes of held parts the running hash has not reached yet, kept in memory (within
    /// [`RETAIN_BUDGET`]) so they need not be read back.
    pub(super) retained: HashMap<u32, Vec<Bytes>>,
    /// Bytes of `retained`, plus those reserved by parts being received to be kept.
    pub(super) reserved: u64,
    /// The running whole-file SHA-256: advanced only when a client sent a SHA-256 (at create,
    /// as parts arrive; or at complete, then all at once). By default nothing hashes the file:
    /// `complete` combines the parts' CRC32Cs.
    pub(super) hash: Arc<AsyncMutex<HashCursor>>,
    /// Taken by each positional write into the data file.
    pub(super) write_turn: WriteTurn,
}

/// The turn of a session's writers of its data file: the parts received at once write one after
/// another. The kernel writes one at a time anyway (the file's inode lock), and its waiters spin
/// on the lock while its holder runs: on two cores that took up to 3 × the emulator's CPU per
/// GiB from the client (perf: `rwsem_spin_on_owner`). Waiting here sleeps.
#[derive(Debug, Default, Clone)]
pub(super) struct WriteTurn(Arc<std::sync::Mutex<()>>);

impl WriteTurn {
    /// Waits for the turn (on a blocking thread); it ends when the guard drops.
    pub(super) fn take(&self) -> std::sync::MutexGuard<'_, ()> {
        // A writer that panicked held no file state worth refusing the next one for.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The SHA-256 of parts `1..=hashed`, valid while the session's epoch is `epoch`.
#[derive(Debug, Default)]
pub(super) struct HashCursor {
    pub(super) hasher: Sha256,
    pub(super) hashed: u32,
    pub(super) epoch: u64,
}

impl HashCursor {
    pub(super) fn restart(&mut self, epoch: u64) {
        *self = HashCursor { epoch, ..HashCursor::default() };
    }
}

impl Part for Uploads {
    /// The data files of every session and the temp files being written, so a reset deletes
    /// them.
    fn files(&self) -> Vec<PathBuf> {
        self.sessions
            .values()
            .filter_map(|s| s.data_file.clone())
            .chain(self.pending_files.iter().cloned())
            .collect()
    }
}

impl Uploads {
    pub(super) fn pending_files(store: &mut Store) -> &mut HashSet<PathBuf> {
        &mut store.part::<Uploads>().pending_files
    }
}

impl Session {
    pub(super) fn expired(&self, now: Timestamp) -> bool {
        now >= self.expires_at
    }

    /// The size part `n` must have: `partSize`, except the last, which holds the rest.
    pub(super) fn expected_size(&self, n: u32) -> u64 {
        if n < self.part_count {
            self.part_size
        } else {
            self.size - u64::from(self.part_count - 1) * self.part_size
        }
    }

    pub(super) fn offset(&self, n: u32) -> u64 {
        u64::from(n - 1) * self.part_size
    }

    pub(super) fn missing_parts(&self) -> Vec<u32> {
        (1..=self.part_count).filter(|n| !self.parts.contains_key(n)).collect()
    }

    /// Opens the data file for writing, creating it (sparse, at the upload's size) first.
    /// Called with the store locked, so an abort or expiry never races a creation.
    pub(super) fn open_data_file(&mut self) -> std::io::Result<File> {
        if let Some(path) = &self.data_file {
            return std::fs::OpenOptions::new().write(true).open(path);
        }
        let file =
            std::fs::OpenOptions::new().write(true).create_new(true).open(&self.data_path)?;
        if let Err(error) = file.set_len(self.size) {
            let _ = std::fs::remove_file(&self.data_path);
            return Err(error);
        }
        self.data_file = Some(self.data_path.clone());
        Ok(file)
    }

    /// Deletes the data file when it holds no part and no part is being written, so a session
    /// whose parts all failed keeps nothing on disk. Called with the store locked.
    pub(super) fn release_if_empty(&mut self) {
        if self.status == UploadStatus::Uploading
            && self.parts.is_empty()
            && self.writing.is_empty()
        {
            if let Some(path) = self.data_file.take() {
                let _ = std::fs::remove_file(path);
            }
        }
    }

    /// Takes the files to delete when the session ends (aborted, expired).
    pub(super) fn take_files(&mut self) -> Vec<PathBuf> {
        self.drop_retained();
        self.data_file.take().into_iter().collect()
    }

    pub(super) fn drop_retained(&mut self) {
        self.retained.clear();
        self.reserved = 0;
    }

    /// Forgets the kept bytes of part `n` (replaced, or hashed).
    pub(super) fn unretain(&mut self, n: u32) -> Option<Vec<Bytes>> {
        let kept = self.retained.remove(&n)?;
        let len: u64 = kept.iter().map(|b| b.len() as u64).sum();
        self.reserved = self.reserved.saturating_sub(len);
        Some(kept)
    }

    pub(super) fn view(&self) -> UploadState {
        UploadState {
            upload_id: self.id.clone(),
            media_key: self.media_key.clone(),
            status: self.status.clone(),
            size: self.size,
            part_size: self.part_size,
            part_count: Some(self.part_count),
            expires_at: Some(rfc3339(self.expires_at)),
            parts: self.parts.values().cloned().collect(),
        }
    }
}

pub(super) fn remove_files(paths: impl IntoIterator<Item = PathBuf>) {
    for path in paths {
        let _ = std::fs::remove_file(path);
    }
}

fn expired_error(id: &str, expires_at: Timestamp) -> ApiError {
    ApiError::new(
        ErrorCode::UploadExpired,
        format!(
            "upload {id} expired at {}; its parts were deleted — start a new upload",
            rfc3339(expires_at)
        ),
    )
}

/// Finds a session and refuses an expired one (freeing its parts). The caller removes the
/// returned files once it released the store.
pub(super) fn live_session<'a>(
    store: &'a mut Store,
    id: &str,
    now: Timestamp,
    freed: &mut Vec<PathBuf>,
) -> ApiResult<&'a mut Session> {
    let session = store
        .part::<Uploads>()
        .sessions
        .get_mut(id)
        .ok_or_else(|| ApiError::not_found("upload", id))?;
    if session.expired(now) {
        freed.extend(session.take_files());
        return Err(expired_error(id, session.expires_at));
    }
    Ok(session)
}

/// Runs `f` on a live session with the store locked, then deletes the files an expiry freed.
pub(super) fn with_live_session<T>(
    state: &SharedState,
    id: &str,
    f: impl FnOnce(&mut Session) -> ApiResult<T>,
) -> ApiResult<T> {
    let now = state.clock.now();
    let mut freed = Vec::new();
    let result = {
        let mut store = state.store();
        live_session(&mut store, id, now, &mut freed).and_then(f)
    };
    remove_files(freed);
    result
}

pub(super) fn not_accepting(session: &Session, doing: &str) -> ApiError {
    let hint = if session.status == UploadStatus::Completed {
        format!("its media is {}", session.media_key)
    } else {
        "start a new upload".to_owned()
    };
    ApiError::invalid(
        "uploadId",
        format!("upload {} is {}; it cannot {doing} — {hint}", session.id, session.status.as_str()),
    )
}
