//! Posts over real HTTP: the tutorial's flow, every validation code create can answer, media
//! rules against verified fixtures, outcomes, edit and cancel rules, lists.

use crate::common::{assert_error, TestServer};
use crate::posts_support::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn the_tutorial_flow_publishes_to_tiktok() {
    let ts = TestServer::start().await;
    let profile = ts.profile("tiktok", "standard").await;
    let media_key = tiktok_video(&ts).await;

    let post = created(&ts, tiktok_post(&profile, &media_key)).await;
    let id = post["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("post_"), "{post}");
    assert_eq!(post["status"], "publishing");
    assert_eq!(post["profileIds"], json!([profile]));
    assert_eq!(post["mediaKeys"], json!([media_key]));
    assert_eq!(post["results"][0]["status"], "publishing");
    assert_eq!(post["results"][0]["platform"], "tiktok");

    let response = ts.api(Method::GET, &format!("/v1/posts/{id}")).send().await.unwrap();
    assert!(response.headers().contains_key("retry-after"), "a publishing post hints the poll");
    assert_eq!(response.headers()["retry-after-ms"], "1000", "the same hint in milliseconds");

    ts.advance(2.0).await;
    let post = get_post(&ts, &id).await;
    assert_eq!(post["status"], "published", "{post}");
    let result = &post["results"][0];
    assert_eq!(result["status"], "published");
    assert!(result["platformPostId"].as_str().is_some_and(|p| !p.is_empty()), "{post}");
    let url = result["url"].as_str().unwrap();
    assert!(url.starts_with("https://www.tiktok.com/@") && url.contains("/video/"), "{url}");
    assert!(result["publishedAt"].as_str().is_some_and(|t| t.ends_with('Z')), "{post}");
    let response = ts.api(Method::GET, &format!("/v1/posts/{id}")).send().await.unwrap();
    assert!(!response.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn publishing_finishes_after_the_processing_time_of_the_virtual_clock() {
    let ts = TestServer::start().await;
    let profile = ts.profile("linkedin", "standard").await;
    let post = created(&ts, text_post(&profile, "hello")).await;
    let id = post["id"].as_str().unwrap();
    // Far less than the default 1.5 s of processing has passed in real time.
    assert_eq!(get_post(&ts, id).await["status"], "publishing");
    ts.advance(1.6).await;
    assert_eq!(get_post(&ts, id).await["status"], "published");
}

#[tokio::test]
async fn the_body_needs_exactly_one_form_of_profile() {
    let ts = TestServer::start().await;
    let profile = ts.profile("linkedin", "standard").await;
    let both = json!({ "profileId": profile, "profileIds": [profile], "content": { "text": "x" } });
    let (status, body) = create(&ts, both).await;
    assert_eq!(assert_error(status, &body, 400, "INVALID_REQUEST")["field"], "profileIds");
    let (status, body) = create(&ts, json!({ "content": { "text": "x" } })).await;
    assert_eq!(assert_error(status, &body, 400, "INVALID_REQUEST")["field"], "profileId");
    let (status, body) = create(&ts, json!({ "profileIds": [], "content": { "text": "x" } })).await;
    assert_eq!(assert_error(status, &body, 400, "INVALID_REQUEST")["field"], "profileIds");
    let repeated = json!({ "profileIds": [profile, profile], "content": { "text": "x" } });
    let (status, body) = create(&ts, repeated).await;
    assert_eq!(assert_error(status, &body, 400, "INVALID_REQUEST")["field"], "profileIds[1]");
    let (status, body) = create(&ts, json!({ "profileId": profile })).await;
    assert_eq!(assert_error(status, &body, 400, "INVALID_REQUEST")["field"], "content");
    assert!(all_posts(&ts).await.is_empty());
}

#[tokio::test]
async fn platforms_are_keyed_by_known_platform_names() {
    let ts = TestServer::start().await;
    let profile = ts.profile("linkedin", "standard").await;
    let mut body = text_post(&profile, "x");
    body["platforms"] = json!({ "myspace": {} });
    let (status, error) = create(&ts, body.clone()).await;
    assert_eq!(assert_error(status, &error, 400, "INVALID_REQUEST")["field"], "platforms.myspace");
    body["platforms"] = json!({ "linkedin": "PUBLIC" });
    let (status, error) = create(&ts, body.clone()).await;
    assert_eq!(assert_error(status, &error, 400, "INVALID_REQUEST")["field"], "platforms.linkedin");
    // Options for a platform no target is on are ignored (spec/openapi.yaml).
    body["platforms"] = json!({ "tiktok": { "privacyLevel": "NOBODY" }, "linkedin": {} });
    let post = created(&ts, body.clone()).await;
    assert_eq!(post["platforms"], json!({ "linkedin": {} }));
    // A target without options takes the defaults.
    body["platforms"] = json!({});
    created(&ts, body).await;
}

#[tokio::test]
async fn unknown_fields_are_refused_so_typos_never_publish_at_once() {
    let ts = TestServer::start().await;
    let profile = ts.profile("linkedin", "standard").await;
    let mut body = text_post(&profile, "x");
    body["scheduledfor"] = json!("2030-01-01T00:00:00Z");
    let (status, error) = create(&ts, body).await;
    assert_eq!(assert_error(status, &error, 400, "INVALID_REQUEST")["field"], "scheduledfor");
    let body = json!({ "profileId": profile, "content": { "text": "x", "caption": "y" } });
    let (status, error) = create(&ts, body).await;
    assert_eq!(assert_error(status, &error, 400, "INVALID_REQUEST")["field"], "content.caption");
    // content.text defaults to "".
    let post = created(&ts, json!({ "profileId": profile, "content": {} })).await;
    assert_eq!(post["content"]["text"], "");
    let id = post["id"].as_str().unwrap();
    assert!(all_posts(&ts).await.len() == 1);
    let (status, error) = ts.patch(&format!("/v1/posts/{id}"), json!({ "publishAt": "x" })).await;
    assert_eq!(assert_error(status, &error, 400, "INVALID_REQUEST")["field"], "publishAt");
}

#[tokio::test]
async fn caption_length_is_counted_in_utf16_for_tiktok() {
    let ts = TestServer::start().await;
    let profile = ts.profile("tiktok", "standard").await;
    let media_key = tiktok_video(&ts).await;
    // 2,199 letters and one emoji: 2,200 code points, but 2,201 UTF-16 code units.
    let text = format!("{}😀", "a".repeat(2199));
    let mut body = tiktok_post(&profile, &media_key);
    body["content"]["text"] = json!(text);
    let (status, error) = create(&ts, body.clone()).await;
    let error = assert_error(status, &error, 422, "CAPTION_TOO_LONG");
    assert_eq!(error["field"], "content.text");
    assert_eq!(error["platform"], "tiktok");
    assert_eq!(error["details"]["measured"], 2201);
    assert_eq!(error["details"]["violations"].as_array().unwrap().len(), 1);
    body["content"]["text"] = json!(format!("{}😀", "a".repeat(2198)));
    created(&ts, body).await;
}

#[tokio::test]
async fn titles_are_required_by_youtube_and_reddit() {
    let ts = TestServer::start().await;
    let youtube = ts.profile("youtube", "standard").await;
    let (status, error) = create(&ts, text_post(&youtube, "a video")).await;
    let error = assert_error(status, &error, 422, "TITLE_REQUIRED");
    assert_eq!(error["platform"], "youtube");
    // MEDIA_REQUIRED is in the list too: every violation is reported.
    let codes: Vec<&str> = error["details"]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"MEDIA_REQUIRED"), "{codes:?}");

    let reddit = ts.profile("reddit", "standard").await;
    let mut body = text_post(&reddit, "body");
    body["platforms"] = json!({ "reddit": { "subreddit": "rust" } });
    let (status, error) = create(&ts, body).await;
    assert_eq!(assert_error(status, &error, 422, "TITLE_REQUIRED")["platform"], "reddit");
}

#[tokio::test]
async fn reddit_needs_a_subreddit() {
    let ts = TestServer::start().await;
    let reddit = ts.profile("reddit", "standard").await;
    let mut body = text_post(&reddit, "body");
    body["content"]["title"] = json!("A title");
    let (status, error) = create(&ts, body.clone()).await;
    let error = assert_error(status, &error, 422, "SUBREDDIT_REQUIRED");
    assert_eq!(error["field"], "platforms.reddit.subreddit");
    body["platforms"] = json!({ "reddit": { "subreddit": "rust" } });
    let post = created(&ts, body).await;
    ts.advance(2.0).await;
    let post = get_post(&ts, post["id"].as_str().unwrap()).await;
    let url = post["results"][0]["url"].as_str().unwrap();
    assert!(url.starts_with("https://www.reddit.com/r/rust/comments/"), "{url}");
}

#[tokio::test]
async fn unknown_options_and_bad_values_are_invalid_platform_options() {
    let ts = TestServer::start().await;
    let linkedin = ts.profile("linkedin", "standard").await;
    let mut body = text_post(&linkedin, "x");
    body["platforms"] = json!({ "linkedin": { "visibility": "EVERYONE" } });
    let (status, error) = create(&ts, body.clone()).await;
    let error = assert_error(status, &error, 422, "INVALID_PLATFORM_OPTION");
    assert_eq!(error["field"], "platforms.linkedin.visibility");
    assert_eq!(error["platform"], "linkedin");
    body["platforms"] = json!({ "linkedin": { "colour": "blue" } });
    let (status, error) = create(&ts, body.clone()).await;
    let error = assert_error(status, &error, 422, "INVALID_PLATFORM_OPTION");
    assert_eq!(error["field"], "platforms.linkedin.colour");

    let tiktok = ts.profile("tiktok", "standard").await;
    let media_key = tiktok_video(&ts).await;
    let mut body = tiktok_post(&tiktok, &media_key);
    body["platforms"] = json!({ "tiktok": { "privacyLevel": "FRIENDS", "disableDuet": "yes" } });
    let (status, error) = create(&ts, body.clone()).await;
    let error = assert_error(status, &error, 422, "INVALID_PLATFORM_OPTION");
    assert_eq!(error["details"]["violations"].as_array().unwrap().len(), 2, "{error}");
    body["platforms"] = json!({ "tiktok": { "privacyLevel": "SELF_ONLY", "disableDuet": true } });
    let post = created(&ts, body).await;
    assert_eq!(post["platforms"]["tiktok"]["privacyLevel"], "SELF_ONLY");
}

#[tokio::test]
async fn instagram_allows_thirty_hashtags() {
    let ts = TestServer::start().await;
    let profile = ts.profile("instagram", "standard").await;
    let tags: Vec<String> = (0..31).map(|i| format!("#tag{i}")).collect();
    let (status, error) = create(&ts, text_post(&profile, &tags.join(" "))).await;
    let error = assert_error(status, &error, 422, "TOO_MANY_HASHTAGS");
    assert_eq!(error["platform"], "instagram");
    assert_eq!(error["details"]["measured"], 31);
}

#[tokio::test]
async fn tiktok_needs_a_video() {
    let ts = TestServer::start().await;
    let profile = ts.profile("tiktok", "standard").await;
    let (status, error) = create(&ts, text_post(&profile, "no video")).await;
    let error = assert_error(status, &error, 422, "MEDIA_REQUIRED");
    assert_eq!(error["field"], "mediaKeys");
    assert_eq!(error["platform"], "tiktok");
}

#[tokio::test]
async fn unknown_profiles_and_media_are_not_found() {
    let ts = TestServer::start().await;
    let (status, error) = create(&ts, text_post("prof_nope", "x")).await;
    let error = assert_error(status, &error, 404, "NOT_FOUND");
    assert_eq!(error["details"]["resource"], "profile");
    assert_eq!(error["field"], "profileId");

    let profile = ts.profile("linkedin", "standard").await;
    let mut body = text_post(&profile, "x");
    body["mediaKeys"] = json!(["org_mock/nothing.mp4"]);
    let (status, error) = create(&ts, body).await;
    let error = assert_error(status, &error, 404, "NOT_FOUND");
    assert_eq!(error["details"]["resource"], "media");
    assert_eq!(error["field"], "mediaKeys[0]");

    let (status, error) = ts.get("/v1/posts/post_nope").await;
    assert_eq!(assert_error(status, &error, 404, "NOT_FOUND")["details"]["resource"], "post");
}

#[tokio::test]
async fn a_disconnected_profile_cannot_post() {
    let ts = TestServer::start().await;
    let profile = ts.profile("linkedin", "standard").await;
    let (status, body) = ts.delete(&format!("/v1/profiles/{profile}")).await;
    assert!(status.is_success(), "{body}");
    let (status, error) = create(&ts, text_post(&profile, "x")).await;
    let error = assert_error(status, &error, 409, "PROFILE_DISCONNECTED");
    assert_eq!(error["field"], "profileId");
    assert_eq!(error["platform"], "linkedin");
}

#[tokio::test]
async fn a_scheduled_post_whose_profile_was_disconnected_fails_at_publish_time() {
    let ts = TestServer::start().await;
    let profile = ts.profile("linkedin", "standard").await;
    let mut body = text_post(&profile, "later");
    body["scheduledFor"] = json!("2099-01-01T00:00:00Z");
    let (status, error) = create(&ts, body.clone()).await;
    assert_error(status, &error, 422, "SCHEDULE_TOO_FAR");
    let at = now(&ts).await.checked_add(jiff::SignedDuration::from_hours(1)).unwrap();
    body["scheduledFor"] = json!(at.to_string());
    let post = created(&ts, body).await;
    ts.delete(&format!("/v1/profiles/{profile}")).await;
    ts.advance(3700.0).await;
    let post = get_post(&ts, post["id"].as_str().unwrap()).await;
    assert_eq!(post["status"], "failed", "{post}");
    assert_eq!(post["results"][0]["error"]["code"], "PROFILE_DISCONNECTED");
    assert_eq!(post["error"]["code"], "PROFILE_DISCONNECTED");
}

#[tokio::test]
async fn verified_media_is_checked_against_the_profiles_tier() {
    let ts = TestServer::start().await;
    let standard = ts.profile("tiktok", "standard").await;
    let creator = ts.profile("tiktok", "creator").await;

    let short = upload(&ts, "h264_14.9s.mp4", "video/mp4").await;
    let (status, error) = create(&ts, tiktok_post(&standard, &short)).await;
    let error = assert_error(status, &error, 422, "VIDEO_TOO_SHORT");
    assert_eq!(error["field"], "mediaKeys[0]");
    assert_eq!(error["platform"], "tiktok");
    assert_eq!(error["details"]["measured"], 14900);
    assert_eq!(error["details"]["allowed"]["min"], 15000);

    let long = upload(&ts, "h264_60.1s.mp4", "video/mp4").await;
    let (status, error) = create(&ts, tiktok_post(&standard, &long)).await;
    let error = assert_error(status, &error, 422, "VIDEO_TOO_LONG");
    assert_eq!(error["details"]["allowed"]["max"], 60000);
    let post = created(&ts, tiktok_post(&creator, &long)).await;
    assert_eq!(post["status"], "publishing");

    let vp9 = upload(&ts, "vp9_10s.mp4", "video/mp4").await;
    let (status, error) = create(&ts, tiktok_post(&creator, &vp9)).await;
    assert_error(status, &error, 422, "UNSUPPORTED_MEDIA_TYPE");
}

#[tokio::test]
async fn media_that_failed_verification_is_refused() {
    let ts = TestServer::start().await;
    let profile = ts.profile("tiktok", "standard").await;
    let broken = upload(&ts, "random.bin", "video/mp4").await;
    let (status, error) = create(&ts, tiktok_post(&profile, &broken)).await;
    let error = assert_error(status, &error, 422, "UNSUPPORTED_MEDIA_TYPE");
    assert_eq!(error["field"], "mediaKeys[0]");
}

#[tokio::test]
async fn a_forced_failure_on_one_of_two_targets_is_partially_published() {
    let ts = TestServer::start().await;
    let linkedin = ts.profile("linkedin", "standard").await;
    let facebook = ts.profile("facebook", "standard").await;
    let body = json!({ "profileIds": [linkedin, facebook], "content": { "text": "both" } });
    let post = created(&ts, body).await;
    let id = post["id"].as_str().unwrap();
    assert_eq!(post["results"].as_array().unwrap().len(), 2);
    let (status, forced) = ts
        .admin_post(
            &format!("/_mock/posts/{id}/outcome"),
            json!({ "outcome": "failed", "code": "PLATFORM_ERROR", "message": "facebook is down", "profileId": facebook }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{forced}");
    ts.advance(2.0).await;
    let post = get_post(&ts, id).await;
    assert_eq!(post["status"], "partially_published", "{post}");
    let result = |profile: &str| -> Value {
        post["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["profileId"] == profile)
            .cloned()
            .unwrap()
    };
    assert_eq!(result(&linkedin)["status"], "published");
    assert_eq!(result(&facebook)["status"], "failed");
    assert_eq!(result(&facebook)["error"]["code"], "PLATFORM_ERROR");
    assert_eq!(result(&facebook)["error"]["message"], "facebook is down");

    // A finished post's outcome cannot be forced any more.
    let (status, error) = ts
        .admin_post(&format!("/_mock/posts/{id}/outcome"), json!({ "outcome": "published" }))
        .await;
    assert_error(status, &error, 409, "POST_NOT_EDITABLE");
}

#[tokio::test]
async fn a_forced_failure_on_every_target_fails_the_post() {
    let ts = TestServer::start().await;
    let profile = ts.profile("threads", "standard").await;
    let post = created(&ts, text_post(&profile, "x")).await;
    let id = post["id"].as_str().unwrap();
    let (status, _) =
        ts.admin_post(&format!("/_mock/posts/{id}/outcome"), json!({ "outcome": "failed" })).await;
    assert_eq!(status, StatusCode::OK);
    ts.advance(2.0).await;
    let post = get_post(&ts, id).await;
    assert_eq!(post["status"], "failed");
    assert_eq!(post["error"]["code"], "PLATFORM_ERROR");
}

#[tokio::test]
async fn outcome_rules_apply_to_later_posts() {
    let ts = TestServer::start().await;
    let profile = ts.profile("linkedin", "standard").await;
    let rule = json!({ "platform": "linkedin", "outcome": "failed", "code": "PLATFORM_ERROR", "times": 1 });
    let (status, rule) = ts.admin_post("/_mock/outcomes", rule).await;
    assert_eq!(status, StatusCode::CREATED, "{rule}");
    let first = created(&ts, text_post(&profile, "one")).await;
    let second = created(&ts, text_post(&profile, "two")).await;
    ts.advance(2.0).await;
    assert_eq!(get_post(&ts, first["id"].as_str().unwrap()).await["status"], "failed");
    assert_eq!(get_post(&ts, second["id"].as_str().unwrap()).await["status"], "published");
}

#[tokio::test]
async fn drafts_are_stored_and_released_by_a_patch() {
    let ts = TestServer::start().await;
    let profile = ts.profile("linkedin", "standard").await;
    let mut body = text_post(&profile, "draft");
    body["draft"] = json!(true);
    let post = created(&ts, body.clone()).await;
    let id = post["id"].as_str().unwrap();
    assert_eq!(post["status"], "draft");
    assert_eq!(post["results"][0]["status"], "pending");
    let path = format!("/v1/posts/{id}");

    let (status, post) = ts.patch(&path, json!({ "content": { "text": "edited" } })).await;
    assert_eq!(status, StatusCode::OK, "{post}");
    assert_eq!(post["status"], "draft");
    assert_eq!(post["content"]["text"], "edited");

    // A schedule alone keeps it a draft; `draft: false` releases it.
    let at = now(&ts).await.checked_add(jiff::SignedDuration::from_hours(2)).unwrap();
    let (status, post) = ts.patch(&path, json!({ "scheduledFor": at.to_string() })).await;
    assert_eq!(status, StatusCode::OK, "{post}");
    assert_eq!(post["status"], "draft");
    let (status, post) = ts.patch(&path, json!({ "draft": false })).await;
    assert_eq!(status, StatusCode::OK, "{post}");
    assert_eq!(post["status"], "scheduled");
    assert_eq!(post["results"][0]["status"], "scheduled");
    let publish_at: jiff::Timestamp = post["publishAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(publish_at, at);

    // And back to a draft, which never publishes.
    let (status, post) = ts.patch(&path, json!({ "draft": true })).await;
    assert_eq!(status, StatusCode::OK, "{post}");
    assert_eq!(post["status"], "draft");
    ts.advance(3.0 * 3600.0).await;
    assert_eq!(get_post(&ts, id).await["status"], "draft");
    // Released now that its time has passed: the schedule is checked again.
    let (status, error) = ts.patch(&path, json!({ "draft": false })).await;
    assert_error(status, &error, 422, "SCHEDULE_IN_PAST");

    // A draft without a schedule is released to publish at once.
    let other = created(&ts, body).await;
    let path = format!("/v1/posts/{}", other["id"].as_str().unwrap());
    let (status, post) = ts.patch(&path, json!({ "draft": false })).await;
    assert_eq!(status, StatusCode::OK, "{post}");
    assert_eq!(post["status"], "publishing");
    assert_eq!(post["results"][0]["status"], "publishing");
    ts.advance(2.0).await;
    assert_eq!(get_post(&ts, other["id"].as_str().unwrap()).await["status"], "published");
}

#[tokio::test]
async fn only_drafts_and_scheduled_posts_can_be_edited_or_cancelled() {
    let ts = TestServer::start().await;
    let profile = ts.profile("linkedin", "standard").await;
    let mut body = text_post(&profile, "later");
    let at = now(&ts).await.checked_add(jiff::SignedDuration::from_hours(3)).unwrap();
    body["scheduledFor"] = json!(at.to_string());
    let scheduled = created(&ts, body).await;
    let id = scheduled["id"].as_str().unwrap();
    assert_eq!(scheduled["status"], "scheduled");

    // Edits are checked with the same rules as a create.
    let too_long = json!({ "content": { "text": "x".repeat(3001) } });
    let (status, error) = ts.patch(&format!("/v1/posts/{id}"), too_long).await;
    assert_error(status, &error, 422, "CAPTION_TOO_LONG");
    let (status, error) = ts
        .patch(&format!("/v1/posts/{id}"), json!({ "scheduledFor": "2001-01-01T00:00:00Z" }))
        .await;
    assert_error(status, &error, 422, "SCHEDULE_IN_PAST");
    let (status, post) =
        ts.patch(&format!("/v1/posts/{id}"), json!({ "content": { "text": "better" } })).await;
    assert_eq!(status, StatusCode::OK, "{post}");
    assert_eq!(post["status"], "scheduled");
    assert_eq!(post["content"]["text"], "better");

    let (status, post) = ts.delete(&format!("/v1/posts/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{post}");
    assert_eq!(post["status"], "cancelled");
    assert_eq!(post["results"][0]["status"], "cancelled");
    let (status, error) = ts.delete(&format!("/v1/posts/{id}")).await;
    assert_error(status, &error, 409, "POST_NOT_EDITABLE");
    let (status, error) =
        ts.patch(&format!("/v1/posts/{id}"), json!({ "content": { "text": "x" } })).await;
    assert_error(status, &error, 409, "POST_NOT_EDITABLE");
    // A cancelled post never publishes.
    ts.advance(4.0 * 3600.0).await;
    assert_eq!(get_post(&ts, id).await["status"], "cancelled");

    let now_post = created(&ts, text_post(&profile, "now")).await;
    let id = now_post["id"].as_str().unwrap();
    let (status, error) = ts.delete(&format!("/v1/posts/{id}")).await;
    assert_error(status, &error, 409, "POST_NOT_EDITABLE");
    ts.advance(2.0).await;
    let (status, error) =
        ts.patch(&format!("/v1/posts/{id}"), json!({ "content": { "text": "x" } })).await;
    assert_error(status, &error, 409, "POST_NOT_EDITABLE");
    let (status, error) = ts.delete("/v1/posts/post_nope").await;
    assert_error(status, &error, 404, "NOT_FOUND");
}

#[tokio::test]
async fn lists_filter_and_page_newest_first() {
    let ts = TestServer::start().await;
    let linkedin = ts.profile("linkedin", "standard").await;
    let threads = ts.profile("threads", "standard").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let profile = if i % 2 == 0 { &linkedin } else { &threads };
        let mut body = text_post(profile, &format!("post {i}"));
        if i == 4 {
            body["draft"] = json!(true);
        }
        ids.push(created(&ts, body).await["id"].as_str().unwrap().to_owned());
    }

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/posts?limit=2&cursor={c}"),
            None => "/v1/posts?limit=2".to_owned(),
        };
        let (status, page) = ts.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let data = page["data"].as_array().unwrap();
        assert!(data.len() <= 2);
        seen.extend(data.iter().map(|p| p["id"].as_str().unwrap().to_owned()));
        match page["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let newest_first: Vec<String> = ids.iter().rev().cloned().collect();
    assert_eq!(seen, newest_first);

    let (_, page) = ts.get("/v1/posts?status=draft").await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    assert_eq!(page["data"][0]["id"], ids[4].as_str());
    let (_, page) = ts.get(&format!("/v1/posts?profileId={threads}")).await;
    let data: Vec<&str> =
        page["data"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(data, vec![ids[3].as_str(), ids[1].as_str()]);
    let (_, page) = ts.get("/v1/posts?status=published").await;
    assert!(page["data"].as_array().unwrap().is_empty());
    ts.advance(2.0).await;
    let (_, page) = ts.get("/v1/posts?status=published").await;
    assert_eq!(page["data"].as_array().unwrap().len(), 4);

    for bad in ["limit=0", "limit=101", "limit=ten", "status=done", "cursor=bogus", "colour=red"] {
        let (status, error) = ts.get(&format!("/v1/posts?{bad}")).await;
        assert_error(status, &error, 400, "INVALID_REQUEST");
    }
}
