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
        "post.cancelled",
        "comment.created",
        "message.created",
        "message.updated"
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
    let allowed = answer["error"]["details"]["allowed"].as_array().unwrap();
    assert_eq!(allowed.len(), 8, "the post events and the inbox events: {allowed:?}");
    assert!(
        allowed.contains(&json!("comment.created")) && allowed.contains(&json!("message.updated"))
    );

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

// ---------------------------------------------------------------------------------------------
// Inbox events and dead letters, end to end through a receiver on loopback
// ---------------------------------------------------------------------------------------------

/// A receiver on loopback that answers `status` (changeable) and keeps every request.
struct Receiver {
    url: String,
    status: std::sync::Arc<std::sync::atomic::AtomicU16>,
    requests: tokio::sync::mpsc::UnboundedReceiver<(String, bytes::Bytes)>,
}

impl Receiver {
    async fn start() -> Receiver {
        use std::sync::atomic::{AtomicU16, Ordering};
        use std::sync::Arc;
        let (tx, requests) = tokio::sync::mpsc::unbounded_channel();
        let status = Arc::new(AtomicU16::new(200));
        let answer = status.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: axum::http::HeaderMap, body: bytes::Bytes| {
                let tx = tx.clone();
                let answer = answer.clone();
                async move {
                    let signature = headers["x-aether-signature"].to_str().unwrap().to_owned();
                    let _ = tx.send((signature, body));
                    StatusCode::from_u16(answer.load(Ordering::SeqCst)).unwrap()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url, status, requests }
    }

    fn answer(&self, status: u16) {
        self.status.store(status, std::sync::atomic::Ordering::SeqCst);
    }

    /// The next request: its signature header, raw body and parsed event.
    async fn next(&mut self) -> (String, bytes::Bytes, Value) {
        let wait = std::time::Duration::from_secs(10);
        let (signature, body) =
            tokio::time::timeout(wait, self.requests.recv()).await.expect("a delivery").unwrap();
        let event = serde_json::from_slice(&body).unwrap();
        (signature, body, event)
    }
}

/// Checks `t=…,v1=…` against the secret; returns `t`.
fn verify(secret: &str, signature: &str, body: &[u8]) -> i64 {
    use hmac::{Hmac, Mac};
    let (t, v1) = signature.split_once(',').unwrap();
    let t = t.strip_prefix("t=").unwrap();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    mac.verify_slice(&hex::decode(v1.strip_prefix("v1=").unwrap()).unwrap()).expect("signed");
    t.parse().unwrap()
}

/// Lists a webhook's deliveries (one page) until `done` holds on them.
async fn deliveries_until(
    server: &TestServer,
    query: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    for _ in 0..200 {
        let (status, page) = server.get(query).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let data = page["data"].as_array().unwrap().clone();
        if done(&data) {
            return data;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("{query} never got there: {:?}", server.get(query).await);
}

#[tokio::test]
async fn a_simulated_comment_and_message_reach_the_subscribed_receiver() {
    let server = TestServer::start().await;
    let mut rx = Receiver::start().await;
    let all = json!(["comment.created", "message.created", "message.updated"]);
    let hook = create(&server, &rx.url, all).await;
    create(&server, &rx.url, json!(["post.published"])).await;
    let secret = hook["secret"].as_str().unwrap();
    let profile = server.profile("instagram", "standard").await;

    let (status, comment) = server
        .admin_post(
            &format!("/_mock/profiles/{profile}/comments"),
            json!({ "text": "nice!", "author": { "username": "fan1" }, "postId": "post_1" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{comment}");
    assert!(comment["id"].as_str().unwrap().starts_with("cmt_"));
    assert_eq!(
        (&comment["profileId"], &comment["platform"]),
        (&json!(profile), &json!("instagram"))
    );
    assert_eq!(comment["author"]["username"], "fan1");
    assert!(comment["author"]["id"].as_str().is_some_and(|id| !id.is_empty()));
    assert_eq!(comment["postId"], "post_1");
    let (signature, body, event) = rx.next().await;
    verify(secret, &signature, &body);
    assert_eq!(event["type"], "comment.created");
    assert_eq!(event["data"]["comment"], comment);
    assert!(event["data"].get("post").is_none(), "{event}");

    let (status, message) = server
        .admin_post(&format!("/_mock/profiles/{profile}/messages"), json!({ "text": "hi" }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{message}");
    assert_eq!(message["direction"], "inbound");
    assert!(message["conversationId"].as_str().unwrap().starts_with("conv_"));
    assert!(message.get("readAt").is_none());
    let (_, _, created) = rx.next().await;
    assert_eq!(
        (&created["type"], &created["data"]["message"]),
        (&json!("message.created"), &message)
    );

    let id = message["id"].as_str().unwrap();
    let (status, read) = send(
        server
            .admin(Method::PATCH, &format!("/_mock/messages/{id}"))
            .json(&json!({ "readAt": "2026-06-15T09:00:00+02:00" })),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["readAt"], "2026-06-15T07:00:00.000Z");
    let (_, _, updated) = rx.next().await;
    assert_eq!(updated["type"], "message.updated");
    assert_eq!(updated["data"]["message"]["readAt"], "2026-06-15T07:00:00.000Z");
    assert_ne!(updated["id"], created["id"]);

    // An outbound message is written by the profile itself.
    let (_, sent) = server
        .admin_post(
            &format!("/_mock/profiles/{profile}/messages"),
            json!({ "text": "thanks", "direction": "outbound", "conversationId": message["conversationId"] }),
        )
        .await;
    assert_eq!(sent["author"]["id"], profile.as_str());
    assert_eq!(sent["conversationId"], message["conversationId"]);
}

#[tokio::test]
async fn the_inbox_admin_routes_refuse_bad_input_by_name() {
    let server = TestServer::start().await;
    let profile = server.profile("facebook", "standard").await;
    let comments = format!("/_mock/profiles/{profile}/comments");
    let (status, answer) =
        server.admin_post("/_mock/profiles/fb_nope/comments", json!({ "text": "x" })).await;
    assert_eq!(assert_error(status, &answer, 404, "NOT_FOUND")["details"]["resource"], "profile");
    let (status, answer) = server.admin_post(&comments, json!({})).await;
    assert_eq!(assert_error(status, &answer, 400, "INVALID_REQUEST")["field"], "text");
    let (status, answer) = server.admin_post(&comments, json!({ "text": "x", "txet": 1 })).await;
    assert_error(status, &answer, 400, "INVALID_REQUEST");
    let (status, answer) =
        server.admin_post(&comments, json!({ "text": "x", "createdAt": "yesterday" })).await;
    assert_eq!(assert_error(status, &answer, 400, "INVALID_REQUEST")["field"], "createdAt");
    let messages = format!("/_mock/profiles/{profile}/messages");
    let (status, answer) =
        server.admin_post(&messages, json!({ "text": "x", "direction": "sideways" })).await;
    assert_eq!(assert_error(status, &answer, 400, "INVALID_REQUEST")["field"], "direction");
    let (status, answer) = send(
        server
            .admin(Method::PATCH, "/_mock/messages/msg_nope")
            .json(&json!({ "readAt": "2026-01-01T00:00:00Z" })),
    )
    .await;
    assert_eq!(assert_error(status, &answer, 404, "NOT_FOUND")["details"]["resource"], "message");
    let (_, message) = server.admin_post(&messages, json!({ "text": "x" })).await;
    let path = format!("/_mock/messages/{}", message["id"].as_str().unwrap());
    let (status, answer) = send(server.admin(Method::PATCH, &path).json(&json!({}))).await;
    assert_error(status, &answer, 400, "INVALID_REQUEST");
    // The admin routes need the admin token.
    let (status, answer) =
        send(server.api(Method::POST, &messages).json(&json!({ "text": "x" }))).await;
    assert_error(status, &answer, 401, "UNAUTHORIZED");
}

#[tokio::test]
async fn a_dead_letter_is_listed_kept_and_redelivered_with_the_same_event_signed_afresh() {
    let server = TestServer::start().await;
    server.admin.update_settings(&json!({ "webhookMaxAttempts": 2 })).await.unwrap();
    let mut rx = Receiver::start().await;
    rx.answer(503);
    let hook = create(&server, &rx.url, json!(["comment.created"])).await;
    let (hook_id, secret) = (hook["id"].as_str().unwrap(), hook["secret"].as_str().unwrap());
    let profile = server.profile("tiktok", "standard").await;
    let comments = format!("/_mock/profiles/{profile}/comments");
    for text in ["one", "two"] {
        server.admin_post(&comments, json!({ "text": text })).await;
    }
    let list = format!("/v1/webhooks/{hook_id}/deliveries");
    let pending = deliveries_until(&server, &format!("{list}?status=pending"), |d| {
        d.len() == 2 && d.iter().all(|d| d["attempts"] == 1 && d["lastStatusCode"] == 503)
    })
    .await;
    assert!(pending[0]["nextAttemptAt"].is_string(), "{pending:?}");
    // The second (last) attempt after the 1 s backoff fails too: both are dead letters.
    server.advance(1.0).await;
    let failed =
        deliveries_until(&server, &format!("{list}?status=failed"), |d| d.len() == 2).await;
    // Four refused attempts arrived (two per event); keep one of the oldest event's.
    let mut refused = Vec::new();
    for _ in 0..4 {
        refused.push(rx.next().await);
    }
    let (first_sig, first_body, first) =
        refused.into_iter().find(|(_, _, e)| e["id"] == failed[1]["eventId"]).unwrap();
    for delivery in &failed {
        assert!(delivery["id"].as_str().unwrap().starts_with("dlv_"));
        assert_eq!((&delivery["attempts"], &delivery["lastStatusCode"]), (&json!(2), &json!(503)));
        assert_eq!(delivery["eventType"], "comment.created");
        assert!(delivery["lastAttemptAt"].is_string() && delivery.get("nextAttemptAt").is_none());
        assert_eq!(delivery["lastError"], "the receiver answered 503");
    }
    // Newest first, one page at a time.
    let (_, page) = server.get(&format!("{list}?status=failed&limit=1")).await;
    assert_eq!(page["data"][0]["id"], failed[0]["id"]);
    let cursor = page["nextCursor"].as_str().unwrap();
    let (_, page) = server.get(&format!("{list}?status=failed&limit=1&cursor={cursor}")).await;
    assert_eq!(page["data"][0]["id"], failed[1]["id"]);
    assert_eq!(page["nextCursor"], Value::Null);
    assert_eq!(first["data"]["comment"]["text"], "one", "the oldest is the first comment");

    // Redelivered ten minutes later to a healthy receiver: same event and body, new signature.
    rx.answer(200);
    server.advance(600.0).await;
    let dead = failed[1]["id"].as_str().unwrap();
    let redeliver = format!("{list}/{dead}/redeliver");
    let keyed = || server.api(Method::POST, &redeliver).header("idempotency-key", "rd-1");
    let (status, accepted) = send(keyed().json(&json!(null))).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{accepted}");
    assert_eq!((&accepted["id"], &accepted["eventId"]), (&json!(dead), &first["id"]));
    let (signature, body, event) = rx.next().await;
    assert_eq!(body, first_body);
    assert_eq!(event["id"], first["id"]);
    assert_ne!(signature, first_sig);
    let t = verify(secret, &signature, &body);
    assert!(t >= verify(secret, &first_sig, &first_body) + 600, "signed at the new attempt's time");
    let done =
        deliveries_until(&server, &format!("{list}?status=succeeded"), |d| d.len() == 1).await;
    assert_eq!(
        (&done[0]["id"], &done[0]["attempts"], &done[0]["lastStatusCode"]),
        (&json!(dead), &json!(3), &json!(200))
    );
    // The same redelivery again under its key, as a client whose answer was lost retries it:
    // the first answer replayed, nothing sent again (chaos mode found it sent twice).
    let (status, again) = send(keyed().json(&json!(null))).await;
    assert_eq!((status, &again["id"]), (StatusCode::ACCEPTED, &json!(dead)), "{again}");
    let done =
        deliveries_until(&server, &format!("{list}?status=succeeded"), |d| d.len() == 1).await;
    assert_eq!(done[0]["attempts"], 3, "redelivered once: {done:?}");

    // Errors: unknown status, webhook or delivery.
    let (status, answer) = server.get(&format!("{list}?status=lost")).await;
    let error = assert_error(status, &answer, 400, "INVALID_REQUEST");
    assert_eq!(error["field"], "status");
    assert!(error["message"].as_str().unwrap().contains("pending, succeeded, failed"), "{error}");
    let (status, answer) = server.get("/v1/webhooks/wh_nope/deliveries").await;
    assert_error(status, &answer, 404, "NOT_FOUND");
    let (status, answer) = server.post(&format!("{list}/dlv_nope/redeliver"), json!(null)).await;
    assert_eq!(assert_error(status, &answer, 404, "NOT_FOUND")["details"]["resource"], "delivery");

    // Dead letters are kept 30 days of virtual time, then forgotten.
    server.advance(29.0 * 86_400.0).await;
    assert_eq!(
        deliveries_until(&server, &format!("{list}?status=failed"), |_| true).await.len(),
        1
    );
    server.advance(2.0 * 86_400.0).await;
    assert_eq!(
        deliveries_until(&server, &format!("{list}?status=failed"), |_| true).await.len(),
        0
    );
}
