//! The journal of API requests received, so tests can assert what the server saw — for
//! example that a retried create produced exactly one post. It also records every publish
//! attempt the emulator makes to a platform (`method: "PUBLISH"`,
//! `path: "/platforms/{platform}/publish"`), so a test can count what went live.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// The journal keeps the most recent entries only, so a load test against a long-running
/// emulator does not grow its memory without bound. Tests read far fewer than this.
pub const JOURNAL_CAPACITY: usize = 10_000;

/// One API request as the server saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    /// Position in the journal, from 1; a gap means older entries were dropped.
    pub seq: u64,
    /// When the request arrived (RFC 3339, the emulator's clock).
    pub at: String,
    /// The `X-Request-Id` the emulator answered with.
    pub request_id: String,
    /// The HTTP method (`PUBLISH` for a publish attempt to a platform).
    pub method: String,
    /// The request path, without the query.
    pub path: String,
    /// Which connection the request came on, numbered in the order the server accepted them
    /// from 1: requests on one kept-alive connection share it. `None` for a publish attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<u64>,
    /// The request's `Idempotency-Key`, if it had one.
    pub idempotency_key: Option<String>,
    /// The status answered; `None` when the connection was reset instead.
    pub status: Option<u16>,
    /// Whether the answer replayed a stored idempotent one (`Idempotent-Replayed`).
    pub replayed: bool,
    /// The fault applied to this request, by its type name.
    pub fault: Option<String>,
    /// Id of the resource this request created (a post, a link, an upload…), if any; for a
    /// platform publish that went live, the platform's post id.
    pub created: Option<String>,
    /// For a platform publish: the post it published (or tried to).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_id: Option<String>,
    /// The `X-Client-Request-Id` header as received: the client's id of the call, the same on
    /// each of its attempts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_request_id: Option<String>,
    /// The query string as received (without `?`), when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// The request's custom headers (names starting with `x-`, lower case), so a test can see
    /// the extra headers a client added to a call.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub headers: std::collections::BTreeMap<String, String>,
    /// The W3C `traceparent` header as received, when the client sent one.
    #[serde(default)]
    pub traceparent: Option<String>,
    /// The `X-Aether-Retry-Count` header: which retry of its call this was; 0 for a first
    /// attempt (no header, or one that is not a number).
    #[serde(default)]
    pub retry_count: u32,
    /// Whether the fault was chaos mode's (`PUT /_mock/chaos`) rather than an explicit rule's.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub chaos: bool,
}

/// The requests the emulator received, oldest first, bounded (the oldest are dropped).
#[derive(Debug, Default)]
pub struct Journal {
    next_seq: u64,
    entries: VecDeque<JournalEntry>,
}

impl Journal {
    /// Appends an entry, numbering it.
    pub fn record(&mut self, mut entry: JournalEntry) {
        self.next_seq += 1;
        entry.seq = self.next_seq;
        if self.entries.len() == JOURNAL_CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
    }

    /// The entries, oldest first; `seq` numbers show whether older ones were dropped.
    pub fn entries(&self) -> &VecDeque<JournalEntry> {
        &self.entries
    }

    /// Forgets every entry (`DELETE /_mock/journal`).
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> JournalEntry {
        JournalEntry {
            seq: 0,
            at: String::new(),
            request_id: String::new(),
            method: "GET".into(),
            path: "/v1/posts".into(),
            connection: Some(1),
            idempotency_key: None,
            status: Some(200),
            replayed: false,
            fault: None,
            created: None,
            post_id: None,
            client_request_id: None,
            query: None,
            headers: Default::default(),
            traceparent: None,
            retry_count: 0,
            chaos: false,
        }
    }

    #[test]
    fn the_journal_keeps_the_most_recent_entries() {
        let mut journal = Journal::default();
        for _ in 0..JOURNAL_CAPACITY + 5 {
            journal.record(entry());
        }
        assert_eq!(journal.entries().len(), JOURNAL_CAPACITY);
        assert_eq!(journal.entries().front().map(|e| e.seq), Some(6));
        assert_eq!(journal.entries().back().map(|e| e.seq), Some(JOURNAL_CAPACITY as u64 + 5));
    }
}
