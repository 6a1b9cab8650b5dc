//! Chaos mode: seeded random faults on a share of public requests, never more per call than
//! its allowance, and the report of duplicates and orphan upload sessions.

use crate::common::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn get_as(server: &TestServer, call: &str) -> StatusCode {
    let request = server.api(Method::GET, "/v1/platforms").header("x-client-request-id", call);
    request.send().await.unwrap().status()
}

#[tokio::test]
async fn chaos_faults_a_call_at_most_its_allowance_and_says_so_in_the_journal() {
    let server = TestServer::start().await;
    let config = json!({ "seed": 1, "rate": 1.0, "kinds": ["unavailable"], "maxPerCall": 2 });
    let answer = server.admin(Method::PUT, "/_mock/chaos").json(&config).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    let (_, shown) = server.admin_get("/_mock/chaos").await;
    assert_eq!(shown["chaos"]["seed"], 1, "{shown}");

    let statuses =
        [get_as(&server, "c1").await, get_as(&server, "c1").await, get_as(&server, "c1").await];
    assert_eq!(
        statuses,
        [StatusCode::SERVICE_UNAVAILABLE, StatusCode::SERVICE_UNAVAILABLE, StatusCode::OK]
    );
    assert_eq!(get_as(&server, "c2").await, StatusCode::SERVICE_UNAVAILABLE, "another call");
    let journal = server.journal().await;
    assert_eq!(journal[0]["chaos"], true, "{journal:?}");
    assert_eq!(journal[0]["fault"], "status");
    assert!(journal[2].get("chaos").is_none(), "{journal:?}");

    let (_, report) = server.admin_get("/_mock/chaos/report").await;
    assert_eq!(report["faulted"], 3, "{report}");
    assert_eq!(report["faults"][0]["clientRequestId"], "c1");
    assert_eq!(report["ok"], true);

    let stop = server.admin(Method::DELETE, "/_mock/chaos").send().await.unwrap();
    assert_eq!(stop.status(), StatusCode::NO_CONTENT);
    assert_eq!(get_as(&server, "c3").await, StatusCode::OK, "chaos is off");
}

#[tokio::test]
async fn a_bad_chaos_setting_is_refused_naming_it() {
    let server = TestServer::start().await;
    for (config, field) in [
        (json!({ "seed": 1, "rate": 1.5 }), "rate"),
        (json!({ "seed": 1, "rate": 0.1, "kinds": [] }), "kinds"),
    ] {
        let answer = server.admin(Method::PUT, "/_mock/chaos").json(&config).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
        let body: Value = answer.json().await.unwrap();
        assert_eq!(body["error"]["field"], field, "{body}");
    }
    let config = json!({ "seed": 1, "rate": 0.1, "kinds": ["lightning"] });
    let answer = server.admin(Method::PUT, "/_mock/chaos").json(&config).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
}

async fn faults_with_seed(seed: u64) -> Vec<Value> {
    let server = TestServer::start().await;
    let config =
        json!({ "seed": seed, "rate": 0.3, "kinds": ["unavailable", "delay"], "delayMs": 1 });
    server.admin(Method::PUT, "/_mock/chaos").json(&config).send().await.unwrap();
    for i in 0..40 {
        get_as(&server, &format!("call{i}")).await;
    }
    let journal = server.journal().await;
    journal.iter().map(|e| json!([e["fault"], e["chaos"]])).collect()
}

#[tokio::test]
async fn the_same_seed_faults_the_same_requests() {
    let first = faults_with_seed(42).await;
    assert_eq!(first, faults_with_seed(42).await);
    let hit = first.iter().filter(|f| f[1] == true).count();
    assert!((3..=25).contains(&hit), "{hit} faults of 40 at 30 %");
    assert_ne!(first, faults_with_seed(43).await, "another seed, other faults");
}

#[tokio::test]
async fn the_report_names_a_call_that_created_twice_and_an_orphan_upload() {
    let server = TestServer::start().await;
    let link = json!({ "platform": "tiktok", "redirectUrl": "https://example.com/callback" });
    for key in ["k1", "k2"] {
        let request = server
            .api(Method::POST, "/v1/connect-links")
            .header("x-client-request-id", "creq_same")
            .header("idempotency-key", key)
            .json(&link);
        assert_eq!(request.send().await.unwrap().status(), StatusCode::CREATED);
    }
    let session = json!({ "fileName": "a.mp4", "mimeType": "video/mp4", "size": 100 });
    let (status, open) = server.post("/v1/media/uploads", session.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{open}");
    let (_, aborted) = server.post("/v1/media/uploads", session).await;
    let abort = format!("/v1/media/uploads/{}", aborted["uploadId"].as_str().unwrap());
    assert_eq!(server.delete(&abort).await.0, StatusCode::NO_CONTENT);

    let (_, report) = server.admin_get("/_mock/chaos/report").await;
    assert_eq!(report["ok"], false, "{report}");
    assert_eq!(report["duplicates"].as_array().unwrap().len(), 1, "{report}");
    assert_eq!(report["duplicates"][0]["clientRequestId"], "creq_same");
    assert_eq!(report["duplicates"][0]["created"].as_array().unwrap().len(), 2);
    assert_eq!(report["orphans"], json!([open["uploadId"]]), "{report}");
}

/// The typed admin client's chaos calls, as the testing kits use them: the SDK's client survives
/// a fault on every request by retrying, and the report lists the faults it met.
#[tokio::test]
async fn the_admin_client_turns_chaos_on_and_reads_the_report() {
    let server = TestServer::start().await;
    let profile = server.profile("linkedin", "standard").await;
    let config = aether_mock::chaos::ChaosConfig::from_json(
        json!({ "seed": 7, "rate": 1.0, "stallMs": 50, "delayMs": 20 }),
    )
    .unwrap();
    let shown = server.admin.start_chaos(&config).await.unwrap();
    assert_eq!(shown["seed"], 7, "{shown}");
    let client = aether::Client::builder()
        .api_key(server.server.api_key())
        .base_url(server.server.url())
        .retry_backoff(std::time::Duration::from_millis(5), std::time::Duration::from_millis(50))
        .build()
        .unwrap();
    let id = profile.as_str();
    assert_eq!(client.profiles().get(id).await.unwrap().id.as_str(), id);

    let report = server.admin.chaos_report().await.unwrap();
    assert_eq!(
        (report["ok"].clone(), report["faulted"].clone()),
        (json!(true), json!(2)),
        "{report}"
    );
    let faults = report["faults"].as_array().unwrap();
    assert!(faults.iter().all(|f| f["path"] == format!("/v1/profiles/{id}")), "{report}");
    assert_eq!(faults[0]["clientRequestId"], faults[1]["clientRequestId"], "one call, two faults");
    server.admin.stop_chaos().await.unwrap();
    assert_eq!(server.admin.chaos_report().await.unwrap()["config"], Value::Null);
}
