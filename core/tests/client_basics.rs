//! The client builder, the error type and its decoder, and the connect-link callback check:
//! everything that needs no server.

use std::time::Duration;

use aether::connect_links::verify_callback;
use aether::transport::RateLimit;
use aether::{decode_error, Client, Error, ErrorCode, RequestOptions};
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::json;

fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>() {}

#[test]
fn the_client_and_its_errors_are_send_sync_and_clone() {
    assert_send_sync_clone::<Client>();
    assert_send_sync_clone::<Error>();
    assert_send_sync_clone::<RequestOptions>();
    assert_send_sync_clone::<aether::posts::WaitOptions>();
    fn is_std_error<E: std::error::Error + Send + Sync + 'static>() {}
    is_std_error::<Error>();
}

#[test]
fn the_environment_supplies_what_the_builder_does_not() {
    // The only test of this binary that touches the environment.
    std::env::remove_var("AETHER_API_KEY");
    std::env::remove_var("AETHER_BASE_URL");
    let error = Client::builder().build().unwrap_err();
    assert_eq!(error.code(), &ErrorCode::InvalidArgument);
    assert!(error.message().contains("AETHER_API_KEY"), "{error}");
    assert!(error.message().contains("api_key("), "{error}");

    let client = Client::builder().api_key("sk_test_x").build().unwrap();
    assert_eq!(client.base_url(), "https://api.aetherhq.dev");

    std::env::set_var("AETHER_API_KEY", "sk_test_from_env");
    std::env::set_var("AETHER_BASE_URL", "http://127.0.0.1:9/");
    let client = Client::from_env().unwrap();
    assert_eq!(client.base_url(), "http://127.0.0.1:9");
    let explicit = Client::builder().base_url("https://eu.example.test").build().unwrap();
    assert_eq!(explicit.base_url(), "https://eu.example.test");
    std::env::remove_var("AETHER_API_KEY");
    std::env::remove_var("AETHER_BASE_URL");
}

#[test]
fn bad_settings_are_refused_when_building() {
    for url in ["not a url", "ftp://example.com", "https://user:pw@example.com", "https://x/?a=1"] {
        let error = Client::builder().api_key("sk_test_x").base_url(url).build().unwrap_err();
        assert_eq!(error.code(), &ErrorCode::InvalidArgument, "{url}");
    }
    for key in ["", "   ", "sk_test with space", "sk_tést"] {
        let error = Client::builder().api_key(key).base_url("http://127.0.0.1:9").build();
        assert_eq!(error.unwrap_err().code(), &ErrorCode::InvalidArgument, "{key:?}");
    }
    let error = Client::builder().api_key("sk_test_x").user_agent_suffix("bad\nsuffix").build();
    assert_eq!(error.unwrap_err().code(), &ErrorCode::InvalidArgument);
}

#[test]
fn the_user_agent_names_the_sdk_and_the_binding() {
    let version = env!("CARGO_PKG_VERSION");
    let plain = Client::builder().api_key("sk_test_x").build().unwrap();
    assert_eq!(plain.user_agent(), format!("aether-sdk-rust/{version}"));
    let python = Client::builder().api_key("sk_test_x").user_agent_suffix("python/3.11").build();
    assert_eq!(python.unwrap().user_agent(), format!("aether-sdk-rust/{version} (python/3.11)"));
}

#[test]
fn debug_output_redacts_the_key() {
    let key = "sk_live_0123456789abcdef";
    let builder = Client::builder().api_key(key);
    let client = builder.clone().build().unwrap();
    for text in [format!("{builder:?}"), format!("{client:?}"), format!("{:?}", client.posts())] {
        assert!(!text.contains("0123456789abcdef"), "{text}");
    }
    assert!(format!("{client:?}").contains("sk_…[redacted]"));
}

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.insert(*name, HeaderValue::from_str(value).unwrap());
    }
    map
}

#[test]
fn an_api_error_body_is_decoded_field_by_field() {
    let body = json!({"error": {
        "code": "CAPTION_TOO_LONG", "message": "caption is 2301 characters; tiktok allows 2200",
        "requestId": "req_body", "field": "content.text", "platform": "tiktok",
        "details": {"measured": 2301, "allowed": 2200}}});
    let h = headers(&[
        ("x-request-id", "req_header"),
        ("x-ratelimit-limit", "100"),
        ("x-ratelimit-remaining", "7"),
        ("x-ratelimit-reset", "1800000000"),
    ]);
    let error = decode_error(422, &h, body.to_string().as_bytes());
    assert_eq!(error.code(), &ErrorCode::CaptionTooLong);
    assert_eq!(error.status(), Some(422));
    assert_eq!(error.request_id(), Some("req_body"));
    assert_eq!(error.field(), Some("content.text"));
    assert_eq!(error.platform(), Some(&aether::model::Platform::Tiktok));
    assert_eq!(error.details().unwrap()["measured"], 2301);
    assert_eq!(
        error.rate_limit(),
        Some(RateLimit { limit: 100, remaining: 7, reset: 1_800_000_000 })
    );
    assert_eq!(error.retry_after(), None);
    assert!(!error.is_retryable());
    assert_eq!(
        error.to_string(),
        "CAPTION_TOO_LONG: caption is 2301 characters; tiktok allows 2200 (request req_body)"
    );
}

#[test]
fn retry_after_comes_from_the_body_or_the_header_and_unknown_codes_are_kept() {
    let body = json!({"error": {"code": "SERVICE_UNAVAILABLE", "message": "busy"}});
    let h = headers(&[("retry-after", "7"), ("x-request-id", "req_h")]);
    let error = decode_error(503, &h, body.to_string().as_bytes());
    assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(error.request_id(), Some("req_h"), "the header fills a missing body id");
    assert!(error.is_retryable());

    let body = json!({"error": {"code": "POST_LIMIT_REACHED", "message": "quota",
                                "retryAfter": 3600, "details": {"resetAt": "2026-06-16T00:00:00Z"}}});
    let error = decode_error(429, &h, body.to_string().as_bytes());
    assert_eq!(error.retry_after(), Some(Duration::from_secs(3600)));
    assert!(!error.is_retryable());

    let body = json!({"error": {"code": "BRAND_NEW_CODE", "message": "from the future"}});
    let error = decode_error(400, &HeaderMap::new(), body.to_string().as_bytes());
    assert_eq!(error.code(), &ErrorCode::Unknown("BRAND_NEW_CODE".into()));
    assert_eq!(error.code().as_str(), "BRAND_NEW_CODE");
    assert!(!error.is_retryable());
    let error = decode_error(503, &HeaderMap::new(), body.to_string().as_bytes());
    assert!(error.is_retryable(), "an unknown code on a 503 is judged by its status");
}

#[test]
fn a_malformed_optional_field_does_not_hide_the_code() {
    // A fractional retryAfter or a field of the wrong type must not turn a daily-quota refusal
    // into a PROTOCOL_ERROR, which would be retried on a 429.
    let body = json!({"error": {"code": "POST_LIMIT_REACHED", "message": "quota",
                                "retryAfter": 3600.5, "field": ["profileId"], "platform": 7}});
    let error = decode_error(429, &HeaderMap::new(), body.to_string().as_bytes());
    assert_eq!(error.code(), &ErrorCode::PostLimitReached);
    assert_eq!(error.retry_after(), Some(Duration::from_secs(3601)));
    assert_eq!(error.field(), None);
    assert_eq!(error.platform(), None);
    assert!(!error.is_retryable());

    let body =
        json!({"error": {"code": "RATE_LIMITED", "message": "slow down", "retryAfter": "2"}});
    let error = decode_error(429, &HeaderMap::new(), body.to_string().as_bytes());
    assert_eq!(error.retry_after(), Some(Duration::from_secs(2)));

    // Strings are kept as sent, empty ones too; integer seconds stay exact, however large.
    let body = json!({"error": {"code": "CAPTION_TOO_LONG", "message": "too long", "field": "",
                                "retryAfter": u64::MAX}});
    let error = decode_error(422, &HeaderMap::new(), body.to_string().as_bytes());
    assert_eq!(error.field(), Some(""));
    assert_eq!(error.retry_after(), Some(Duration::from_secs(u64::MAX)));

    let body = json!({"error": {"code": 42, "message": "no code"}});
    let error = decode_error(400, &HeaderMap::new(), body.to_string().as_bytes());
    assert_eq!(error.code(), &ErrorCode::ProtocolError, "code and message stay required");
}

#[test]
fn retry_after_may_be_an_http_date() {
    let body = br#"{"error": {"code": "SERVICE_UNAVAILABLE", "message": "busy"}}"#;
    let past = headers(&[("retry-after", "Sun, 06 Nov 1994 08:49:37 GMT")]);
    assert_eq!(decode_error(503, &past, body).retry_after(), Some(Duration::ZERO));

    let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(20);
    let date = soon.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let error = decode_error(503, &headers(&[("retry-after", &date)]), body);
    let wait = error.retry_after().unwrap();
    assert!(wait >= Duration::from_secs(18) && wait <= Duration::from_secs(20), "{wait:?}");

    let garbage = headers(&[("retry-after", "soon")]);
    assert_eq!(decode_error(503, &garbage, body).retry_after(), None);
}

#[test]
fn a_body_that_is_not_an_api_error_is_a_protocol_error_with_a_snippet() {
    let html = format!("<html><body>{}</body></html>", "Bad gateway ".repeat(100));
    let error = decode_error(502, &headers(&[("x-request-id", "req_x")]), html.as_bytes());
    assert_eq!(error.code(), &ErrorCode::ProtocolError);
    assert_eq!(error.status(), Some(502));
    assert_eq!(error.request_id(), Some("req_x"));
    assert!(error.message().contains("<html><body>Bad gateway"), "{error}");
    assert!(error.message().len() < 400, "the body is quoted, not copied: {}", error.message());
    assert!(error.is_retryable(), "a proxy's 502 is transient");

    let error = decode_error(400, &HeaderMap::new(), br#"{"message": "not our shape"}"#);
    assert_eq!(error.code(), &ErrorCode::ProtocolError);
    assert!(!error.is_retryable());

    let error = decode_error(500, &HeaderMap::new(), &[0xff, 0xfe, b'x', 0xc3]);
    assert_eq!(error.code(), &ErrorCode::ProtocolError);
    assert!(error.message().contains('\u{fffd}'), "lossy UTF-8: {error}");

    let error = decode_error(503, &HeaderMap::new(), b"");
    assert!(error.message().contains("empty body"), "{error}");
    assert!(error.is_retryable());

    let error = decode_error(302, &headers(&[("location", "https://elsewhere.example/")]), b"");
    assert!(error.message().contains("redirect to https://elsewhere.example/"), "{error}");
}

#[test]
fn the_decoders_survive_arbitrary_input() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let shapes: [&[u8]; 4] = [
        br#"{"error": {"code": "X", "message": "m", "retryAfter": 18446744073709551615}}"#,
        br#"{"error": {"code": 1, "message": null}}"#,
        br#"{"error": {"code": "RATE_LIMITED", "message": "\ud800", "platform": "myspace"}}"#,
        b"\xf0\x9f\x98",
    ];
    for round in 0..3000 {
        let len = rng.random_range(0..600);
        let mut body: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        if round % 4 == 0 {
            body = shapes[round / 4 % shapes.len()].to_vec();
        }
        let status = rng.random_range(0..1000u16);
        let error = decode_error(status, &HeaderMap::new(), &body);
        assert!(error.message().chars().count() < 400);
        let text = String::from_utf8_lossy(&body);
        let _ = aether::webhooks::parse_signature_header(&text);
        let _ = verify_callback(&format!("https://a.example/cb?{text}"), "s");
    }
}

#[test]
fn client_side_errors_have_their_codes_and_a_source_chain() {
    let io = std::io::Error::new(std::io::ErrorKind::NotFound, "video.mp4 is missing");
    let error = Error::from(io);
    assert_eq!(error.code(), &ErrorCode::IoError);
    assert!(std::error::Error::source(&error).unwrap().to_string().contains("video.mp4"));
    assert_eq!(Error::network("x").code(), &ErrorCode::NetworkError);
    assert_eq!(Error::timeout("x").code(), &ErrorCode::Timeout);
    assert_eq!(Error::cancelled("x").code(), &ErrorCode::Cancelled);
    assert_eq!(Error::invalid_argument("x").code(), &ErrorCode::InvalidArgument);
    assert_eq!(Error::protocol("x").to_string(), "PROTOCOL_ERROR: x");
    assert!(Error::network("x").is_retryable());
    assert!(!Error::cancelled("x").is_retryable());
}

#[test]
fn a_callback_is_verified_against_the_session_state() {
    let ok = "https://app.example/cb?profileId=prof_1&linkId=link_1&state=s3cret";
    let outcome = verify_callback(ok, "s3cret").unwrap();
    assert_eq!(outcome.profile_id, "prof_1");
    assert_eq!(outcome.link_id, "link_1");

    for (url, state) in [
        (ok, "other"),
        (ok, ""),
        ("https://app.example/cb?profileId=prof_1&linkId=link_1", "s3cret"),
        ("https://app.example/cb?profileId=prof_1&linkId=link_1&state=s3cret&state=x", "s3cret"),
        ("https://app.example/cb?linkId=link_1&state=s3cret", "s3cret"),
        ("not a url", "s3cret"),
    ] {
        let error = verify_callback(url, state).unwrap_err();
        assert_eq!(error.code(), &ErrorCode::InvalidArgument, "{url} {state}");
    }

    // A forged denial with the wrong state is refused as a state mismatch, not believed.
    let denied = "https://app.example/cb?error=access_denied&linkId=link_1&state=s3cret";
    assert_eq!(verify_callback(denied, "x").unwrap_err().code(), &ErrorCode::InvalidArgument);
    let error = verify_callback(denied, "s3cret").unwrap_err();
    assert_eq!(error.code(), &ErrorCode::Forbidden);
    assert_eq!(error.details().unwrap()["error"], "access_denied");
}
