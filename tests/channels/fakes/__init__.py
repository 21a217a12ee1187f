"""Fake network servers on 127.0.0.1 that speak each network's protocol, and what the
connector tests share to drive a provider's stream."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

from rapport.channels.registry import Fetched

FIXTURES = Path(__file__).parent.parent / "fixtures"


class Sleeps:
    """A provider's sleep that records how long it was asked to wait and yields to the
    loop at once, so a test sees the waits without spending them."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        await asyncio.sleep(0.001)


async def take(stream: AsyncIterator[Fetched], posts: int, timeout: float = 10.0) -> list[Fetched]:
    """Steps of ``stream`` until they hold ``posts`` posts, then the stream is closed
    (the way a worker stops a source)."""
    steps: list[Fetched] = []
    try:
        async with asyncio.timeout(timeout):
            async for step in stream:
                steps.append(step)
                if sum(len(s.posts) for s in steps) >= posts:
                    break
    finally:
        await stream.aclose()  # type: ignore[attr-defined]
    return steps


def ids(steps: list[Fetched]) -> list[str]:
    return [post.external_id for step in steps for post in step.posts]
