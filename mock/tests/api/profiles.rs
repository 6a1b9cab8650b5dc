//! Profiles over real HTTP: list with cursors, get, disconnect, and the admin helpers.

use std::collections::HashSet;

use crate::common::{assert_error, send, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn admin_create_then_get() {
    let server = TestServer::start().await;
    let (status, profile) = server
        .admin_post(
            "/_mock/profiles",
            json!({ "platform": "tiktok", "tier": "creator", "username": "dana" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{profile}");
    let id = profile["id"].as_str().unwrap();
    assert!(id.starts_with("tiktok_"), "{id}: the vendor's TikTok prefix");
    assert_eq!(profile["platform"], "tiktok");
    assert_eq!(profile["tier"], "creator");
    assert_eq!(profile["username"], "dana");
    assert_eq!(profile["displayName"], "dana");
    assert_eq!(profile["status"], "active");
    assert!(profile["connectedAt"].as_str().unwrap().ends_with('Z'));

    let (status, fetched) = server.get(&format!("/v1/profiles/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fetched, profile);

    // The harness helper; the tier defaults to standard when absent.
    let other = server.profile("youtube", "standard").await;
    let (_, fetched) = server.get(&format!("/v1/profiles/{other}")).await;
    assert_eq!(
        (fetched["platform"].as_str(), fetched["tier"].as_str()),
        (Some("youtube"), Some("standard"))
    );
    let (_, plain) = server.admin_post("/_mock/profiles", json!({ "platform": "reddit" })).await;
    assert_eq!(plain["tier"], "standard");
    assert!(plain["username"].as_str().unwrap().starts_with("reddit_"));
}

#[tokio::test]
async fn profile_ids_carry_the_vendors_platform_prefix_and_a_chosen_id_is_kept() {
    let server = TestServer::start().await;
    for (platform, prefix) in [
        ("tiktok", "tiktok_"),
        ("instagram", "ig_"),
        ("linkedin", "li_"),
        ("facebook", "fb_"),
        ("youtube", "yt_"),
        ("threads", "th_"),
        ("reddit", "rd_"),
    ] {
        let id = server.profile(platform, "standard").await;
        assert!(id.starts_with(prefix), "{platform}: {id} should start with {prefix}");
        let (status, fetched) = server.get(&format!("/v1/profiles/{id}")).await;
        assert_eq!((status, fetched["id"].as_str()), (StatusCode::OK, Some(id.as_str())));
    }

    // Ids are opaque: one a test chooses, of any shape the API allows, works everywhere.
    let (status, chosen) = server
        .admin_post("/_mock/profiles", json!({ "platform": "linkedin", "id": "Li-Opaque_42" }))
        .await;
    assert_eq!((status, chosen["id"].as_str()), (StatusCode::CREATED, Some("Li-Opaque_42")));
    let (status, post) = server
        .post(
            "/v1/posts",
            json!({ "profileId": "Li-Opaque_42", "content": { "text": "hi" },
                    "platforms": { "linkedin": {} } }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    assert_eq!(post["results"][0]["profileId"], "Li-Opaque_42");
}

#[tokio::test]
async fn admin_create_refuses_bad_bodies() {
    let server = TestServer::start().await;
    for (body, field) in [
        (json!({ "platform": "myspace" }), "platform"),
        (json!({}), "platform"),
        (json!({ "platform": "tiktok", "tier": "gold" }), "tier"),
        (json!({ "platform": "tiktok", "username": "" }), "username"),
        (json!({ "platform": "tiktok", "nick": "x" }), "nick"),
    ] {
        let (status, answer) = server.admin_post("/_mock/profiles", body.clone()).await;
        let error = assert_error(status, &answer, 400, "INVALID_REQUEST");
        assert_eq!(error["field"], field, "{body} → {answer}");
    }
    let (status, answer) =
        send(server.api(Method::POST, "/_mock/profiles").json(&json!({ "platform": "tiktok" })))
            .await;
    assert_error(status, &answer, 401, "UNAUTHORIZED");
}

#[tokio::test]
async fn unknown_profiles_are_404() {
    let server = TestServer::start().await;
    for (status, answer) in [
        server.get("/v1/profiles/prof_nope").await,
        server.delete("/v1/profiles/prof_nope").await,
        server.admin_post("/_mock/profiles/prof_nope/revoke", json!({})).await,
    ] {
        let error = assert_error(status, &answer, 404, "NOT_FOUND");
        assert_eq!(error["details"]["resource"], "profile");
    }
}

#[tokio::test]
async fn the_api_needs_a_key() {
    let server = TestServer::start().await;
    let id = server.profile("tiktok", "standard").await;
    for (method, path) in [
        (Method::GET, "/v1/profiles".to_owned()),
        (Method::GET, format!("/v1/profiles/{id}")),
        (Method::DELETE, format!("/v1/profiles/{id}")),
    ] {
        let (status, answer) = send(server.http.request(method, server.url(&path))).await;
        assert_error(status, &answer, 401, "UNAUTHORIZED");
    }
}

#[tokio::test]
async fn pages_of_twenty_walk_all_45_profiles_once_newest_first() {
    let server = TestServer::start().await;
    let mut created = Vec::new();
    for _ in 0..45 {
        created.push(server.profile("tiktok", "standard").await);
    }
    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    let mut path = "/v1/profiles?limit=20".to_owned();
    loop {
        let (status, page) = server.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let data = page["data"].as_array().unwrap();
        sizes.push(data.len());
        seen.extend(data.iter().map(|p| p["id"].as_str().unwrap().to_owned()));
        match &page["nextCursor"] {
            Value::String(cursor) => path = format!("/v1/profiles?limit=20&cursor={cursor}"),
            Value::Null => break,
            other => panic!("nextCursor must be a string or null: {other}"),
        }
    }
    assert_eq!(sizes, vec![20, 20, 5]);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 45, "no profile twice");
    created.reverse();
    assert_eq!(seen, created, "newest first");

    // The default page size is 20, and nextCursor is present as null at the end.
    let (_, page) = server.get("/v1/profiles").await;
    assert_eq!(page["data"].as_array().unwrap().len(), 20);
    let (_, page) = server.get("/v1/profiles?limit=100").await;
    assert_eq!(page["data"].as_array().unwrap().len(), 45);
    assert_eq!(page.get("nextCursor"), Some(&Value::Null));
}

#[tokio::test]
async fn the_list_filters_by_platform() {
    let server = TestServer::start().await;
    let tiktok = server.profile("tiktok", "standard").await;
    server.profile("youtube", "standard").await;
    let (status, page) = server.get("/v1/profiles?platform=tiktok").await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> =
        page["data"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![tiktok.as_str()]);
    let (status, answer) = server.get("/v1/profiles?platform=myspace").await;
    let error = assert_error(status, &answer, 400, "INVALID_REQUEST");
    assert_eq!(error["field"], "platform");
}

#[tokio::test]
async fn bad_list_queries_name_the_parameter() {
    let server = TestServer::start().await;
    server.profile("tiktok", "standard").await;
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=-3", "limit"),
        ("limit=ten", "limit"),
        ("limit=", "limit"),
        ("cursor=garbage!", "cursor"),
        ("cursor=", "cursor"),
        // A cursor handed out by another list.
        ("cursor=d2g6MQ", "cursor"),
        ("limit=5&limit=6", "limit"),
        ("page=2", "page"),
    ] {
        let (status, answer) = server.get(&format!("/v1/profiles?{query}")).await;
        let error = assert_error(status, &answer, 400, "INVALID_REQUEST");
        assert_eq!(error["field"], field, "{query} → {answer}");
    }
    let (_, answer) = server.get("/v1/profiles?limit=0").await;
    assert!(answer["error"]["message"].as_str().unwrap().contains("1 to 100"), "{answer}");
}

#[tokio::test]
async fn delete_disconnects_idempotently_and_revoke_does_the_same() {
    let server = TestServer::start().await;
    let id = server.profile("instagram", "standard").await;
    let (status, profile) = server.delete(&format!("/v1/profiles/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(profile["status"], "disconnected");
    assert_eq!(profile["id"], id.as_str());
    let (status, again) = server.delete(&format!("/v1/profiles/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, profile);
    let (_, fetched) = server.get(&format!("/v1/profiles/{id}")).await;
    assert_eq!(fetched["status"], "disconnected");
    let (_, page) = server.get("/v1/profiles").await;
    assert_eq!(page["data"][0]["status"], "disconnected", "disconnected profiles stay listed");

    let other = server.profile("threads", "standard").await;
    let (status, revoked) =
        server.admin_post(&format!("/_mock/profiles/{other}/revoke"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(revoked["status"], "disconnected");
    let (_, fetched) = server.get(&format!("/v1/profiles/{other}")).await;
    assert_eq!(fetched["status"], "disconnected");
}
