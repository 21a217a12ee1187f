"""A recorded stream of posts played back as if it were happening now, so the demo's
dashboards move while a visitor watches, with no network at all.

The recording (``data/demo.jsonl``, the documented post shape plus a ``label`` the
demo does not read) keeps its original timestamps; playback keeps its rhythm, sped up
by ``speed``: a burst stays a burst. Each post is stamped with the moment it is played
and its id gets the loop number, so every loop is new posts to listening and the same
post is never handed over twice. The cursor is the loop and the position in the
recording."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import orjson

from rapport.channels.posts import RawPost
from rapport.channels.registry import Fetched

from ..positions import dump_positions, load_positions
from ..webhook.shape import FieldMapping, post_from_json

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], datetime]

DEFAULT_SPEED = 30.0  # the demo recording (about 4.5 hours) then loops every ~9 minutes
LOOP_PAUSE = 60.0  # recorded seconds between the end of a loop and the next start
TICK = 0.5  # posts due within this many (real) seconds of each other go out together
MAX_BATCH = 50
MAX_WAIT = 60.0  # never wait longer than this for the next post, whatever the gap


def recording_path() -> Path:
    return Path(str(resources.files(__package__ or __name__).joinpath("data", "demo.jsonl")))


@cache
def load_recording(path: Path) -> tuple[tuple[RawPost, ...], tuple[float, ...]]:
    """The recorded posts in time order, and the recorded seconds before each one (the
    first one's is the pause between loops). A bad line is a broken recording: error."""
    posts = []
    mapping = FieldMapping(posts="")
    with path.open("rb") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                item = orjson.loads(line)
                posts.append(
                    post_from_json(
                        item, mapping, network="replay", where=f"{path.name} line {number}"
                    )
                )
    if not posts:
        raise ValueError(f"{path} holds no posts")
    posts.sort(key=lambda p: p.created_at)
    gaps = [LOOP_PAUSE] + [
        (later.created_at - earlier.created_at).total_seconds()
        for earlier, later in itertools.pairwise(posts)
    ]
    return tuple(posts), tuple(gaps)


_CURSOR = ("loop", "position")


def load_cursor(cursor: str) -> tuple[int, int]:
    return load_positions(cursor, _CURSOR, "a replay source's")


def dump_cursor(loop: int, position: int) -> str:
    return dump_positions(_CURSOR, loop, position)


def played(post: RawPost, loop: int, now: datetime) -> RawPost:
    """The recorded post as heard now, with an id of this loop."""
    return dataclasses.replace(
        post,
        external_id=f"{post.external_id}.{loop}",
        reply_to=f"{post.reply_to}.{loop}" if post.reply_to else "",
        created_at=now,
        raw={**post.raw, "recorded_at": post.created_at.isoformat(), "loop": loop},
    )


class ReplayProvider:
    network = "replay"
    label = "Demo replay"

    def __init__(
        self,
        *,
        recording: Path | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = lambda: datetime.now(UTC),
    ) -> None:
        self._recording = recording
        self._sleep = sleep
        self._clock = clock

    def validate(self, config: Mapping[str, Any]) -> dict[str, Any]:
        speed = config.get("speed", DEFAULT_SPEED)
        if (
            isinstance(speed, bool)
            or not isinstance(speed, int | float)
            or not 0.1 <= speed <= 100_000
        ):
            raise ValueError(
                "speed must be a number from 0.1 to 100000 (30 plays 30 recorded seconds a second)"
            )
        return {"speed": float(speed), "loop": bool(config.get("loop", True))}

    async def stream(self, config: Mapping[str, Any], cursor: str) -> AsyncGenerator[Fetched, None]:
        settings = self.validate(config)
        posts, gaps = load_recording(self._recording or recording_path())
        loop, position = load_cursor(cursor)
        speed = settings["speed"]
        while True:
            if position >= len(posts):
                if not settings["loop"]:
                    return
                loop, position = loop + 1, 0
            await self._sleep(min(gaps[position] / speed, MAX_WAIT))
            end = _burst_end(gaps, position, speed)
            now = self._clock()
            batch = [played(p, loop, now) for p in posts[position:end]]
            position = end
            yield Fetched(batch, dump_cursor(loop, position))


def _burst_end(gaps: Sequence[float], position: int, speed: float) -> int:
    """The end of the run of posts from ``position`` due within a tick of each other."""
    end = position + 1
    while end < len(gaps) and end - position < MAX_BATCH and gaps[end] / speed < TICK:
        end += 1
    return end
