//! The wire model against the JSON of PROTOCOL.md: field names, round trips, open enums.

use aether::model::*;
use aether::probe::{Container, MediaKind, VideoCodec};
use aether::ErrorCode;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

/// The model against spec/openapi.yaml's schemas.
#[path = "model_wire/spec.rs"]
mod spec;

/// The model's string enums against the spec's.
#[path = "model_wire/spec_enums.rs"]
mod spec_enums;

/// Parses `wire` into `T`, serializes it back, and asserts the JSON is unchanged.
fn round_trip<T: Serialize + DeserializeOwned>(wire: Value) -> T {
    let typed: T = serde_json::from_value(wire.clone()).expect("wire JSON parses");
    let back = serde_json::to_value(&typed).expect("model serializes");
    assert_eq!(back, wire, "JSON changed in a round trip");
    typed
}

fn post_json() -> Value {
    json!({
        "id": "post_1",
        "status": "partially_published",
        "profileIds": ["prof_tt", "prof_yt"],
        "content": { "text": "hello", "title": "Hello" },
        "mediaKeys": ["org_abc123/f47ac10b.mp4"],
        "media": [{ "mediaKey": "org_abc123/f47ac10b.mp4", "type": "video" }],
        "platforms": { "tiktok": {}, "youtube": { "privacyStatus": "unlisted" } },
        "scheduledFor": "2026-03-08T02:30:00",
        "timezone": "America/New_York",
        "publishAt": "2026-03-08T07:30:00Z",
        "scheduleResolution": "shifted_forward",
        "createdAt": "2026-03-01T10:00:00Z",
        "updatedAt": "2026-03-08T07:31:02Z",
        "results": [
            { "profileId": "prof_tt", "platform": "tiktok", "status": "published",
              "platformPostId": "7301", "url": "https://www.tiktok.com/@a/video/7301",
              "publishedAt": "2026-03-08T07:31:00Z", "attempts": 3 },
            { "profileId": "prof_yt", "platform": "youtube", "status": "failed", "attempts": 0,
              "error": { "code": "VIDEO_TOO_SHORT", "message": "video is 0.5 s; youtube needs 1 s",
                         "details": { "measuredMs": 500, "minMs": 1000 } } }
        ]
    })
}

#[test]
fn a_target_waiting_to_retry_shows_its_attempts_and_the_next_one() {
    let result: TargetResult = round_trip(json!({
        "profileId": "prof_tt", "platform": "tiktok", "status": "publishing",
        "attempts": 2, "nextAttemptAt": "2026-03-08T07:33:30.000Z"
    }));
    assert_eq!(result.attempts, 2);
    assert_eq!(result.next_attempt_at.as_deref(), Some("2026-03-08T07:33:30.000Z"));
    // A server from before publish retries sends neither: no attempt counted, none due.
    let older: TargetResult = serde_json::from_value(json!({
        "profileId": "prof_tt", "platform": "tiktok", "status": "published"
    }))
    .unwrap();
    assert_eq!((older.attempts, older.next_attempt_at), (0, None));
}

#[test]
fn error_body_of_the_protocol_round_trips() {
    let body: ErrorBody = round_trip(json!({
        "error": {
            "code": "CAPTION_TOO_LONG",
            "message": "caption is 2301 characters; tiktok allows 2200",
            "requestId": "req_123",
            "field": "content.text",
            "platform": "tiktok",
            "retryAfter": 3600,
            "details": { "length": 2301, "max": 2200 }
        }
    }));
    assert_eq!(body.error.code, ErrorCode::CaptionTooLong);
    assert_eq!(body.error.request_id, "req_123");
    assert_eq!(body.error.field.as_deref(), Some("content.text"));
    assert_eq!(body.error.platform, Some(Platform::Tiktok));
    assert_eq!(body.error.retry_after, Some(3600));
    assert_eq!(body.error.details.as_ref().unwrap()["max"], 2200);
}

#[test]
fn minimal_error_body_omits_absent_fields() {
    let body: ErrorBody = round_trip(json!({
        "error": { "code": "NOT_FOUND", "message": "no such post", "requestId": "req_9" }
    }));
    assert_eq!(body.error.code, ErrorCode::NotFound);
    assert!(body.error.field.is_none() && body.error.details.is_none());
}

#[test]
fn error_body_with_an_unknown_code_keeps_it() {
    let body: ErrorBody = round_trip(json!({
        "error": { "code": "QUOTA_FROM_THE_FUTURE", "message": "m", "requestId": "req_1" }
    }));
    assert_eq!(body.error.code, ErrorCode::Unknown("QUOTA_FROM_THE_FUTURE".into()));
}

#[test]
fn create_post_body_of_the_protocol_round_trips_with_typed_options() {
    let req: CreatePostRequest = round_trip(json!({
        "profileId": "prof_1",
        "content": { "text": "New video", "title": "A title" },
        "mediaKeys": ["org_abc123/f47ac10b.mp4"],
        "platforms": {
            "tiktok": { "privacyLevel": "PUBLIC_TO_EVERYONE", "disableDuet": false,
                        "disableStitch": false, "disableComment": false },
            "youtube": { "title": "A title", "privacyStatus": "public" },
            "reddit": { "subreddit": "rust", "title": "A title" }
        },
        "scheduledFor": "2026-06-15T09:00:00",
        "timezone": "America/New_York",
        "draft": false
    }));
    let tiktok = req.platforms.tiktok.as_ref().unwrap();
    assert_eq!(tiktok.privacy_level, Some(TikTokPrivacyLevel::PublicToEveryone));
    assert_eq!(tiktok.disable_duet, Some(false));
    assert_eq!(tiktok.is_aigc, None);
    let youtube = req.platforms.youtube.as_ref().unwrap();
    assert_eq!(youtube.privacy_status, Some(YoutubePrivacyStatus::Public));
    assert_eq!(req.platforms.reddit.as_ref().unwrap().subreddit.as_deref(), Some("rust"));
    assert_eq!(req.platforms.platforms(), [Platform::Tiktok, Platform::Youtube, Platform::Reddit]);
    assert!(req.platforms.unknown_fields().is_empty());
    assert_eq!(req.scheduled_for.as_deref(), Some("2026-06-15T09:00:00"));
    assert_eq!(req.draft, Some(false));
}

#[test]
fn tutorial_minimal_create_post_round_trips() {
    let req: CreatePostRequest = round_trip(json!({
        "profileId": "prof_1",
        "content": { "text": "Check this out" },
        "mediaKeys": ["org_abc123/f47ac10b.mp4"],
        "platforms": { "tiktok": {} }
    }));
    assert_eq!(req.platforms.tiktok, Some(TikTokOptions::default()));
    assert_eq!(req.platforms.platforms(), [Platform::Tiktok]);
    assert!(req.platforms.contains(&Platform::Tiktok));
    assert!(!req.platforms.contains(&Platform::Youtube));
    assert_eq!(req.all_profile_ids(), ["prof_1"]);
}

#[test]
fn a_request_built_in_code_has_the_tutorial_wire_shape() {
    let req = CreatePostRequest {
        profile_id: Some("prof_1".into()),
        content: Some(PostContent::new("Check this out")),
        media_keys: vec!["org_abc123/f47ac10b.mp4".into()],
        platforms: PlatformOptionsMap {
            tiktok: Some(TikTokOptions::default()),
            ..Default::default()
        },
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&req).unwrap(),
        json!({
            "profileId": "prof_1",
            "content": { "text": "Check this out" },
            "mediaKeys": ["org_abc123/f47ac10b.mp4"],
            "platforms": { "tiktok": {} }
        })
    );
}

#[test]
fn field_names_are_camel_case_on_the_wire() {
    let tiktok = TikTokOptions {
        privacy_level: Some(TikTokPrivacyLevel::SelfOnly),
        disable_duet: Some(true),
        disable_stitch: Some(true),
        disable_comment: Some(false),
        is_aigc: Some(true),
        brand_content: Some(false),
        ..Default::default()
    };
    let json = serde_json::to_value(&tiktok).unwrap();
    let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "brandContent",
            "disableComment",
            "disableDuet",
            "disableStitch",
            "isAigc",
            "privacyLevel"
        ]
    );
    assert_eq!(json["privacyLevel"], "SELF_ONLY");

    let upload = CreateUploadRequest {
        file_name: "v.mp4".into(),
        mime_type: "video/mp4".into(),
        size: 10,
        sha256: Some("ab".into()),
        part_size: Some(5 << 20),
    };
    let json = serde_json::to_string(&upload).unwrap();
    assert_eq!(
        json,
        r#"{"fileName":"v.mp4","mimeType":"video/mp4","size":10,"sha256":"ab","partSize":5242880}"#
    );

    let reddit = RedditOptions { flair_id: Some("f1".into()), ..Default::default() };
    assert_eq!(serde_json::to_value(&reddit).unwrap(), json!({ "flairId": "f1" }));
    let yt = YoutubeOptions {
        category_id: Some("22".into()),
        made_for_kids: Some(false),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&yt).unwrap(),
        json!({ "categoryId": "22", "madeForKids": false })
    );
}

#[test]
fn unknown_enum_values_are_kept_and_written_back_unchanged() {
    let mut wire = post_json();
    wire["status"] = json!("archived");
    wire["results"][0]["status"] = json!("moderating");
    wire["scheduleResolution"] = json!("later_instant");
    let post: Post = round_trip(wire);
    assert_eq!(post.status, PostStatus::Unknown("archived".into()));
    assert!(post.status.is_unknown());
    assert!(!post.is_terminal(), "an unknown status keeps a poller polling");
    assert_eq!(post.results[0].status, TargetStatus::Unknown("moderating".into()));
    assert_eq!(post.schedule_resolution, Some(ScheduleResolution::Unknown("later_instant".into())));

    let profile: Profile = round_trip(json!({
        "id": "prof_1", "platform": "bluesky", "username": "a", "displayName": "A",
        "tier": "enterprise", "status": "suspended", "connectedAt": "2026-01-01T00:00:00Z"
    }));
    assert_eq!(profile.platform, Platform::Unknown("bluesky".into()));
    assert_eq!(profile.tier, Tier::Unknown("enterprise".into()));
    assert_eq!(profile.status, ProfileStatus::Unknown("suspended".into()));

    let opts: TikTokOptions = round_trip(json!({ "privacyLevel": "FRIENDS_OF_FRIENDS" }));
    assert_eq!(opts.privacy_level, Some(TikTokPrivacyLevel::Unknown("FRIENDS_OF_FRIENDS".into())));
}

#[test]
fn post_of_the_protocol_round_trips() {
    let post: Post = round_trip(post_json());
    assert_eq!(post.status, PostStatus::PartiallyPublished);
    assert!(post.is_terminal());
    assert_eq!(post.schedule_resolution, Some(ScheduleResolution::ShiftedForward));
    assert_eq!(post.publish_at.as_deref(), Some("2026-03-08T07:30:00Z"));
    let failed = post.result_for("prof_yt").unwrap();
    assert_eq!(failed.status, TargetStatus::Failed);
    assert_eq!(failed.error.as_ref().unwrap().code, ErrorCode::VideoTooShort);
    assert_eq!(failed.error.as_ref().unwrap().details.as_ref().unwrap()["minMs"], 1000);
    let ok = post.result_for("prof_tt").unwrap();
    assert_eq!(ok.published_at.as_deref(), Some("2026-03-08T07:31:00Z"));
    assert!(post.result_for("prof_nope").is_none());
}

#[test]
fn post_accepts_null_for_optional_fields() {
    let mut wire = post_json();
    wire["scheduledFor"] = Value::Null;
    wire["timezone"] = Value::Null;
    wire["publishAt"] = Value::Null;
    wire["scheduleResolution"] = Value::Null;
    wire["error"] = Value::Null;
    let post: Post = serde_json::from_value(wire).unwrap();
    assert_eq!(post.scheduled_for, None);
    assert_eq!(post.schedule_resolution, None);
    let back = serde_json::to_value(&post).unwrap();
    assert!(back.get("publishAt").is_none(), "None is omitted, not written as null");
}

#[test]
fn status_helpers_follow_the_state_machine() {
    let terminal: Vec<&str> =
        PostStatus::ALL.iter().filter(|s| s.is_terminal()).map(|s| s.as_str()).collect();
    assert_eq!(terminal, ["published", "partially_published", "failed", "cancelled"]);
    let editable: Vec<&str> =
        PostStatus::ALL.iter().filter(|s| s.is_editable()).map(|s| s.as_str()).collect();
    assert_eq!(editable, ["draft", "scheduled"]);
    let target_terminal: Vec<&str> =
        TargetStatus::ALL.iter().filter(|s| s.is_terminal()).map(|s| s.as_str()).collect();
    assert_eq!(target_terminal, ["published", "failed", "cancelled"]);
    assert!(!ConnectLinkStatus::Pending.is_terminal());
    assert!(ConnectLinkStatus::Denied.is_terminal());
}

#[test]
fn unknown_platform_option_fields_are_preserved() {
    let req: CreatePostRequest = round_trip(json!({
        "profileId": "prof_1",
        "content": { "text": "hi" },
        "platforms": {
            "tiktok": { "privacyLevel": "SELF_ONLY", "autoAddMusic": true },
            "facebook": { "pageId": "123" },
            "mastodon": { "visibility": "unlisted" }
        }
    }));
    let tiktok = req.platforms.tiktok.as_ref().unwrap();
    assert_eq!(tiktok.extra.get("autoAddMusic"), Some(&json!(true)));
    assert_eq!(
        req.platforms.unknown_fields(),
        [(Platform::Tiktok, "autoAddMusic"), (Platform::Facebook, "pageId")]
    );
    assert_eq!(req.platforms.other.get("mastodon"), Some(&json!({ "visibility": "unlisted" })));
    assert_eq!(
        req.platforms.platforms(),
        [Platform::Tiktok, Platform::Facebook, Platform::Unknown("mastodon".into())]
    );
    assert!(req.platforms.contains(&Platform::Unknown("mastodon".into())));
}

#[test]
fn cross_post_profile_ids_are_collected_once() {
    let req: CreatePostRequest = round_trip(json!({
        "profileId": "prof_a",
        "profileIds": ["prof_b", "prof_a", "prof_c"],
        "content": { "text": "hi" }
    }));
    assert_eq!(req.all_profile_ids(), ["prof_a", "prof_b", "prof_c"]);
    assert!(req.platforms.is_empty());
    assert!(req.media_keys.is_empty());
}

#[test]
fn update_post_sends_only_what_changes() {
    let req = UpdatePostRequest {
        scheduled_for: Some("2026-06-15T13:00:00Z".into()),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&req).unwrap(),
        json!({ "scheduledFor": "2026-06-15T13:00:00Z" })
    );
    let req: UpdatePostRequest = round_trip(json!({ "content": { "text": "edited" } }));
    assert_eq!(req.content, Some(PostContent::new("edited")));
}

#[test]
fn webhook_secret_never_appears_in_debug_output() {
    let hook: Webhook = round_trip(json!({
        "id": "wh_1", "url": "https://example.com/hook",
        "events": ["post.published", "post.failed"],
        "secret": "whsec_s3cr3t_value", "createdAt": "2026-01-01T00:00:00Z"
    }));
    assert_eq!(hook.secret.as_deref(), Some("whsec_s3cr3t_value"));
    assert_eq!(hook.events, [WebhookEventType::PostPublished, WebhookEventType::PostFailed]);
    let debug = format!("{hook:?} {hook:#?}");
    assert!(!debug.contains("s3cr3t"), "secret leaked: {debug}");
    assert!(debug.contains("redacted") && debug.contains("wh_1"));

    // Listing: no secret at all, and nothing to redact.
    let listed: Webhook = round_trip(json!({
        "id": "wh_1", "url": "https://example.com/hook", "events": ["post.scheduled"],
        "createdAt": "2026-01-01T00:00:00Z"
    }));
    assert_eq!(listed.secret, None);
    assert!(!format!("{listed:?}").contains("redacted"));
}

#[test]
fn webhook_event_uses_type_on_the_wire() {
    let wire = json!({
        "id": "evt_1", "type": "post.published", "createdAt": "2026-03-08T07:31:02Z",
        "data": { "post": post_json() }
    });
    let event: WebhookEvent = round_trip(wire);
    assert_eq!(event.r#type, WebhookEventType::PostPublished);
    assert_eq!(event.data.post.as_ref().unwrap().id, "post_1");
    let request: CreateWebhookRequest = round_trip(json!({
        "url": "https://example.com/hook", "events": ["post.cancelled", "post.reposted"]
    }));
    assert_eq!(request.events[1], WebhookEventType::Unknown("post.reposted".into()));
}

#[test]
fn connect_links_and_profiles_round_trip() {
    let req: CreateConnectLinkRequest = round_trip(json!({
        "platform": "tiktok", "redirectUrl": "https://app.example/cb", "state": "xyz"
    }));
    assert_eq!(req.platform, Platform::Tiktok);
    let pending: ConnectLink = round_trip(json!({
        "id": "link_1", "platform": "tiktok", "url": "https://api.aetherhq.dev/connect/link_1",
        "redirectUrl": "https://app.example/cb", "state": "xyz", "status": "pending",
        "expiresAt": "2026-01-01T01:00:00Z"
    }));
    assert_eq!(pending.status, ConnectLinkStatus::Pending);
    assert_eq!(pending.profile_id, None);
    let done: ConnectLink = round_trip(json!({
        "id": "link_1", "platform": "tiktok", "url": "https://api.aetherhq.dev/connect/link_1",
        "redirectUrl": "https://app.example/cb", "status": "completed",
        "expiresAt": "2026-01-01T01:00:00Z", "profileId": "prof_1"
    }));
    assert_eq!(done.profile_id.as_deref(), Some("prof_1"));

    let page: Page<Profile> = round_trip(json!({
        "data": [{ "id": "prof_1", "platform": "tiktok", "username": "creator",
                   "displayName": "Creator", "tier": "standard", "status": "active",
                   "connectedAt": "2026-01-01T00:00:00Z" }],
        "nextCursor": null
    }));
    assert_eq!(page.data[0].tier, Tier::Standard);
    assert_eq!(page.data[0].status, ProfileStatus::Active);
    assert_eq!(page.next_cursor, None);
    let with_cursor: Page<Profile> = round_trip(json!({ "data": [], "nextCursor": "c_2" }));
    assert_eq!(with_cursor.next_cursor.as_deref(), Some("c_2"));
}

#[test]
fn platforms_response_keys_rules_by_platform() {
    let resp: PlatformsResponse = round_trip(json!({
        "version": "2026-01-01",
        "platforms": { "tiktok": { "textMax": 2200 }, "youtube": { "textMax": 5000 } }
    }));
    assert_eq!(resp.platforms[&Platform::Tiktok]["textMax"], 2200);
    assert_eq!(resp.platforms.len(), 2);
}

#[test]
fn upload_flow_bodies_round_trip() {
    let session: UploadSession = round_trip(json!({
        "uploadId": "upl_1", "mediaKey": "org_abc123/f47ac10b.mp4", "partSize": 8388608,
        "partCount": 3, "expiresAt": "2026-01-02T00:00:00Z"
    }));
    assert_eq!(session.part_count, 3);
    let receipt: PartReceipt =
        round_trip(json!({ "partNumber": 1, "size": 8388608, "crc32c": "AAAAAA==" }));
    assert_eq!(receipt.part_number, 1);
    let state: UploadState = round_trip(json!({
        "uploadId": "upl_1", "mediaKey": "org_abc123/f47ac10b.mp4", "status": "uploading",
        "size": 20000000, "partSize": 8388608,
        "parts": [{ "partNumber": 2, "size": 8388608, "crc32c": "q83vEg==" }]
    }));
    assert_eq!(state.status, UploadStatus::Uploading);
    assert_eq!(state.parts[0].crc32c, "q83vEg==");
    let complete: CompleteUploadRequest = round_trip(json!({}));
    assert_eq!(complete.sha256, None);
    let complete: CompleteUploadRequest = round_trip(json!({ "sha256": "ab12" }));
    assert_eq!(complete.sha256.as_deref(), Some("ab12"));
    let complete: CompleteUploadRequest = round_trip(json!({ "crc32c": "yZRlqg==" }));
    assert_eq!((complete.crc32c.as_deref(), complete.sha256), (Some("yZRlqg=="), None));
}

#[test]
fn media_round_trips_ready_and_failed() {
    let ready: Media = round_trip(json!({
        "mediaKey": "org_abc123/f47ac10b.mp4", "fileName": "video.mp4", "mimeType": "video/mp4",
        "size": 1048576, "crc32c": "yZRlqg==", "sha256": "e3b0", "status": "ready", "kind": "video",
        "durationMs": 30500, "width": 1080, "height": 1920, "videoCodec": "h264",
        "audioCodec": "aac", "container": "mp4"
    }));
    assert_eq!(ready.status, MediaStatus::Ready);
    assert_eq!(ready.kind, MediaKind::Video);
    assert_eq!(ready.video_codec, Some(VideoCodec::H264));
    assert_eq!(ready.container, Some(Container::Mp4));
    assert_eq!(ready.duration_ms, Some(30500));

    let failed: Media = round_trip(json!({
        "mediaKey": "org_abc123/x.mp4", "fileName": "x.mp4", "mimeType": "video/mp4",
        "size": 10, "status": "failed", "kind": "video",
        "error": { "code": "UNSUPPORTED_MEDIA_TYPE", "message": "no video track" }
    }));
    assert_eq!(failed.status, MediaStatus::Failed);
    // Neither checksum is required: `sha256` is there only when a client sent one.
    assert_eq!((failed.crc32c.as_deref(), failed.sha256.as_deref()), (None, None));
    assert_eq!(failed.error.unwrap().code, ErrorCode::UnsupportedMediaType);
}

#[test]
fn list_queries_use_camel_case_names() {
    let query = ListPostsQuery {
        status: Some(PostStatus::Scheduled),
        profile_id: Some("prof_1".into()),
        limit: Some(50),
        cursor: None,
    };
    assert_eq!(
        serde_json::to_value(&query).unwrap(),
        json!({ "status": "scheduled", "profileId": "prof_1", "limit": 50 })
    );
    let list: ListQuery = round_trip(json!({ "limit": 10, "cursor": "c_1" }));
    assert_eq!(list.limit, Some(10));
}

#[test]
fn a_create_body_read_from_json_names_an_unknown_key_and_its_nearest_name() {
    let refused = |body: Value| CreatePostRequest::from_json(body).unwrap_err();
    let error = refused(json!({ "profileId": "p", "text": "x", "platfroms": {} }));
    assert_eq!(*error.code(), aether::ErrorCode::InvalidArgument);
    assert_eq!(
        error.message(),
        "unknown field `platfroms` in posts.create params; did you mean `platforms`?"
    );
    assert_eq!(error.field(), Some("platfroms"));
    let error = refused(json!({ "text": "x", "media": [{ "mediakey": "k" }] }));
    assert_eq!(error.field(), Some("media[0].mediakey"), "{error}");
    let error = refused(json!({ "content": { "txt": "x" } }));
    assert_eq!(error.field(), Some("content.txt"));
    assert!(error.message().contains("did you mean `text`?"), "{error}");
    let error =
        refused(json!({ "text": "x", "overrides": { "tiktok": { "privacyLevle": "SELF_ONLY" } } }));
    assert_eq!(error.field(), Some("overrides.tiktok.privacyLevle"));
    // An option far from every known name is left for the server to judge.
    let kept = CreatePostRequest::from_json(
        json!({ "platforms": { "tiktok": { "autoCaptions": true } } }),
    );
    assert!(kept.is_ok());
    let error = refused(json!({ "text": "x", "bananas": 1 }));
    assert!(error.message().contains("known fields: profileId"), "{error}");
}

#[test]
fn two_forms_of_one_thing_fail_the_check_with_the_servers_field() {
    let field = |body: Value| {
        let request = CreatePostRequest::from_json(body).unwrap();
        let error = request.check().unwrap_err();
        assert_eq!(*error.code(), aether::ErrorCode::InvalidRequest);
        error.field().unwrap().to_owned()
    };
    assert_eq!(field(json!({ "text": "a", "content": { "text": "b" } })), "text");
    assert_eq!(field(json!({ "title": "a", "content": { "text": "b" } })), "title");
    assert_eq!(field(json!({ "platforms": { "tiktok": {} }, "overrides": {} })), "overrides");
    assert_eq!(field(json!({ "mediaKeys": ["k"], "mediaUrls": ["http://h/a.jpg"] })), "media");
    assert_eq!(
        field(json!({ "media": [{ "url": "http://h/a.jpg", "mediaKey": "k" }] })),
        "media[0]"
    );
    let fine = CreatePostRequest::from_json(
        json!({ "text": "a", "media": [{ "url": "u", "type": "image" }] }),
    );
    assert!(fine.unwrap().check().is_ok());
}
