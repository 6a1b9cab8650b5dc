//! Fault injection: rules set through the admin API that make the next matching requests fail
//! the way real networks and servers fail.

use rand::Rng;
use serde::{Deserialize, Serialize};

/// What a matching request suffers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultAction {
    /// Answer this status (with the API error body) without running the handler.
    Status {
        /// The HTTP status to answer.
        status: u16,
        /// The error code of the body; one that fits the status when absent.
        #[serde(default)]
        code: Option<String>,
        /// Adds `Retry-After` (seconds) and the body's `retryAfter`.
        #[serde(default, rename = "retryAfter")]
        retry_after: Option<u64>,
        /// Sent as `Retry-After-Ms`, which clients prefer to `Retry-After`.
        #[serde(default, rename = "retryAfterMs", skip_serializing_if = "Option::is_none")]
        retry_after_ms: Option<u64>,
        /// Sent as `X-Should-Retry: true|false`, which overrides the client's own judgement.
        #[serde(default, rename = "shouldRetry", skip_serializing_if = "Option::is_none")]
        should_retry: Option<bool>,
    },
    /// Wait this many real milliseconds, then handle the request normally.
    Delay {
        /// Milliseconds of real time to wait first.
        ms: u64,
    },
    /// Reset the connection before the request body is read: nothing is processed.
    ResetBeforeBody,
    /// Process the request fully, then reset the connection instead of answering.
    ResetAfterBody,
    /// Process the request, send the headers and half of the body, then close the connection.
    CloseMidResponse,
    /// Process the request and answer with a body cut short of its declared length.
    TruncatedBody,
    /// Process the request and answer 200 with a body that is not valid JSON.
    MalformedBody,
    /// Process the request and answer its real body without the last byte, with a matching
    /// Content-Length: a well-formed response whose JSON ends too soon.
    IncompleteJson,
    /// Process the request and answer its real body with the first character of its first
    /// non-empty string value replaced by the byte 0xFF, which UTF-8 never uses: JSON in shape,
    /// but not text, as a server or a proxy with the wrong encoding could send.
    InvalidUtf8,
    /// Read this many bytes of the request body, then reset the connection.
    DropAfterRequestBytes {
        /// Bytes of the request body read before the reset.
        bytes: u64,
    },
    /// Flip (invert) the byte at offset `at` of the request body, as a bit error on the way
    /// would: the handler sees damaged bytes (a body shorter than that is left alone).
    FlipRequestByte {
        /// Offset of the flipped byte in the request body.
        at: u64,
    },
    /// Process the request, send the headers and `afterBytes` bytes of the body, wait `ms` real
    /// milliseconds, then send the rest.
    StallMidResponse {
        /// Bytes of the body sent before the pause.
        #[serde(rename = "afterBytes")]
        after_bytes: u64,
        /// Length of the pause, in real milliseconds.
        ms: u64,
    },
    /// Read `afterBytes` bytes of the request body, then nothing for `ms` real milliseconds,
    /// then the rest. The request is journaled when it arrives (status null), since a client
    /// that gives up meanwhile takes the connection, and the answer, with it.
    StallRequestBody {
        /// Bytes of the request body read before the pause.
        #[serde(rename = "afterBytes")]
        after_bytes: u64,
        /// Length of the pause, in real milliseconds.
        ms: u64,
    },
    /// Answer normally; then, once the kept-alive connection has been idle `ms` milliseconds,
    /// consider it closed without telling the client: the next request that arrives on it is
    /// read and dropped unanswered (the connection closed before any byte of an answer, as a
    /// server closing an idle connection races a client reusing it), never handled, and
    /// journaled with status null and fault `close_idle`.
    CloseIdle {
        /// How long an idle kept-alive connection may stay before it counts as closed.
        ms: u64,
    },
}

/// A rule: which requests, how many of them, and what happens.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRule {
    /// The rule's id (`flt_…`), assigned when it is added; used to delete it.
    #[serde(default)]
    pub id: String,
    /// HTTP method to match, or `*` / absent for any.
    #[serde(default)]
    pub method: Option<String>,
    /// Path pattern: `*` matches within one segment, `**` across segments.
    pub path: String,
    /// Apply to the next N matching requests, then disappear. Absent: every match.
    #[serde(default)]
    pub times: Option<u32>,
    /// Apply to this fraction (0–1) of matching requests.
    #[serde(default)]
    pub probability: Option<f64>,
    /// What happens to a matching request.
    pub action: FaultAction,
}

impl FaultRule {
    fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = match self.method.as_deref() {
            None | Some("*") => true,
            Some(m) => m.eq_ignore_ascii_case(method),
        };
        method_ok && glob_match(self.path.as_bytes(), path.as_bytes())
    }
}

/// The rules in force, in the order they were added; the first match wins.
#[derive(Debug, Default)]
pub struct Faults {
    rules: Vec<FaultRule>,
}

impl Faults {
    /// Adds a rule; rules are tried in the order they were added.
    pub fn add(&mut self, rule: FaultRule) {
        self.rules.push(rule);
    }

    /// The rules in force, in order.
    pub fn list(&self) -> &[FaultRule] {
        &self.rules
    }

    /// Removes every rule.
    pub fn clear(&mut self) {
        self.rules.clear();
    }

    /// Removes the rule with this id; whether there was one.
    pub fn remove(&mut self, id: &str) -> bool {
        let before = self.rules.len();
        self.rules.retain(|r| r.id != id);
        before != self.rules.len()
    }

    /// The action for this request, if a rule fires; counts the firing against `times`.
    pub fn take(&mut self, method: &str, path: &str) -> Option<FaultAction> {
        let index = self.rules.iter().position(|r| r.matches(method, path))?;
        let rule = &mut self.rules[index];
        if let Some(p) = rule.probability {
            if rand::rng().random::<f64>() >= p {
                return None;
            }
        }
        let action = rule.action.clone();
        if let Some(times) = rule.times.as_mut() {
            *times = times.saturating_sub(1);
            if *times == 0 {
                self.rules.remove(index);
            }
        }
        Some(action)
    }
}

/// `*` matches any run of characters except `/`; `**` matches any run including `/`.
fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    match pattern {
        [] => text.is_empty(),
        [b'*', b'*', rest @ ..] => (0..=text.len()).any(|i| glob_match(rest, &text[i..])),
        [b'*', rest @ ..] => {
            let limit = text.iter().position(|&c| c == b'/').unwrap_or(text.len());
            (0..=limit).any(|i| glob_match(rest, &text[i..]))
        }
        [p, rest @ ..] => text.first() == Some(p) && glob_match(rest, &text[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_segments_and_subtrees() {
        assert!(glob_match(b"/v1/posts", b"/v1/posts"));
        assert!(glob_match(b"/v1/posts/*", b"/v1/posts/post_1"));
        assert!(!glob_match(b"/v1/posts/*", b"/v1/posts/post_1/x"));
        assert!(glob_match(b"/v1/**", b"/v1/media/uploads/upl_1/parts/3"));
        assert!(glob_match(b"/v1/media/uploads/*/parts/*", b"/v1/media/uploads/upl_1/parts/3"));
        assert!(!glob_match(b"/v1/posts", b"/v1/posts/x"));
    }

    #[test]
    fn a_rule_with_times_fires_that_often_then_disappears() {
        let mut faults = Faults::default();
        faults.add(FaultRule {
            id: "f1".into(),
            method: Some("POST".into()),
            path: "/v1/posts".into(),
            times: Some(2),
            probability: None,
            action: FaultAction::ResetAfterBody,
        });
        assert_eq!(faults.take("GET", "/v1/posts"), None);
        assert_eq!(faults.take("POST", "/v1/posts"), Some(FaultAction::ResetAfterBody));
        assert_eq!(faults.take("post", "/v1/posts"), Some(FaultAction::ResetAfterBody));
        assert_eq!(faults.take("POST", "/v1/posts"), None);
        assert!(faults.list().is_empty());
    }
}
