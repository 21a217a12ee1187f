"""Cursor pagination over (ordering key, id): stable under inserts and O(page) deep
into a list, where OFFSET pagination re-reads every skipped row."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from django.db import models

from .errors import DomainError

M = TypeVar("M", bound=models.Model)

MAX_LIMIT = 200


@dataclass(frozen=True)
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


def encode_cursor(key: Any, pk: int) -> str:
    if isinstance(key, datetime):
        key = {"t": key.isoformat()}
    raw = json.dumps([key, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if isinstance(key, dict):
            key = datetime.fromisoformat(key["t"]).astimezone(UTC)
        if not isinstance(pk, int):
            raise TypeError("cursor id")
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise DomainError(
            "The cursor is not valid; start again without one.", field="cursor"
        ) from exc
    return key, pk


def paginate(
    queryset: models.QuerySet[M],
    *,
    key: str,
    descending: bool,
    cursor: str | None,
    limit: int,
) -> Page[M]:
    """One page of ``queryset`` ordered by ``(key, id)``."""
    limit = max(1, min(limit, MAX_LIMIT))
    direction = "-" if descending else ""
    qs = queryset.order_by(f"{direction}{key}", f"{direction}id")
    if cursor:
        value, pk = decode_cursor(cursor)
        op = "lt" if descending else "gt"
        # The plain range bound on ``key`` lets the database seek in the index;
        # the OR alone makes SQLite fall back to scanning from the start.
        qs = qs.filter(**{f"{key}__{op}e": value}).filter(
            models.Q(**{f"{key}__{op}": value}) | models.Q(**{f"id__{op}": pk})
        )
    rows = list(qs[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor(getattr(last, key), last.pk)
    return Page(items=rows, next_cursor=next_cursor)
