"""The result classes of ``aether`` against ``spec/openapi.yaml`` (``components/schemas``): each
class has one attribute per property of its schema (snake_case for the wire's camelCase), and an
attribute is ``Optional`` exactly when the property is not required (a property the spec gives a
``default`` is never absent in effect, so its attribute may hold that default instead). A field
added to the spec and not here (or renamed in one of them) fails with the class and the property
named."""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from pathlib import Path
from typing import Any, Dict, List, Tuple, Type

import pytest

import aether._models as models

SPEC = Path(__file__).resolve().parents[2] / "spec" / "openapi.yaml"

#: Class -> the schema it mirrors.
SCHEMA_OF: Dict[str, str] = {
    "ResultError": "ErrorSummary",
    "ConnectLink": "ConnectLink",
    "Profile": "Profile",
    "ProfileCapabilities": "ProfileCapabilities",
    "Media": "Media",
    "PostContent": "PostContent",
    "PostMedia": "PostMedia",
    "PostWarning": "PostWarning",
    "TargetResult": "TargetResult",
    "Post": "Post",
    "BulkResult": "BulkResult",
    "BulkRowResult": "BulkRowResult",
    "BulkRowError": "BulkRowError",
    "Webhook": "Webhook",
    "WebhookEvent": "WebhookEvent",
    "WebhookDelivery": "WebhookDelivery",
    "InboxAuthor": "InboxAuthor",
    "Comment": "Comment",
    "Message": "Message",
}

#: Attributes that are no property of the class's schema, with the reason.
EXTRA: Dict[Tuple[str, str], str] = {
    ("Webhook", "secret"): "the property WebhookWithSecret adds: one class for both, Optional",
}

#: Result classes that mirror no schema, with the reason.
NO_SCHEMA: Dict[str, str] = {
    "CallbackOutcome": "the query of the connect-link redirect, not a JSON body",
}

#: Object schemas without a class of their own, with the reason.
NO_CLASS: Dict[str, str] = {
    "ErrorBody": "raised as AetherError, whose attributes test_errors.py checks",
    "CreateConnectLinkRequest": "keyword arguments of connect_links.create",
    "MediaInput": "dicts in the media= keyword of posts.create",
    "ProfileList": "pages are iterated: profiles.list yields Profile",
    "PostList": "pages are iterated: posts.list yields Post",
    "WebhookList": "pages are iterated: webhooks.list yields Webhook",
    "WebhookDeliveryList": "pages are iterated: webhooks.deliveries yields WebhookDelivery",
    "PlatformRulesTable": "the rules are the core's (aether.platforms), not a result class",
    "PlatformRules": "the rules are the core's (aether.platforms), not a result class",
    "CreateUploadRequest": "the upload protocol is the core's; media.upload takes a path",
    "UploadSession": "the upload protocol is the core's; media.upload returns Media",
    "UploadPart": "the upload protocol is the core's",
    "UploadState": "the upload protocol is the core's",
    "CompleteUploadRequest": "the upload protocol is the core's",
    "IngestMediaRequest": "keyword arguments of media.upload(url=...)",
    "CreatePostRequest": "keyword arguments of posts.create",
    "UpdatePostRequest": "keyword arguments of posts.update",
    "PlatformOptions": "plain dicts, passed to the core as they are (Post.platforms)",
    "TiktokOptions": "plain dicts, passed to the core as they are",
    "InstagramOptions": "plain dicts, passed to the core as they are",
    "LinkedinOptions": "plain dicts, passed to the core as they are",
    "FacebookOptions": "plain dicts, passed to the core as they are",
    "YoutubeOptions": "plain dicts, passed to the core as they are",
    "ThreadsOptions": "plain dicts, passed to the core as they are",
    "RedditOptions": "plain dicts, passed to the core as they are",
    "CreateWebhookRequest": "keyword arguments of webhooks.create",
    "WebhookWithSecret": "Webhook, whose secret is Optional",
}


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _schemas() -> Dict[str, Any]:
    # Imported here, not at collection, so that the forking tests' children never hold it.
    import yaml

    with open(SPEC, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    schemas: Dict[str, Any] = spec["components"]["schemas"]
    return schemas


def _result_classes() -> Dict[str, Type[Any]]:
    return {
        name: cls
        for name, cls in vars(models).items()
        if isinstance(cls, type)
        and issubclass(cls, models._Model)
        and cls is not models._Model
    }


def _is_optional(hint: Any) -> bool:
    origin = typing.get_origin(hint)
    union_types: List[Any] = [typing.Union]
    if hasattr(types, "UnionType"):
        union_types.append(types.UnionType)
    return origin in union_types and type(None) in typing.get_args(hint)


def _faults(cls: Type[Any], schema: Dict[str, Any]) -> List[str]:
    name = cls.__name__
    hints = typing.get_type_hints(cls)
    fields = {f.name for f in dataclasses.fields(cls)}
    props = {_snake(p): p for p in schema.get("properties", {})}
    required = set(schema.get("required", []))
    faults = []
    for attribute, wire in sorted(props.items()):
        if attribute not in fields:
            faults.append(f"property {wire!r} has no attribute {attribute!r} in {name}")
            continue
        optional = _is_optional(hints[attribute])
        has_default = "default" in schema["properties"][wire]
        if wire in required and optional:
            faults.append(f"{name}.{attribute} is Optional, but {wire!r} is required")
        if wire not in required and not optional and not has_default:
            faults.append(f"{name}.{attribute} is not Optional, but {wire!r} is not required")
    for attribute in sorted(fields - set(props)):
        if (name, attribute) not in EXTRA:
            faults.append(f"attribute {name}.{attribute} is no property of the schema")
        elif not _is_optional(hints[attribute]):
            faults.append(f"{name}.{attribute} is not in the schema, so it must be Optional")
    return faults


def test_every_result_class_matches_its_schema() -> None:
    schemas = _schemas()
    faults = []
    for name, cls in sorted(_result_classes().items()):
        if name in NO_SCHEMA:
            continue
        schema_name = SCHEMA_OF.get(name)
        if schema_name is None:
            faults.append(f"{name}: no schema in SCHEMA_OF (or a reason in NO_SCHEMA)")
            continue
        faults += [f"{schema_name}: {f}" for f in _faults(cls, schemas[schema_name])]
    assert not faults, "spec/openapi.yaml and aether._models disagree:\n" + "\n".join(faults)


def test_every_object_schema_has_a_class_or_a_reason() -> None:
    schemas = _schemas()
    mapped = set(SCHEMA_OF.values())
    missing = [
        name
        for name, schema in schemas.items()
        if (schema.get("type") == "object" or "allOf" in schema)
        and name not in mapped
        and name not in NO_CLASS
    ]
    assert not missing, f"object schemas with neither a class nor a reason in NO_CLASS: {missing}"


@pytest.mark.parametrize("owner,attribute", sorted(EXTRA))
def test_the_listed_extras_exist(owner: str, attribute: str) -> None:
    fields = {f.name for f in dataclasses.fields(_result_classes()[owner])}
    assert attribute in fields, f"EXTRA lists {owner}.{attribute}, which does not exist"
