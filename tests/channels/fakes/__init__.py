"""Fake network servers on 127.0.0.1 that speak each network's protocol, and what the
connector tests share to drive a provider's stream."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Iterator
from copy import deepcopy
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from rapport.channels.http import RateLimited
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


async def take(
    stream: AsyncGenerator[Fetched, None], posts: int, timeout: float = 10.0
) -> list[Fetched]:
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
        await stream.aclose()
    return steps


async def rate_limited(stream: AsyncGenerator[Fetched, None]) -> tuple[list[Fetched], RateLimited]:
    """The steps of ``stream`` before it raised ``RateLimited`` (which the listen runner
    shows on the source, waits out, then restarts the stream from the stored cursor)."""
    steps: list[Fetched] = []
    try:
        async with asyncio.timeout(10):
            async for step in stream:
                steps.append(step)
    except RateLimited as limited:
        return steps, limited
    finally:
        await stream.aclose()
    raise AssertionError("the stream ended without RateLimited")


def ids(steps: list[Fetched]) -> list[str]:
    return [post.external_id for step in steps for post in step.posts]


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def damaged(document: Any) -> st.SearchStrategy[Any]:
    """``document`` (a real-shaped payload) with one value anywhere in it, or the whole
    of it, replaced by arbitrary JSON: what a broken or hostile server might send."""
    return st.builds(
        _replaced, st.just(document), st.sampled_from(list(_paths(document))), JSON_VALUES
    )


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    children = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, child in children:
        yield from _paths(child, (*prefix, key))


def _replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = deepcopy(document)
    parent = copy
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return copy
