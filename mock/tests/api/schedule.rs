//! Scheduling: instants and local times with IANA zones, DST gaps and overlaps, the window
//! from now to the platform's horizon, and scheduled posts starting on the virtual clock.

use crate::common::{assert_error, TestServer};
use crate::posts_support::*;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde_json::{json, Value};

const NEW_YORK: &str = "America/New_York";

fn scheduled(profile: &str, scheduled_for: &str, timezone: Option<&str>) -> Value {
    let mut body = text_post(profile, "scheduled");
    body["scheduledFor"] = json!(scheduled_for);
    if let Some(zone) = timezone {
        body["timezone"] = json!(zone);
    }
    body
}

/// The next DST transition in New York after `after` that moves clocks forward (`gap: true`) or
/// back, and a local time 30 minutes into the skipped or repeated hour.
fn next_transition(after: Timestamp, gap: bool) -> (DateTime, Timestamp) {
    let tz = TimeZone::get(NEW_YORK).unwrap();
    let mut cursor = after;
    loop {
        let transition = tz.following(cursor).next().expect("New York keeps DST");
        let at = transition.timestamp();
        let before = tz.to_offset(at.checked_sub(SignedDuration::from_secs(1)).unwrap());
        let after_offset = transition.offset();
        if (after_offset > before) == gap {
            // The ambiguous hour starts at the transition read with the smaller offset.
            let smaller = if gap { before } else { after_offset };
            let local = smaller.to_datetime(at).checked_add(SignedDuration::from_mins(30)).unwrap();
            return (local, at);
        }
        cursor = at;
    }
}

#[tokio::test]
async fn a_local_time_is_converted_with_its_iana_zone() {
    let ts = TestServer::start().await;
    let profile = ts.profile("linkedin", "standard").await;
    let now = now(&ts).await;
    // Noon in New York, ten days from now: never near a transition at noon.
    let day = TimeZone::get(NEW_YORK).unwrap().to_datetime(now).date();
    let local = day.checked_add(jiff::Span::new().days(10)).unwrap().at(12, 0, 0, 0);
    let post = created(&ts, scheduled(&profile, &local.to_string(), Some(NEW_YORK))).await;
    assert_eq!(post["status"], "scheduled");
    assert_eq!(post["results"][0]["status"], "scheduled");
    assert_eq!(post["timezone"], NEW_YORK);
    assert_eq!(post["scheduledFor"], local.to_string());
    assert!(post.get("scheduleResolution").is_none_or(Value::is_null), "{post}");
    let publish_at: Timestamp = post["publishAt"].as_str().unwrap().parse().unwrap();
    let expected = TimeZone::get(NEW_YORK).unwrap().to_timestamp(local).unwrap();
    assert_eq!(publish_at, expected);
    assert!(post["publishAt"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn a_local_time_in_a_dst_gap_is_shifted_forward() {
    let ts = TestServer::start().await;
    let profile = ts.profile("linkedin", "standard").await;
    let (local, transition) = next_transition(now(&ts).await, true);
    let post = created(&ts, scheduled(&profile, &local.to_string(), Some(NEW_YORK))).await;
    assert_eq!(post["scheduleResolution"], "shifted_forward", "{post}");
    let publish_at: Timestamp = post["publishAt"].as_str().unwrap().parse().unwrap();
    // 02:30 does not exist; 03:30 EDT is 30 minutes after the transition.
    assert_eq!(publish_at, transition.checked_add(SignedDuration::from_mins(30)).unwrap());
}

#[tokio::test]
async fn a_local_time_in_a_dst_overlap_takes_the_earlier_instant() {
    let ts = TestServer::start().await;
    let profile = ts.profile("linkedin", "standard").await;
    let (local, transition) = next_transition(now(&ts).await, false);
    let post = created(&ts, scheduled(&profile, &local.to_string(), Some(NEW_YORK))).await;
    assert_eq!(post["scheduleResolution"], "earlier_instant", "{post}");
    let publish_at: Timestamp = post["publishAt"].as_str().unwrap().parse().unwrap();
    // The first 01:30 (still EDT) is 30 minutes before the clocks go back.
    assert_eq!(publish_at, transition.checked_sub(SignedDuration::from_mins(30)).unwrap());
}

#[tokio::test]
async fn zones_must_be_iana_names_and_local_times_need_one() {
    let ts = TestServer::start().await;
    let profile = ts.profile("linkedin", "standard").await;
    let local = TimeZone::UTC
        .to_datetime(now(&ts).await.checked_add(SignedDuration::from_hours(48)).unwrap())
        .to_string();
    let (status, error) = create(&ts, scheduled(&profile, &local, Some("Mars/Olympus_Mons"))).await;
    let error = assert_error(status, &error, 422, "INVALID_TIMEZONE");
    assert_eq!(error["field"], "timezone");
    // A local time without a zone: the server does not guess (spec/openapi.yaml: 400).
    let (status, error) = create(&ts, scheduled(&profile, &local, None)).await;
    assert_eq!(assert_error(status, &error, 400, "INVALID_REQUEST")["field"], "timezone");
    let (status, error) = create(&ts, scheduled(&profile, "tomorrow at nine", Some("UTC"))).await;
    assert_eq!(assert_error(status, &error, 400, "INVALID_REQUEST")["field"], "scheduledFor");
    created(&ts, scheduled(&profile, &local, Some("Europe/Berlin"))).await;
}

#[tokio::test]
async fn the_schedule_must_lie_between_now_and_the_horizon() {
    let ts = TestServer::start().await;
    let tiktok = ts.profile("tiktok", "standard").await;
    let linkedin = ts.profile("linkedin", "standard").await;
    let now = now(&ts).await;
    let past = now.checked_sub(SignedDuration::from_mins(1)).unwrap().to_string();
    let (status, error) = create(&ts, scheduled(&linkedin, &past, None)).await;
    assert_eq!(assert_error(status, &error, 422, "SCHEDULE_IN_PAST")["field"], "scheduledFor");

    let in_11_days = now.checked_add(SignedDuration::from_hours(24 * 11)).unwrap().to_string();
    let (status, error) = create(&ts, scheduled(&tiktok, &in_11_days, None)).await;
    let error = assert_error(status, &error, 422, "SCHEDULE_TOO_FAR");
    assert_eq!(error["platform"], "tiktok");
    assert_eq!(error["details"]["horizonDays"], 10);
    // Cross-posting takes the strictest target's horizon.
    let both = json!({ "profileIds": [linkedin, tiktok], "content": { "text": "x" }, "scheduledFor": in_11_days });
    let (status, error) = create(&ts, both).await;
    assert_eq!(assert_error(status, &error, 422, "SCHEDULE_TOO_FAR")["platform"], "tiktok");
    // LinkedIn alone may go a year ahead.
    created(&ts, scheduled(&linkedin, &in_11_days, None)).await;
    let in_366_days = now.checked_add(SignedDuration::from_hours(24 * 366)).unwrap().to_string();
    let (status, error) = create(&ts, scheduled(&linkedin, &in_366_days, None)).await;
    assert_error(status, &error, 422, "SCHEDULE_TOO_FAR");

    let media_key = tiktok_video(&ts).await;
    let mut ok = tiktok_post(&tiktok, &media_key);
    ok["scheduledFor"] =
        json!(now.checked_add(SignedDuration::from_hours(24 * 9)).unwrap().to_string());
    assert_eq!(created(&ts, ok).await["status"], "scheduled");
}

#[tokio::test]
async fn a_scheduled_post_starts_at_publish_at_on_the_virtual_clock() {
    let ts = TestServer::start().await;
    let profile = ts.profile("linkedin", "standard").await;
    let at = now(&ts).await.checked_add(SignedDuration::from_hours(6)).unwrap();
    let post = created(&ts, scheduled(&profile, &at.to_string(), None)).await;
    let id = post["id"].as_str().unwrap();
    assert_eq!(post["status"], "scheduled");

    ts.advance(5.0 * 3600.0).await;
    assert_eq!(get_post(&ts, id).await["status"], "scheduled");
    ts.advance(3600.0 + 0.5).await;
    let post = get_post(&ts, id).await;
    assert_eq!(post["status"], "publishing", "{post}");
    assert_eq!(post["results"][0]["status"], "publishing");
    ts.advance(2.0).await;
    let post = get_post(&ts, id).await;
    assert_eq!(post["status"], "published", "{post}");
    let published_at: Timestamp =
        post["results"][0]["publishedAt"].as_str().unwrap().parse().unwrap();
    assert!(published_at >= at, "published {published_at}, scheduled {at}");
}
