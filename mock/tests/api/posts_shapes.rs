//! `POST /v1/posts` in every documented shape (the emulator's side: the server refuses two forms
//! of one thing with the SDK's code and field), and the warnings of a post's answer.

use crate::common::{assert_error, fixture, send, DataDirServer, TestServer};
use crate::posts_support::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn the_product_pages_shape_answers_the_normalized_post() {
    let ts = TestServer::start().await;
    let profile = ts.profile("linkedin", "standard").await;
    let photo = upload(&ts, "image.jpg", "image/jpeg").await;
    let post = created(
        &ts,
        json!({
            "text": "Spring", "title": "S", "profileIds": [profile],
            "media": [{ "mediaKey": photo, "type": "image" }],
            "overrides": { "linkedin": { "visibility": "PUBLIC" } }
        }),
    )
    .await;
    assert_eq!(post["content"], json!({ "text": "Spring", "title": "S" }));
    assert_eq!(post["mediaKeys"], json!([photo]));
    assert_eq!(post["media"], json!([{ "mediaKey": photo, "type": "image" }]));
    assert_eq!(post["platforms"], json!({ "linkedin": { "visibility": "PUBLIC" } }));
    assert!(post.get("warnings").is_none(), "{post}");
}

#[tokio::test]
async fn two_forms_of_one_thing_are_400_naming_the_field() {
    let ts = TestServer::start().await;
    let profile = ts.profile("linkedin", "standard").await;
    let cases: [(Value, &str); 5] = [
        (json!({ "text": "a", "content": { "text": "b" } }), "text"),
        (json!({ "title": "a", "content": { "text": "b" } }), "title"),
        (json!({ "text": "a", "platforms": { "linkedin": {} }, "overrides": {} }), "overrides"),
        (
            json!({ "text": "a", "mediaKeys": ["k"], "mediaUrls": ["http://127.0.0.1:9/a.jpg"] }),
            "media",
        ),
        (
            json!({ "text": "a", "media": [{ "url": "http://127.0.0.1:9/a.jpg", "mediaKey": "k" }] }),
            "media[0]",
        ),
    ];
    for (mut body, field) in cases {
        body["profileId"] = json!(profile);
        let (status, answer) = create(&ts, body.clone()).await;
        let error = assert_error(status, &answer, 400, "INVALID_REQUEST");
        assert_eq!(error["field"], field, "{body}: {answer}");
    }
    let (status, answer) = create(&ts, json!({ "profileId": profile, "platfroms": {} })).await;
    let error = assert_error(status, &answer, 400, "INVALID_REQUEST");
    assert!(error["message"].as_str().unwrap().contains("did you mean platforms?"), "{answer}");
}

#[tokio::test]
async fn warnings_are_advice_on_the_post() {
    let ts = TestServer::start().await;
    let tiktok = ts.profile("tiktok", "standard").await;
    let clip = tiktok_video(&ts).await;
    let mut body = tiktok_post(&tiktok, &clip);
    body["content"]["text"] = json!("#a #b #c #d #e #f");
    body["platforms"]["youtube"] = json!({});
    let post = created(&ts, body).await;
    let codes: Vec<&str> =
        post["warnings"].as_array().unwrap().iter().map(|w| w["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["HASHTAGS_ABOVE_RECOMMENDED", "PLATFORM_OPTIONS_UNUSED"], "{post}");
    assert_eq!(post["warnings"][0]["platform"], "tiktok");
    assert_eq!(post["warnings"][1]["field"], "platforms.youtube");
    let id = post["id"].as_str().unwrap();
    assert_eq!(get_post(&ts, id).await["warnings"], post["warnings"], "GET keeps them");
}

/// Stores a fixture on the emulator's loopback file server; returns its URL.
async fn served(h: &DataDirServer, name: &str, mime: &str) -> String {
    let bytes = std::fs::read(fixture(name)).expect("fixture");
    let request =
        h.ts.admin(Method::PUT, &format!("/_mock/files/{name}")).header("content-type", mime);
    let (status, file) = send(request.body(bytes)).await;
    assert_eq!(status, StatusCode::CREATED, "{file}");
    file["url"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn url_media_get_keys_at_create_and_the_post_publishes_once_fetched() {
    let h = DataDirServer::start().await;
    let profile = h.ts.profile("instagram", "standard").await;
    let url = served(&h, "image.jpg", "image/jpeg").await;
    let body = json!({
        "text": "spring", "profileIds": [profile],
        "media": [{ "url": url, "type": "image" }],
        "platforms": { "instagram": { "contentType": "reel" } }
    });
    let post = created(&h.ts, body).await;
    let key = post["mediaKeys"][0].as_str().unwrap().to_owned();
    assert_eq!(post["media"], json!([{ "mediaKey": key, "sourceUrl": url, "type": "image" }]));
    h.verified(&key).await;
    h.ts.advance(3.0).await;
    let id = post["id"].as_str().unwrap();
    assert_eq!(get_post(&h.ts, id).await["status"], "published");

    let (status, answer) = create(
        &h.ts,
        json!({ "text": "x", "profileId": profile, "mediaUrls": ["https://example.com/a.jpg"] }),
    )
    .await;
    let error = assert_error(status, &answer, 422, "MEDIA_FETCH_FAILED");
    assert_eq!(error["field"], "mediaUrls[0]", "{answer}");
}
