//! The running whole-file SHA-256: whenever the parts after the ones already hashed are all
//! held, they are hashed in order (from their kept bytes, else read back from the data file),
//! so `complete` only hashes what is left.

use std::fs::File;
use std::sync::Arc;

use aether::model::UploadStatus;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

use super::positional::{read_exact_at, READ_BUFFER};
use super::session::{HashCursor, Uploads};
use crate::state::SharedState;

/// Hashes, in order, the held parts after the ones already hashed, and returns the cursor
/// (locked) where it stopped: at the first part not held, or at the end.
pub(super) async fn advance_hash(
    state: &SharedState,
    id: &str,
    cursor: Arc<AsyncMutex<HashCursor>>,
) -> OwnedMutexGuard<HashCursor> {
    let mut guard = cursor.clone().lock_owned().await;
    loop {
        let next = {
            let mut store = state.store();
            let Some(session) = store.part::<Uploads>().sessions.get_mut(id) else { break };
            if session.status != UploadStatus::Uploading {
                break;
            }
            if guard.epoch != session.epoch {
                guard.restart(session.epoch);
            }
            let n = guard.hashed + 1;
            if n > session.part_count || !session.parts.contains_key(&n) {
                break;
            }
            let source = match session.unretain(n) {
                Some(kept) => Source::Kept(kept),
                None => {
                    let Some(path) = &session.data_file else { break };
                    let Ok(file) = File::open(path) else { break };
                    Source::File(file)
                }
            };
            (source, session.offset(n), session.expected_size(n), session.epoch)
        };
        let (source, offset, len, epoch) = next;
        let hashing = tokio::task::spawn_blocking(move || {
            let mut guard = guard;
            let hashed = match source {
                Source::Kept(chunks) => {
                    chunks.iter().for_each(|chunk| guard.hasher.update(chunk));
                    Ok(())
                }
                Source::File(file) => hash_range(&file, offset, len, &mut guard.hasher),
            };
            (guard, hashed)
        })
        .await;
        let hashed;
        (guard, hashed) = match hashing {
            Ok(done) => done,
            Err(_) => {
                // The hashing thread panicked: its state is lost.
                let mut guard = cursor.clone().lock_owned().await;
                guard.restart(u64::MAX);
                return guard;
            }
        };
        let mut store = state.store();
        let current = store.part::<Uploads>().sessions.get(id).map(|s| s.epoch);
        if hashed.is_ok() && current == Some(epoch) {
            guard.hashed += 1;
        } else {
            // A held part was replaced meanwhile, or the read failed: start over.
            guard.restart(u64::MAX);
            if hashed.is_err() {
                break;
            }
        }
    }
    guard
}

/// Where the running hash reads a part.
enum Source {
    /// Its bytes, kept in memory since they arrived.
    Kept(Vec<Bytes>),
    /// The data file.
    File(File),
}

fn hash_range(file: &File, offset: u64, len: u64, hasher: &mut Sha256) -> std::io::Result<()> {
    let mut buffer = vec![0u8; READ_BUFFER];
    let mut done = 0u64;
    while done < len {
        let step = usize::try_from((len - done).min(READ_BUFFER as u64)).unwrap_or(READ_BUFFER);
        read_exact_at(file, &mut buffer[..step], offset + done)?;
        hasher.update(&buffer[..step]);
        done += step as u64;
    }
    Ok(())
}
