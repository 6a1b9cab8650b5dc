"""The C API's getters against spec/openapi.yaml: every property of a schema the C API exposes as
a handle has a getter `aether_<handle>_<field>` in include/aether.h (field in snake_case), or an
entry below naming the getters that stand for it, or a reason it has none. A property added to
the spec fails here until the C API says how it is read.

Usage: python3 tests/c/model_spec.py include/aether.h spec/openapi.yaml (from 40-c.sh)."""

import re
import sys

try:
    import yaml
except ImportError:
    sys.exit("tests/c/model_spec.py needs PyYAML (apt-get install python3-yaml)")

# Handle -> the schema it mirrors (a path under components/schemas).
HANDLES = {
    "connect_link": "ConnectLink",
    "profile": "Profile",
    "media": "Media",
    "post": "Post",
    "target_result": "TargetResult",
    "webhook": "Webhook",
    "event": "WebhookEvent",
    "comment": "Comment",
    "message": "Message",
    "webhook_delivery": "WebhookDelivery",
    "error": "ErrorBody/error",
    "bulk_result": "BulkResult",
    "bulk_row_result": "BulkRowResult",
    "capabilities": "ProfileCapabilities",
}

# (handle, property) -> the getters that read it, when not named aether_<handle>_<field>.
GETTERS = {
    ("media", "mediaKey"): ["aether_media_key"],
    ("media", "error"): ["aether_media_error_code", "aether_media_error_message"],
    ("post", "content"): ["aether_post_text", "aether_post_title"],
    ("post", "profileIds"): ["aether_post_profile_id", "aether_post_profile_id_count"],
    ("post", "mediaKeys"): ["aether_post_media_key", "aether_post_media_key_count"],
    ("post", "media"): [
        "aether_post_media_count",
        "aether_post_media_type",
        "aether_post_media_source_url",
    ],
    ("post", "warnings"): [
        "aether_post_warning_count",
        "aether_post_warning_code",
        "aether_post_warning_message",
        "aether_post_warning_field",
        "aether_post_warning_platform",
    ],
    ("post", "platforms"): ["aether_post_platforms_json"],
    ("post", "results"): ["aether_post_result", "aether_post_result_count"],
    ("post", "error"): ["aether_post_error_code", "aether_post_error_message"],
    ("target_result", "error"): [
        "aether_target_result_error_code",
        "aether_target_result_error_message",
    ],
    ("webhook", "events"): ["aether_webhook_event_count", "aether_webhook_event_at"],
    ("error", "retryAfter"): ["aether_error_retry_after_ms"],
    ("bulk_result", "results"): ["aether_bulk_result_row", "aether_bulk_result_row_count"],
    ("bulk_row_result", "post"): ["aether_bulk_row_result_post", "aether_bulk_row_result_post_id"],
    ("bulk_row_result", "error"): [
        "aether_bulk_row_result_error_code",
        "aether_bulk_row_result_error_message",
        "aether_bulk_row_result_error_field",
    ],
    ("event", "data"): ["aether_event_post", "aether_event_comment", "aether_event_message"],
    ("comment", "author"): ["aether_comment_author_id", "aether_comment_author_username"],
    ("message", "author"): ["aether_message_author_id", "aether_message_author_username"],
    ("capabilities", "privacyLevelOptions"): [
        "aether_capabilities_privacy_level_option_count",
        "aether_capabilities_privacy_level_option_at",
    ],
}

# (handle, property) -> why there is no getter.
NO_GETTER = {
    ("error", "details"): "code-specific JSON: read it from aether_error_to_json",
    ("bulk_row_result", "warnings"): "JSON objects: read them from aether_bulk_result_to_json",
}


def snake(name):
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def main(header_path, spec_path):
    with open(header_path, encoding="utf-8") as f:
        functions = set(re.findall(r"\b(aether_[a-z0-9_]+)\(", f.read()))
    with open(spec_path, encoding="utf-8") as f:
        spec = yaml.safe_load(f)

    def schema(handle):
        head, *rest = HANDLES[handle].split("/")
        node = spec["components"]["schemas"][head]
        for key in rest:
            node = node["properties"][key]
        return node

    faults = []
    for handle, path in HANDLES.items():
        for prop in schema(handle).get("properties", {}):
            key = (handle, prop)
            if key in NO_GETTER:
                continue
            wanted = GETTERS.get(key, [f"aether_{handle}_{snake(prop)}"])
            missing = [g for g in wanted if g not in functions]
            if missing:
                faults.append(f"{path}.{prop}: no {', '.join(missing)} in {header_path}")
    for table in (GETTERS, NO_GETTER):
        for handle, prop in table:
            if prop not in schema(handle).get("properties", {}):
                faults.append(f"tests/c/model_spec.py lists {handle}.{prop}, not in the schema")
    if faults:
        sys.exit("the C API and spec/openapi.yaml disagree (add the getter, or an entry in "
                 "tests/c/model_spec.py with the reason):\n" + "\n".join(faults))
    print(f"{len(HANDLES)} handles: every property has a getter or a reason")


if __name__ == "__main__":
    main(*sys.argv[1:])
