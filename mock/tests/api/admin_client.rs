//! The typed admin client (`aether_mock::Admin`) against a real emulator, one test per group
//! of operations, and the admin token kept out of its `Debug` output and its errors.

use std::time::Duration;

use aether::model::{Platform, ProfileStatus, Tier};
use aether::ErrorCode;
use aether_mock::admin_client::{FaultAction, FaultRule};
use aether_mock::{
    Admin, ForcedOutcome, MockConfig, MockServer, NewProfile, OutcomeKind, OutcomeRule, Settings,
};
use reqwest::StatusCode;
use serde_json::json;

use crate::common::TestServer;

/// A text post to a LinkedIn profile (LinkedIn needs no media), publishing at once.
async fn linkedin_post(server: &TestServer, profile_id: &str) -> String {
    let (status, post) = server
        .post("/v1/posts", json!({ "profileId": profile_id, "content": { "text": "hello" } }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{post}");
    post["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn reset_and_settings() {
    let server = TestServer::start().await;
    let admin = &server.admin;
    assert_eq!(admin.settings().await.unwrap(), Settings::default());

    let updated = admin.update_settings(&json!({ "processingMs": 10, "rateLimit": 7 })).await;
    let updated = updated.unwrap();
    assert_eq!((updated.processing_ms, updated.rate_limit), (10, 7));
    assert_eq!(admin.settings().await.unwrap(), updated);

    let refused = admin.update_settings(&json!({ "processingMz": 10 })).await.unwrap_err();
    assert_eq!(refused.code(), &ErrorCode::InvalidRequest, "{refused}");

    server.profile("tiktok", "standard").await;
    admin.reset(None).await.unwrap();
    assert_eq!(admin.settings().await.unwrap(), Settings::default());
    let (_, profiles) = server.get("/v1/profiles").await;
    assert_eq!(profiles["data"], json!([]), "a reset forgets the profiles");

    let chosen = Settings { poll_hint_secs: Some(9), ..Settings::default() };
    admin.reset(Some(&chosen)).await.unwrap();
    assert_eq!(admin.settings().await.unwrap(), chosen);
}

#[tokio::test]
async fn clock_and_advance_clock() {
    let server = TestServer::start().await;
    let admin = &server.admin;
    let start: jiff::Timestamp = admin.clock().await.unwrap().now.parse().unwrap();
    let moved = admin.advance_clock(Duration::from_secs(86_400)).await.unwrap();
    let moved: jiff::Timestamp = moved.now.parse().unwrap();
    let by = moved.duration_since(start);
    assert!(by >= jiff::SignedDuration::from_secs(86_400), "{by:?}");
    assert!(by < jiff::SignedDuration::from_secs(86_400 + 60), "{by:?}");
    // Fractions of a millisecond travel as seconds.
    let later = admin.advance_clock(Duration::from_micros(1_500)).await.unwrap();
    assert!(later.now.parse::<jiff::Timestamp>().unwrap() > moved);
}

#[tokio::test]
async fn create_and_revoke_profiles() {
    let server = TestServer::start().await;
    let admin = &server.admin;
    let wanted =
        NewProfile::new(Platform::Tiktok).tier(Tier::Creator).username("ada").id("tiktok_ada");
    let profile = admin.create_profile(&wanted).await.unwrap();
    assert_eq!(profile.id, "tiktok_ada");
    assert_eq!((profile.platform, profile.tier), (Platform::Tiktok, Tier::Creator));
    assert_eq!(profile.status, ProfileStatus::Active);

    let again = admin.create_profile(&wanted).await.unwrap_err();
    assert_eq!(again.code(), &ErrorCode::InvalidRequest, "{again}");
    let no_platform = admin.create_profile(&NewProfile::default()).await.unwrap_err();
    assert!(no_platform.message().contains("platform is required"), "{no_platform}");

    let revoked = admin.revoke_profile("tiktok_ada").await.unwrap();
    assert_eq!(revoked.status, ProfileStatus::Disconnected);
    let missing = admin.revoke_profile("prof_nope").await.unwrap_err();
    assert_eq!(missing.code(), &ErrorCode::NotFound, "{missing}");
}

#[tokio::test]
async fn approve_and_deny_connect_links() {
    let server = TestServer::start().await;
    let admin = &server.admin;
    let link = |platform: &'static str| {
        let server = &server;
        async move {
            let body = json!({ "platform": platform, "redirectUrl": "https://app.test/cb" });
            let (status, link) = server.post("/v1/connect-links", body).await;
            assert_eq!(status, StatusCode::CREATED, "{link}");
            link["id"].as_str().unwrap().to_owned()
        }
    };

    let approved_id = link("youtube").await;
    let approved = admin.approve_connect_link(&approved_id, Some(&Tier::Creator)).await.unwrap();
    assert_eq!(approved.link.id, approved_id);
    let profile = approved.profile.clone().expect("the connected profile");
    assert_eq!((profile.platform, profile.tier), (Platform::Youtube, Tier::Creator));
    assert_eq!(approved.link.profile_id.as_deref(), Some(profile.id.as_str()));
    assert!(approved.redirect.starts_with("https://app.test/cb?profileId="), "{approved:?}");

    let denied_id = link("tiktok").await;
    let denied = admin.deny_connect_link(&denied_id).await.unwrap();
    assert!(denied.profile.is_none());
    assert!(denied.redirect.contains("error=access_denied"), "{denied:?}");
    let refused = admin.approve_connect_link(&denied_id, None).await.unwrap_err();
    assert_eq!(refused.code(), &ErrorCode::InvalidRequest, "{refused}");
}

#[tokio::test]
async fn force_outcomes_and_outcome_rules() {
    let server = TestServer::start().await;
    let admin = &server.admin;
    let profile = server.profile("linkedin", "standard").await;

    let post_id = linkedin_post(&server, &profile).await;
    let forced = ForcedOutcome {
        code: Some(ErrorCode::PlatformError),
        message: Some("LinkedIn is down".into()),
        ..ForcedOutcome::new(OutcomeKind::Failed)
    };
    let post = admin.force_outcome(&post_id, &forced).await.unwrap();
    assert_eq!(post.id, post_id);
    server.advance(60.0).await;
    let (_, post) = server.get(&format!("/v1/posts/{post_id}")).await;
    assert_eq!(post["status"], "failed", "{post}");
    let late = admin.force_outcome(&post_id, &ForcedOutcome::new(OutcomeKind::Published)).await;
    assert_eq!(late.unwrap_err().code(), &ErrorCode::PostNotEditable);

    let rule = OutcomeRule { times: Some(1), ..OutcomeRule::new(OutcomeKind::Failed) };
    let added = admin.add_outcome_rule(&rule).await.unwrap();
    assert!(added.id.starts_with("outcome"), "{added:?}");
    assert_eq!(admin.outcome_rules().await.unwrap(), vec![added.clone()]);
    let next = linkedin_post(&server, &profile).await;
    server.advance(60.0).await;
    let (_, post) = server.get(&format!("/v1/posts/{next}")).await;
    assert_eq!(post["status"], "failed", "the rule applied: {post}");
    assert_eq!(admin.outcome_rules().await.unwrap(), vec![], "times: 1 used it up");

    admin.add_outcome_rule(&OutcomeRule::new(OutcomeKind::Published)).await.unwrap();
    admin.clear_outcome_rules().await.unwrap();
    assert!(admin.outcome_rules().await.unwrap().is_empty());
}

#[tokio::test]
async fn inject_list_delete_and_clear_faults() {
    let server = TestServer::start().await;
    let admin = &server.admin;
    let rule = FaultRule {
        id: String::new(),
        method: Some("GET".into()),
        path: "/v1/profiles".into(),
        times: Some(1),
        probability: None,
        action: FaultAction::Status {
            status: 503,
            code: None,
            retry_after: None,
            retry_after_ms: None,
            should_retry: None,
        },
    };
    let added = admin.inject_fault(&rule).await.unwrap();
    assert!(added.id.starts_with("fault"), "{added:?}");
    assert_eq!(admin.faults().await.unwrap().len(), 1);
    let (status, _) = server.get("/v1/profiles").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(admin.faults().await.unwrap().is_empty(), "times: 1 used it up");

    let kept = admin.inject_fault(&FaultRule { times: None, ..rule.clone() }).await.unwrap();
    let other = admin.inject_fault(&FaultRule { times: None, ..rule.clone() }).await.unwrap();
    admin.delete_fault(&kept.id).await.unwrap();
    let left: Vec<String> = admin.faults().await.unwrap().into_iter().map(|f| f.id).collect();
    assert_eq!(left, vec![other.id.clone()]);
    let missing = admin.delete_fault(&kept.id).await.unwrap_err();
    assert_eq!(missing.code(), &ErrorCode::NotFound, "{missing}");
    admin.clear_faults().await.unwrap();
    assert!(admin.faults().await.unwrap().is_empty());

    let bad = admin.inject_fault(&FaultRule { times: Some(0), ..rule }).await.unwrap_err();
    assert_eq!(bad.code(), &ErrorCode::InvalidRequest, "{bad}");
}

#[tokio::test]
async fn journal_and_clear_journal() {
    let server = TestServer::start().await;
    let admin = &server.admin;
    server.get("/v1/profiles").await;
    admin.settings().await.unwrap();
    let journal = admin.journal().await.unwrap();
    assert_eq!(journal.len(), 1, "admin calls are not journaled: {journal:?}");
    assert_eq!((journal[0].method.as_str(), journal[0].path.as_str()), ("GET", "/v1/profiles"));
    assert_eq!(journal[0].status, Some(200));
    admin.clear_journal().await.unwrap();
    assert!(admin.journal().await.unwrap().is_empty());
}

#[tokio::test]
async fn webhook_deliveries() {
    let server = TestServer::start().await;
    let admin = &server.admin;
    assert!(admin.webhook_deliveries(None).await.unwrap().is_empty());
    // A receiver nobody listens on: the attempt fails, and is logged all the same.
    let (status, webhook) = server
        .post(
            "/v1/webhooks",
            json!({ "url": "http://127.0.0.1:9/hook", "events": ["post.published"] }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{webhook}");
    let webhook_id = webhook["id"].as_str().unwrap();
    let profile = server.profile("linkedin", "standard").await;
    linkedin_post(&server, &profile).await;
    server.advance(60.0).await;

    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let deliveries = loop {
        let deliveries = admin.webhook_deliveries(Some(webhook_id)).await.unwrap();
        if !deliveries.is_empty() {
            break deliveries;
        }
        assert!(std::time::Instant::now() < deadline, "no delivery");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(deliveries[0]["webhookId"], webhook_id, "{deliveries:?}");
    assert_eq!(admin.webhook_deliveries(None).await.unwrap().len(), deliveries.len());
    let unknown = admin.webhook_deliveries(Some("wh_nope")).await.unwrap_err();
    assert_eq!(unknown.code(), &ErrorCode::NotFound, "{unknown}");
}

#[tokio::test]
async fn the_admin_token_stays_out_of_debug_output_and_errors() {
    let token = "adm_this-is-the-secret-token";
    let config = MockConfig { admin_token: Some(token.into()), ..MockConfig::default() };
    let server = MockServer::start(config).await.unwrap();
    let admin = Admin::for_server(&server).unwrap();
    assert!(!format!("{admin:?}").contains("secret"), "{admin:?}");
    assert!(!format!("{admin:#?}").contains("secret"), "{admin:#?}");
    assert!(!format!("{server:?}").contains("secret"), "{server:?}");

    // Errors of every kind: the emulator's refusal, a wrong token, no server at all.
    let refused = admin.revoke_profile("prof_nope").await.unwrap_err();
    let wrong = Admin::new(server.url(), "adm_wrong-secret-token").unwrap();
    let unauthorized = wrong.settings().await.unwrap_err();
    assert_eq!(unauthorized.code(), &ErrorCode::Unauthorized, "{unauthorized}");
    let url = server.url().to_owned();
    server.shutdown().await;
    let gone = Admin::new(&url, token).unwrap().clock().await.unwrap_err();
    assert_eq!(gone.code(), &ErrorCode::NetworkError, "{gone}");
    for error in [refused, unauthorized, gone] {
        for shown in [error.to_string(), format!("{error:?}"), format!("{error:#?}")] {
            assert!(!shown.contains("secret"), "{shown}");
        }
    }
}
