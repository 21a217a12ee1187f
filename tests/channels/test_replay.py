"""Demo replay: the packaged recording is the multilingual stream the demo needs, and
playback keeps its rhythm, stamps posts with the present, loops with fresh ids and
resumes exactly at its cursor."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import AsyncGenerator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from rapport.channels.connectors.replay.provider import (
    LOOP_PAUSE,
    ReplayProvider,
    dump_cursor,
    load_recording,
    recording_path,
)
from rapport.channels.registry import Fetched, provider

NOW = datetime(2027, 1, 1, 12, 0, tzinfo=UTC)
BRANDS = ("Nordlicht", "Kaffeewerk", "Bean & Barrel")


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        await asyncio.sleep(0)


async def take(stream: AsyncGenerator[Fetched, None], count: int) -> list[Fetched]:
    taken = []
    async with asyncio.timeout(10):
        async for step in stream:
            taken.append(step)
            if len(taken) == count:
                break
    await stream.aclose()
    return taken


@pytest.fixture
def recording(tmp_path: Path) -> Path:
    """Five posts: 0 s, +10 s, then a burst of three within a second, recorded."""
    start = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
    offsets = [0, 10, 20, 20.2, 20.4]
    path = tmp_path / "rec.jsonl"
    path.write_bytes(
        b"".join(
            orjson.dumps(
                {
                    "id": f"r{i}",
                    "text": f"post {i}",
                    "created_at": (start + timedelta(seconds=s)).isoformat(),
                    "author": {"handle": f"@a{i}"},
                    **({"reply_to": "r0"} if i == 1 else {}),
                }
            )
            + b"\n"
            for i, s in enumerate(offsets)
        )
    )
    return path


def test_playback_keeps_the_rhythm_and_stamps_the_present(recording: Path) -> None:
    sleeps = Sleeps()
    source = ReplayProvider(recording=recording, sleep=sleeps, clock=lambda: NOW)
    steps = run(take(source.stream({"speed": 10}, ""), 3))
    assert [[p.external_id for p in s.posts] for s in steps] == [
        ["r0.0"],
        ["r1.0"],
        ["r2.0", "r3.0", "r4.0"],  # a burst goes out together
    ]
    assert sleeps.calls == [LOOP_PAUSE / 10, 1.0, 1.0]
    post = steps[1].posts[0]
    assert post.created_at == NOW
    assert post.network == "replay"
    assert post.reply_to == "r0.0"
    assert post.raw["recorded_at"] == "2026-11-30T06:00:10+00:00"
    assert steps[-1].cursor == dump_cursor(0, 5)


def test_it_loops_with_new_ids_and_resumes_at_its_cursor(recording: Path) -> None:
    source = ReplayProvider(recording=recording, sleep=Sleeps(), clock=lambda: NOW)
    first = run(take(source.stream({"speed": 10}, ""), 4))
    assert [p.external_id for p in first[-1].posts] == ["r0.1"]  # the second loop
    assert first[-1].cursor == dump_cursor(1, 1)
    resumed = run(take(source.stream({"speed": 10}, first[-1].cursor), 1))
    assert [p.external_id for p in resumed[0].posts] == ["r1.1"]  # no gap, no repeat


def test_without_looping_it_ends(recording: Path) -> None:
    source = ReplayProvider(recording=recording, sleep=Sleeps(), clock=lambda: NOW)
    steps = run(take(source.stream({"speed": 1000, "loop": False}, ""), 100))
    assert sum(len(s.posts) for s in steps) == 5


@pytest.mark.parametrize(
    ("config", "cursor", "problem"),
    [
        ({"speed": 0}, "", "speed must be a number"),
        ({"speed": "fast"}, "", "speed must be a number"),
        ({}, '{"offset": 3}', "not a replay source's cursor"),
        ({}, '{"loop": -1, "position": 0}', "not a replay source's cursor"),
    ],
)
def test_bad_settings_and_cursors(
    recording: Path, config: dict[str, Any], cursor: str, problem: str
) -> None:
    source = ReplayProvider(recording=recording, sleep=Sleeps())
    with pytest.raises(ValueError, match=problem):
        run(take(source.stream(config, cursor), 1))


def test_the_demo_recording_is_the_stream_the_demo_needs() -> None:
    posts, gaps = load_recording(recording_path())
    assert 280 <= len(posts) <= 320
    # Relayed as if heard on each network, so the demo's per-network views fill too.
    assert set(Counter(p.network for p in posts)) == {"bluesky", "mastodon", "reddit", "x"}
    languages = Counter(p.lang for p in posts)
    assert set(languages) == {"en", "pl", "ru", "nl", "de"}
    assert min(languages.values()) >= 45
    # Every post is about a brand or one of Nordlicht's products, or answers one that is.
    terms = (*BRANDS, "nordlicht", "Polarnacht", "Fjord", "Midnight Sun")
    assert all(any(t in p.text for t in terms) or p.reply_to for p in posts)
    assert all(sum(b in p.text for p in posts) >= 30 for b in BRANDS)
    labels = Counter(p.raw["label"] for p in posts)
    for kind in ("praise", "complaint", "question", "intent", "sarcasm", "burst"):
        assert labels[kind] >= 20, kind
    assert sum(bool(re.search(r"[\U0001F300-\U0001FAFF]", p.text)) for p in posts) >= 30
    assert len({p.external_id for p in posts}) == len(posts)
    ids = {p.external_id for p in posts}
    assert all(p.reply_to in ids for p in posts if p.reply_to)
    # The spike: most of the negative burst lands within a quarter of an hour.
    burst = [p.created_at for p in posts if p.raw["label"] == "burst"]
    assert max(burst) - min(burst) <= timedelta(minutes=15)
    assert len(burst) >= 30
    assert all(gap >= 0 for gap in gaps)


def test_the_demo_replay_is_registered_and_plays() -> None:
    assert provider("replay").label == "Demo replay"
    source = ReplayProvider(sleep=Sleeps(), clock=lambda: NOW)
    steps = run(take(source.stream({"speed": 100_000}, ""), 400))
    played = [p for s in steps for p in s.posts]
    assert len(played) >= 305
    assert {p.created_at for p in played} == {NOW}
    assert played[0].external_id == "rec-0001.0"
    assert any(p.external_id == "rec-0001.1" for p in played)  # looped
