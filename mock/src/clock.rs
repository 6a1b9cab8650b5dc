//! The emulator's virtual clock. Everything time-based — processing, scheduling, quota resets,
//! expiries, webhook retries — reads this clock, so a test can move a day forward in one call
//! instead of sleeping.

use std::sync::Mutex;
use std::time::Instant;

use jiff::{SignedDuration, Timestamp};
use tokio::sync::Notify;

/// Real time plus an offset that only grows.
#[derive(Debug)]
pub struct Clock {
    started_real: Instant,
    started_at: Timestamp,
    offset: Mutex<SignedDuration>,
    changed: Notify,
}

impl Clock {
    /// A clock that starts at the real current time.
    pub fn new() -> Clock {
        Clock {
            started_real: Instant::now(),
            started_at: Timestamp::now(),
            offset: Mutex::new(SignedDuration::ZERO),
            changed: Notify::new(),
        }
    }

    /// The current virtual instant.
    pub fn now(&self) -> Timestamp {
        let elapsed =
            SignedDuration::try_from(self.started_real.elapsed()).unwrap_or(SignedDuration::MAX);
        let offset = *self.offset.lock().unwrap_or_else(|e| e.into_inner());
        self.started_at
            .checked_add(elapsed)
            .and_then(|t| t.checked_add(offset))
            .unwrap_or(Timestamp::MAX)
    }

    /// Moves the clock forward. Time never goes backwards: negative amounts are refused by the
    /// admin API before they get here.
    pub fn advance(&self, by: SignedDuration) {
        {
            let mut offset = self.offset.lock().unwrap_or_else(|e| e.into_inner());
            *offset = offset.saturating_add(by);
        }
        self.changed.notify_waiters();
    }

    /// Resolves when the clock was advanced.
    pub async fn changed(&self) {
        self.changed.notified().await;
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new()
    }
}

/// RFC 3339 in UTC with millisecond precision, the API's timestamp format.
pub fn rfc3339(at: Timestamp) -> String {
    format!("{at:.3}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_now_forward_by_at_least_the_amount() {
        let clock = Clock::new();
        let before = clock.now();
        clock.advance(SignedDuration::from_hours(24));
        let after = clock.now();
        assert!(after.duration_since(before) >= SignedDuration::from_hours(24));
    }

    #[test]
    fn timestamps_are_utc_with_milliseconds() {
        let at: Timestamp = "2026-06-15T13:00:00.5Z".parse().unwrap();
        assert_eq!(rfc3339(at), "2026-06-15T13:00:00.500Z");
    }
}
