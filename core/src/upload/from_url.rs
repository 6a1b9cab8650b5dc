//! Media by URL ([`super::UploadSource::Url`]): `POST /v1/media/ingest`, after a preflight that
//! reads only the bytes the probe needs, with HTTP range requests.
//!
//! - The server fetches the URL itself, at once, and verifies it like an upload; the answer is
//!   the media in `processing` (follow it with `wait_ready`, which fails `MEDIA_FETCH_FAILED`
//!   naming the URL and the reason when the fetch failed).
//! - **Preflight** (when the options name platforms): the probe ([`crate::probe`]) runs over a
//!   [`RangeReader`], which fetches [`BLOCK`]-byte blocks with `Range: bytes=a-b` as the probe
//!   touches them — the file's head, the boxes' headers, the MP4 `moov` wherever it is (the
//!   end, too) — and never the media data it seeks past. A server that ignores `Range`
//!   (answers 200) is read up to [`PREFIX_LIMIT`] bytes once; a probe that needs more than that
//!   prefix, or more than [`MAX_PROBE_BYTES`] in all, gives up. A URL the client cannot read
//!   (no connection, a 4xx or 5xx, a probe that gave up) is not judged here: the server's own
//!   fetch is authoritative (it may reach hosts the client cannot), so the ingest goes ahead
//!   and a warning is logged. Media the probe *did* read and that breaks a platform's rule
//!   fails with the rule's code (e.g. `VIDEO_TOO_SHORT`, field `url`) before the ingest call.
//! - The range requests go to the URL's host only, without the API key, following at most 5
//!   redirects. The URL in messages carries no query string (`?…`): a signed URL's signature
//!   is a credential.

use std::collections::BTreeMap;
use std::io::{self, Read, Seek, SeekFrom};
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{CONTENT_RANGE, RANGE};
use reqwest::{StatusCode, Url};

use super::options::Checked;
use super::preflight::preflight;
use super::Engine;
use crate::error::{Error, Result};
use crate::model::{IngestMediaRequest, Media};
use crate::probe::{probe, MediaFacts, ProbeError};
use crate::transport::ApiRequest;

/// Bytes fetched per range request.
pub const BLOCK: u64 = 16 * 1024;
/// Most bytes a preflight reads from a URL, in all.
pub const MAX_PROBE_BYTES: u64 = 4 * 1024 * 1024;
/// Most bytes read from a server that ignores `Range`.
pub const PREFIX_LIMIT: u64 = 1024 * 1024;
/// Redirects followed by the preflight's range requests.
const MAX_REDIRECTS: usize = 5;

impl Engine {
    /// Preflights `url` when platforms are named, then asks the server to ingest it.
    pub(super) async fn ingest(&self, url: String, options: &Checked) -> Result<Media> {
        let parsed = check_url(&url)?;
        if options.preflights() {
            let timeout = self.options.timeout.unwrap_or(self.transport.request_timeout());
            let connect = self.transport.config().connect_timeout;
            match probe_url(parsed.clone(), connect, timeout).await {
                Ok(facts) => preflight(Ok(&facts), options).map_err(|e| about_url(e, &parsed))?,
                Err(Unread::Unsupported(error)) => {
                    preflight(Err(&error), options).map_err(|e| about_url(e, &parsed))?
                }
                Err(Unread::Unreadable(why)) => tracing::warn!(
                    url = %redact(&parsed), %why,
                    "the URL could not be preflighted; the server will check it when it fetches it"
                ),
            }
        }
        let body = IngestMediaRequest {
            url,
            mime_type: options.mime_type.clone(),
            file_name: options.file_name.clone(),
        };
        let request =
            ApiRequest::post("/v1/media/ingest").json(&body)?.options(self.options.clone());
        Ok(self.transport.send_json(request).await?.data)
    }
}

/// `INVALID_ARGUMENT` unless `url` is an absolute http or https URL.
fn check_url(url: &str) -> Result<Url> {
    let example = "e.g. https://cdn.example.com/video.mp4";
    let parsed = Url::parse(url).map_err(|e| {
        let shown: String = url.split(['?', '#']).next().unwrap_or("").chars().take(200).collect();
        Error::invalid_argument(format!("the media URL {shown:?} is not a URL ({e}); {example}"))
            .with_field("url")
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        let message = format!("the media URL {} is not an http(s) URL; {example}", redact(&parsed));
        return Err(Error::invalid_argument(message).with_field("url"));
    }
    Ok(parsed)
}

/// A preflight error about the URL rather than a local file.
fn about_url(error: Error, url: &Url) -> Error {
    let message = error.message().replace("nothing was uploaded", "nothing was sent");
    let message = format!("{message} (media URL {})", redact(url));
    let mut out = Error::new(error.code().clone(), message).with_field("url");
    if let Some(platform) = error.platform() {
        out = out.with_platform(platform.clone());
    }
    if let Some(details) = error.details() {
        out = out.with_details(details.clone());
    }
    out
}

/// The URL for messages: no user info, query or fragment (`?…` marks a query that was there).
pub fn redact(url: &Url) -> String {
    let mut shown = url.clone();
    let had_query = shown.query().is_some();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.set_query(None);
    shown.set_fragment(None);
    let mut text = shown.to_string();
    if had_query {
        text.push_str("?…");
    }
    text
}

/// Why a URL was not judged.
#[derive(Debug)]
enum Unread {
    /// The probe read it and it is not media it can publish.
    Unsupported(ProbeError),
    /// It could not be read (network, status, a server that ignores ranges on a large file).
    Unreadable(String),
}

/// Probes the media at `url` with range requests, on a blocking thread (the probe is
/// synchronous; each block is fetched on this runtime).
async fn probe_url(
    url: Url,
    connect: Duration,
    timeout: Duration,
) -> std::result::Result<MediaFacts, Unread> {
    let client = reqwest::Client::builder()
        .connect_timeout(connect)
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
        .build()
        .map_err(|e| Unread::Unreadable(format!("no HTTP client: {e}")))?;
    let mut reader = RangeReader {
        client,
        url,
        handle: tokio::runtime::Handle::current(),
        size: 0,
        pos: 0,
        blocks: BTreeMap::new(),
        prefix_only: false,
        fetched: 0,
    };
    reader.first().await.map_err(|e| Unread::Unreadable(e.to_string()))?;
    let size = reader.size;
    let probed = tokio::task::spawn_blocking(move || probe(reader, size))
        .await
        .map_err(|e| Unread::Unreadable(format!("the probe stopped: {e}")))?;
    match probed {
        Ok(facts) => Ok(facts),
        Err(error @ ProbeError::Unsupported { .. }) => Err(Unread::Unsupported(error)),
        Err(error) => Err(Unread::Unreadable(error.to_string())),
    }
}

/// A URL read as a file: `Read + Seek` over [`BLOCK`]-byte blocks fetched with range requests
/// when first touched, and kept.
struct RangeReader {
    client: reqwest::Client,
    url: Url,
    handle: tokio::runtime::Handle,
    size: u64,
    pos: u64,
    /// Fetched blocks by index; with `prefix_only`, block 0 holds the whole prefix.
    blocks: BTreeMap<u64, Bytes>,
    /// The server ignored `Range`: only the prefix in block 0 exists.
    prefix_only: bool,
    fetched: u64,
}

impl RangeReader {
    /// The first block, which also gives the size (`Content-Range`, or the whole answer of a
    /// server that ignores ranges).
    async fn first(&mut self) -> io::Result<()> {
        let response = self.get(0, BLOCK - 1).await?;
        match response.status() {
            StatusCode::PARTIAL_CONTENT => {
                let total = response
                    .headers()
                    .get(CONTENT_RANGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.rsplit_once('/'))
                    .and_then(|(_, total)| total.trim().parse::<u64>().ok())
                    .ok_or_else(|| io::Error::other("a 206 answer without the file's size"))?;
                let bytes = response.bytes().await.map_err(io::Error::other)?;
                self.size = total;
                self.fetched += bytes.len() as u64;
                self.blocks.insert(0, bytes);
            }
            StatusCode::OK => {
                // Range ignored: read a bounded prefix, then drop the connection. (The length
                // is read first: reqwest's hint shrinks as the body is consumed.)
                let declared = response.content_length();
                let mut response = response;
                let mut prefix = Vec::new();
                while (prefix.len() as u64) < PREFIX_LIMIT {
                    match response.chunk().await.map_err(io::Error::other)? {
                        Some(chunk) => prefix.extend_from_slice(&chunk),
                        None => break,
                    }
                }
                let complete = (prefix.len() as u64) < PREFIX_LIMIT;
                self.size =
                    match (complete, declared) {
                        (true, _) => prefix.len() as u64,
                        (false, Some(len)) => len,
                        (false, None) => return Err(io::Error::other(
                            "the server ignores range requests and does not say the file's size",
                        )),
                    };
                self.fetched += prefix.len() as u64;
                self.prefix_only = true;
                self.blocks.insert(0, Bytes::from(prefix));
            }
            status => return Err(io::Error::other(format!("the server answered {status}"))),
        }
        Ok(())
    }

    async fn get(&self, start: u64, end: u64) -> io::Result<reqwest::Response> {
        self.client
            .get(self.url.clone())
            .header(RANGE, format!("bytes={start}-{end}"))
            .send()
            .await
            .map_err(|e| io::Error::other(e.without_url()))
    }

    /// The block holding offset `pos`, fetched when missing.
    fn block(&mut self, index: u64) -> io::Result<&Bytes> {
        if self.prefix_only {
            let prefix = self.blocks.get(&0).map(|b| b.len() as u64).unwrap_or(0);
            if index * BLOCK >= prefix && index * BLOCK < self.size {
                return Err(io::Error::other(format!(
                    "the server ignores range requests, and the probe needs more than the first \
                     {prefix} bytes"
                )));
            }
            return self.blocks.get(&0).ok_or_else(|| io::Error::other("no prefix"));
        }
        if !self.blocks.contains_key(&index) {
            if self.fetched >= MAX_PROBE_BYTES {
                return Err(io::Error::other(format!(
                    "the probe needs more than {MAX_PROBE_BYTES} bytes of the file"
                )));
            }
            let start = index * BLOCK;
            let end = (start + BLOCK).min(self.size) - 1;
            let bytes = self.handle.block_on(async {
                let response = self.get(start, end).await?;
                if response.status() != StatusCode::PARTIAL_CONTENT {
                    let status = response.status();
                    return Err(io::Error::other(format!("a range request answered {status}")));
                }
                response.bytes().await.map_err(io::Error::other)
            })?;
            if bytes.len() as u64 != end - start + 1 {
                return Err(io::Error::other("a range request answered the wrong length"));
            }
            self.fetched += bytes.len() as u64;
            self.blocks.insert(index, bytes);
        }
        self.blocks.get(&index).ok_or_else(|| io::Error::other("a block went missing"))
    }
}

impl Read for RangeReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.size || buf.is_empty() {
            return Ok(0);
        }
        let (index, prefix_only, pos) = (self.pos / BLOCK, self.prefix_only, self.pos);
        let block = self.block(index)?;
        // In prefix mode block 0 starts at 0 and is longer than BLOCK.
        let start = if prefix_only { 0 } else { index * BLOCK };
        let offset = usize::try_from(pos - start).unwrap_or(usize::MAX);
        let available = block.get(offset..).unwrap_or(&[]);
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for RangeReader {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let target = match to {
            SeekFrom::Start(at) => Some(at),
            SeekFrom::End(by) => self.size.checked_add_signed(by),
            SeekFrom::Current(by) => self.pos.checked_add_signed(by),
        };
        self.pos = target.ok_or_else(|| io::Error::other("seek before the start"))?;
        Ok(self.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_shown_without_their_query() {
        assert!(check_url("ftp://host/x.mp4").is_err());
        assert!(check_url("video.mp4").is_err());
        let url = check_url("https://u:p@cdn.example.com/a.mp4?sig=secret").unwrap();
        assert_eq!(redact(&url), "https://cdn.example.com/a.mp4?…");
    }
}
