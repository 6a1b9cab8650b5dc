//! List endpoints: `?limit=` (1–100, default 20) and `?cursor=`, newest first, with opaque
//! cursors that name the list they belong to.

use aether::model::Page;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::api_error::{ApiError, ApiResult};

pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 100;

/// The validated query of a list endpoint.
#[derive(Debug, Clone)]
pub struct ListParams {
    pub limit: usize,
    /// Only items with a sequence number below this one (the last item of the previous page).
    pub before: Option<u64>,
    kind: &'static str,
    extra: Vec<(String, String)>,
}

impl ListParams {
    /// Reads `limit` and `cursor` and the endpoint's own filters (`extra_names`); any other
    /// parameter, a repeated one, a limit outside 1–100 or a cursor this list did not hand out
    /// is 400 `INVALID_REQUEST` naming the parameter.
    pub fn parse(
        query: &[(String, String)],
        kind: &'static str,
        extra_names: &[&str],
    ) -> ApiResult<ListParams> {
        let mut params = ListParams { limit: DEFAULT_LIMIT, before: None, kind, extra: Vec::new() };
        let mut seen: Vec<&str> = Vec::new();
        for (name, value) in query {
            if seen.contains(&name.as_str()) {
                return Err(ApiError::invalid(
                    name.clone(),
                    format!("query parameter {name:?} is given twice; give it once"),
                ));
            }
            seen.push(name);
            match name.as_str() {
                "limit" => params.limit = parse_limit(value)?,
                "cursor" => params.before = Some(decode_cursor(kind, value)?),
                other if extra_names.contains(&other) => {
                    params.extra.push((name.clone(), value.clone()));
                }
                other => {
                    let mut known = vec!["limit", "cursor"];
                    known.extend_from_slice(extra_names);
                    return Err(ApiError::invalid(
                        other,
                        format!(
                            "unknown query parameter {other:?}; this list takes {}",
                            known.join(", ")
                        ),
                    ));
                }
            }
        }
        Ok(params)
    }

    /// The value of one of the endpoint's own filters.
    pub fn extra(&self, name: &str) -> Option<&str> {
        self.extra.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// One page of `newest_first`, whose items carry a sequence number that only grows with
    /// creation (so a cursor survives deletions).
    pub fn page<T>(&self, newest_first: impl Iterator<Item = (u64, T)>) -> Page<T> {
        let mut data = Vec::new();
        let mut last_seq = 0;
        let mut next_cursor = None;
        for (seq, item) in newest_first.filter(|(seq, _)| self.before.is_none_or(|b| *seq < b)) {
            if data.len() == self.limit {
                next_cursor = Some(encode_cursor(self.kind, last_seq));
                break;
            }
            last_seq = seq;
            data.push(item);
        }
        Page { data, next_cursor }
    }
}

fn parse_limit(value: &str) -> ApiResult<usize> {
    match value.parse::<usize>() {
        Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => Ok(limit),
        _ => Err(ApiError::invalid(
            "limit",
            format!("limit must be an integer from 1 to {MAX_LIMIT}; got {value:?}"),
        )),
    }
}

/// An opaque cursor: the list's kind and the sequence number of the last item handed out.
pub fn encode_cursor(kind: &str, seq: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{kind}:{seq}"))
}

fn decode_cursor(kind: &str, cursor: &str) -> ApiResult<u64> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| {
            let (k, seq) = text.split_once(':')?;
            (k == kind).then(|| seq.parse::<u64>().ok()).flatten()
        })
        .ok_or_else(|| {
            ApiError::invalid(
                "cursor",
                "cursor is not a nextCursor of this list; pass the nextCursor of the previous \
                 page, or leave cursor out to start from the first page",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn pages_walk_every_item_once_newest_first() {
        let items: Vec<(u64, u64)> = (1..=45).rev().map(|seq| (seq, seq)).collect();
        let mut params = ListParams::parse(&query(&[]), "t", &[]).unwrap();
        let mut seen = Vec::new();
        loop {
            let page = params.page(items.iter().copied());
            seen.extend(page.data);
            match page.next_cursor {
                Some(cursor) => {
                    params = ListParams::parse(&query(&[("cursor", &cursor)]), "t", &[]).unwrap()
                }
                None => break,
            }
        }
        assert_eq!(seen, (1..=45).rev().collect::<Vec<_>>());
    }

    #[test]
    fn an_exactly_full_last_page_has_no_next_cursor() {
        let params = ListParams::parse(&query(&[("limit", "3")]), "t", &[]).unwrap();
        let page = params.page([(3, 'c'), (2, 'b'), (1, 'a')].into_iter());
        assert_eq!(page.data, vec!['c', 'b', 'a']);
        assert_eq!(page.next_cursor, None);
    }

    #[test]
    fn cursors_of_another_list_and_bad_limits_are_refused() {
        let cursor = encode_cursor("other", 5);
        let error = ListParams::parse(&query(&[("cursor", &cursor)]), "t", &[]).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("cursor"));
        for limit in ["0", "101", "-1", "ten", ""] {
            let error = ListParams::parse(&query(&[("limit", limit)]), "t", &[]).unwrap_err();
            assert_eq!(error.field.as_deref(), Some("limit"), "{limit}");
        }
        let error = ListParams::parse(&query(&[("limt", "5")]), "t", &[]).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("limt"));
    }
}
