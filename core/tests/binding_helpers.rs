//! The helpers the bindings share instead of each writing its own: platform options from JSON
//! text (`PlatformOptionsMap::from_json_str` / `set_json`) and an error as one JSON object
//! (`Error::to_json`).

use aether::model::{Platform, PlatformOptionsMap, TikTokPrivacyLevel};
use aether::{Error, ErrorCode};
use serde_json::json;

#[test]
fn platform_options_from_json_text() {
    let options = PlatformOptionsMap::from_json_str(
        r#"{"tiktok": {"privacyLevel": "SELF_ONLY", "disableDuet": true}, "linkedin": {},
            "mastodon": {"visibility": "unlisted"}}"#,
    )
    .unwrap();
    let tiktok = options.tiktok.as_ref().unwrap();
    assert_eq!(tiktok.privacy_level, Some(TikTokPrivacyLevel::SelfOnly));
    assert_eq!(tiktok.disable_duet, Some(true));
    assert!(options.linkedin.is_some());
    assert_eq!(options.other["mastodon"], json!({"visibility": "unlisted"}));
    let back = serde_json::to_value(&options).unwrap();
    assert_eq!(back["tiktok"], json!({"privacyLevel": "SELF_ONLY", "disableDuet": true}));
}

#[test]
fn unknown_option_fields_are_kept_for_the_server_to_refuse() {
    let mut options = PlatformOptionsMap::default();
    options.set_json(&Platform::Tiktok, json!({"privacyLevl": "SELF_ONLY"})).unwrap();
    assert_eq!(options.unknown_fields(), vec![(Platform::Tiktok, "privacyLevl")]);
}

#[test]
fn malformed_platform_options_are_invalid_arguments() {
    for text in ["", "{", "[]", "\"tiktok\"", r#"{"tiktok": 3}"#, r#"{"tiktok": []}"#] {
        let error = PlatformOptionsMap::from_json_str(text).unwrap_err();
        assert_eq!(error.code(), &ErrorCode::InvalidArgument, "{text:?}");
    }
    let error =
        PlatformOptionsMap::from_json_str(r#"{"tiktok": {"disableDuet": "yes"}}"#).unwrap_err();
    assert_eq!(error.code(), &ErrorCode::InvalidArgument);
    assert_eq!(error.field(), Some("platforms.tiktok"));
    assert_eq!(error.platform(), Some(&Platform::Tiktok));
    let mut options = PlatformOptionsMap::default();
    let error = options.set_json(&Platform::parse(""), json!({})).unwrap_err();
    assert_eq!(error.code(), &ErrorCode::InvalidArgument);
}

#[test]
fn an_error_as_json_has_every_field_it_carries() {
    let error = Error::new(ErrorCode::PostLimitReached, "quota used")
        .with_status(429)
        .with_request_id("req_1")
        .with_retry_after(std::time::Duration::from_millis(1500))
        .with_platform(Platform::Tiktok)
        .with_details(json!({"resetAt": "2026-06-16T00:00:00Z"}));
    assert_eq!(
        error.to_json(),
        json!({"code": "POST_LIMIT_REACHED", "message": "quota used", "status": 429,
               "requestId": "req_1", "retryAfterMs": 1500, "platform": "tiktok",
               "details": {"resetAt": "2026-06-16T00:00:00Z"}, "retryable": false})
    );
    assert_eq!(
        Error::invalid_argument("x").to_json(),
        json!({"code": "INVALID_ARGUMENT", "message": "x", "retryable": false})
    );
    let unavailable = Error::new(ErrorCode::ServiceUnavailable, "busy").with_status(503);
    assert_eq!(unavailable.to_json()["retryable"], true, "a transient code can succeed later");
}
