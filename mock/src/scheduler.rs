//! The background loop that moves time-driven state forward: publishing finishes, scheduled
//! posts start, webhook deliveries are retried. It wakes on a short real-time tick and at once
//! when the admin API advances the clock.

use std::time::Duration;

use tokio::sync::watch;

use crate::state::SharedState;

const TICK: Duration = Duration::from_millis(20);

pub async fn run(state: SharedState, mut shutdown: watch::Receiver<bool>) {
    loop {
        tick(&state);
        tokio::select! {
            _ = tokio::time::sleep(TICK) => {}
            _ = state.clock.changed() => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Applies everything that is due at the clock's current time.
pub fn tick(state: &SharedState) {
    let now = state.clock.now();
    crate::resources::posts::advance(state, now);
    crate::resources::webhooks::deliver_due(state, now);
    crate::resources::uploads::expire_due(state, now);
}
