"""JSON Lines import: posts stream out a batch at a time, bad lines are reported with
their numbers without stopping the rest, the cursor resumes exactly after the last line,
and no setting can reach a file outside the import directory."""

from __future__ import annotations

import asyncio
import io
import re
import shutil
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rapport.channels.connectors.jsonl.provider import JsonlProvider, dump_cursor
from rapport.channels.connectors.jsonl.read import MAX_LINE_BYTES, read_chunk
from rapport.channels.connectors.webhook.shape import FieldMapping
from rapport.channels.registry import Fetched, provider

EXPORT = Path(__file__).parent / "fixtures" / "jsonl" / "export.jsonl"
GOOD_IDS = ["x-1", "x-2", "x-4", "x-7", "x-9"]


@pytest.fixture
def imports(tmp_path: Path) -> Path:
    root = tmp_path / "imports"
    root.mkdir()
    shutil.copy(EXPORT, root / "export.jsonl")
    return root


async def everything(stream: AsyncGenerator[Fetched, None]) -> list[Fetched]:
    async with asyncio.timeout(10):
        return [step async for step in stream]


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def test_posts_come_out_and_bad_lines_are_reported_by_number(imports: Path) -> None:
    source = JsonlProvider(import_dir=imports)
    steps = run(everything(source.stream({"path": "export.jsonl", "batch": 4}, "")))
    assert [len(s.posts) for s in steps] == [3, 1, 1]
    assert [p.external_id for s in steps for p in s.posts] == GOOD_IDS
    problems = [p for s in steps for p in s.problems]
    assert problems[0].startswith("line 3: not JSON")
    assert problems[1] == "line 6: created_at: is required"
    assert problems[2] == "line 8: expected a JSON object, got a list"
    assert len(problems) == 3
    hostile = steps[1].posts[0]
    assert hostile.text == "Bean & Barrel cold brew is back"
    assert steps[0].posts[0].network == "jsonl"
    assert steps[-1].cursor == dump_cursor(EXPORT.stat().st_size, 9)


def test_an_import_resumes_after_the_last_line_handed_over(imports: Path) -> None:
    source = JsonlProvider(import_dir=imports)
    config = {"path": "export.jsonl", "batch": 2}

    async def scenario() -> None:
        stream = source.stream(config, "")
        first = await anext(stream)
        await stream.aclose()
        rest = await everything(source.stream(config, first.cursor))
        ids = [p.external_id for s in [first, *rest] for p in s.posts]
        assert ids == GOOD_IDS  # no gap, no duplicate
        assert rest[0].problems[0].startswith("line 3:")

    run(scenario())


def test_a_followed_file_waits_for_a_whole_line(imports: Path) -> None:
    growing = imports / "live.jsonl"
    growing.write_bytes(EXPORT.read_bytes().splitlines(keepends=True)[0])
    line = (
        b'{"id": "live-2", "text": "hej", "created_at": "2026-12-01T00:00:00Z",'
        b' "author": {"handle": "@a"}}\n'
    )
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        with growing.open("ab") as f:
            if len(sleeps) == 1:
                f.write(line[:30])  # half a line: not yet
            elif len(sleeps) == 2:
                f.write(line[30:])
        await asyncio.sleep(0)

    async def scenario() -> None:
        source = JsonlProvider(import_dir=imports, sleep=sleep)
        stream = source.stream({"path": "live.jsonl", "follow": True}, "")
        first = await anext(stream)
        second = await anext(stream)
        await stream.aclose()
        assert [p.external_id for p in first.posts] == ["x-1"]
        assert [p.external_id for p in second.posts] == ["live-2"]
        assert second.problems == ()
        assert len(sleeps) == 2

    run(scenario())


def test_an_over_long_line_is_skipped_and_the_next_one_read() -> None:
    good = b'{"id": "after", "text": "ok", "created_at": 1764500000, "author": {"handle": "@a"}}'
    data = b"[" + b"1," * MAX_LINE_BYTES + b"1]\n" + good + b"\n"
    chunk = read_chunk(
        io.BytesIO(data), offset=0, line=0, mapping=FieldMapping(posts=""), max_lines=10
    )
    assert chunk.problems == [f"line 1: longer than {MAX_LINE_BYTES:,} bytes; skipped"]
    assert [p.external_id for p in chunk.posts] == ["after"]
    assert (chunk.offset, chunk.line) == (len(data), 2)


def test_a_mapping_reads_another_tools_export(imports: Path) -> None:
    (imports / "tool.jsonl").write_text(
        '{"uid": 7, "message": "Nordlicht!", "ts": 1764500000, "user": "@kim"}\n'
    )
    fields = {"id": "uid", "text": "message", "created_at": "ts", "author.handle": "user"}
    source = JsonlProvider(import_dir=imports)
    (step,) = run(everything(source.stream({"path": "tool.jsonl", "fields": fields}, "")))
    assert step.posts[0].external_id == "7"
    assert step.posts[0].author.handle == "@kim"


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("../secret.jsonl", "outside the import directory"),
        ("/etc/passwd", "outside the import directory"),
        ("link.jsonl", "outside the import directory"),
        ("missing.jsonl", "no file missing.jsonl"),
        ("", "give a file name"),
    ],
)
def test_only_files_in_the_import_directory(imports: Path, path: str, problem: str) -> None:
    (imports.parent / "secret.jsonl").write_text("{}\n")
    (imports / "link.jsonl").symlink_to(imports.parent / "secret.jsonl")
    with pytest.raises(ValueError, match=problem):
        JsonlProvider(import_dir=imports).validate({"path": path})


def test_a_cursor_past_the_end_of_the_file_is_an_error(imports: Path) -> None:
    source = JsonlProvider(import_dir=imports)
    with pytest.raises(ValueError, match="was it replaced"):
        run(everything(source.stream({"path": "export.jsonl"}, dump_cursor(10**9, 5))))
    with pytest.raises(ValueError, match="not a JSONL source's cursor"):
        run(everything(source.stream({"path": "export.jsonl"}, '{"since_id": "9"}')))


def test_the_provider_is_registered() -> None:
    assert provider("jsonl").label == "JSON Lines import"


@given(st.lists(st.binary(max_size=80) | st.sampled_from(EXPORT.read_bytes().splitlines())))
def test_any_bytes_are_posts_or_numbered_problems(lines: list[bytes]) -> None:
    data = b"\n".join(lines)
    chunk = read_chunk(
        io.BytesIO(data), offset=0, line=0, mapping=FieldMapping(posts=""), max_lines=1000
    )
    assert chunk.offset == len(data)
    assert all(re.match(r"^line \d+: ", problem) for problem in chunk.problems)
