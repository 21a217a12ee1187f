"""A webhook body to posts. The endpoint (mounted by the web app) hands over the raw
body and the source's mapping; a body is taken whole or refused whole, with every
problem listed, so a sender never has to guess which of its posts got in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from rapport.channels.posts import RawPost

from .shape import FieldMapping, PostError, lookup, post_from_json

MAX_BODY_BYTES = 1024 * 1024
MAX_POSTS = 500
MAX_PROBLEMS = 20  # listed in one answer; a sender with more has one mistake repeated


class WebhookError(ValueError):
    """The body was refused. ``problems`` lists each one ("posts[2].created_at: ...")."""

    def __init__(self, problems: list[str]) -> None:
        shown = problems[:MAX_PROBLEMS]
        more = len(problems) - len(shown)
        super().__init__("; ".join(shown) + (f"; and {more} more" if more else ""))
        self.problems = problems


def parse_webhook(
    body: bytes,
    mapping: FieldMapping | Mapping[str, Any] | None = None,
    *,
    max_bytes: int = MAX_BODY_BYTES,
    max_posts: int = MAX_POSTS,
) -> list[RawPost]:
    """The posts in ``body`` (JSON, the documented shape, read through ``mapping``), or
    ``WebhookError``. ``mapping`` may be a ``FieldMapping`` or the saved settings it is
    made from."""
    if not isinstance(mapping, FieldMapping):
        try:
            mapping = FieldMapping.from_config(mapping)
        except ValueError as exc:
            raise WebhookError([str(exc)]) from None
    if len(body) > max_bytes:
        raise WebhookError([f"body: {len(body):,} bytes; at most {max_bytes:,}"])
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise WebhookError([f"body: not JSON ({exc})"]) from None
    found = lookup(document, mapping.posts)
    where = mapping.posts or "body"
    if isinstance(found, dict) and mapping.posts == "":
        found = [found]  # a body that is one post
    if not isinstance(found, list):
        expected = f'{{"{mapping.posts}": [...]}}' if mapping.posts else "a post or a list of posts"
        raise WebhookError([f"{where}: missing or not a list; the body must be {expected}"])
    if len(found) > max_posts:
        raise WebhookError([f"{where}: {len(found)} posts; at most {max_posts} a request"])
    posts, problems = [], []
    for i, item in enumerate(found):
        try:
            posts.append(post_from_json(item, mapping, network="webhook", where=f"{where}[{i}]"))
        except PostError as exc:
            problems.append(str(exc))
    if problems:
        raise WebhookError(problems)
    return posts
