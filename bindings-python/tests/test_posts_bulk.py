"""``client.posts.bulk``: a CSV file by path, rows as dicts or ``BulkRow``, sync and async,
dry runs, per-row results with row and line numbers, and the errors a file can meet."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, List

import pytest

import aether
from aether import BulkResult, BulkRow
from aether.testing import MockServer


def test_a_file_creates_each_row_and_reports_rows_and_lines(
    aether_mock: MockServer, tmp_path: Path
) -> None:
    li = aether_mock.create_profile("linkedin").id
    csv = tmp_path / "posts.csv"
    csv.write_bytes(
        (
            "\ufefftext,profileIds\r\n"
            f'"Hello, world",{li}\r\n'
            "\r\n"
            f'"two\nlines",{li}\r\n'
            "nobody,li_nobody\r\n"
        ).encode("utf-8")
    )
    result = aether_mock.client().posts.bulk(csv)
    assert isinstance(result, BulkResult)
    assert (result.dry_run, result.total, result.created, result.failed) == (False, 3, 2, 1)
    assert [(r.row, r.line, r.ok) for r in result.results] == [
        (1, 2, True),
        (2, 4, True),
        (3, 6, False),
    ]
    assert result.results[0].post is not None
    assert result.results[0].post.content.text == "Hello, world"
    assert result.results[1].post is not None
    assert result.results[1].post.content.text == "two\nlines"
    error = result.results[2].error
    assert error is not None and error.code == "NOT_FOUND"
    assert len(list(aether_mock.client().posts.list())) == 2


def test_rows_as_dicts_and_dataclasses_and_a_dry_run(aether_mock: MockServer) -> None:
    li = aether_mock.create_profile("linkedin").id
    client = aether_mock.client()
    rows: List[Any] = [
        {"text": "a, with comma", "profile_ids": [li]},
        {"text": 'say "hi"', "profileIds": [li], "title": "T"},
        BulkRow(text="dataclass\nrow", profile_ids=[li]),
    ]
    dry = client.posts.bulk(rows, dry_run=True)
    assert dry.dry_run and (dry.total, dry.created, dry.failed) == (3, 0, 0)
    assert all(r.ok and r.post is None for r in dry.results)
    assert list(client.posts.list()) == []

    done = client.posts.bulk(rows)
    assert done.created == 3
    texts = [r.post.content.text for r in done.results if r.post is not None]
    assert texts == ["a, with comma", 'say "hi"', "dataclass\nrow"]


def test_the_async_client_sends_a_file_too(aether_mock: MockServer, tmp_path: Path) -> None:
    li = aether_mock.create_profile("linkedin").id
    csv = tmp_path / "posts.csv"
    csv.write_text(f"text,profileIds\none,{li}\n", encoding="utf-8")

    async def main() -> BulkResult:
        return await aether_mock.async_client().posts.bulk(str(csv))

    assert asyncio.run(main()).created == 1


def test_a_misspelt_row_key_is_refused_naming_it(aether_mock: MockServer) -> None:
    with pytest.raises(aether.InvalidArgumentError) as caught:
        aether_mock.client().posts.bulk([{"text": "x", "mediaKey": ["k"]}])
    assert "mediaKey" in str(caught.value)


def test_a_malformed_file_is_bulk_invalid_with_its_line(
    aether_mock: MockServer, tmp_path: Path
) -> None:
    csv = tmp_path / "bad.csv"
    csv.write_text('text,profileIds\nok,p\n"never closed,p\nmore,p\n', encoding="utf-8")
    with pytest.raises(aether.BadRequestError) as caught:
        aether_mock.client().posts.bulk(csv)
    assert caught.value.code == "BULK_INVALID"
    assert caught.value.details is not None and caught.value.details["line"] == 3


def test_the_limits_are_refused_before_sending(aether_mock: MockServer, tmp_path: Path) -> None:
    many = [{"text": f"post {i}", "profileIds": ["li_x"]} for i in range(1001)]
    with pytest.raises(aether.InvalidArgumentError) as caught:
        aether_mock.client().posts.bulk(many)
    assert "1000" in str(caught.value)
    big = tmp_path / "big.csv"
    big.write_bytes(b"a" * (5 * 1024 * 1024 + 1))
    with pytest.raises(aether.InvalidArgumentError) as caught:
        aether_mock.client().posts.bulk(big)
    assert "5 MiB" in str(caught.value)
    assert not [e for e in aether_mock.journal() if e["path"] == "/v1/posts/bulk"]
