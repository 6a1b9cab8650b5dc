"""The shared conformance scenarios (tests/conformance/*.json), run through the Python API.

The rules are in tests/conformance/README.md; this is the Python runner. Every client
operation goes through the public API (``aether.Aether``); admin operations use the emulator's
admin API (``aether.testing.MockServer.admin``). Inputs arrive in wire form (camelCase) and are
turned into the API's keyword arguments; an input field the runner cannot pass on fails the
scenario rather than being dropped.
"""

from __future__ import annotations

import datetime
import glob
import http.server
import json
import os
import re
import tempfile
import threading
import time
import warnings
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

import pytest

import aether
from aether.resources.webhooks import Webhooks
from aether.testing import ApprovedLink, MockServer

from conftest import MEDIA, REPO, serve_in_background

SCENARIOS = REPO / "tests" / "conformance"
FILES = sorted(glob.glob(str(SCENARIOS / "[0-9]*.json")))
MATCHERS = {
    "$exists", "$startsWith", "$contains", "$length", "$gte", "$lte", "$oneOf", "$ne",
    "$sameInstant",
}
DEFAULT_WAIT_TIMEOUT = 30.0
DEFAULT_POLL = 0.1
# Chaos mode (tests/conformance/README.md): random faults from AETHER_CHAOS_SEED plus the
# scenario's number, on AETHER_CHAOS_RATE of the API requests. Counting steps are left out (the
# emulator's report stands in for them), and a scenario has a time bound.
CHAOS_SEED = os.environ.get("AETHER_CHAOS_SEED") or None
CHAOS_RATE = float(os.environ.get("AETHER_CHAOS_RATE") or "0.1")
CHAOS_COUNTING_OPS = {"journal.count", "hooks.events"}
CHAOS_TIME_BOUND = 60.0


class Harness(Exception):
    """The scenario is wrong, or asks for something this runner cannot express."""


def snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def kwargs(op: str, given: Dict[str, Any], allowed: Set[str]) -> Dict[str, Any]:
    unknown = set(given) - allowed
    if unknown:
        raise Harness(f"{op}: the Python API has no argument for {sorted(unknown)}")
    return {snake(key): value for key, value in given.items()}


def seconds(value: Any) -> Optional[float]:
    return None if value is None else float(value) / 1000.0


# --- values -------------------------------------------------------------------------------------


def path_get(root: Any, path: str) -> Tuple[bool, Any]:
    if path == "":
        return True, root
    current = root
    for segment in path.split("."):
        match = re.fullmatch(r"([^\[\]]*)((?:\[\d+\])*)", segment)
        if not match:
            raise Harness(f"bad path {path!r}")
        key, indexes = match.group(1), match.group(2)
        if key:
            if not isinstance(current, dict) or key not in current:
                return False, None
            current = current[key]
        elif not indexes:
            raise Harness(f"the path {path!r} has an empty segment")
        for index in re.findall(r"\[(\d+)\]", indexes):
            if not isinstance(current, list) or int(index) >= len(current):
                return False, None
            current = current[int(index)]
    return True, current


def json_eq(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b if isinstance(a, bool) and isinstance(b, bool) else False
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_eq(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return len(a) == len(b) and all(k in b and json_eq(v, b[k]) for k, v in a.items())
    return bool(a == b)


def instant(value: Any) -> Optional[datetime.datetime]:
    if not isinstance(value, str):
        return None
    text = value.replace("Z", "+00:00")
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    try:
        parsed = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def matches(expected: Any, found: bool, actual: Any) -> Optional[str]:
    shown = json.dumps(actual) if found else "nothing"
    if isinstance(expected, dict) and len(expected) == 1:
        ((key, argument),) = expected.items()
        ok: Optional[bool] = None
        if key == "$exists":
            ok = argument == (found and actual is not None)
        elif key == "$startsWith":
            ok = isinstance(actual, str) and actual.startswith(argument)
        elif key == "$contains":
            if isinstance(actual, str):
                ok = isinstance(argument, str) and argument in actual
            elif isinstance(actual, list):
                ok = any(json_eq(argument, item) for item in actual)
            else:
                ok = False
        elif key == "$length":
            ok = (
                isinstance(actual, (str, list, dict))
                and not isinstance(argument, bool)
                and len(actual) == argument
            )
        elif key in ("$gte", "$lte"):
            numeric = isinstance(actual, (int, float)) and not isinstance(actual, bool)
            ok = numeric and (actual >= argument if key == "$gte" else actual <= argument)
        elif key == "$oneOf":
            ok = found and any(json_eq(option, actual) for option in argument)
        elif key == "$ne":
            ok = not (found and json_eq(argument, actual))
        elif key == "$sameInstant":
            a, b = instant(actual), instant(argument)
            ok = a is not None and b is not None and a == b
        if ok is not None:
            return None if ok else f"expected {key} {json.dumps(argument)}, got {shown}"
    equal = json_eq(expected, actual) if found else expected is None
    if not equal and found and expected is None and actual is None:
        equal = True
    return None if equal else f"expected {json.dumps(expected)}, got {shown}"


def check(expected: Any, actual: Any, what: str) -> None:
    if not isinstance(expected, dict):
        raise Harness("an expectation is an object of path: value")
    problems = []
    for path, wanted in expected.items():
        found, value = path_get(actual, path)
        problem = matches(wanted, found, value)
        if problem:
            problems.append(f"{what}.{path}: {problem}")
    if problems:
        raise AssertionError(f"{'; '.join(problems)} — in {json.dumps(actual)[:600]}")


def glob_match(pattern: str, text: str) -> bool:
    if not pattern:
        return not text
    if pattern.startswith("**"):
        return any(glob_match(pattern[2:], text[i:]) for i in range(len(text) + 1))
    if pattern.startswith("*"):
        limit = text.find("/") if "/" in text else len(text)
        return any(glob_match(pattern[1:], text[i:]) for i in range(limit + 1))
    return bool(text) and text[0] == pattern[0] and glob_match(pattern[1:], text[1:])


def time_value(spec: Dict[str, Any], now: datetime.datetime) -> Any:
    from zoneinfo import ZoneInfo

    unknown = set(spec) - {"$time", "zone", "at", "format"}
    if unknown:
        raise Harness(f"$time: unknown keys {sorted(unknown)}")
    offset = spec["$time"]
    match = re.fullmatch(r"([+-])(\d+)([smhd])", offset)
    if not match:
        raise Harness(f"$time offset {offset!r}")
    sign = 1 if match.group(1) == "+" else -1
    unit = {"s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(3)]
    moved = now + datetime.timedelta(seconds=sign * int(match.group(2)) * unit)
    zoned = moved.astimezone(ZoneInfo(spec.get("zone", "UTC")))
    if "at" in spec:
        wall = datetime.time.fromisoformat(spec["at"])
        naive = datetime.datetime.combine(zoned.date(), wall)
        zoned = naive.replace(tzinfo=zoned.tzinfo)
        # Round-trip through UTC to normalise a wall time in a DST gap as jiff does (forward).
        zoned = zoned.astimezone(datetime.timezone.utc).astimezone(zoned.tzinfo)
    zoned = zoned.replace(microsecond=0) + datetime.timedelta(
        seconds=1 if zoned.microsecond >= 500_000 else 0
    )
    fmt = spec.get("format", "utc")
    if fmt == "utc":
        return zoned.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if fmt == "local":
        return zoned.strftime("%Y-%m-%dT%H:%M:%S")
    if fmt == "unix":
        return int(zoned.timestamp())
    raise Harness(f"$time format {fmt!r}")


# --- the webhook receiver -----------------------------------------------------------------------


class Receiver:
    """An HTTP server on 127.0.0.1 that keeps every delivery and answers ``status`` (200 unless
    a ``receiver.setStatus`` step changed it)."""

    def __init__(self) -> None:
        deliveries: List[Dict[str, Any]] = []
        arrived = threading.Condition()
        answer = [200]

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 — http.server's naming
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                with arrived:
                    deliveries.append(
                        {
                            "body": body.decode("utf-8"),
                            "signature": self.headers.get("x-aether-signature"),
                        }
                    )
                    arrived.notify_all()
                self.send_response(answer[0])
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.deliveries = deliveries
        self.answer = answer
        self.arrived = arrived
        self.returned: Set[int] = set()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = serve_in_background(self.server)

    def next(self, kind: Optional[str], post_id: Optional[str], timeout: float) -> Any:
        deadline = time.monotonic() + timeout
        with self.arrived:
            while True:
                for index, delivery in enumerate(self.deliveries):
                    if index in self.returned:
                        continue
                    event = json.loads(delivery["body"])
                    if kind is not None and event.get("type") != kind:
                        continue
                    post = (event.get("data") or {}).get("post") or {}
                    if post_id is not None and post.get("id") != post_id:
                        continue
                    self.returned.add(index)
                    return {**delivery, "event": event}
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no {kind or 'webhook'} delivery within {timeout} s")
                self.arrived.wait(left)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- the runner ---------------------------------------------------------------------------------


class Run:
    def __init__(
        self, mock: MockServer, receiver: Receiver, chaos: Optional[Dict[str, Any]] = None
    ) -> None:
        self.mock = mock
        self.receiver = receiver
        self.chaos = chaos
        # What the main client's hooks heard since the last hooks.events step.
        self.hook_events: List[Dict[str, Any]] = []
        self.client = self.client_for(mock.api_key, hooks=True)
        self.vars: Dict[str, Any] = {"receiver": {"url": receiver.url}}

    def client_for(self, api_key: str, hooks: bool = False) -> aether.Aether:
        def record(kind: str) -> Callable[[aether.AttemptEvent], None]:
            def hook(e: aether.AttemptEvent) -> None:
                self.hook_events.append({
                    "hook": kind, "method": e.method, "path": e.path, "attempt": e.attempt,
                    "status": e.status, "errorCode": e.error_code, "requestId": e.request_id,
                    "clientRequestId": e.client_request_id,
                    "idempotencyKey": e.idempotency_key, "elapsedMs": e.elapsed_ms,
                    "nextDelayMs": e.next_delay_ms,
                })
            return hook

        # The attempts stay the default (3); only the waits between them are short.
        return aether.Aether(
            api_key=api_key,
            base_url=self.mock.url,
            retry_backoff=(0.005, 0.05),
            ca_bundle=self.mock.ca_file,
            on_request=record("request") if hooks else None,
            on_response=record("response") if hooks else None,
            on_retry=record("retry") if hooks else None,
        )

    def now(self) -> datetime.datetime:
        value = instant(self.mock.clock())
        if value is None:
            raise Harness("the emulator's clock is unreadable")
        return value

    def resolve(self, value: Any, now: datetime.datetime, matchers: bool) -> Any:
        if isinstance(value, str):
            if value.startswith("$$"):
                return value[1:]
            if value.startswith("$"):
                return self.lookup(value[1:])
            return value
        if isinstance(value, list):
            return [self.resolve(item, now, matchers) for item in value]
        if isinstance(value, dict):
            if "$repeat" in value:
                unit = self.resolve(value["$repeat"], now, False)
                return str(unit) * int(value["count"])
            if "$concat" in value:
                parts = [self.resolve(part, now, False) for part in value["$concat"]]
                return "".join(str(part) for part in parts)
            if "$time" in value:
                return time_value(value, now)
            if matchers and len(value) == 1:
                ((key, argument),) = value.items()
                if key in MATCHERS:
                    return {key: self.resolve(argument, now, False)}
            for key in value:
                if key.startswith("$"):
                    raise Harness(f"unknown generator or matcher {key!r}")
            return {key: self.resolve(item, now, matchers) for key, item in value.items()}
        return value

    def lookup(self, reference: str) -> Any:
        match = re.match(r"[^.\[]*", reference)
        name = match.group(0) if match else reference
        if name not in self.vars:
            raise Harness(f"unknown variable ${name}")
        path = reference[len(name):]
        found, value = path_get(self.vars[name], path[1:] if path.startswith(".") else path)
        if not found:
            raise Harness(f"${reference}: no such field")
        return value

    def setup(self, setup: Dict[str, Any]) -> None:
        if "settings" in setup:
            self.mock.update_settings(**setup["settings"])
        for profile in setup.get("profiles", []):
            body = {k: v for k, v in profile.items() if k != "as"}
            connected = self.mock.create_profile(
                **kwargs("setup.profiles", body, {"platform", "tier", "username", "id"})
            )
            self.vars[profile["as"]] = connected.to_dict()
        for hook in setup.get("webhooks", []):
            created = self.client.webhooks.create(
                url=hook.get("url", self.receiver.url), events=hook["events"]
            )
            self.vars[hook["as"]] = created.to_dict()

    def execute(self, scenario: Dict[str, Any]) -> None:
        self.setup(scenario.get("setup", {}))
        if self.chaos is not None:
            self.mock.start_chaos(self.chaos["seed"], self.chaos["rate"])
        for index, step in enumerate(scenario["steps"]):
            if self.chaos is not None and step["op"] in CHAOS_COUNTING_OPS:
                continue
            for round_ in range(1, int(step.get("repeat", 1)) + 1):
                try:
                    self.step(step)
                except (AssertionError, Harness) as error:
                    note = f" [{step['note']}]" if "note" in step else ""
                    where = f", round {round_}" if step.get("repeat", 1) > 1 else ""
                    raise AssertionError(
                        f"steps[{index}] ({step['op']}{where}){note}: {error}"
                    ) from None
        if self.chaos is not None:
            report = self.mock.chaos_report()
            if report["ok"] is not True:
                raise AssertionError(
                    f"chaos invariants broken: duplicates {report['duplicates']}, orphan upload "
                    f"sessions {report['orphans']} (faults injected: {report['faults']})"
                )

    def step(self, step: Dict[str, Any]) -> None:
        op = step["op"]
        now = self.now()
        data = self.resolve(step.get("input", {}), now, False)
        options = self.resolve(step.get("options", {}), now, False)
        client = self.client
        if "client" in step:
            client = self.client_for(self.resolve(step["client"], now, False)["apiKey"])
        unknown = set(options) - {
            "idempotencyKey", "maxRetries", "timeoutMs", "attemptTimeoutMs", "traceparent"
        }
        if unknown:
            raise Harness(f"unknown options {sorted(unknown)}")
        if {"timeoutMs", "maxRetries", "attemptTimeoutMs", "traceparent"} & set(options):
            client = client.with_options(
                timeout=seconds(options.get("timeoutMs")),
                max_retries=options.get("maxRetries"),
                attempt_timeout=seconds(options.get("attemptTimeoutMs")),
                traceparent=options.get("traceparent"),
            )
        key = options.get("idempotencyKey")
        if key is not None and op not in ("posts.create", "posts.bulk", "client.request"):
            raise Harness(f"{op} takes no idempotency key in the Python API")
        # Warnings are reported with warnings.warn(..., aether.AetherWarning): record them.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", aether.AetherWarning)
            try:
                result = self.call(op, client, data, key)
                failure: Optional[aether.AetherError] = None
            except aether.AetherError as error:
                failure = error
                # Chaos mode: a lost answer may legitimately change this step's outcome (a
                # cancel retried after it was done); the state is read back instead.
                if self.chaos is not None and "reconcile" in step:
                    reconcile = step["reconcile"]
                    data = self.resolve(reconcile["input"], now, False)
                    result = self.call(reconcile["op"], client, data, None)
                    failure = None
        warned = [
            getattr(w.message, "code", None)
            for w in caught
            if issubclass(w.category, aether.AetherWarning)
        ]
        name = step.get("as")
        if failure is None:
            if "expectError" in step:
                raise AssertionError(
                    f"expected the error {step['expectError'].get('code')}, but the call "
                    f"succeeded with {json.dumps(result)[:300]}"
                )
            if "expect" in step:
                check(self.resolve(step["expect"], now, True), result, "result")
            if "warns" in step and warned != step["warns"]:
                raise AssertionError(f"warns: expected {step['warns']}, AetherWarnings {warned}")
            if name:
                self.vars[name] = result
            return
        actual = {
            "code": failure.code,
            "status": failure.status,
            "message": failure.message,
            "field": failure.field,
            "platform": failure.platform,
            "retryAfter": int(failure.retry_after) if failure.retry_after is not None else None,
            "retryable": failure.retryable,
            "requestId": failure.request_id,
            "clientRequestId": failure.client_request_id,
            "idempotencyKey": failure.idempotency_key,
            "details": failure.details,
        }
        if "expectError" not in step:
            raise AssertionError(f"the call failed: {failure} — {json.dumps(actual)[:600]}")
        expected = self.resolve(step["expectError"], now, True)
        bound = expected.pop("retryAfterMin", None)
        check(expected, actual, "error")
        if bound is not None and (actual["retryAfter"] is None or actual["retryAfter"] < bound):
            raise AssertionError(f"error.retryAfter: expected at least {bound}, got {actual}")
        if name:
            self.vars[name] = actual

    def call(self, op: str, client: aether.Aether, data: Dict[str, Any], key: Any) -> Any:
        handler = OPS.get(op)
        if handler is None:
            raise Harness(f"the Python runner does not implement {op}")
        return handler(self, client, data, key)


#: What admin.setCapabilities may set (besides the profile's id).
CAPABILITY_SETTINGS = {"maxVideoDurationSec", "privacyLevelOptions", "commentDisabled",
                       "duetDisabled", "stitchDisabled", "canPost"}


def upload(run: Run, client: aether.Aether, data: Dict[str, Any], resume: bool) -> Any:
    allowed = {"fixture", "fileName", "mimeType", "platforms", "tier", "singleShotThreshold",
               "partSize", "profileIds", "stallTimeoutMs", "sha256"} | ({"uploadId"} if resume else set())
    args = kwargs("media.upload", data, allowed)
    # Milliseconds in the scenario, seconds in Python.
    if "stall_timeout_ms" in args:
        args["stall_timeout"] = seconds(args.pop("stall_timeout_ms"))
    fixture = args.pop("fixture")
    if "/" in fixture or "\\" in fixture or fixture.startswith("."):
        raise Harness(f"fixture {fixture!r} must be a plain file name")
    path = MEDIA / fixture
    if resume:
        upload_id = args.pop("upload_id")
        unsupported = {"platforms", "tier", "part_size", "profile_ids"} & set(args)
        if unsupported:
            raise Harness(f"media.resume takes no {sorted(unsupported)}")
        return client.media.resume(upload_id, path, **args).to_dict()
    return client.media.upload(path, **args).to_dict()


def ingest(run: Run, client: aether.Aether, data: Dict[str, Any], key: Any) -> Any:
    args = kwargs("media.ingest", data, {"url", "fileName", "mimeType", "platforms", "tier"})
    return client.media.upload(url=args.pop("url"), **args).to_dict()


def put_file(run: Run, client: aether.Aether, data: Dict[str, Any], key: Any) -> Any:
    args = kwargs("admin.putFile", data, {"name", "fixture", "contentType", "freeBox"})
    fixture = args.pop("fixture")
    if "/" in fixture or "\\" in fixture or fixture.startswith("."):
        raise Harness(f"fixture {fixture!r} must be a plain file name")
    return run.mock.put_file(args.pop("name"), (MEDIA / fixture).read_bytes(), **args)


def verify(run: Run, client: aether.Aether, data: Dict[str, Any], key: Any) -> Any:
    args = kwargs(
        "webhooks.verifySignature", data, {"payload", "header", "secrets", "toleranceSeconds",
                                           "now"}
    )
    Webhooks.verify_signature(
        args["payload"],
        args["header"],
        args["secrets"],
        tolerance=float(args.get("tolerance_seconds", 300)),
        now=args.get("now"),
    )
    return {"valid": True}


def construct_event(run: Run, client: aether.Aether, data: Dict[str, Any], key: Any) -> Any:
    args = kwargs(
        "webhooks.constructEvent", data, {"payload", "header", "secrets", "toleranceSeconds"}
    )
    event = Webhooks.construct_event(
        args["payload"],
        args["header"],
        args["secrets"],
        tolerance=float(args.get("tolerance_seconds", 300)),
    )
    # The subject through the typed accessors, so a field they lose fails the scenario.
    subjects = {"post": event.post, "comment": event.comment, "message": event.message}
    typed = {name: value.to_dict() for name, value in subjects.items() if value is not None}
    return {**event.to_dict(), "data": typed}


def deliveries(run: Run, client: aether.Aether, data: Dict[str, Any], key: Any) -> Any:
    kwargs("webhooks.deliveries", data, {"webhookId", "status", "minCount", "timeoutMs"})
    deadline = time.monotonic() + (seconds(data.get("timeoutMs")) or 10.0)
    while True:
        found = list(client.webhooks.deliveries(data["webhookId"], status=data.get("status")))
        if len(found) >= int(data.get("minCount", 0)) or time.monotonic() >= deadline:
            return {"data": [delivery.to_dict() for delivery in found]}
        time.sleep(0.05)


def set_receiver_status(run: Run, client: aether.Aether, data: Dict[str, Any], key: Any) -> Any:
    kwargs("receiver.setStatus", data, {"status"})
    run.receiver.answer[0] = int(data["status"])
    return {"status": run.receiver.answer[0]}


def clear_faults(run: Run, client: aether.Aether, data: Dict[str, Any], key: Any) -> Any:
    kwargs("admin.clearFaults", data, set())
    run.mock.clear_faults()
    return {}


def hooks_events(run: Run, client: aether.Aether, data: Dict[str, Any], key: Any) -> Any:
    kwargs("hooks.events", data, set())
    events, run.hook_events = run.hook_events, []
    return {"data": events}


def journal_count(run: Run, client: aether.Aether, data: Dict[str, Any], key: Any) -> Any:
    kwargs(
        "journal.count",
        data,
        {"method", "path", "status", "created", "replayed", "fault", "idempotencyKey",
         "clientRequestId", "traceparent", "retryCount", "query", "header"},
    )
    count, connections = 0, set()
    for entry in run.mock.journal():
        if "method" in data and str(entry["method"]).upper() != str(data["method"]).upper():
            continue
        if "path" in data and not glob_match(data["path"], entry["path"]):
            continue
        if "status" in data and not (
            entry.get("status") is None if data["status"] is None
            else json_eq(data["status"], entry.get("status"))
        ):
            continue
        if "created" in data and data["created"] != isinstance(entry.get("created"), str):
            continue
        if "replayed" in data and data["replayed"] != bool(entry.get("replayed")):
            continue
        recorded = entry.get("headers") or {}
        if any(not json_eq(v, recorded.get(n.lower())) for n, v in data.get("header", {}).items()):
            continue
        exact = ("fault", "idempotencyKey", "clientRequestId", "traceparent", "retryCount", "query")
        if any(name in data and not json_eq(data[name], entry.get(name)) for name in exact):
            continue
        count += 1
        if entry.get("connection") is not None:
            connections.add(entry["connection"])
    return {"count": count, "connections": len(connections)}


def close_connections(run: Run, client: aether.Aether, data: Dict[str, Any], key: Any) -> Any:
    """client.closeConnections: the client's close(), after which it stays usable."""
    kwargs("client.closeConnections", data, set())
    client.close()
    return {}


def raw_request(run: Run, client: aether.Aether, data: Dict[str, Any], key: Any) -> Any:
    """client.request: the escape hatch with its raw response, extra headers per call."""
    unknown = set(data) - {"method", "path", "body", "query", "headers"}
    if unknown:
        raise Harness(f"client.request takes no {sorted(unknown)}")
    if "headers" in data:
        client = client.with_options(extra_headers=data["headers"])
    raw = client.with_raw_response.request(
        data["method"], data["path"], body=data.get("body"), query=data.get("query"),
        idempotency_key=key,
    )
    return {
        "status": raw.status_code,
        "headers": dict(raw.headers),
        "requestId": raw.request_id,
        "replayed": raw.replayed,
        "data": raw.parse(),
    }


def one(key: str, data: Dict[str, Any], op: str, extra: Optional[Set[str]] = None) -> str:
    """The one required field of an input that may hold only ``key`` (and ``extra``)."""
    kwargs(op, data, {key} | (extra or set()))
    if key not in data:
        raise Harness(f"{op} needs {key}")
    return str(data[key])


def bulk(run: Run, client: aether.Aether, data: Dict[str, Any], key: Any) -> Any:
    """Inline CSV goes through a temporary file, so the path form is what runs."""
    kwargs("posts.bulk", data, {"csv", "fileName", "rows", "dryRun"})
    dry_run = bool(data.get("dryRun", False))
    if "csv" in data:
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / str(data.get("fileName", "posts.csv"))
            path.write_bytes(str(data["csv"]).encode("utf-8"))
            result = client.posts.bulk(path, dry_run=dry_run, idempotency_key=key)
    else:
        result = client.posts.bulk(data["rows"], dry_run=dry_run, idempotency_key=key)
    return result.to_dict()


def receive(run: Run, client: aether.Aether, data: Dict[str, Any], key: Any) -> Any:
    kwargs("webhooks.receive", data, {"type", "postId", "timeoutMs"})
    timeout = seconds(data.get("timeoutMs")) or DEFAULT_WAIT_TIMEOUT
    return run.receiver.next(data.get("type"), data.get("postId"), timeout)


def advance_clock(run: Run, client: aether.Aether, data: Dict[str, Any], key: Any) -> Any:
    kwargs("admin.advanceClock", data, {"seconds"})
    return {"now": run.mock.advance_clock(float(data["seconds"]))}


def approved(decision: ApprovedLink) -> Dict[str, Any]:
    return {
        "link": decision.link.to_dict(),
        "profile": decision.profile.to_dict() if decision.profile else None,
        "redirect": decision.redirect,
    }


def list_posts(run: Run, client: aether.Aether, data: Dict[str, Any], key: Any) -> Any:
    kwargs("posts.list", data, {"status", "profileId", "pageSize"})
    posts = client.posts.list(
        status=data.get("status"), profile_id=data.get("profileId"), limit=data.get("pageSize")
    )
    return {"data": [post.to_dict() for post in posts]}


Op = Callable[[Run, aether.Aether, Dict[str, Any], Any], Any]
OPS: Dict[str, Op] = {
    "connectLinks.create": lambda run, c, d, k: c.connect_links.create(
        **kwargs("connectLinks.create", d, {"platform", "redirectUrl", "state"})
    ).to_dict(),
    "connectLinks.get": lambda run, c, d, k: c.connect_links.get(
        one("id", d, "connectLinks.get")
    ).to_dict(),
    "connectLinks.approve": lambda run, c, d, k: approved(
        run.mock.approve_connect_link(
            one("id", d, "connectLinks.approve", {"tier"}), tier=d.get("tier")
        )
    ),
    "profiles.get": lambda run, c, d, k: c.profiles.get(one("id", d, "profiles.get")).to_dict(),
    "profiles.list": lambda run, c, d, k: {
        "data": [p.to_dict() for p in c.profiles.list(**kwargs("profiles.list", d, set()))]
    },
    "profiles.disconnect": lambda run, c, d, k: c.profiles.disconnect(
        one("id", d, "profiles.disconnect")
    ).to_dict(),
    "profiles.capabilities": lambda run, c, d, k: c.profiles.capabilities(
        one("id", d, "profiles.capabilities")
    ).to_dict(),
    "admin.setCapabilities": lambda run, c, d, k: run.mock.set_capabilities(
        one("id", d, "admin.setCapabilities", CAPABILITY_SETTINGS),
        **kwargs("admin.setCapabilities", {x: y for x, y in d.items() if x != "id"},
                 CAPABILITY_SETTINGS),
    ).to_dict(),
    "media.upload": lambda run, c, d, k: upload(run, c, d, resume=False),
    "media.resume": lambda run, c, d, k: upload(run, c, d, resume=True),
    "media.get": lambda run, c, d, k: c.media.get(one("mediaKey", d, "media.get")).to_dict(),
    "media.wait": lambda run, c, d, k: c.media.wait_ready(
        one("mediaKey", d, "media.wait", {"timeoutMs"}),
        timeout=seconds(d.get("timeoutMs")) or DEFAULT_WAIT_TIMEOUT,
        poll_interval=0.05,
    ).to_dict(),
    "posts.create": lambda run, c, d, k: c.posts.create(
        idempotency_key=k,
        **kwargs(
            "posts.create", d, {"profileId", "profileIds", "content", "mediaKeys", "platforms",
                                "scheduledFor", "timezone", "draft", "text", "title",
                                "mediaUrls", "media", "overrides"},
        ),
    ).to_dict(),
    "posts.get": lambda run, c, d, k: c.posts.get(one("id", d, "posts.get")).to_dict(),
    "posts.list": list_posts,
    "posts.update": lambda run, c, d, k: c.posts.update(
        d["id"],
        **kwargs(
            "posts.update", {x: y for x, y in d.items() if x != "id"},
            {"scheduledFor", "timezone", "content", "draft"},
        ),
    ).to_dict(),
    "posts.cancel": lambda run, c, d, k: c.posts.cancel(one("id", d, "posts.cancel")).to_dict(),
    "posts.retry": lambda run, c, d, k: c.posts.retry(one("id", d, "posts.retry")).to_dict(),
    "posts.bulk": bulk,
    "client.closeConnections": close_connections,
    "posts.wait": lambda run, c, d, k: c.posts.wait(
        one("id", d, "posts.wait", {"pollIntervalMs", "timeoutMs"}),
        poll_interval=seconds(d.get("pollIntervalMs")) or DEFAULT_POLL,
        timeout=seconds(d.get("timeoutMs")) or DEFAULT_WAIT_TIMEOUT,
    ).to_dict(),
    "webhooks.create": lambda run, c, d, k: c.webhooks.create(
        **kwargs("webhooks.create", d, {"url", "events"})
    ).to_dict(),
    "webhooks.receive": receive,
    "webhooks.verifySignature": verify,
    "webhooks.constructEvent": construct_event,
    "webhooks.deliveries": deliveries,
    "webhooks.redeliver": lambda run, c, d, k: c.webhooks.redeliver(
        d["webhookId"], one("deliveryId", d, "webhooks.redeliver", {"webhookId"})
    ).to_dict(),
    "webhooks.delete": lambda run, c, d, k: c.webhooks.delete(one("id", d, "webhooks.delete")) or {},
    "receiver.setStatus": set_receiver_status,
    "admin.simulateComment": lambda run, c, d, k: run.mock.simulate_comment(
        d["profileId"],
        **kwargs("admin.simulateComment", {x: y for x, y in d.items() if x != "profileId"},
                 {"text", "postId", "platformPostId", "author", "createdAt"}),
    ).to_dict(),
    "admin.simulateMessage": lambda run, c, d, k: run.mock.simulate_message(
        d["profileId"],
        **kwargs("admin.simulateMessage", {x: y for x, y in d.items() if x != "profileId"},
                 {"text", "conversationId", "direction", "author", "createdAt"}),
    ).to_dict(),
    "admin.updateMessage": lambda run, c, d, k: run.mock.update_message(
        d["id"],
        **kwargs("admin.updateMessage", {x: y for x, y in d.items() if x != "id"},
                 {"readAt", "text"}),
    ).to_dict(),
    "admin.fault": lambda run, c, d, k: {
        "id": run.mock.inject_fault(
            **kwargs("admin.fault", d, {"method", "path", "times", "probability", "action"})
        )
    },
    "admin.clearFaults": clear_faults,
    "admin.advanceClock": advance_clock,
    "admin.forceOutcome": lambda run, c, d, k: run.mock.force_outcome(
        one("postId", d, "admin.forceOutcome", {"outcome", "code", "message", "profileId"}),
        **kwargs("admin.forceOutcome", {x: y for x, y in d.items() if x != "postId"},
                 {"outcome", "code", "message", "profileId"}),
    ).to_dict(),
    "admin.addOutcomeRule": lambda run, c, d, k: run.mock.add_outcome_rule(
        **kwargs("admin.addOutcomeRule", d,
                 {"outcome", "code", "message", "transientFailures", "platform", "profileId",
                  "times"}),
    ),
    "admin.setSettings": lambda run, c, d, k: run.mock.update_settings(**d),
    "admin.revokeProfile": lambda run, c, d, k: run.mock.revoke_profile(
        one("id", d, "admin.revokeProfile")
    ).to_dict(),
    "journal.count": journal_count,
    "client.request": raw_request,
    "hooks.events": hooks_events,
    "media.ingest": ingest,
    "admin.putFile": put_file,
    "admin.fileStats": lambda run, c, d, k: run.mock.file_stats(one("name", d, "admin.fileStats")),
}


def test_the_runner_knows_every_operation_of_the_schema() -> None:
    if not FILES:
        pytest.skip("no conformance scenarios in tests/conformance")
    schema = json.loads((SCENARIOS / "schema.json").read_text())
    # The schema is the list of operations; OPS (the handlers themselves) must cover it.
    listed = set(schema["$defs"]["step"]["properties"]["op"]["enum"])
    cannot = sorted(listed - set(OPS))
    assert not cannot, f"schema.json names operations this runner cannot run: {cannot}"
    stale = sorted(set(OPS) - listed)
    assert not stale, f"the runner handles operations schema.json does not name: {stale}"


@pytest.mark.parametrize(
    "path", FILES or [None], ids=[os.path.basename(f)[:-5] for f in FILES] or ["none"]
)
def test_conformance_scenario(path: Optional[str]) -> None:
    if path is None:
        pytest.skip("no conformance scenarios in tests/conformance")
    scenario = json.loads(Path(path).read_text())
    only = os.environ.get("AETHER_CONFORMANCE")
    if only and only not in path and only not in scenario["name"]:
        pytest.skip(f"AETHER_CONFORMANCE={only}")
    chaos = None
    if CHAOS_SEED is not None:
        if "skip" in scenario.get("chaos", {}):
            pytest.skip(f"chaos mode: {scenario['chaos']['skip']}")
        number = int(os.path.basename(path).split("_")[0])
        chaos = {"seed": int(CHAOS_SEED) + number, "rate": CHAOS_RATE}
        replay = (
            f"replay: AETHER_CHAOS_SEED={CHAOS_SEED} AETHER_CHAOS_RATE={CHAOS_RATE} "
            f"scenario {number:03d}"
        )
    receiver = Receiver()
    started = time.monotonic()
    try:
        # AETHER_CONFORMANCE_TLS=1: over HTTPS, the client trusting the emulator's CA.
        with MockServer(tls=os.environ.get("AETHER_CONFORMANCE_TLS") == "1") as mock:
            Run(mock, receiver, chaos).execute(scenario)
        took = time.monotonic() - started
        if chaos is not None and took > CHAOS_TIME_BOUND:
            raise AssertionError(f"over its time bound {CHAOS_TIME_BOUND} s ({took:.1f} s)")
    except AssertionError as error:
        if chaos is None:
            raise
        raise AssertionError(f"{error}\n    {replay}") from None
    finally:
        receiver.close()
