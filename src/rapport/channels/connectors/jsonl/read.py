"""JSON Lines of posts (one post in the documented shape per line) read a chunk at a
time from a byte offset. A bad line is reported with its number and skipped; it never
stops the lines after it. Lines are bounded, so a file without line breaks cannot fill
the memory."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO

import orjson

from rapport.channels.posts import RawPost

from ..webhook.shape import FieldMapping, PostError, post_from_json

MAX_LINE_BYTES = 1024 * 1024


@dataclass(slots=True)
class Chunk:
    """What one read gave: posts, problems ("line 12: ..."), and where the next read
    starts (the byte offset after the last whole line, and that line's number)."""

    offset: int
    line: int
    posts: list[RawPost] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read_chunk(
    stream: BinaryIO,
    *,
    offset: int,
    line: int,
    mapping: FieldMapping,
    max_lines: int,
    network: str = "jsonl",
    wait_for_newline: bool = False,
) -> Chunk:
    """Up to ``max_lines`` lines from ``offset`` (``line`` lines were read before it).
    With ``wait_for_newline`` a last line without its line break is left for later (a
    writer may still be appending it)."""
    stream.seek(offset)
    chunk = Chunk(offset, line)
    for _ in range(max_lines):
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            break
        complete = raw.endswith(b"\n")
        if not complete and len(raw) <= MAX_LINE_BYTES and wait_for_newline:
            break
        number = chunk.line + 1
        consumed = len(raw)
        if not complete and len(raw) > MAX_LINE_BYTES:
            consumed += _skip_rest_of_line(stream)
            chunk.problems.append(f"line {number}: longer than {MAX_LINE_BYTES:,} bytes; skipped")
        else:
            _read_line(raw, number, mapping, network, chunk)
        chunk.offset += consumed
        chunk.line = number
    return chunk


def _read_line(raw: bytes, number: int, mapping: FieldMapping, network: str, chunk: Chunk) -> None:
    if not raw.strip():
        return
    try:
        item = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        chunk.problems.append(f"line {number}: not JSON ({exc})")
        return
    try:
        chunk.posts.append(
            post_from_json(item, mapping, network=network, where=f"line {number}", separator=": ")
        )
    except PostError as exc:
        chunk.problems.append(str(exc))


def _skip_rest_of_line(stream: BinaryIO) -> int:
    skipped = 0
    while True:
        piece = stream.readline(MAX_LINE_BYTES)
        skipped += len(piece)
        if not piece or piece.endswith(b"\n"):
            return skipped
