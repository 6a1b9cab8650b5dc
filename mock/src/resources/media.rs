//! Media: single-shot upload, get, delete, and verification by the probe.
//! (Interface in place; routes land with the media work.)

use std::collections::BTreeMap;
use std::path::PathBuf;

use aether::model::Media;
use aether::probe::MediaFacts;
use axum::Router;

use crate::state::SharedState;

/// A stored file: what the API shows, what the probe found, and where the bytes are.
#[derive(Debug, Clone)]
pub struct StoredMedia {
    pub media: Media,
    /// Set once verification succeeded.
    pub facts: Option<MediaFacts>,
    pub path: PathBuf,
}

#[derive(Debug, Default)]
pub struct MediaStore {
    items: BTreeMap<String, StoredMedia>,
}

impl MediaStore {
    pub fn get(&self, media_key: &str) -> Option<&StoredMedia> {
        self.items.get(media_key)
    }

    pub fn get_mut(&mut self, media_key: &str) -> Option<&mut StoredMedia> {
        self.items.get_mut(media_key)
    }

    pub fn insert(&mut self, stored: StoredMedia) {
        self.items.insert(stored.media.media_key.clone(), stored);
    }

    pub fn remove(&mut self, media_key: &str) -> Option<StoredMedia> {
        self.items.remove(media_key)
    }

    pub fn file_paths(&self) -> impl Iterator<Item = PathBuf> + '_ {
        self.items.values().map(|m| m.path.clone())
    }
}

pub fn routes() -> Router<SharedState> {
    Router::new()
}
