//! The faults of slow and tired networks: a response that stalls mid-body, a request body
//! whose reading stalls, and a kept-alive connection closed while idle. Time bounds here are
//! generous lower bounds ("it did wait") or "no hang" bounds, never tight ones.

use std::time::{Duration, Instant};

use crate::common::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn a_response_stalls_mid_body_then_completes() {
    let server = TestServer::start().await;
    let rule = json!({ "method": "GET", "path": "/v1/platforms", "times": 1,
                       "action": { "type": "stall_mid_response", "afterBytes": 10, "ms": 400 } });
    server.admin_post("/_mock/faults", rule).await;
    let response = server.api(Method::GET, "/v1/platforms").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "the head is not held back");
    let headers_at = Instant::now();
    let body: Value = response.json().await.expect("the whole body arrives, late");
    assert!(headers_at.elapsed() >= Duration::from_millis(300), "the body was not held back");
    assert!(body["platforms"]["tiktok"].is_object());

    let journal = server.journal().await;
    assert_eq!(journal[0]["fault"], "stall_mid_response");
    assert_eq!(journal[0]["status"], 200);
    // The rule fired once: the next answer is not held back.
    let started = Instant::now();
    let (status, _) = server.get("/v1/platforms").await;
    assert_eq!(status, StatusCode::OK);
    assert!(started.elapsed() < Duration::from_millis(350), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_request_body_that_stalls_is_journaled_on_arrival_and_then_handled() {
    let server = TestServer::start().await;
    let rule = json!({ "method": "POST", "path": "/v1/connect-links", "times": 2,
                       "action": { "type": "stall_request_body", "afterBytes": 8, "ms": 400 } });
    server.admin_post("/_mock/faults", rule).await;
    let body = json!({ "platform": "tiktok", "redirectUrl": "https://example.com/callback" });

    // A client that gives up during the stall: its request is in the journal all the same.
    let outcome = server
        .api(Method::POST, "/v1/connect-links")
        .json(&body)
        .timeout(Duration::from_millis(100))
        .send()
        .await;
    assert!(outcome.is_err(), "the answer cannot come before the stall ends");
    let journal = server.journal().await;
    assert_eq!(journal.len(), 1, "{journal:?}");
    assert_eq!(journal[0]["fault"], "stall_request_body");
    assert!(journal[0]["status"].is_null());

    // A patient client gets its answer once the stall is over.
    let started = Instant::now();
    let (status, link) = server.post("/v1/connect-links", body).await;
    assert_eq!(status, StatusCode::CREATED, "{link}");
    assert!(started.elapsed() >= Duration::from_millis(300), "the body was not held back");
}

#[tokio::test]
async fn a_connection_closed_while_idle_drops_the_next_request_unanswered() {
    let server = TestServer::start().await;
    let rule = json!({ "method": "GET", "path": "/v1/platforms", "times": 1,
                       "action": { "type": "close_idle", "ms": 0 } });
    server.admin_post("/_mock/faults", rule).await;
    let (status, _) = server.get("/v1/platforms").await;
    assert_eq!(status, StatusCode::OK, "the request that arms the fault is answered");

    // The next request reuses the kept-alive connection, which the server now treats as
    // closed: nothing is answered and nothing is done.
    let body = json!({ "platform": "tiktok", "redirectUrl": "https://example.com/callback" });
    let started = Instant::now();
    let error = server
        .api(Method::POST, "/v1/connect-links")
        .json(&body)
        .send()
        .await
        .expect_err("the connection is closed without an answer");
    assert!(started.elapsed() < Duration::from_secs(5), "it fails at once, not after a wait");
    let hyper_says =
        std::iter::successors(Some(&error as &(dyn std::error::Error + 'static)), |e| e.source())
            .any(|e| {
                e.downcast_ref::<hyper::Error>().is_some_and(hyper::Error::is_incomplete_message)
            });
    assert!(hyper_says, "hyper's 'connection closed before message completed': {error:?}");

    // A new connection is served as usual; the dropped request created nothing.
    let (status, _) = server.get("/v1/platforms").await;
    assert_eq!(status, StatusCode::OK);
    let journal = server.journal().await;
    let dropped: Vec<&Value> = journal.iter().filter(|e| e["fault"] == "close_idle").collect();
    assert_eq!(dropped.len(), 2, "the arming GET and the dropped POST: {journal:?}");
    assert_eq!(dropped[1]["method"], "POST");
    assert!(dropped[1]["status"].is_null());
    assert!(!journal.iter().any(|e| e["method"] == "POST" && e["status"] == 201), "{journal:?}");
}
