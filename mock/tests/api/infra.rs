//! The behaviour every endpoint shares: authentication, request ids, rate limits, the error
//! body, fault injection, the journal, the clock and the admin API's own protection.

use crate::common::{assert_error, send, TestServer};
use aether_mock::{MockConfig, Settings};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn every_response_carries_a_request_id_and_rate_limit_headers() {
    let server = TestServer::start().await;
    let response = server.api(Method::GET, "/v1/platforms").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers();
    assert!(headers["x-request-id"].to_str().unwrap().starts_with("req_"));
    assert_eq!(headers["x-ratelimit-limit"], "100000");
    assert_eq!(headers["x-ratelimit-remaining"], "99999");
    let reset: i64 = headers["x-ratelimit-reset"].to_str().unwrap().parse().unwrap();
    assert!(reset > jiff::Timestamp::now().as_second());
}

#[tokio::test]
async fn missing_and_wrong_keys_are_unauthorized_with_the_request_id_in_the_body() {
    let server = TestServer::start().await;
    let response = server.http.get(server.url("/v1/platforms")).send().await.unwrap();
    let header_id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap();
    let error = assert_error(status, &body, 401, "UNAUTHORIZED");
    assert_eq!(error["requestId"], header_id.as_str());
    assert!(error["message"].as_str().unwrap().contains("missing API key"));

    let wrong = server.http.get(server.url("/v1/platforms")).bearer_auth("sk_wrong");
    let (status, body) = send(wrong).await;
    let error = assert_error(status, &body, 401, "UNAUTHORIZED");
    assert!(!error["message"].as_str().unwrap().contains("sk_wrong"), "the key is not echoed");
}

#[tokio::test]
async fn the_client_request_id_is_echoed_and_journaled() {
    let server = TestServer::start().await;
    let response = server
        .api(Method::GET, "/v1/platforms")
        .header("x-client-request-id", "creq_0123abc")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-client-request-id"], "creq_0123abc");
    let without = server.api(Method::GET, "/v1/platforms").send().await.unwrap();
    assert!(!without.headers().contains_key("x-client-request-id"), "nothing to echo");
    let journal = server.journal().await;
    assert_eq!(journal[0]["clientRequestId"], "creq_0123abc");
    assert!(journal[1].get("clientRequestId").is_none(), "absent when not sent: {journal:?}");
}

#[tokio::test]
async fn several_keys_can_be_accepted() {
    let config =
        MockConfig { api_keys: vec!["sk_one".into(), "sk_two".into()], ..MockConfig::default() };
    let server = TestServer::with_config(config).await;
    for key in ["sk_one", "sk_two"] {
        let (status, _) = send(server.http.get(server.url("/v1/platforms")).bearer_auth(key)).await;
        assert_eq!(status, StatusCode::OK, "{key}");
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_the_error_body() {
    let server = TestServer::start().await;
    let (status, body) = server.get("/v1/nothing-here").await;
    assert_error(status, &body, 404, "NOT_FOUND");
    let (status, body) = send(server.api(Method::PUT, "/v1/platforms")).await;
    assert_error(status, &body, 405, "INVALID_REQUEST");
}

#[tokio::test]
async fn over_the_rate_limit_answers_429_with_retry_after() {
    let server = TestServer::start().await;
    let (status, _) =
        send(server.admin(Method::PATCH, "/_mock/settings").json(&json!({ "rateLimit": 3 }))).await;
    assert_eq!(status, StatusCode::OK);
    for _ in 0..3 {
        assert_eq!(server.get("/v1/platforms").await.0, StatusCode::OK);
    }
    let response = server.api(Method::GET, "/v1/platforms").send().await.unwrap();
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after));
    assert_eq!(response.headers()["x-ratelimit-remaining"], "0");
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap();
    let error = assert_error(status, &body, 429, "RATE_LIMITED");
    assert_eq!(error["retryAfter"], retry_after);

    // A new window on the virtual clock lets requests through again.
    server.advance(60.0).await;
    assert_eq!(server.get("/v1/platforms").await.0, StatusCode::OK);
}

#[tokio::test]
async fn an_injected_status_fires_the_given_number_of_times() {
    let server = TestServer::start().await;
    let rule = json!({ "method": "GET", "path": "/v1/platforms", "times": 2,
                       "action": { "type": "status", "status": 503, "retryAfter": 7 } });
    let (status, created) = server.admin_post("/_mock/faults", rule).await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(created["id"].as_str().unwrap().starts_with("fault_"));

    for _ in 0..2 {
        let response = server.api(Method::GET, "/v1/platforms").send().await.unwrap();
        assert_eq!(response.headers()["retry-after"], "7");
        let status = response.status();
        let body: serde_json::Value = response.json().await.unwrap();
        assert_error(status, &body, 503, "SERVICE_UNAVAILABLE");
    }
    assert_eq!(server.get("/v1/platforms").await.0, StatusCode::OK);
    let faults = server.journal().await;
    let fired: Vec<_> = faults.iter().filter(|e| e["fault"] == "status").collect();
    assert_eq!(fired.len(), 2);
}

#[tokio::test]
async fn a_status_fault_can_steer_retries_and_the_journal_keeps_trace_and_retry_count() {
    let server = TestServer::start().await;
    let rule = json!({ "method": "GET", "path": "/v1/platforms", "times": 1,
                       "action": { "type": "status", "status": 503, "retryAfter": 40,
                                   "retryAfterMs": 50, "shouldRetry": false } });
    assert_eq!(server.admin_post("/_mock/faults", rule).await.0, StatusCode::CREATED);
    let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    let response = server
        .api(Method::GET, "/v1/platforms")
        .header("traceparent", traceparent)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers()["retry-after"], "40");
    assert_eq!(response.headers()["retry-after-ms"], "50");
    assert_eq!(response.headers()["x-should-retry"], "false");
    let retried = server.api(Method::GET, "/v1/platforms").header("x-aether-retry-count", "2");
    assert_eq!(retried.send().await.unwrap().status(), StatusCode::OK);

    let journal = server.journal().await;
    let seen: Vec<_> =
        journal.iter().map(|e| (e["traceparent"].clone(), e["retryCount"].clone())).collect();
    assert_eq!(seen, [(json!(traceparent), json!(0)), (json!(null), json!(2))]);
}

#[tokio::test]
async fn the_journal_records_the_query_and_the_custom_headers() {
    let server = TestServer::start().await;

    let response = server
        .api(Method::GET, "/v1/platforms?probe=1&x=a%20b")
        .header("X-Trace-Tag", "blue")
        .header("Accept-Language", "fr")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    server.api(Method::GET, "/v1/platforms").send().await.unwrap();

    let journal = server.journal().await;
    assert_eq!(journal[0]["query"], "probe=1&x=a%20b");
    assert_eq!(journal[0]["headers"]["x-trace-tag"], "blue");
    assert!(journal[0]["headers"].get("accept-language").is_none(), "only x- headers");
    assert!(journal[1].get("query").is_none(), "no query: {}", journal[1]);
}

#[tokio::test]
async fn connection_faults_break_the_connection_the_way_they_say() {
    let server = TestServer::start().await;
    for action in ["reset_before_body", "reset_after_body", "close_mid_response", "truncated_body"]
    {
        let rule = json!({ "path": "/v1/platforms", "times": 1, "action": { "type": action } });
        assert_eq!(server.admin_post("/_mock/faults", rule).await.0, StatusCode::CREATED);
        let outcome = server.api(Method::GET, "/v1/platforms").send().await;
        let failed = match outcome {
            Err(_) => true,
            Ok(response) => response.bytes().await.is_err(),
        };
        assert!(failed, "{action} must break the exchange");
        // The next request on a fresh connection works.
        assert_eq!(server.get("/v1/platforms").await.0, StatusCode::OK, "{action}");
    }
    let journal = server.journal().await;
    let reset = journal.iter().find(|e| e["fault"] == "reset_after_body").unwrap();
    assert!(reset["status"].is_null(), "a reset request has no status: {reset}");
}

#[tokio::test]
async fn a_malformed_body_is_not_json() {
    let server = TestServer::start().await;
    let rule =
        json!({ "path": "/v1/platforms", "times": 1, "action": { "type": "malformed_body" } });
    server.admin_post("/_mock/faults", rule).await;
    let response = server.api(Method::GET, "/v1/platforms").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    assert!(serde_json::from_str::<serde_json::Value>(&text).is_err(), "{text}");
}

#[tokio::test]
async fn invalid_utf8_is_the_real_body_with_a_byte_that_is_not_utf8() {
    let server = TestServer::start().await;
    let whole = server.api(Method::GET, "/v1/platforms").send().await.unwrap();
    let whole = whole.bytes().await.unwrap();
    let rule = json!({ "path": "/v1/platforms", "times": 1, "action": { "type": "invalid_utf8" } });
    server.admin_post("/_mock/faults", rule).await;
    let response = server.api(Method::GET, "/v1/platforms").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let damaged = response.bytes().await.unwrap();
    assert_eq!(damaged.len(), whole.len());
    let differ: Vec<usize> = (0..whole.len()).filter(|&i| whole[i] != damaged[i]).collect();
    assert_eq!(differ.len(), 1, "one byte differs");
    assert_eq!(damaged[differ[0]], 0xFF);
    assert_eq!(&damaged[differ[0] - 2..differ[0]], b":\"", "inside a string value");
    assert!(std::str::from_utf8(&damaged).is_err());
    let journal = server.journal().await;
    assert!(journal.iter().any(|e| e["fault"] == "invalid_utf8" && e["status"] == 200));
}

#[tokio::test]
async fn incomplete_json_is_the_real_body_less_its_last_byte() {
    let server = TestServer::start().await;
    let whole = server.api(Method::GET, "/v1/platforms").send().await.unwrap();
    let whole = whole.text().await.unwrap();
    let rule =
        json!({ "path": "/v1/platforms", "times": 1, "action": { "type": "incomplete_json" } });
    server.admin_post("/_mock/faults", rule).await;
    let response = server.api(Method::GET, "/v1/platforms").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    assert_eq!(text, whole[..whole.len() - 1]);
    assert!(serde_json::from_str::<serde_json::Value>(&text).is_err(), "{text}");
}

#[tokio::test]
async fn a_delay_fault_delays() {
    let server = TestServer::start().await;
    let rule =
        json!({ "path": "/v1/platforms", "times": 1, "action": { "type": "delay", "ms": 300 } });
    server.admin_post("/_mock/faults", rule).await;
    let started = std::time::Instant::now();
    assert_eq!(server.get("/v1/platforms").await.0, StatusCode::OK);
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));
}

#[tokio::test]
async fn bad_fault_rules_are_refused_and_rules_can_be_listed_and_removed() {
    let server = TestServer::start().await;
    let (status, body) = server
        .admin_post("/_mock/faults", json!({ "path": "/v1/**", "action": { "type": "explode" } }))
        .await;
    assert_error(status, &body, 400, "INVALID_REQUEST");
    let (status, body) = server
        .admin_post(
            "/_mock/faults",
            json!({ "path": "/v1/**", "probability": 2.0,
                                             "action": { "type": "reset_before_body" } }),
        )
        .await;
    assert_error(status, &body, 400, "INVALID_REQUEST");

    let (_, rule) = server
        .admin_post(
            "/_mock/faults",
            json!({ "path": "/v1/**", "action": { "type": "delay", "ms": 1 } }),
        )
        .await;
    let (_, listed) = server.admin_get("/_mock/faults").await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    let id = rule["id"].as_str().unwrap();
    let (status, _) = send(server.admin(Method::DELETE, &format!("/_mock/faults/{id}"))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, listed) = server.admin_get("/_mock/faults").await;
    assert!(listed["data"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_admin_api_needs_its_own_token() {
    let server = TestServer::start().await;
    let with_api_key = server.api(Method::POST, "/_mock/reset");
    let (status, body) = send(with_api_key).await;
    assert_error(status, &body, 401, "UNAUTHORIZED");
}

#[tokio::test]
async fn the_clock_only_moves_forward() {
    let server = TestServer::start().await;
    let (_, before) = server.admin_get("/_mock/clock").await;
    let before: jiff::Timestamp = before["now"].as_str().unwrap().parse().unwrap();
    let (status, after) =
        server.admin_post("/_mock/clock/advance", json!({ "seconds": 86400 })).await;
    assert_eq!(status, StatusCode::OK);
    let after: jiff::Timestamp = after["now"].as_str().unwrap().parse().unwrap();
    assert!(after.duration_since(before) >= jiff::SignedDuration::from_hours(24));
    let (status, body) = server.admin_post("/_mock/clock/advance", json!({ "seconds": -5 })).await;
    assert_error(status, &body, 400, "INVALID_REQUEST");
}

#[tokio::test]
async fn the_journal_records_api_requests_and_reset_forgets_them() {
    let server = TestServer::start().await;
    server.get("/v1/platforms").await;
    let journal = server.journal().await;
    assert_eq!(journal.len(), 1, "admin calls are not journaled: {journal:?}");
    assert_eq!(journal[0]["method"], "GET");
    assert_eq!(journal[0]["path"], "/v1/platforms");
    assert_eq!(journal[0]["status"], 200);

    let (status, _) = server.admin_post("/_mock/reset", json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(server.journal().await.is_empty());
    let (_, settings) = server.admin_get("/_mock/settings").await;
    assert_eq!(settings["processingMs"], Settings::default().processing_ms);
}

#[tokio::test]
async fn oversized_and_malformed_json_bodies_are_refused_with_a_reason() {
    let server = TestServer::start().await;
    let (status, body) = send(
        server
            .admin(Method::POST, "/_mock/clock/advance")
            .header("content-type", "application/json")
            .body("{\"seconds\": "),
    )
    .await;
    let error = assert_error(status, &body, 400, "INVALID_REQUEST");
    assert!(error["message"].as_str().unwrap().contains("not valid JSON"), "{error}");

    let (status, body) = send(
        server.admin(Method::POST, "/_mock/clock/advance").json(&json!({ "seconds": "soon" })),
    )
    .await;
    let error = assert_error(status, &body, 400, "INVALID_REQUEST");
    assert_eq!(error["field"], "seconds");

    let huge = "x".repeat(2 * 1024 * 1024);
    let (status, body) =
        send(server.admin(Method::POST, "/_mock/clock/advance").json(&json!({ "pad": huge })))
            .await;
    assert_error(status, &body, 413, "FILE_TOO_LARGE");
}

#[tokio::test]
async fn the_platform_rules_are_served_with_a_version() {
    let server = TestServer::start().await;
    let (status, body) = server.get("/v1/platforms").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["version"].is_string());
    for platform in ["tiktok", "instagram", "linkedin", "facebook", "youtube", "threads", "reddit"]
    {
        assert!(body["platforms"][platform].is_object(), "{platform} missing");
    }
}

#[tokio::test]
async fn a_request_dropped_after_some_body_bytes_is_never_processed() {
    let server = TestServer::start().await;
    let rule = json!({ "method": "POST", "path": "/v1/connect-links", "times": 1,
                       "action": { "type": "drop_after_request_bytes", "bytes": 16 } });
    server.admin_post("/_mock/faults", rule).await;
    let body = json!({ "platform": "tiktok", "redirectUrl": "https://example.com/callback" });
    let outcome = server.api(Method::POST, "/v1/connect-links").json(&body).send().await;
    assert!(outcome.is_err(), "the connection is dropped, no answer arrives");

    let journal = server.journal().await;
    assert_eq!(journal.len(), 1);
    assert!(journal[0]["status"].is_null() && journal[0]["created"].is_null(), "{journal:?}");
    assert_eq!(journal[0]["fault"], "drop_after_request_bytes");

    // A body shorter than the threshold goes through untouched.
    let rule = json!({ "method": "POST", "path": "/v1/connect-links", "times": 1,
                       "action": { "type": "drop_after_request_bytes", "bytes": 100000 } });
    server.admin_post("/_mock/faults", rule).await;
    let (status, link) = server.post("/v1/connect-links", body).await;
    assert_eq!(status, StatusCode::CREATED, "{link}");
}

/// A body large enough that the emulator answers long before the last byte leaves the client.
fn large_body() -> Vec<u8> {
    vec![7u8; 32 * 1024 * 1024]
}

#[tokio::test]
async fn errors_answered_before_a_large_body_is_read_keep_the_connection_usable() {
    let server = TestServer::start().await;
    server
        .admin_post(
            "/_mock/faults",
            json!({ "method": "PUT", "path": "/v1/media/uploads/*/parts/*", "times": 10,
                    "action": { "type": "status", "status": 503 } }),
        )
        .await;
    // One client, so each request reuses the connection the previous answer left.
    for _ in 0..10 {
        let injected =
            server.api(Method::PUT, "/v1/media/uploads/upl_unknown/parts/1").body(large_body());
        let (status, body) = send(injected).await;
        assert_error(status, &body, 503, "SERVICE_UNAVAILABLE");
    }
    let stranger = reqwest::Client::new();
    for _ in 0..5 {
        let unknown =
            server.api(Method::PUT, "/v1/media/uploads/upl_unknown/parts/1").body(large_body());
        let (status, body) = send(unknown).await;
        assert_error(status, &body, 404, "NOT_FOUND");
        let wrong_key = stranger
            .put(server.url("/v1/media/uploads/upl_unknown/parts/1"))
            .bearer_auth("sk_wrong")
            .body(large_body());
        let (status, body) = send(wrong_key).await;
        assert_error(status, &body, 401, "UNAUTHORIZED");
    }
}
