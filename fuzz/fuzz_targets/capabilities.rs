//! Decodes arbitrary bodies as `GET /v1/profiles/{id}/capabilities` answers
//! (`aether::model::ProfileCapabilities`, with its open enums `Platform`, `Tier` and
//! `TikTokPrivacyLevel` and its timestamp). A panic, an overflow or a broken promise is a crash:
//! - a body either decodes or is refused with an error (never a panic, whatever the nesting);
//! - what decodes encodes again, and that encoding decodes to the same value (an unknown
//!   platform, tier or privacy level survives the round trip as itself).
//!
//! Input: the body's bytes.
#![no_main]

use aether::model::ProfileCapabilities;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(capabilities) = serde_json::from_slice::<ProfileCapabilities>(data) else { return };
    let encoded = serde_json::to_vec(&capabilities).expect("a decoded value encodes");
    let again: ProfileCapabilities =
        serde_json::from_slice(&encoded).expect("what the SDK encodes, it decodes");
    assert_eq!(again, capabilities, "the round trip keeps every field");
});
