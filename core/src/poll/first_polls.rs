//! When a wait should poll first, from the answer that started the publishing: the server's
//! `Retry-After-Ms` on a create or retry (PROTOCOL.md, second edition) says when the post will
//! next change, so a wait that begins right after it need not send a GET that can only answer
//! "publishing". Shared by a client and its clones; a wait takes its post's entry.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Entries kept before the ones whose time has passed are dropped (they no longer delay a
/// poll, so dropping them changes nothing); past twice this many, all are dropped (at worst
/// a wait polls once more).
const PRUNE_AT: usize = 4_096;

/// Post id → the earliest time its first poll is worth sending.
#[derive(Debug, Clone, Default)]
pub(crate) struct FirstPolls(Arc<Mutex<HashMap<String, Instant>>>);

impl FirstPolls {
    /// The server answered `id` with a poll hint of `hint`, just now.
    pub(crate) fn remember(&self, id: &str, hint: Duration) {
        let now = Instant::now();
        let Some(at) = now.checked_add(hint) else { return };
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= PRUNE_AT {
            map.retain(|_, when| *when > now);
            if map.len() >= 2 * PRUNE_AT {
                map.clear();
            }
        }
        map.insert(id.to_owned(), at);
    }

    /// When the first poll of a wait on `id` is worth sending, if a hint is known and still
    /// ahead; the entry is used up.
    pub(crate) fn take(&self, id: &str) -> Option<Instant> {
        let at = self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(id)?;
        (at > Instant::now()).then_some(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hint_is_taken_once_and_only_while_ahead() {
        let polls = FirstPolls::default();
        polls.remember("post_1", Duration::from_secs(60));
        polls.remember("post_2", Duration::ZERO);
        assert!(polls.take("post_1").is_some());
        assert_eq!(polls.take("post_1"), None, "used up");
        assert_eq!(polls.take("post_2"), None, "already passed");
        assert_eq!(polls.take("post_3"), None, "never hinted");
    }

    #[test]
    fn passed_hints_are_dropped_when_the_map_grows() {
        let polls = FirstPolls::default();
        for i in 0..PRUNE_AT {
            polls.remember(&format!("old_{i}"), Duration::ZERO);
        }
        polls.remember("new", Duration::from_secs(60));
        assert_eq!(polls.0.lock().unwrap().len(), 1);
        assert!(polls.take("new").is_some());
    }
}
