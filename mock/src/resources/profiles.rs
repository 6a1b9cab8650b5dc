//! Profiles: connected accounts, listed with cursor pagination, disconnected on DELETE.
//! (Interface in place; routes land with the connect-links work.)

use aether::model::{Platform, Profile, ProfileStatus, Tier};
use axum::Router;
use jiff::Timestamp;

use crate::clock::rfc3339;
use crate::ids::new_id;
use crate::state::SharedState;

/// Profiles in the order they were connected (the order lists page through).
#[derive(Debug, Default)]
pub struct Profiles {
    profiles: Vec<Profile>,
}

impl Profiles {
    pub fn get(&self, id: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.id == id)
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Profile> {
        self.profiles.iter_mut().find(|p| p.id == id)
    }

    pub fn all(&self) -> &[Profile] {
        &self.profiles
    }

    /// Connects a new, active profile.
    pub fn create(
        &mut self,
        platform: Platform,
        tier: Tier,
        username: Option<String>,
        now: Timestamp,
    ) -> Profile {
        let id = new_id("prof");
        let username = username.unwrap_or_else(|| format!("{}_{}", platform.as_str(), &id[5..11]));
        let profile = Profile {
            id,
            platform,
            display_name: username.clone(),
            username,
            tier,
            status: ProfileStatus::Active,
            connected_at: rfc3339(now),
        };
        self.profiles.push(profile.clone());
        profile
    }
}

pub fn routes() -> Router<SharedState> {
    Router::new()
}

pub fn admin_routes() -> Router<SharedState> {
    Router::new()
}
