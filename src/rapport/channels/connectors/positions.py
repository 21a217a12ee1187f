"""Cursors that are two positions in something the source reads from its start, such
as a byte offset and a line number (JSON Lines) or a loop and a post (the demo
replay): a JSON object of two non-negative integers under the source's own names."""

from __future__ import annotations

import orjson


def load_positions(cursor: str, names: tuple[str, str], source: str) -> tuple[int, int]:
    """The two positions a ``source`` stored under ``names``, or ``(0, 0)`` the first
    time. A cursor that is not the source's is an error, not a fresh start."""
    if not cursor:
        return 0, 0
    first_name, second_name = names
    try:
        state = orjson.loads(cursor)
        first, second = int(state[first_name]), int(state[second_name])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise ValueError(f"not {source} cursor: {cursor[:80]!r}") from None
    if first < 0 or second < 0:
        raise ValueError(f"not {source} cursor: {cursor[:80]!r}")
    return first, second


def dump_positions(names: tuple[str, str], first: int, second: int) -> str:
    return orjson.dumps(dict(zip(names, (first, second), strict=True))).decode()
