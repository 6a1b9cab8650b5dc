//! Connect links: `POST /v1/connect-links`, `GET /v1/connect-links/{id}`, and the hosted
//! approval page `GET /connect/{id}` (no API key; the end user's browser opens it).
//!
//! Choices where PROTOCOL.md is silent (they match `spec/openapi.yaml`):
//! - The page without `approve`/`deny` is an HTML page offering both. `?approve=1` creates the
//!   profile (tier from the emulator's `approvedTier` setting, or `&tier=creator`) and answers
//!   302 to `redirectUrl?profileId=…&linkId=…&state=…`; `?deny=1` answers 302 to
//!   `redirectUrl?error=access_denied&linkId=…&state=…`. `state` is left out when the link has
//!   none; the outcome is appended with `&` when `redirectUrl` already has a query, and goes
//!   before a `#fragment`.
//! - A link that was already completed or denied answers the same 302 as its first decision,
//!   whatever is asked the second time (a browser reload must not connect a second profile).
//! - An expired link answers 302 to `redirectUrl?error=expired&linkId=…&state=…`.
//! - Both `approve` and `deny`, a value other than `1`, or an unknown `tier`: 400
//!   `INVALID_REQUEST`. An unknown link: 404 `NOT_FOUND` (`details.resource` `connectLink`).
//!
//! The admin helpers `POST /_mock/connect-links/{id}/approve` (`{tier?}`) and `/deny` decide
//! without a browser and answer `{link, profile, redirect}`. They are stricter than the page: the
//! same decision again is idempotent, but approving a denied link, denying a completed one, or
//! deciding an expired one is 409 `INVALID_REQUEST` with `details.status`, so a test that thinks
//! it connected a profile learns at once that it did not.

use aether::model::{ConnectLink, ConnectLinkStatus, Platform, Profile, Tier};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use jiff::{SignedDuration, Timestamp};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::api_error::{ApiError, ApiResult};
use crate::clock::rfc3339;
use crate::context::Created;
use crate::ids::new_id;
use crate::json::ApiJson;
use crate::resources::idempotency::idempotent;
use crate::resources::profiles::Profiles;
use crate::state::{Part, SharedState};
use crate::validation::{known_tier, required_platform};

/// Longest `redirectUrl` accepted.
const MAX_REDIRECT_URL: usize = 2048;
/// Longest `state` accepted.
const MAX_STATE: usize = 1024;

/// Every connect link ever created, in creation order.
#[derive(Debug, Default)]
pub struct Links {
    links: Vec<StoredLink>,
}

impl Part for Links {}

#[derive(Debug, Clone)]
struct StoredLink {
    /// The link with its recorded status (`pending`, `completed` or `denied`); `expired` is
    /// computed from the clock when the link is shown.
    link: ConnectLink,
    expires_at: Timestamp,
}

impl StoredLink {
    fn status(&self, now: Timestamp) -> ConnectLinkStatus {
        if self.link.status == ConnectLinkStatus::Pending && now >= self.expires_at {
            ConnectLinkStatus::Expired
        } else {
            self.link.status.clone()
        }
    }

    /// The link as the API shows it.
    fn view(&self, now: Timestamp) -> ConnectLink {
        let mut link = self.link.clone();
        link.status = self.status(now);
        link
    }
}

impl Links {
    fn get(&self, id: &str) -> Option<&StoredLink> {
        self.links.iter().find(|l| l.link.id == id)
    }

    fn get_mut(&mut self, id: &str) -> Option<&mut StoredLink> {
        self.links.iter_mut().find(|l| l.link.id == id)
    }
}

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/v1/connect-links", idempotent(post(create)))
        .route("/v1/connect-links/{id}", get(get_one))
        .route("/connect/{id}", get(page))
}

pub fn admin_routes() -> Router<SharedState> {
    Router::new()
        .route("/_mock/connect-links/{id}/approve", post(admin_approve))
        .route("/_mock/connect-links/{id}/deny", post(admin_deny))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateLinkBody {
    #[serde(default)]
    platform: Option<Platform>,
    #[serde(default)]
    redirect_url: Option<String>,
    #[serde(default)]
    state: Option<String>,
}

async fn create(
    State(state): State<SharedState>,
    ApiJson(body): ApiJson<CreateLinkBody>,
) -> ApiResult<(StatusCode, Extension<Created>, Json<ConnectLink>)> {
    let platform = required_platform(body.platform)?;
    let redirect_url = validate_redirect_url(body.redirect_url)?;
    if let Some(link_state) = &body.state {
        if link_state.chars().count() > MAX_STATE {
            return Err(ApiError::invalid(
                "state",
                format!("state is {} characters; at most {MAX_STATE}", link_state.chars().count()),
            ));
        }
    }
    let expiry = state.settings().connect_link_expiry_secs;
    let now = state.clock.now();
    let expires_at = now
        .checked_add(SignedDuration::from_secs(i64::try_from(expiry).unwrap_or(i64::MAX)))
        .unwrap_or(Timestamp::MAX);
    let id = new_id("link");
    let stored = StoredLink {
        link: ConnectLink {
            id: id.clone(),
            platform,
            url: format!("{}/connect/{id}", state.base_url),
            redirect_url,
            state: body.state,
            status: ConnectLinkStatus::Pending,
            expires_at: rfc3339(expires_at),
            profile_id: None,
            created_at: Some(rfc3339(now)),
        },
        expires_at,
    };
    let view = stored.view(now);
    state.store().part::<Links>().links.push(stored);
    Ok((StatusCode::CREATED, Extension(Created(id)), Json(view)))
}

/// An absolute http(s) URL of visible ASCII (so it can go into a `Location` header as is).
fn validate_redirect_url(url: Option<String>) -> ApiResult<String> {
    const WHAT: &str = "redirectUrl must be an absolute http:// or https:// URL";
    let Some(url) = url else {
        return Err(ApiError::invalid("redirectUrl", format!("redirectUrl is required; {WHAT}")));
    };
    if url.len() > MAX_REDIRECT_URL {
        return Err(ApiError::invalid(
            "redirectUrl",
            format!("redirectUrl is {} bytes; at most {MAX_REDIRECT_URL}", url.len()),
        ));
    }
    if !url.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::invalid(
            "redirectUrl",
            format!("{WHAT}, without spaces or non-ASCII characters (percent-encode them)"),
        ));
    }
    match reqwest::Url::parse(&url) {
        Ok(parsed)
            if matches!(parsed.scheme(), "http" | "https")
                && parsed.host_str().is_some_and(|h| !h.is_empty()) =>
        {
            Ok(url)
        }
        _ => Err(ApiError::invalid("redirectUrl", format!("{WHAT}; got {url:?}"))),
    }
}

async fn get_one(
    State(state): State<SharedState>,
    Path(id): Path<String>,
) -> ApiResult<Json<ConnectLink>> {
    let now = state.clock.now();
    let mut store = state.store();
    let link = store.part::<Links>().get(&id).ok_or_else(|| not_found(&id))?;
    Ok(Json(link.view(now)))
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found("connectLink", id)
}

// ---------------------------------------------------------------------------------------------
// Deciding a link: the hosted page and the admin helpers
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Decision {
    Approve { tier: Option<Tier> },
    Deny,
}

/// What deciding a link did.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Outcome {
    link: ConnectLink,
    /// The connected profile, when the link is completed.
    profile: Option<Profile>,
    /// Where the browser is sent.
    redirect: String,
    /// Set when this decision created the profile (for the journal).
    #[serde(skip)]
    created: Option<String>,
}

/// Applies `decision` to a pending link. A link that is no longer pending keeps its outcome;
/// with `strict` (the admin API) a different decision or an expired link is an error instead.
fn decide(state: &SharedState, id: &str, decision: Decision, strict: bool) -> ApiResult<Outcome> {
    let default_tier = approved_tier(&state.settings().approved_tier);
    let now = state.clock.now();
    let mut store = state.store();
    let stored = store.part::<Links>().get(id).ok_or_else(|| not_found(id))?.clone();
    let status = stored.status(now);
    let mut created = None;
    match (&status, &decision) {
        (ConnectLinkStatus::Pending, Decision::Approve { tier }) => {
            let tier = tier.clone().unwrap_or(default_tier);
            let profile =
                store.part::<Profiles>().create(stored.link.platform.clone(), tier, None, now);
            created = Some(profile.id.clone());
            let link = store.part::<Links>().get_mut(id).ok_or_else(|| not_found(id))?;
            link.link.status = ConnectLinkStatus::Completed;
            link.link.profile_id = Some(profile.id);
        }
        (ConnectLinkStatus::Pending, Decision::Deny) => {
            let link = store.part::<Links>().get_mut(id).ok_or_else(|| not_found(id))?;
            link.link.status = ConnectLinkStatus::Denied;
        }
        (ConnectLinkStatus::Completed, Decision::Approve { .. })
        | (ConnectLinkStatus::Denied, Decision::Deny) => {}
        (other, _) if strict => {
            let wanted = match decision {
                Decision::Approve { .. } => "approve",
                Decision::Deny => "deny",
            };
            return Err(ApiError::new(
                aether::ErrorCode::InvalidRequest,
                format!("cannot {wanted} link {id:?}: it is already {other}; create a new link"),
            )
            .with_status(StatusCode::CONFLICT)
            .details(json!({ "status": other.as_str() })));
        }
        _ => {}
    }
    let stored = store.part::<Links>().get(id).ok_or_else(|| not_found(id))?;
    let view = stored.view(now);
    let profile = view.profile_id.as_deref().and_then(|p| store.part::<Profiles>().get(p)).cloned();
    let redirect = redirect_for(&view);
    Ok(Outcome { link: view, profile, redirect, created })
}

/// The tier the settings give approved profiles; an unknown name falls back to `standard`.
fn approved_tier(name: &str) -> Tier {
    match Tier::parse(name) {
        Tier::Unknown(other) => {
            tracing::warn!(tier = %other, "approvedTier setting is not a tier; using standard");
            Tier::Standard
        }
        tier => tier,
    }
}

/// Characters left as they are in a query value: RFC 3986 unreserved.
const QUERY_VALUE: &AsciiSet =
    &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// `redirectUrl` with the link's outcome in its query.
fn redirect_for(link: &ConnectLink) -> String {
    let mut pairs: Vec<(&str, &str)> = match (&link.status, &link.profile_id) {
        (ConnectLinkStatus::Completed, Some(profile_id)) => vec![("profileId", profile_id)],
        (ConnectLinkStatus::Expired, _) => vec![("error", "expired")],
        _ => vec![("error", "access_denied")],
    };
    pairs.push(("linkId", &link.id));
    if let Some(state) = &link.state {
        pairs.push(("state", state));
    }
    let query = pairs
        .iter()
        .map(|(name, value)| format!("{name}={}", utf8_percent_encode(value, QUERY_VALUE)))
        .collect::<Vec<_>>()
        .join("&");
    append_query(&link.redirect_url, &query)
}

fn append_query(url: &str, query: &str) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let separator = match base.find('?') {
        None => "?",
        Some(_) if base.ends_with('?') || base.ends_with('&') => "",
        Some(_) => "&",
    };
    let mut out = format!("{base}{separator}{query}");
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// `GET /connect/{id}`: the hosted approval page.
async fn page(
    State(state): State<SharedState>,
    Path(id): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
) -> ApiResult<Response> {
    let flag = |name: &str| -> ApiResult<bool> {
        let mut values = query.iter().filter(|(n, _)| n == name);
        match (values.next(), values.next()) {
            (None, _) => Ok(false),
            (Some((_, v)), None) if v == "1" => Ok(true),
            _ => Err(ApiError::invalid(name, format!("{name} takes the value 1, given once"))),
        }
    };
    let (approve, deny) = (flag("approve")?, flag("deny")?);
    let tier = match query.iter().find(|(n, _)| n == "tier") {
        Some((_, value)) => Some(known_tier(Tier::parse(value), "tier")?),
        None => None,
    };
    let decision = match (approve, deny) {
        (true, true) => {
            return Err(ApiError::invalid("approve", "give either approve=1 or deny=1, not both"))
        }
        (true, false) => Decision::Approve { tier },
        (false, true) => Decision::Deny,
        (false, false) => return show_page(&state, &id),
    };
    let outcome = decide(&state, &id, decision, false)?;
    let location = HeaderValue::from_str(&outcome.redirect).map_err(|_| {
        ApiError::new(aether::ErrorCode::InternalError, "the redirect URL is not a valid header")
    })?;
    let mut response = (StatusCode::FOUND, [(header::LOCATION, location)]).into_response();
    if let Some(profile_id) = outcome.created {
        response.extensions_mut().insert(Created(profile_id));
    }
    Ok(response)
}

fn show_page(state: &SharedState, id: &str) -> ApiResult<Response> {
    let now = state.clock.now();
    let view = {
        let mut store = state.store();
        store.part::<Links>().get(id).ok_or_else(|| not_found(id))?.view(now)
    };
    let link = &view;
    let platform = escape(link.platform.as_str());
    let id = escape(&link.id);
    let body = if link.status == ConnectLinkStatus::Pending {
        format!(
            "<p>An application asks to publish to your <b>{platform}</b> account.</p>\n\
             <p><a id=\"approve\" href=\"/connect/{id}?approve=1\">Approve</a>\n\
             · <a id=\"approve-creator\" href=\"/connect/{id}?approve=1&amp;tier=creator\">\
             Approve as a creator account</a>\n\
             · <a id=\"deny\" href=\"/connect/{id}?deny=1\">Deny</a></p>\n\
             <p>This link expires at {}.</p>",
            escape(&link.expires_at)
        )
    } else {
        format!(
            "<p>This link is <b>{}</b>.</p>\n<p><a id=\"continue\" href=\"{}\">Continue</a></p>",
            escape(link.status.as_str()),
            escape(&redirect_for(link))
        )
    };
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>Connect {platform} — Aether emulator</title></head>\n\
         <body>\n<h1>Connect your {platform} account</h1>\n{body}\n\
         <p><small>Served by aether-mock; no real account is involved.</small></p>\n\
         </body></html>\n"
    );
    Ok(Html(html).into_response())
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct AdminApprove {
    #[serde(default)]
    tier: Option<Tier>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AdminDeny {}

async fn admin_approve(
    State(state): State<SharedState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AdminApprove>,
) -> ApiResult<Json<Outcome>> {
    let tier = body.tier.map(|t| known_tier(t, "tier")).transpose()?;
    decide(&state, &id, Decision::Approve { tier }, true).map(Json)
}

async fn admin_deny(
    State(state): State<SharedState>,
    Path(id): Path<String>,
    ApiJson(_): ApiJson<AdminDeny>,
) -> ApiResult<Json<Outcome>> {
    decide(&state, &id, Decision::Deny, true).map(Json)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(redirect_url: &str, state: Option<&str>, status: ConnectLinkStatus) -> ConnectLink {
        ConnectLink {
            id: "link_abc".into(),
            platform: Platform::Tiktok,
            url: String::new(),
            redirect_url: redirect_url.into(),
            state: state.map(str::to_owned),
            status,
            expires_at: String::new(),
            profile_id: Some("prof_1".into()),
            created_at: None,
        }
    }

    #[test]
    fn redirects_encode_values_and_respect_an_existing_query_and_fragment() {
        let done = ConnectLinkStatus::Completed;
        assert_eq!(
            redirect_for(&link("https://app.test/cb", Some("a b&c=d/é"), done.clone())),
            "https://app.test/cb?profileId=prof_1&linkId=link_abc&state=a%20b%26c%3Dd%2F%C3%A9"
        );
        assert_eq!(
            redirect_for(&link("https://app.test/cb?x=1#top", None, done.clone())),
            "https://app.test/cb?x=1&profileId=prof_1&linkId=link_abc#top"
        );
        assert_eq!(
            redirect_for(&link("https://app.test/cb?", None, ConnectLinkStatus::Denied)),
            "https://app.test/cb?error=access_denied&linkId=link_abc"
        );
        assert_eq!(
            redirect_for(&link("http://localhost:3000", Some("s"), ConnectLinkStatus::Expired)),
            "http://localhost:3000?error=expired&linkId=link_abc&state=s"
        );
    }

    #[test]
    fn redirect_urls_must_be_absolute_http() {
        for bad in ["/callback", "ftp://x.test/", "javascript:alert(1)", "https://", "http://a b/"]
        {
            assert!(validate_redirect_url(Some(bad.into())).is_err(), "{bad}");
        }
        assert!(validate_redirect_url(Some("https://app.test/cb?x=1".into())).is_ok());
        assert!(validate_redirect_url(None).is_err());
    }
}
