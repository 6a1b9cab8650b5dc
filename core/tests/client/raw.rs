//! Raw responses (`*_with_response`), per-call extra headers and query parameters, and the
//! escape hatch `Client::request`, against the emulator.

use std::time::Duration;

use crate::client_common::{text_post, Emulator};
use aether::{ErrorCode, RequestOptions};
use serde_json::json;

#[tokio::test]
async fn a_raw_response_has_the_status_request_id_and_rate_limit_headers() {
    let emulator = Emulator::start().await;
    let profile = emulator.profile("linkedin").await;
    let client = emulator.client();
    let post = client.posts().create(&text_post(&profile, "raw")).await.unwrap();

    let response = client.posts().get_with_response(&post.id).await.unwrap();

    assert_eq!(response.status, 200);
    assert_eq!(response.data.id, post.id);
    let request_id = response.header("X-Request-Id").expect("X-Request-Id is sent");
    assert!(request_id.starts_with("req_"), "{request_id}");
    assert_eq!(response.request_id.as_deref(), Some(request_id));
    assert!(response.header("x-ratelimit-limit").is_some(), "{:?}", response.headers);
    assert!(response.header("X-RateLimit-Remaining").is_some(), "{:?}", response.headers);
    assert!(response.rate_limit.is_some());

    let created = client.posts().create_with_response(&text_post(&profile, "two")).await.unwrap();
    assert_eq!(created.status, 201);
    assert_eq!(created.idempotency_key.as_deref().map(str::len), Some(32));
}

#[tokio::test]
async fn extra_headers_and_query_reach_the_server_on_a_resource_call() {
    let emulator = Emulator::start().await;
    let profile = emulator.profile("linkedin").await;
    let client = emulator.client();
    let post = client.posts().create(&text_post(&profile, "extras")).await.unwrap();

    let options = RequestOptions::new().header("X-Trace-Tag", "blue").query("debug", "1");
    let got = client.posts().with_options(options).get(&post.id).await.unwrap();

    assert_eq!(got.id, post.id);
    let entries = emulator.journal_for("GET", &format!("/v1/posts/{}", post.id)).await;
    assert_eq!(entries.len(), 1, "{entries:#?}");
    assert_eq!(entries[0]["headers"]["x-trace-tag"], "blue", "{entries:#?}");
    assert_eq!(entries[0]["query"], "debug=1", "{entries:#?}");
}

#[tokio::test]
async fn a_reserved_extra_header_is_refused_before_sending() {
    let emulator = Emulator::start().await;
    let client = emulator.client();
    for name in ["Authorization", "idempotency-key", "X-Client-Request-Id"] {
        let options = RequestOptions::new().header(name, "x");
        let error = client.posts().with_options(options).get("post_1").await.unwrap_err();
        assert_eq!(*error.code(), ErrorCode::InvalidArgument, "{name}");
        assert!(error.message().contains("set by the client"), "{error}");
    }
    assert!(emulator.journal().await.is_empty(), "nothing was sent");
}

#[tokio::test]
async fn request_reads_an_endpoint_the_sdk_does_not_wrap() {
    let emulator = Emulator::start().await;
    let client = emulator.client();

    let table = client.request("GET", "/v1/platforms", None, &[]).await.unwrap();

    let platforms = table["platforms"].as_object().expect("a platforms object");
    assert!(platforms.contains_key("tiktok"), "{table}");
    let response = client
        .request_with_response(
            "get",
            "/v1/platforms",
            None,
            &[],
            &RequestOptions::new().header("X-Trace-Tag", "t1"),
        )
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert!(response.header("x-request-id").is_some());
    let entries = emulator.journal_for("GET", "/v1/platforms").await;
    assert_eq!(entries.last().unwrap()["headers"]["x-trace-tag"], "t1");
}

#[tokio::test]
async fn a_post_through_request_with_an_idempotency_key_is_made_once() {
    let emulator = Emulator::start().await;
    let profile = emulator.profile("linkedin").await;
    let client = emulator.client();
    let body = json!({"profileId": profile, "content": {"text": "through request"}});
    let options = RequestOptions::new().idempotency_key("raw-key-1");

    let first = client
        .request_with_response("POST", "/v1/posts", Some(&body), &[], &options)
        .await
        .unwrap();
    let second = client
        .request_with_response("POST", "/v1/posts", Some(&body), &[], &options)
        .await
        .unwrap();

    assert_eq!(first.status, 201);
    assert!(!first.replayed);
    assert!(second.replayed, "the second is the server's replay");
    assert_eq!(first.data["id"], second.data["id"]);
    let listed = client.posts().list_page(&Default::default()).await.unwrap();
    assert_eq!(listed.data.len(), 1, "one post");
    let entries = emulator.journal_for("POST", "/v1/posts").await;
    assert!(entries.iter().all(|e| e["idempotencyKey"] == "raw-key-1"), "{entries:#?}");
}

#[tokio::test]
async fn request_retries_an_injected_503_like_any_call() {
    let emulator = Emulator::start().await;
    emulator
        .fault(json!({"method": "GET", "path": "/v1/platforms", "times": 1,
                      "action": {"type": "status", "status": 503}}))
        .await;
    let client = emulator
        .builder()
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .build()
        .unwrap();

    let query = vec![("limit".to_owned(), "5".to_owned())];
    let table = client.request("GET", "/v1/platforms", None, &query).await.unwrap();

    assert!(table["platforms"].is_object());
    let entries = emulator.journal_for("GET", "/v1/platforms").await;
    assert_eq!(entries.len(), 2, "{entries:#?}");
    assert_eq!(entries[0]["status"], 503);
    assert_eq!(entries[1]["query"], "limit=5");
    assert_eq!(entries[0]["clientRequestId"], entries[1]["clientRequestId"]);
}

#[tokio::test]
async fn request_refuses_a_url_to_another_origin_and_a_bad_method() {
    let emulator = Emulator::start().await;
    let client = emulator.client();
    for path in ["https://evil.example/v1/posts", "//evil.example/v1", "v1/posts", "/v1/posts?x=1"]
    {
        let error = client.request("GET", path, None, &[]).await.unwrap_err();
        assert_eq!(*error.code(), ErrorCode::InvalidArgument, "{path}");
        assert!(error.message().contains(path), "{error}");
    }
    let error = client.request("TRACE", "/v1/posts", None, &[]).await.unwrap_err();
    assert!(error.message().contains("GET, POST, PUT, PATCH, DELETE"), "{error}");
    let error = client.request("GET", "/v1/posts", Some(&json!({})), &[]).await.unwrap_err();
    assert_eq!(*error.code(), ErrorCode::InvalidArgument);
    assert!(emulator.journal().await.is_empty(), "nothing was sent");
}

#[tokio::test]
async fn request_answers_errors_as_typed_errors() {
    let emulator = Emulator::start().await;
    let client = emulator.client();
    let error = client.request("GET", "/v1/posts/post_missing", None, &[]).await.unwrap_err();
    assert_eq!(*error.code(), ErrorCode::NotFound);
    assert!(error.request_id().is_some());
}

#[test]
fn call_options_carry_extra_headers_and_query_and_name_a_bad_value() {
    use aether::{CallOptions, Spelling};
    let options: CallOptions = serde_json::from_value(json!({
        "extraHeaders": {"X-A": "1", "X-N": 2},
        "extraQuery": {"id": ["a", "b"], "skip": null},
    }))
    .unwrap();
    let resolved = options.spelled(Spelling::Node).resolve().unwrap();
    let pairs = |p: &[(&str, &str)]| -> Vec<(String, String)> {
        p.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
    };
    assert_eq!(resolved.extra_headers, pairs(&[("X-A", "1"), ("X-N", "2")]));
    assert_eq!(resolved.extra_query, pairs(&[("id", "a"), ("id", "b")]));

    let bad: CallOptions = serde_json::from_value(json!({"extraHeaders": {"X-A": ["1"]}})).unwrap();
    let error = bad.spelled(Spelling::Python).resolve().unwrap_err();
    assert_eq!(*error.code(), ErrorCode::InvalidArgument);
    assert!(error.message().contains("extra_headers="), "{error}");
    assert!(error.message().contains("\"X-A\""), "{error}");
}
