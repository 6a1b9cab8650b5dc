//! The journal of API requests received, so tests can assert what the server saw — for
//! example that a retried create produced exactly one post.

use serde::Serialize;

/// One API request as the server saw it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    pub seq: u64,
    pub at: String,
    pub request_id: String,
    pub method: String,
    pub path: String,
    pub idempotency_key: Option<String>,
    /// The status answered; `None` when the connection was reset instead.
    pub status: Option<u16>,
    pub replayed: bool,
    /// The fault applied to this request, by its type name.
    pub fault: Option<String>,
    /// Id of the resource this request created (a post, a link, an upload…), if any.
    pub created: Option<String>,
}

#[derive(Debug, Default)]
pub struct Journal {
    next_seq: u64,
    entries: Vec<JournalEntry>,
}

impl Journal {
    pub fn record(&mut self, mut entry: JournalEntry) {
        self.next_seq += 1;
        entry.seq = self.next_seq;
        self.entries.push(entry);
    }

    pub fn entries(&self) -> &[JournalEntry] {
        &self.entries
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}
