//! What retrying needs: deadlines, full-jitter backoff, idempotency keys and the retry budget
//! a client's calls share.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rand::Rng;

/// Budget refilled per successful call, in thousandths of a retry.
const BUDGET_REFILL_MILLI: u64 = 100;
const BUDGET_RETRY_COST_MILLI: u64 = 1000;

/// `now + timeout`, saturating far in the future instead of overflowing.
pub(crate) fn deadline_after(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout)
        .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 86_400)))
        .unwrap_or(now)
}

/// Full-jitter exponential backoff before retry `retry` (1-based).
pub(super) fn backoff(retry: u32, base: Duration, cap: Duration) -> Duration {
    let exp = base.saturating_mul(1u32.checked_shl(retry.saturating_sub(1)).unwrap_or(u32::MAX));
    let ceiling = exp.min(cap);
    let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(rand::rng().random_range(0..=millis))
}

/// 32 random hex characters.
pub fn new_idempotency_key() -> String {
    let bytes: [u8; 16] = rand::rng().random();
    hex::encode(bytes)
}

/// A token bucket of retries shared by every call of a client, in thousandths of a retry.
#[derive(Debug)]
pub(super) struct RetryBudget {
    capacity: u64,
    tokens: AtomicU64,
}

impl RetryBudget {
    pub(super) fn new(retries: u32) -> RetryBudget {
        let capacity = u64::from(retries) * BUDGET_RETRY_COST_MILLI;
        RetryBudget { capacity, tokens: AtomicU64::new(capacity) }
    }

    /// Takes one retry's worth, if there is one.
    pub(super) fn withdraw(&self) -> bool {
        self.tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                t.checked_sub(BUDGET_RETRY_COST_MILLI)
            })
            .is_ok()
    }

    pub(super) fn refill(&self) {
        let _ = self.tokens.fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
            Some((t + BUDGET_REFILL_MILLI).min(self.capacity))
        });
    }

    pub(super) fn remaining(&self) -> f64 {
        self.tokens.load(Ordering::Acquire) as f64 / BUDGET_RETRY_COST_MILLI as f64
    }
}
