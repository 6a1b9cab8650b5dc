//! Where a wait starts, from the answer that started the publishing: a create or retry answer
//! is the post as a first poll would see it, and its `Retry-After-Ms` (PROTOCOL.md, second
//! edition) says when the post will next change. A wait that begins before that time takes
//! the answer as its first poll (its callback sees `publishing`) and polls at the hinted time,
//! instead of sending a GET that could only answer `publishing`. Shared by a client and its
//! clones; a wait uses up its resource's entry.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Entries kept before the ones whose time has passed are dropped (a wait would not use them,
/// so dropping them changes nothing); past twice this many, all are dropped (at worst a wait
/// polls once more).
const PRUNE_AT: usize = 4_096;

/// An answer a wait can start from.
#[derive(Debug, Clone)]
pub(crate) struct First<T> {
    /// The resource as answered.
    pub item: T,
    /// When the answer arrived (the next poll keeps the shortest interval from it).
    pub answered: Instant,
    /// When the server said the resource will next change.
    pub next_change: Instant,
}

/// Resource id → the answer that started its change.
pub(crate) struct FirstPolls<T>(Arc<Mutex<HashMap<String, First<T>>>>);

impl<T> Default for FirstPolls<T> {
    fn default() -> Self {
        FirstPolls(Arc::default())
    }
}

impl<T> Clone for FirstPolls<T> {
    fn clone(&self) -> Self {
        FirstPolls(self.0.clone())
    }
}

impl<T> fmt::Debug for FirstPolls<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let len = self.0.lock().map_or(0, |m| m.len());
        f.debug_struct("FirstPolls").field("len", &len).finish()
    }
}

impl<T> FirstPolls<T> {
    /// The server answered `item` (resource `id`) just now, with the poll hint `hint`.
    pub(crate) fn remember(&self, id: &str, item: T, hint: Duration) {
        let answered = Instant::now();
        let Some(next_change) = answered.checked_add(hint) else { return };
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= PRUNE_AT {
            map.retain(|_, first| first.next_change > answered);
            if map.len() >= 2 * PRUNE_AT {
                map.clear();
            }
        }
        map.insert(id.to_owned(), First { item, answered, next_change });
    }

    /// The answer a wait on `id` starts from, if one is known and its hinted time is still
    /// ahead; the entry is used up.
    pub(crate) fn take(&self, id: &str) -> Option<First<T>> {
        let first = self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(id)?;
        (first.next_change > Instant::now()).then_some(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_taken_once_and_only_while_its_hint_is_ahead() {
        let polls = FirstPolls::default();
        polls.remember("post_1", 1, Duration::from_secs(60));
        polls.remember("post_2", 2, Duration::ZERO);
        assert_eq!(polls.take("post_1").map(|f| f.item), Some(1));
        assert!(polls.take("post_1").is_none(), "used up");
        assert!(polls.take("post_2").is_none(), "already passed");
        assert!(polls.take("post_3").is_none(), "never answered");
    }

    #[test]
    fn passed_answers_are_dropped_when_the_map_grows() {
        let polls = FirstPolls::default();
        for i in 0..PRUNE_AT {
            polls.remember(&format!("old_{i}"), i, Duration::ZERO);
        }
        polls.remember("new", 0, Duration::from_secs(60));
        assert_eq!(polls.0.lock().unwrap().len(), 1);
        assert!(polls.take("new").is_some());
    }
}
