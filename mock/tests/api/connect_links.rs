//! Connect links over real HTTP: create, get, the hosted approval page (approve, deny, expiry,
//! repeated decisions) and the admin helpers, with every error they answer.

use crate::common::{assert_error, send, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const REDIRECT: &str = "https://app.example.com/oauth/done";

async fn create_link(server: &TestServer, body: Value) -> Value {
    let (status, link) = server.post("/v1/connect-links", body).await;
    assert_eq!(status, StatusCode::CREATED, "{link}");
    link
}

/// Opens the hosted page (no API key) and returns the status, `Location` and body.
async fn open(
    server: &TestServer,
    link: &Value,
    query: &str,
) -> (StatusCode, Option<String>, String) {
    let url = format!("{}{query}", link["url"].as_str().unwrap());
    let response = server.http.get(url).send().await.unwrap();
    let status = response.status();
    let location = response.headers().get("location").map(|v| v.to_str().unwrap().to_owned());
    (status, location, response.text().await.unwrap())
}

async fn open_error(server: &TestServer, link_url: &str) -> (StatusCode, Value) {
    send(server.http.get(link_url)).await
}

#[tokio::test]
async fn create_answers_a_pending_link_served_by_the_emulator() {
    let server = TestServer::start().await;
    let link = create_link(
        &server,
        json!({ "platform": "tiktok", "redirectUrl": REDIRECT, "state": "xyz" }),
    )
    .await;
    let id = link["id"].as_str().unwrap();
    assert!(id.starts_with("link_"), "{link}");
    assert_eq!(link["platform"], "tiktok");
    assert_eq!(link["url"], format!("{}/connect/{id}", server.server.url()));
    assert_eq!(link["redirectUrl"], REDIRECT);
    assert_eq!(link["state"], "xyz");
    assert_eq!(link["status"], "pending");
    assert!(link.get("profileId").is_none());
    let created: jiff::Timestamp = link["createdAt"].as_str().unwrap().parse().unwrap();
    let expires: jiff::Timestamp = link["expiresAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(expires.duration_since(created).as_secs(), 3600);

    let (status, fetched) = server.get(&format!("/v1/connect-links/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fetched, link);

    let journal = server.journal().await;
    let entry = journal.iter().find(|e| e["path"] == "/v1/connect-links").unwrap();
    assert_eq!(entry["created"], id);
    assert_eq!(entry["status"], 201);
}

#[tokio::test]
async fn create_refuses_bad_bodies() {
    let server = TestServer::start().await;
    let cases = [
        (json!({ "platform": "myspace", "redirectUrl": REDIRECT }), "platform"),
        (json!({ "redirectUrl": REDIRECT }), "platform"),
        (json!({ "platform": "tiktok" }), "redirectUrl"),
        (json!({ "platform": "tiktok", "redirectUrl": "/oauth/done" }), "redirectUrl"),
        (json!({ "platform": "tiktok", "redirectUrl": "ftp://files.example.com/" }), "redirectUrl"),
        (json!({ "platform": "tiktok", "redirectUrl": "https://" }), "redirectUrl"),
        (json!({ "platform": "tiktok", "redirectUrl": "https://a.example/é" }), "redirectUrl"),
        (json!({ "platform": "tiktok", "redirectUrl": 7 }), "redirectUrl"),
        (
            json!({ "platform": "tiktok", "redirectUrl": REDIRECT, "state": "s".repeat(1025) }),
            "state",
        ),
        (json!({ "platform": "tiktok", "redirectUri": REDIRECT }), "redirectUri"),
    ];
    for (body, field) in cases {
        let (status, answer) = server.post("/v1/connect-links", body.clone()).await;
        let error = assert_error(status, &answer, 400, "INVALID_REQUEST");
        assert_eq!(error["field"], field, "{body} → {answer}");
    }
    let (status, answer) = server.post("/v1/connect-links", json!({ "platform": "myspace" })).await;
    let error = assert_error(status, &answer, 400, "INVALID_REQUEST");
    assert!(error["message"].as_str().unwrap().contains("tiktok"), "{error}");
    assert_eq!(error["details"]["allowed"].as_array().unwrap().len(), 7);

    let (status, answer) = send(
        server
            .api(Method::POST, "/v1/connect-links")
            .header("content-type", "application/json")
            .body("{nope"),
    )
    .await;
    assert_error(status, &answer, 400, "INVALID_REQUEST");

    let (status, answer) = send(
        server
            .http
            .post(server.url("/v1/connect-links"))
            .json(&json!({ "platform": "tiktok", "redirectUrl": REDIRECT })),
    )
    .await;
    assert_error(status, &answer, 401, "UNAUTHORIZED");
}

#[tokio::test]
async fn unknown_links_are_404_on_the_api_the_page_and_the_admin_api() {
    let server = TestServer::start().await;
    let (status, answer) = server.get("/v1/connect-links/link_nope").await;
    let error = assert_error(status, &answer, 404, "NOT_FOUND");
    assert_eq!(error["details"]["resource"], "connectLink");
    let (status, answer) = open_error(&server, &server.url("/connect/link_nope?approve=1")).await;
    assert_error(status, &answer, 404, "NOT_FOUND");
    let (status, answer) = open_error(&server, &server.url("/connect/link_nope")).await;
    assert_error(status, &answer, 404, "NOT_FOUND");
    let (status, answer) =
        server.admin_post("/_mock/connect-links/link_nope/approve", json!({})).await;
    assert_error(status, &answer, 404, "NOT_FOUND");
    let (status, answer) =
        server.admin_post("/_mock/connect-links/link_nope/deny", json!({})).await;
    assert_error(status, &answer, 404, "NOT_FOUND");
}

#[tokio::test]
async fn the_page_offers_approve_and_deny_without_an_api_key() {
    let server = TestServer::start().await;
    let link =
        create_link(&server, json!({ "platform": "youtube", "redirectUrl": REDIRECT })).await;
    let (status, location, html) = open(&server, &link, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(location, None);
    assert!(html.contains("youtube"), "{html}");
    assert!(html.contains("?approve=1"), "{html}");
    assert!(html.contains("?deny=1"), "{html}");
    let (_, fetched) =
        server.get(&format!("/v1/connect-links/{}", link["id"].as_str().unwrap())).await;
    assert_eq!(fetched["status"], "pending", "viewing the page decides nothing");
}

#[tokio::test]
async fn approving_connects_a_standard_profile_and_redirects_with_it() {
    let server = TestServer::start().await;
    let link = create_link(
        &server,
        json!({ "platform": "tiktok", "redirectUrl": REDIRECT, "state": "a b&c=d/é" }),
    )
    .await;
    let id = link["id"].as_str().unwrap();
    let (status, location, _) = open(&server, &link, "?approve=1").await;
    assert_eq!(status, StatusCode::FOUND);
    let (_, fetched) = server.get(&format!("/v1/connect-links/{id}")).await;
    assert_eq!(fetched["status"], "completed");
    let profile_id = fetched["profileId"].as_str().unwrap();
    assert!(profile_id.starts_with("tiktok_"), "{profile_id}: the vendor's TikTok prefix");
    assert_eq!(
        location.as_deref(),
        Some(
            format!("{REDIRECT}?profileId={profile_id}&linkId={id}&state=a%20b%26c%3Dd%2F%C3%A9")
                .as_str()
        )
    );

    let (status, profile) = server.get(&format!("/v1/profiles/{profile_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(profile["platform"], "tiktok");
    assert_eq!(profile["tier"], "standard");
    assert_eq!(profile["status"], "active");

    // A reload, or a late "deny", answers the first decision again and connects nothing new.
    for query in ["?approve=1", "?deny=1", "?approve=1&tier=creator"] {
        let (status, again, _) = open(&server, &link, query).await;
        assert_eq!(status, StatusCode::FOUND);
        assert_eq!(again, location, "{query}");
    }
    let (_, profiles) = server.get("/v1/profiles").await;
    assert_eq!(profiles["data"].as_array().unwrap().len(), 1);

    // The page now says where the link stands.
    let (status, _, html) = open(&server, &link, "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("completed"), "{html}");

    let journal = server.journal().await;
    let entry = journal.iter().find(|e| e["path"] == format!("/connect/{id}")).unwrap();
    assert_eq!(entry["created"], profile_id);
}

#[tokio::test]
async fn the_tier_comes_from_the_query_or_the_settings() {
    let server = TestServer::start().await;
    let link = create_link(&server, json!({ "platform": "tiktok", "redirectUrl": REDIRECT })).await;
    open(&server, &link, "?approve=1&tier=creator").await;
    let (_, fetched) =
        server.get(&format!("/v1/connect-links/{}", link["id"].as_str().unwrap())).await;
    let (_, profile) =
        server.get(&format!("/v1/profiles/{}", fetched["profileId"].as_str().unwrap())).await;
    assert_eq!(profile["tier"], "creator");

    let (status, _) = send(
        server.admin(Method::PATCH, "/_mock/settings").json(&json!({ "approvedTier": "creator" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let link =
        create_link(&server, json!({ "platform": "instagram", "redirectUrl": REDIRECT })).await;
    open(&server, &link, "?approve=1").await;
    let (_, fetched) =
        server.get(&format!("/v1/connect-links/{}", link["id"].as_str().unwrap())).await;
    let (_, profile) =
        server.get(&format!("/v1/profiles/{}", fetched["profileId"].as_str().unwrap())).await;
    assert_eq!(profile["tier"], "creator");
    assert_eq!(profile["platform"], "instagram");
}

#[tokio::test]
async fn denying_redirects_with_access_denied_after_an_existing_query() {
    let server = TestServer::start().await;
    let redirect = "http://localhost:3000/cb?from=settings";
    let link = create_link(
        &server,
        json!({ "platform": "linkedin", "redirectUrl": redirect, "state": "s1" }),
    )
    .await;
    let id = link["id"].as_str().unwrap();
    let (status, location, _) = open(&server, &link, "?deny=1").await;
    assert_eq!(status, StatusCode::FOUND);
    assert_eq!(location.unwrap(), format!("{redirect}&error=access_denied&linkId={id}&state=s1"));
    let (_, fetched) = server.get(&format!("/v1/connect-links/{id}")).await;
    assert_eq!(fetched["status"], "denied");
    assert!(fetched.get("profileId").is_none());
    let (_, profiles) = server.get("/v1/profiles").await;
    assert_eq!(profiles["data"], json!([]));

    // Approving afterwards answers the denial again.
    let (_, again, _) = open(&server, &link, "?approve=1").await;
    assert_eq!(again.unwrap(), format!("{redirect}&error=access_denied&linkId={id}&state=s1"));
}

#[tokio::test]
async fn the_page_refuses_ambiguous_or_malformed_queries() {
    let server = TestServer::start().await;
    let link = create_link(&server, json!({ "platform": "tiktok", "redirectUrl": REDIRECT })).await;
    let url = link["url"].as_str().unwrap();
    for (query, field) in [
        ("?approve=1&deny=1", "approve"),
        ("?approve=yes", "approve"),
        ("?deny=0", "deny"),
        ("?approve=1&approve=1", "approve"),
        ("?approve=1&tier=gold", "tier"),
    ] {
        let (status, answer) = open_error(&server, &format!("{url}{query}")).await;
        let error = assert_error(status, &answer, 400, "INVALID_REQUEST");
        assert_eq!(error["field"], field, "{query}");
    }
    let (_, fetched) =
        server.get(&format!("/v1/connect-links/{}", link["id"].as_str().unwrap())).await;
    assert_eq!(fetched["status"], "pending");
}

#[tokio::test]
async fn links_expire_on_the_virtual_clock() {
    let server = TestServer::start().await;
    let link = create_link(
        &server,
        json!({ "platform": "reddit", "redirectUrl": REDIRECT, "state": "st" }),
    )
    .await;
    let id = link["id"].as_str().unwrap();
    let path = format!("/v1/connect-links/{id}");
    server.advance(3500.0).await;
    let (_, fetched) = server.get(&path).await;
    assert_eq!(fetched["status"], "pending");
    server.advance(200.0).await;
    let (_, fetched) = server.get(&path).await;
    assert_eq!(fetched["status"], "expired");

    let (status, location, _) = open(&server, &link, "?approve=1").await;
    assert_eq!(status, StatusCode::FOUND);
    assert_eq!(location.unwrap(), format!("{REDIRECT}?error=expired&linkId={id}&state=st"));
    let (_, fetched) = server.get(&path).await;
    assert_eq!(fetched["status"], "expired");
    assert!(fetched.get("profileId").is_none());
    let (_, profiles) = server.get("/v1/profiles").await;
    assert_eq!(profiles["data"], json!([]));

    let (status, answer) =
        server.admin_post(&format!("/_mock/connect-links/{id}/approve"), json!({})).await;
    let error = assert_error(status, &answer, 409, "INVALID_REQUEST");
    assert_eq!(error["details"]["status"], "expired");
}

#[tokio::test]
async fn the_expiry_follows_the_settings() {
    let server = TestServer::start().await;
    let (status, _) = send(
        server
            .admin(Method::PATCH, "/_mock/settings")
            .json(&json!({ "connectLinkExpirySecs": 60 })),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let link =
        create_link(&server, json!({ "platform": "threads", "redirectUrl": REDIRECT })).await;
    server.advance(61.0).await;
    let (_, fetched) =
        server.get(&format!("/v1/connect-links/{}", link["id"].as_str().unwrap())).await;
    assert_eq!(fetched["status"], "expired");
}

#[tokio::test]
async fn the_admin_api_decides_without_a_browser() {
    let server = TestServer::start().await;
    let link = create_link(
        &server,
        json!({ "platform": "facebook", "redirectUrl": REDIRECT, "state": "q" }),
    )
    .await;
    let id = link["id"].as_str().unwrap();
    let approve = format!("/_mock/connect-links/{id}/approve");
    let (status, outcome) = server.admin_post(&approve, json!({ "tier": "creator" })).await;
    assert_eq!(status, StatusCode::OK, "{outcome}");
    assert_eq!(outcome["link"]["status"], "completed");
    let profile_id = outcome["profile"]["id"].as_str().unwrap();
    assert_eq!(outcome["link"]["profileId"], profile_id);
    assert_eq!(outcome["profile"]["tier"], "creator");
    assert_eq!(outcome["profile"]["platform"], "facebook");
    assert_eq!(
        outcome["redirect"],
        format!("{REDIRECT}?profileId={profile_id}&linkId={id}&state=q")
    );

    // The same decision again is idempotent; the opposite one is a conflict.
    let (status, again) = server.admin_post(&approve, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["profile"]["id"], profile_id);
    let (status, answer) =
        server.admin_post(&format!("/_mock/connect-links/{id}/deny"), json!({})).await;
    let error = assert_error(status, &answer, 409, "INVALID_REQUEST");
    assert_eq!(error["details"]["status"], "completed");

    let other =
        create_link(&server, json!({ "platform": "tiktok", "redirectUrl": REDIRECT })).await;
    let other_id = other["id"].as_str().unwrap();
    let (status, outcome) =
        server.admin_post(&format!("/_mock/connect-links/{other_id}/deny"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(outcome["link"]["status"], "denied");
    assert_eq!(outcome["profile"], Value::Null);
    assert_eq!(outcome["redirect"], format!("{REDIRECT}?error=access_denied&linkId={other_id}"));
    let (status, answer) =
        server.admin_post(&format!("/_mock/connect-links/{other_id}/approve"), json!({})).await;
    let error = assert_error(status, &answer, 409, "INVALID_REQUEST");
    assert_eq!(error["details"]["status"], "denied");
}

#[tokio::test]
async fn the_admin_api_refuses_bad_bodies_and_missing_tokens() {
    let server = TestServer::start().await;
    let link = create_link(&server, json!({ "platform": "tiktok", "redirectUrl": REDIRECT })).await;
    let approve = format!("/_mock/connect-links/{}/approve", link["id"].as_str().unwrap());
    let (status, answer) = server.admin_post(&approve, json!({ "tier": "gold" })).await;
    let error = assert_error(status, &answer, 400, "INVALID_REQUEST");
    assert_eq!(error["field"], "tier");
    let (status, answer) = server.admin_post(&approve, json!({ "teir": "creator" })).await;
    assert_error(status, &answer, 400, "INVALID_REQUEST");
    let (status, answer) = send(server.api(Method::POST, &approve).json(&json!({}))).await;
    assert_error(status, &answer, 401, "UNAUTHORIZED");
    let (_, fetched) =
        server.get(&format!("/v1/connect-links/{}", link["id"].as_str().unwrap())).await;
    assert_eq!(fetched["status"], "pending");
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_link() {
    let server = TestServer::start().await;
    let body = json!({ "platform": "tiktok", "redirectUrl": REDIRECT });
    let request = || {
        server.api(Method::POST, "/v1/connect-links").header("idempotency-key", "k-1").json(&body)
    };
    let first = request().send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let second = request().send().await.unwrap();
    assert_eq!(second.status(), StatusCode::CREATED);
    assert_eq!(second.headers()["idempotent-replayed"], "true");
    let second: Value = second.json().await.unwrap();
    assert_eq!(first, second);
    let created: Vec<Value> =
        server.journal().await.into_iter().filter(|e| e["created"].is_string()).collect();
    assert_eq!(created.len(), 1, "{created:?}");
}
