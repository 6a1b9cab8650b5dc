//! Webhook registration over real HTTP: create, list, delete, the loopback-only rule, and the
//! admin delivery log. (Signed deliveries and retries are tested in `src/resources/webhooks.rs`,
//! which can raise events without the posts resource; end-to-end deliveries live with posts.)

use std::collections::HashSet;

use crate::common::{assert_error, send, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn create(server: &TestServer, url: &str, events: Value) -> Value {
    let (status, webhook) =
        server.post("/v1/webhooks", json!({ "url": url, "events": events })).await;
    assert_eq!(status, StatusCode::CREATED, "{webhook}");
    webhook
}

#[tokio::test]
async fn create_answers_the_webhook_with_its_secret_once() {
    let server = TestServer::start().await;
    let webhook = create(
        &server,
        "http://127.0.0.1:8080/hooks/aether",
        json!(["post.published", "post.failed"]),
    )
    .await;
    let id = webhook["id"].as_str().unwrap();
    assert!(id.starts_with("wh_"), "{webhook}");
    assert_eq!(webhook["url"], "http://127.0.0.1:8080/hooks/aether");
    assert_eq!(webhook["events"], json!(["post.published", "post.failed"]));
    let secret = webhook["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_") && secret.len() >= 16 + 6, "{secret}");
    assert!(webhook["createdAt"].as_str().unwrap().ends_with('Z'));

    let (status, list) = server.get("/v1/webhooks").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_eq!(list["data"][0]["id"], id);
    assert!(list["data"][0].get("secret").is_none(), "the list never shows secrets: {list}");
    assert_eq!(list["nextCursor"], Value::Null);

    let journal = server.journal().await;
    assert!(journal.iter().any(|e| e["path"] == "/v1/webhooks" && e["created"] == id));

    // Every event type, and every loopback spelling, is accepted.
    let all = json!([
        "post.scheduled",
        "post.publishing",
        "post.published",
        "post.failed",
        "post.cancelled"
    ]);
    for url in ["http://localhost:3000/wh", "https://127.0.0.2/wh", "http://[::1]:9/wh"] {
        create(&server, url, all.clone()).await;
    }
    let other = create(&server, "http://localhost/x", json!(["post.failed"])).await;
    assert_ne!(other["secret"], webhook["secret"]);
}

#[tokio::test]
async fn only_loopback_receivers_are_accepted() {
    let server = TestServer::start().await;
    for url in [
        "https://example.com/hooks",
        "http://10.0.0.1/hooks",
        "http://192.168.1.10:8080/",
        "http://[2001:db8::1]/",
        "http://0.0.0.0:80/",
        "http://localhost.example.com/",
    ] {
        let (status, answer) =
            server.post("/v1/webhooks", json!({ "url": url, "events": ["post.published"] })).await;
        let error = assert_error(status, &answer, 400, "INVALID_REQUEST");
        assert_eq!(error["field"], "url", "{url}");
        assert!(error["message"].as_str().unwrap().contains("loopback"), "{error}");
    }
    let (_, list) = server.get("/v1/webhooks").await;
    assert_eq!(list["data"], json!([]));
}

#[tokio::test]
async fn create_refuses_bad_bodies() {
    let server = TestServer::start().await;
    let hook = "http://127.0.0.1:1/h";
    for (body, field) in [
        (json!({ "events": ["post.published"] }), "url"),
        (json!({ "url": "ftp://127.0.0.1/h", "events": ["post.published"] }), "url"),
        (json!({ "url": "/relative", "events": ["post.published"] }), "url"),
        (json!({ "url": "http://127.0.0.1/a b", "events": ["post.published"] }), "url"),
        (json!({ "url": 5, "events": ["post.published"] }), "url"),
        (json!({ "url": hook }), "events"),
        (json!({ "url": hook, "events": [] }), "events"),
        (json!({ "url": hook, "events": ["post.published", "post.deleted"] }), "events[1]"),
        (json!({ "url": hook, "events": ["post.failed", "post.failed"] }), "events[1]"),
        (json!({ "url": hook, "events": "post.failed" }), "events"),
        (json!({ "url": hook, "events": ["post.failed"], "secret": "mine" }), "secret"),
    ] {
        let (status, answer) = server.post("/v1/webhooks", body.clone()).await;
        let error = assert_error(status, &answer, 400, "INVALID_REQUEST");
        assert_eq!(error["field"], field, "{body} → {answer}");
    }
    let (_, answer) =
        server.post("/v1/webhooks", json!({ "url": hook, "events": ["post.deleted"] })).await;
    assert!(answer["error"]["message"].as_str().unwrap().contains("post.published"), "{answer}");
    assert_eq!(answer["error"]["details"]["allowed"].as_array().unwrap().len(), 5);

    let (status, answer) = send(
        server
            .http
            .post(server.url("/v1/webhooks"))
            .json(&json!({ "url": hook, "events": ["post.failed"] })),
    )
    .await;
    assert_error(status, &answer, 401, "UNAUTHORIZED");
}

#[tokio::test]
async fn the_list_pages_newest_first() {
    let server = TestServer::start().await;
    let mut ids = Vec::new();
    for port in 1..=5 {
        let webhook =
            create(&server, &format!("http://127.0.0.1:{port}/"), json!(["post.failed"])).await;
        ids.push(webhook["id"].as_str().unwrap().to_owned());
    }
    let mut seen = Vec::new();
    let mut path = "/v1/webhooks?limit=2".to_owned();
    loop {
        let (status, page) = server.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for webhook in page["data"].as_array().unwrap() {
            assert!(webhook.get("secret").is_none());
            seen.push(webhook["id"].as_str().unwrap().to_owned());
        }
        match page["nextCursor"].as_str() {
            Some(cursor) => path = format!("/v1/webhooks?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    ids.reverse();
    assert_eq!(seen, ids);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 5);

    for (query, field) in [("limit=0", "limit"), ("cursor=nope", "cursor"), ("status=x", "status")]
    {
        let (status, answer) = server.get(&format!("/v1/webhooks?{query}")).await;
        let error = assert_error(status, &answer, 400, "INVALID_REQUEST");
        assert_eq!(error["field"], field);
    }
}

#[tokio::test]
async fn delete_answers_204_then_404() {
    let server = TestServer::start().await;
    let keep = create(&server, "http://127.0.0.1:1/keep", json!(["post.failed"])).await;
    let gone = create(&server, "http://127.0.0.1:1/gone", json!(["post.failed"])).await;
    let path = format!("/v1/webhooks/{}", gone["id"].as_str().unwrap());
    let response = server.api(Method::DELETE, &path).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert!(response.bytes().await.unwrap().is_empty());
    let (status, answer) = server.delete(&path).await;
    let error = assert_error(status, &answer, 404, "NOT_FOUND");
    assert_eq!(error["details"]["resource"], "webhook");
    let (_, list) = server.get("/v1/webhooks").await;
    let ids: Vec<&Value> = list["data"].as_array().unwrap().iter().map(|w| &w["id"]).collect();
    assert_eq!(ids, vec![&keep["id"]]);
    let (status, answer) = send(server.http.delete(server.url(&path))).await;
    assert_error(status, &answer, 401, "UNAUTHORIZED");
}

#[tokio::test]
async fn the_admin_delivery_log_starts_empty() {
    let server = TestServer::start().await;
    let webhook = create(&server, "http://127.0.0.1:1/h", json!(["post.failed"])).await;
    let (status, log) = server.admin_get("/_mock/webhooks/deliveries").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(log, json!({ "data": [] }));
    let (status, log) = server
        .admin_get(&format!(
            "/_mock/webhooks/deliveries?webhookId={}",
            webhook["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(log["data"], json!([]));
    let (status, answer) = server.admin_get("/_mock/webhooks/deliveries?webhookId=wh_nope").await;
    assert_error(status, &answer, 404, "NOT_FOUND");
    let (status, answer) = server.admin_get("/_mock/webhooks/deliveries?hook=1").await;
    assert_error(status, &answer, 400, "INVALID_REQUEST");
    let (status, answer) = send(server.api(Method::GET, "/_mock/webhooks/deliveries")).await;
    assert_error(status, &answer, 401, "UNAUTHORIZED");
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_webhook() {
    let server = TestServer::start().await;
    let body = json!({ "url": "http://127.0.0.1:1/h", "events": ["post.failed"] });
    let request =
        || server.api(Method::POST, "/v1/webhooks").header("idempotency-key", "wh-1").json(&body);
    let (status, first) = send(request()).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, second) = send(request()).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(first, second);
    let (_, list) = server.get("/v1/webhooks").await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
}
