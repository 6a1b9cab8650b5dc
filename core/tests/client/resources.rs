//! Every resource of the client against the emulator: connect links and their callback,
//! profiles, posts, webhooks and the platform rules.

use std::collections::HashSet;

use crate::client_common::{text_post, Emulator};
use aether::model::{
    ConnectLinkStatus, CreateConnectLinkRequest, CreateWebhookRequest, ListPostsQuery, ListQuery,
    Platform, PostContent, PostStatus, ProfileStatus, Tier, UpdatePostRequest, WebhookEventType,
};
use aether::ErrorCode;
use futures_util::{StreamExt, TryStreamExt};

fn link_request(state: &str) -> CreateConnectLinkRequest {
    CreateConnectLinkRequest {
        platform: Platform::Tiktok,
        redirect_url: "https://yourapp.example/oauth/tiktok/callback".into(),
        state: Some(state.into()),
    }
}

/// Opens the hosted page with `?approve=1` or `?deny=1` and returns the redirect's Location.
async fn decide(emulator: &Emulator, url: &str, decision: &str) -> String {
    let response = emulator.http.get(format!("{url}?{decision}=1")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 302);
    response.headers()["location"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_connect_link_completes_through_the_hosted_page_and_its_callback_verifies() {
    let emulator = Emulator::start().await;
    let client = emulator.client();
    let links = client.connect_links();

    let link = links.create(&link_request("csrf-7f3a")).await.unwrap();
    assert!(link.id.starts_with("link_"));
    assert_eq!(link.status, ConnectLinkStatus::Pending);
    assert_eq!(link.state.as_deref(), Some("csrf-7f3a"));
    assert!(link.url.starts_with(emulator.server.url()), "{}", link.url);

    let callback = decide(&emulator, &link.url, "approve").await;
    let outcome = links.verify_callback(&callback, "csrf-7f3a").unwrap();
    assert_eq!(outcome.link_id, link.id);

    let completed = links.get(&link.id).await.unwrap();
    assert_eq!(completed.status, ConnectLinkStatus::Completed);
    assert_eq!(completed.profile_id.as_deref(), Some(outcome.profile_id.as_str()));
    let profile = client.profiles().get(&outcome.profile_id).await.unwrap();
    assert_eq!(profile.platform, Platform::Tiktok);
    assert_eq!(profile.tier, Tier::Standard);
    assert_eq!(profile.status, ProfileStatus::Active);

    // The same callback presented to another session (another state) is refused.
    let error = links.verify_callback(&callback, "csrf-other").unwrap_err();
    assert_eq!(error.code(), &ErrorCode::InvalidArgument);
}

#[tokio::test]
async fn a_denied_connect_link_verifies_as_an_error() {
    let emulator = Emulator::start().await;
    let links = emulator.client().connect_links();
    let link = links.create(&link_request("st")).await.unwrap();

    let callback = decide(&emulator, &link.url, "deny").await;
    let error = links.verify_callback(&callback, "st").unwrap_err();

    assert_eq!(error.code(), &ErrorCode::Forbidden);
    assert_eq!(error.details().unwrap()["error"], "access_denied");
    assert_eq!(error.details().unwrap()["linkId"], link.id.as_str());
    assert_eq!(links.get(&link.id).await.unwrap().status, ConnectLinkStatus::Denied);
}

#[tokio::test]
async fn unknown_ids_are_not_found_and_empty_ids_are_refused_before_sending() {
    let emulator = Emulator::start().await;
    let client = emulator.client();

    let error = client.connect_links().get("link_nope").await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::NotFound);
    assert_eq!(error.status(), Some(404));
    assert!(error.request_id().is_some_and(|r| r.starts_with("req_")));
    assert!(error.to_string().starts_with("NOT_FOUND: "), "{error}");
    assert!(error.to_string().ends_with(&format!("(request {})", error.request_id().unwrap())));

    let error = client.posts().get("").await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::InvalidArgument);
    assert!(emulator.journal_for("GET", "/v1/posts/").await.is_empty());

    // A URL resolves `..` and `.` segments, encoded or not: `/v1/posts/..` would be `/v1/`.
    for id in ["..", "."] {
        let error = client.posts().get(id).await.unwrap_err();
        assert_eq!(error.code(), &ErrorCode::InvalidArgument, "{id}");
        assert!(error.message().contains("would address another path"), "{error}");
    }
    // Anything else is one segment, percent-encoded: nothing of it is read as a path.
    let error = client.posts().get("a/../b c").await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::NotFound);
    assert_eq!(emulator.journal_for("GET", "/v1/posts/a%2F..%2Fb%20c").await.len(), 1);
    let all = emulator.journal_for("GET", "/v1/").await;
    assert!(all.is_empty(), "nothing reached /v1/: {all:?}");
}

#[tokio::test]
async fn profiles_are_listed_across_pages_and_disconnected() {
    let emulator = Emulator::start().await;
    let mut created = Vec::new();
    for _ in 0..25 {
        created.push(emulator.profile("linkedin").await);
    }
    let profiles = emulator.client().profiles();

    let listed: Vec<_> = profiles.list().try_collect().await.unwrap();
    let ids: Vec<&str> = listed.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids.len(), 25);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 25, "no profile twice");
    let newest_first: Vec<&str> = created.iter().rev().map(String::as_str).collect();
    assert_eq!(ids, newest_first);
    let pages = emulator.journal_for("GET", "/v1/profiles").await;
    assert_eq!(pages.len(), 2, "20 + 5, fetched lazily");

    let page = profiles.list_page(&ListQuery { limit: Some(10), cursor: None }).await.unwrap();
    assert_eq!(page.data.len(), 10);
    assert!(page.next_cursor.is_some());

    let disconnected = profiles.disconnect(&created[0]).await.unwrap();
    assert_eq!(disconnected.status, ProfileStatus::Disconnected);
    let again = profiles.disconnect(&created[0]).await.unwrap();
    assert_eq!(again.status, ProfileStatus::Disconnected);
    assert_eq!(profiles.get(&created[0]).await.unwrap().status, ProfileStatus::Disconnected);
}

#[tokio::test]
async fn a_list_stream_stops_after_yielding_an_error() {
    let emulator = Emulator::start().await;
    for _ in 0..3 {
        emulator.profile("threads").await;
    }
    emulator
        .fault(serde_json::json!({"method": "GET", "path": "/v1/profiles",
                                  "action": {"type": "status", "status": 403}}))
        .await;
    let items: Vec<_> = emulator.client().profiles().list().collect().await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].as_ref().unwrap_err().code(), &ErrorCode::Forbidden);
}

#[tokio::test]
async fn posts_are_created_read_listed_edited_and_cancelled() {
    let emulator = Emulator::start().await;
    let alice = emulator.profile("linkedin").await;
    let bob = emulator.profile("threads").await;
    let client = emulator.client();
    let posts = client.posts();

    let published = posts.create(&text_post(&alice, "Hello from the Rust SDK")).await.unwrap();
    assert!(published.id.starts_with("post_"));
    assert_eq!(published.status, PostStatus::Publishing);
    assert_eq!(published.profile_ids, vec![alice.clone()]);
    assert_eq!(posts.get(&published.id).await.unwrap().id, published.id);

    let mut draft_request = text_post(&bob, "a draft");
    draft_request.draft = Some(true);
    let draft = posts.create(&draft_request).await.unwrap();
    assert_eq!(draft.status, PostStatus::Draft);
    for i in 0..3 {
        posts.create(&text_post(&bob, &format!("bob {i}"))).await.unwrap();
    }

    let all: Vec<_> = posts
        .list(ListPostsQuery { limit: Some(2), ..Default::default() })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(emulator.journal_for("GET", "/v1/posts").await.len(), 3, "pages of 2");
    let bobs: Vec<_> = posts
        .list(ListPostsQuery { profile_id: Some(bob.clone()), ..Default::default() })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(bobs.len(), 4);
    let drafts: Vec<_> = posts
        .list(ListPostsQuery { status: Some(PostStatus::Draft), ..Default::default() })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(drafts.iter().map(|p| &p.id).collect::<Vec<_>>(), vec![&draft.id]);

    let edited = posts
        .update(
            &draft.id,
            &UpdatePostRequest { content: Some(PostContent::new("edited")), ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(edited.content.text, "edited");
    assert_eq!(edited.status, PostStatus::Draft);

    let cancelled = posts.cancel(&draft.id).await.unwrap();
    assert_eq!(cancelled.status, PostStatus::Cancelled);
    let error = posts.cancel(&draft.id).await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::PostNotEditable);
    assert_eq!(error.status(), Some(409));
    let error = posts.cancel(&published.id).await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::PostNotEditable);
}

#[tokio::test]
async fn validation_errors_name_the_field_and_platform() {
    let emulator = Emulator::start().await;
    let tiktok = emulator.profile("tiktok").await;
    let error = emulator.client().posts().create(&text_post(&tiktok, "no video")).await;
    let error = error.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::MediaRequired, "{error}");
    assert_eq!(error.status(), Some(422));
    assert_eq!(error.platform(), Some(&Platform::Tiktok));
    assert!(error.field().is_some(), "{error:?}");
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn webhooks_are_created_listed_and_deleted() {
    let emulator = Emulator::start().await;
    let webhooks = emulator.client().webhooks();

    let created = webhooks
        .create(&CreateWebhookRequest {
            url: "http://127.0.0.1:9/hooks".into(),
            events: vec![WebhookEventType::PostPublished, WebhookEventType::PostFailed],
        })
        .await
        .unwrap();
    assert!(created.id.starts_with("wh_"));
    let secret = created.secret.clone().expect("the secret is returned on create");
    assert!(!format!("{created:?}").contains(&secret));

    let listed: Vec<_> = webhooks.list().try_collect().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, created.id);
    assert_eq!(listed[0].secret, None, "secrets are not repeated");

    webhooks.delete(&created.id).await.unwrap();
    let error = webhooks.delete(&created.id).await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::NotFound);
    assert!(webhooks.list_page(&ListQuery::default()).await.unwrap().data.is_empty());
}

#[tokio::test]
async fn the_platform_rules_are_fetched_from_the_server() {
    let emulator = Emulator::start().await;
    let rules = emulator.client().platforms().try_fetch().await.unwrap();
    assert_eq!(&rules, aether::platforms::RulesDocument::builtin());
    assert!(rules.rules(&Platform::Tiktok).is_some());
}

#[tokio::test]
async fn a_retry_publishes_the_failed_target_only_and_a_published_post_is_not_retryable() {
    let emulator = Emulator::start().await;
    let alice = emulator.profile("linkedin").await;
    let bob = emulator.profile("threads").await;
    let posts = emulator.client().posts();
    let mut request = text_post(&alice, "cross-post");
    request.profile_id = None;
    request.profile_ids = Some(vec![alice.clone(), bob.clone()]);
    let post = posts.create(&request).await.unwrap();
    let mut forced = aether_mock::ForcedOutcome::new(aether_mock::OutcomeKind::Failed);
    forced.profile_id = Some(bob.clone());
    emulator.admin.force_outcome(&post.id, &forced).await.unwrap();
    emulator.advance(2.0).await;
    let partial = posts.get(&post.id).await.unwrap();
    assert_eq!(partial.status, PostStatus::PartiallyPublished);
    let linkedin = partial.results[0].clone();

    let retried = posts.retry(&post.id).await.unwrap();
    assert_eq!(retried.status, PostStatus::Publishing);
    assert_eq!(retried.results[0], linkedin, "the published target is not sent again");
    assert!(retried.results[1].error.is_none());
    emulator.advance(2.0).await;
    let done = posts.get(&post.id).await.unwrap();
    assert_eq!(done.status, PostStatus::Published);
    assert_eq!(done.results[0], linkedin);
    let retries = emulator.journal_for("POST", &format!("/v1/posts/{}/retry", post.id)).await;
    assert_eq!(retries.len(), 1);

    let error = posts.retry(&post.id).await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::PostNotRetryable);
    assert_eq!(error.status(), Some(409));
    assert_eq!(error.code().family(), aether::ErrorFamily::Conflict);
    assert_eq!(error.details().unwrap()["status"], "published");
    assert!(error.message().contains("is published"), "{error}");
    let error = posts.retry("").await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::InvalidArgument);
}
