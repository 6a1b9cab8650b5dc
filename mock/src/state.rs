//! The emulator's state: one store behind one lock (never held across an `.await`), the clock,
//! the fault rules, the journal and the data directory.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::clock::Clock;
use crate::config::{MockConfig, Settings};
use crate::faults::Faults;
use crate::journal::Journal;
use crate::resources::{connect_links, idempotency, media, posts, profiles, uploads, webhooks};

/// Everything the resources keep, reset as a whole by `POST /_mock/reset`.
#[derive(Debug, Default)]
pub struct Store {
    pub connect_links: connect_links::Links,
    pub profiles: profiles::Profiles,
    pub uploads: uploads::Uploads,
    pub media: media::MediaStore,
    pub posts: posts::Posts,
    pub webhooks: webhooks::Webhooks,
    pub idempotency: idempotency::Records,
    pub rate_windows: crate::context::RateWindows,
}

/// Shared by every request handler and the background scheduler.
#[derive(Debug)]
pub struct AppState {
    pub api_keys: Vec<String>,
    pub admin_token: String,
    pub base_url: String,
    pub data_dir: PathBuf,
    pub clock: Clock,
    store: Mutex<Store>,
    settings: Mutex<Settings>,
    faults: Mutex<Faults>,
    journal: Mutex<Journal>,
    pub http: reqwest::Client,
}

pub type SharedState = Arc<AppState>;

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A handler that panicked mid-update cannot leave the emulator unusable for the next test.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl AppState {
    pub fn new(
        config: &MockConfig,
        admin_token: String,
        base_url: String,
        data_dir: PathBuf,
    ) -> AppState {
        AppState {
            api_keys: config.api_keys.clone(),
            admin_token,
            base_url,
            data_dir,
            clock: Clock::new(),
            store: Mutex::new(Store::default()),
            settings: Mutex::new(config.settings.clone()),
            faults: Mutex::new(Faults::default()),
            journal: Mutex::new(Journal::default()),
            http: reqwest::Client::builder()
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
        }
    }

    pub fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    pub fn settings(&self) -> Settings {
        lock(&self.settings).clone()
    }

    pub fn set_settings(&self, settings: Settings) {
        *lock(&self.settings) = settings;
    }

    pub fn faults(&self) -> MutexGuard<'_, Faults> {
        lock(&self.faults)
    }

    pub fn journal(&self) -> MutexGuard<'_, Journal> {
        lock(&self.journal)
    }

    pub fn media_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Forgets every resource, fault and journal entry; media files are deleted.
    pub fn reset(&self, settings: Settings) {
        let old = std::mem::take(&mut *self.store());
        for path in old.media.file_paths().chain(old.uploads.file_paths()) {
            let _ = std::fs::remove_file(path);
        }
        self.faults().clear();
        self.journal().clear();
        self.set_settings(settings);
    }
}
