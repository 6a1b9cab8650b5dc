//! The emulator's state: one store behind one lock (never held across an `.await`), the clock,
//! the fault rules, the journal and the data directory.
//!
//! The store knows no resource: each resource module defines its own part (`Profiles`,
//! `MediaStore`, …), implements [`Part`] for it, and reaches it with [`Store::part`]. A part is
//! made empty on first use and dropped by a reset, so adding a resource touches nothing here.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::chaos::Chaos;
use crate::clock::Clock;
use crate::config::{MockConfig, Settings};
use crate::faults::Faults;
use crate::journal::Journal;

/// What one resource keeps in the [`Store`].
pub trait Part: Any + Send + fmt::Debug {
    /// Files on disk this part owns (stored or still being written); a reset deletes them.
    fn files(&self) -> Vec<PathBuf> {
        Vec::new()
    }
}

/// Everything the resources keep, one [`Part`] per type, reset as a whole by
/// `POST /_mock/reset`.
#[derive(Debug, Default)]
pub struct Store {
    parts: HashMap<TypeId, Box<dyn Part>>,
}

impl Store {
    /// The part of type `T`, made empty on first use.
    pub fn part<T: Part + Default>(&mut self) -> &mut T {
        let part = self.parts.entry(TypeId::of::<T>()).or_insert_with(|| Box::new(T::default()));
        downcast(part)
    }

    /// Several parts at once, for a change that spans resources:
    /// `let (posts, profiles) = store.parts::<(Posts, Profiles)>();`.
    pub fn parts<P: Parts>(&mut self) -> P::Mut<'_> {
        P::get(self)
    }

    fn make<T: Part + Default>(&mut self) -> TypeId {
        self.part::<T>();
        TypeId::of::<T>()
    }
}

fn downcast<T: Part>(part: &mut Box<dyn Part>) -> &mut T {
    let part: &mut dyn Any = &mut **part;
    part.downcast_mut::<T>().expect("a part is stored under its own type id")
}

/// Tuples of distinct part types, borrowed together by [`Store::parts`].
pub trait Parts {
    type Mut<'a>;
    fn get(store: &mut Store) -> Self::Mut<'_>;
}

impl<A: Part + Default, B: Part + Default> Parts for (A, B) {
    type Mut<'a> = (&'a mut A, &'a mut B);

    fn get(store: &mut Store) -> Self::Mut<'_> {
        let ids = [store.make::<A>(), store.make::<B>()];
        let [Some(a), Some(b)] = store.parts.get_disjoint_mut([&ids[0], &ids[1]]) else {
            unreachable!("every part was just made")
        };
        (downcast(a), downcast(b))
    }
}

impl<A: Part + Default, B: Part + Default, C: Part + Default> Parts for (A, B, C) {
    type Mut<'a> = (&'a mut A, &'a mut B, &'a mut C);

    fn get(store: &mut Store) -> Self::Mut<'_> {
        let ids = [store.make::<A>(), store.make::<B>(), store.make::<C>()];
        let [Some(a), Some(b), Some(c)] = store.parts.get_disjoint_mut([&ids[0], &ids[1], &ids[2]])
        else {
            unreachable!("every part was just made")
        };
        (downcast(a), downcast(b), downcast(c))
    }
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
    chaos: Mutex<Option<Chaos>>,
    journal: Mutex<Journal>,
    pub http: reqwest::Client,
    /// The client media URLs are fetched with: redirects are followed by hand, one hop at a
    /// time, so that each hop's host is checked; no proxy (every host is loopback); over TLS
    /// it trusts the emulator's own generated CA, so its `/mock-files/` URLs can be fetched.
    pub fetcher: reqwest::Client,
}

pub type SharedState = Arc<AppState>;

fn fetcher(extra_root: Option<reqwest::Certificate>) -> reqwest::Client {
    let mut builder =
        reqwest::Client::builder().no_proxy().redirect(reqwest::redirect::Policy::none());
    if let Some(root) = extra_root {
        builder = builder.add_root_certificate(root);
    }
    builder.build().unwrap_or_default()
}

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
            chaos: Mutex::new(None),
            journal: Mutex::new(Journal::default()),
            http: reqwest::Client::builder()
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .unwrap_or_default(),
            fetcher: fetcher(None),
        }
    }

    /// Trusts this CA (PEM) when fetching media URLs.
    pub fn trust_for_fetching(&mut self, ca_pem: &[u8]) {
        self.fetcher = fetcher(reqwest::Certificate::from_pem(ca_pem).ok());
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

    /// Chaos mode (`PUT /_mock/chaos`), while it is on.
    pub fn chaos(&self) -> MutexGuard<'_, Option<Chaos>> {
        lock(&self.chaos)
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
        for path in old.parts.values().flat_map(|part| part.files()) {
            let _ = std::fs::remove_file(path);
        }
        self.faults().clear();
        *self.chaos() = None;
        self.journal().clear();
        self.set_settings(settings);
    }
}
