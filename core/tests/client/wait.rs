//! `posts().wait(..)` and `posts().watch(..)` against the emulator's simulated publishing.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::client_common::{text_post, Emulator};
use aether::model::PostStatus;
use aether::posts::WaitOptions;
use aether::{CancellationToken, ErrorCode};
use aether_mock::{ForcedOutcome, OutcomeKind, OutcomeRule};
use futures_util::TryStreamExt;
use serde_json::json;

fn fast() -> WaitOptions {
    WaitOptions::default()
        .poll_interval(Duration::from_millis(100))
        .timeout(Duration::from_secs(20))
}

#[tokio::test]
async fn wait_returns_the_post_once_published_and_reports_each_status() {
    let emulator = Emulator::start().await;
    emulator.settings(json!({"processingMs": 200})).await;
    let profile = emulator.profile("linkedin").await;
    let posts = emulator.client().posts();
    let post = posts.create(&text_post(&profile, "wait for me")).await.unwrap();
    assert_eq!(post.status, PostStatus::Publishing);

    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let options = fast().on_status(move |p| record.lock().unwrap().push(p.status.clone()));
    let done = posts.wait(&post.id, options).await.unwrap();

    assert_eq!(done.status, PostStatus::Published);
    assert!(done.results.iter().all(|r| r.url.is_some() || r.platform_post_id.is_some()));
    assert_eq!(*seen.lock().unwrap(), vec![PostStatus::Publishing, PostStatus::Published]);
}

#[tokio::test]
async fn wait_follows_the_emulator_clock() {
    let emulator = Emulator::start().await;
    emulator.settings(json!({"processingMs": 60_000})).await;
    let profile = emulator.profile("linkedin").await;
    let posts = emulator.client().posts();
    let post = posts.create(&text_post(&profile, "a minute of processing")).await.unwrap();

    let waiting = tokio::spawn({
        let posts = posts.clone();
        let id = post.id.clone();
        async move { posts.wait(&id, fast()).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    emulator.advance(61.0).await;

    let done = waiting.await.unwrap().unwrap();
    assert_eq!(done.status, PostStatus::Published);
}

#[tokio::test]
async fn wait_times_out_with_the_last_post_seen() {
    let emulator = Emulator::start().await;
    emulator.settings(json!({"processingMs": 600_000})).await;
    let profile = emulator.profile("linkedin").await;
    let posts = emulator.client().posts();
    let post = posts.create(&text_post(&profile, "slow")).await.unwrap();

    let started = Instant::now();
    let options = fast().timeout(Duration::from_millis(700));
    let error = posts.wait(&post.id, options).await.unwrap_err();

    assert_eq!(error.code(), &ErrorCode::Timeout, "{error}");
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
    let last = error.last_post().expect("the last post seen");
    assert_eq!(last.id, post.id);
    assert_eq!(last.status, PostStatus::Publishing);
    assert_eq!(error.details().unwrap()["lastStatus"], "publishing");
}

#[tokio::test]
async fn watch_yields_publishing_then_published_then_ends() {
    let emulator = Emulator::start().await;
    emulator.settings(json!({"processingMs": 300})).await;
    let profile = emulator.profile("threads").await;
    let posts = emulator.client().posts();
    let post = posts.create(&text_post(&profile, "watch me")).await.unwrap();

    let statuses: Vec<PostStatus> =
        posts.watch(&post.id, fast()).map_ok(|p| p.status).try_collect().await.unwrap();

    assert_eq!(statuses, vec![PostStatus::Publishing, PostStatus::Published]);
}

#[tokio::test]
async fn a_failed_post_is_returned_not_raised() {
    let emulator = Emulator::start().await;
    emulator.settings(json!({"processingMs": 200})).await;
    let profile = emulator.profile("linkedin").await;
    let posts = emulator.client().posts();
    let post = posts.create(&text_post(&profile, "doomed")).await.unwrap();
    let failed = ForcedOutcome {
        code: Some(ErrorCode::PlatformError),
        ..ForcedOutcome::new(OutcomeKind::Failed)
    };
    emulator.admin.force_outcome(&post.id, &failed).await.unwrap();

    let done = posts.wait(&post.id, fast()).await.unwrap();
    assert_eq!(done.status, PostStatus::Failed);
    assert_eq!(done.results[0].error.as_ref().unwrap().code, ErrorCode::PlatformError);
}

#[tokio::test]
async fn wait_is_cancelled_by_its_token() {
    let emulator = Emulator::start().await;
    emulator.settings(json!({"processingMs": 600_000})).await;
    let profile = emulator.profile("linkedin").await;
    let posts = emulator.client().posts();
    let post = posts.create(&text_post(&profile, "never mind")).await.unwrap();

    let token = CancellationToken::new();
    let canceller = token.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        canceller.cancel();
    });
    let started = Instant::now();
    let error = posts.wait(&post.id, fast().cancel_token(token)).await.unwrap_err();

    assert_eq!(error.code(), &ErrorCode::Cancelled);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn dropping_a_wait_stops_polling() {
    let emulator = Emulator::start().await;
    emulator.settings(json!({"processingMs": 600_000})).await;
    let profile = emulator.profile("linkedin").await;
    let posts = emulator.client().posts();
    let post = posts.create(&text_post(&profile, "dropped")).await.unwrap();
    let path = format!("/v1/posts/{}", post.id);

    let result =
        tokio::time::timeout(Duration::from_millis(400), posts.wait(&post.id, fast())).await;
    assert!(result.is_err(), "still waiting when dropped");
    let polls = emulator.journal_for("GET", &path).await.len();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(emulator.journal_for("GET", &path).await.len(), polls);
}

#[tokio::test]
async fn waiting_on_an_unknown_post_fails_at_once() {
    let emulator = Emulator::start().await;
    let error = emulator.client().posts().wait("post_nope", fast()).await.unwrap_err();
    assert_eq!(error.code(), &ErrorCode::NotFound);
}

#[tokio::test]
async fn transient_poll_failures_are_ridden_out() {
    let emulator = Emulator::start().await;
    emulator.settings(json!({"processingMs": 200})).await;
    let profile = emulator.profile("linkedin").await;
    let client = emulator.builder().max_retries(0).build().unwrap();
    let post = client.posts().create(&text_post(&profile, "flaky network")).await.unwrap();
    emulator
        .fault(json!({"method": "GET", "path": format!("/v1/posts/{}", post.id), "times": 2,
                      "action": {"type": "status", "status": 503}}))
        .await;

    let done = client.posts().wait(&post.id, fast()).await.unwrap();
    assert_eq!(done.status, PostStatus::Published);
}

/// The server retries a transient platform failure (twice, then the platform takes the post):
/// the watch yields each failure with its `nextAttemptAt` while the post stays `publishing`,
/// and the wait's callback hears of every one; neither ends before the post is published.
#[tokio::test]
async fn watch_and_wait_report_every_retried_attempt() {
    let emulator = Emulator::start().await;
    emulator.settings(json!({"processingMs": 50})).await;
    let profile = emulator.profile("linkedin").await;
    let rule = OutcomeRule { times: Some(2), ..OutcomeRule::transient(2) };
    emulator.admin.add_outcome_rule(&rule).await.unwrap();
    let posts = emulator.client().posts();

    let post = posts.create(&text_post(&profile, "third time lucky")).await.unwrap();
    let mut changes = Box::pin(posts.watch(&post.id, fast()));
    let mut waiting = Vec::new();
    let mut last = None;
    while let Some(change) = changes.try_next().await.unwrap() {
        let result = &change.results[0];
        if let Some(next) = &result.next_attempt_at {
            assert_eq!(change.status, PostStatus::Publishing);
            waiting.push((result.attempts, next.clone()));
            emulator.advance(if result.attempts == 1 { 30.0 } else { 60.0 }).await;
        }
        last = Some(change);
    }
    let attempts: Vec<u32> = waiting.iter().map(|(a, _)| *a).collect();
    assert_eq!(attempts, [1, 2], "{waiting:?}");
    let last = last.unwrap();
    assert_eq!((last.status, last.results[0].attempts), (PostStatus::Published, 3));
    assert_eq!(last.results[0].next_attempt_at, None);

    // The same through wait: the callback sees both waits for a retry.
    let post = posts.create(&text_post(&profile, "again")).await.unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let admin = emulator.admin.clone();
    let options = fast().on_status(move |p| {
        let result = &p.results[0];
        record.lock().unwrap().push((
            p.status.clone(),
            result.attempts,
            result.next_attempt_at.is_some(),
        ));
        if result.next_attempt_at.is_some() {
            let admin = admin.clone();
            let by = Duration::from_secs(if result.attempts == 1 { 30 } else { 60 });
            tokio::spawn(async move { admin.advance_clock(by).await.unwrap() });
        }
    });
    let done = posts.wait(&post.id, options).await.unwrap();
    assert_eq!((done.status, done.results[0].attempts), (PostStatus::Published, 3));
    let seen = seen.lock().unwrap().clone();
    let retries: Vec<_> = seen.iter().filter(|s| s.2).cloned().collect();
    assert_eq!(
        retries,
        [(PostStatus::Publishing, 1, true), (PostStatus::Publishing, 2, true)],
        "{seen:?}"
    );
}

/// The GETs of post `id` the emulator received, with the virtual time each arrived.
async fn polls_of(emulator: &Emulator, id: &str) -> Vec<jiff::Timestamp> {
    emulator
        .journal_for("GET", &format!("/v1/posts/{id}"))
        .await
        .iter()
        .map(|e| e["at"].as_str().unwrap().parse().unwrap())
        .collect()
}

#[tokio::test]
async fn a_wait_polls_when_the_server_expects_the_change_not_before() {
    let emulator = Emulator::start().await;
    emulator.settings(json!({"processingMs": 400})).await;
    let profile = emulator.profile("linkedin").await;
    let posts = emulator.client().posts();
    let post = posts.create(&text_post(&profile, "hinted")).await.unwrap();

    // The poll interval alone (30 s) would outlast the wait's bound: the hint decides.
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let options = WaitOptions::default()
        .poll_interval(Duration::from_secs(30))
        .timeout(Duration::from_secs(10))
        .on_status(move |p| record.lock().unwrap().push(p.status.clone()));
    let done = posts.wait(&post.id, options).await.unwrap();
    assert_eq!(done.status, PostStatus::Published);
    // The create's answer stands for the first poll: the callback still sees `publishing`.
    assert_eq!(*seen.lock().unwrap(), vec![PostStatus::Publishing, PostStatus::Published]);
    let polls = polls_of(&emulator, &post.id).await;
    assert!(!polls.is_empty() && polls.len() <= 2, "one GET at the hinted time, got {polls:?}");
}

#[tokio::test]
async fn a_wait_started_late_polls_at_once() {
    let emulator = Emulator::start().await;
    emulator.settings(json!({"processingMs": 60_000})).await;
    let profile = emulator.profile("linkedin").await;
    let posts = emulator.client().posts();
    let post = posts.create(&text_post(&profile, "late")).await.unwrap();
    emulator.advance(61.0).await;
    // The create's hint (1 s) ends after this wait's bound: the wait polls at once instead.
    let options = WaitOptions::default().timeout(Duration::from_millis(500));
    let done = posts.wait(&post.id, options).await.unwrap();
    assert_eq!(done.status, PostStatus::Published);
    assert_eq!(polls_of(&emulator, &post.id).await.len(), 1);
}

#[tokio::test]
async fn polls_stay_100_ms_apart_whatever_the_server_hints() {
    let emulator = Emulator::start().await;
    emulator.settings(json!({"processingMs": 1_000, "pollHintMs": 1})).await;
    let profile = emulator.profile("linkedin").await;
    let posts = emulator.client().posts();
    let post = posts.create(&text_post(&profile, "hinted 1 ms")).await.unwrap();

    let done = posts.wait(&post.id, fast()).await.unwrap();
    assert_eq!(done.status, PostStatus::Published);
    let polls = polls_of(&emulator, &post.id).await;
    // A second of publishing at most every 100 ms: about ten polls, not hundreds.
    assert!((2..=13).contains(&polls.len()), "{} polls", polls.len());
    for pair in polls.windows(2) {
        // Sent 100 ms apart; arrivals can differ by a little of the network's jitter.
        let gap = pair[1].duration_since(pair[0]);
        assert!(gap >= jiff::SignedDuration::from_millis(90), "polls {gap:?} apart: {polls:?}");
    }
}
