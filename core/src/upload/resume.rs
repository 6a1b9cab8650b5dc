//! The resume state file: what lets another process continue a chunked upload.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// What [`super::UploadSettings::resume_state_file`] holds while a chunked upload is open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResumeState {
    /// The upload session (`upl_…`).
    pub upload_id: String,
    /// The media key the file will have.
    pub media_key: String,
    /// The canonical path of the source; `None` for readers and bytes.
    pub path: Option<PathBuf>,
    /// The source's size.
    pub size: u64,
    /// The session's part size.
    pub part_size: u64,
    /// The source file's modification time (RFC 3339); `None` for readers and bytes.
    pub mtime: Option<String>,
}

impl ResumeState {
    /// Reads a state file; `Ok(None)` when there is none or it is not a state file.
    pub fn load(path: &Path) -> Result<Option<ResumeState>> {
        match std::fs::read(path) {
            Ok(bytes) => Ok(serde_json::from_slice(&bytes).ok()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => {
                Err(Error::io(format!("reading the resume state {}: {e}", path.display()), e))
            }
        }
    }

    /// Writes the state atomically: to a temporary file beside `path`, then renamed over it.
    pub fn save(&self, path: &Path) -> Result<()> {
        let io = |e: io::Error| {
            Error::io(format!("writing the resume state {}: {e}", path.display()), e)
        };
        let bytes = serde_json::to_vec_pretty(self)
            .map_err(|e| Error::invalid_argument(format!("the resume state: {e}")))?;
        let mut temp_name = path.file_name().unwrap_or_default().to_os_string();
        temp_name.push(format!(".{}.tmp", crate::transport::new_idempotency_key()));
        let temp = path.with_file_name(temp_name);
        let written = (|| {
            let mut file = File::create(&temp)?;
            io::Write::write_all(&mut file, &bytes)?;
            file.sync_all()?;
            std::fs::rename(&temp, path)
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(&temp);
            return Err(io(e));
        }
        Ok(())
    }

    /// Deletes a state file; a missing one is fine.
    pub fn remove(path: &Path) {
        if let Err(e) = std::fs::remove_file(path) {
            if e.kind() != io::ErrorKind::NotFound {
                tracing::warn!(path = %path.display(), error = %e, "could not delete the resume state");
            }
        }
    }
}

/// What identifies a source in a [`ResumeState`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct SourceIdentity {
    pub(super) path: Option<PathBuf>,
    pub(super) mtime: Option<String>,
}

pub(super) fn file_identity(path: &Path, metadata: &std::fs::Metadata) -> SourceIdentity {
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let mtime = metadata
        .modified()
        .ok()
        .and_then(|t| jiff::Timestamp::try_from(t).ok())
        .map(|t| t.to_string());
    SourceIdentity { path: Some(path), mtime }
}
