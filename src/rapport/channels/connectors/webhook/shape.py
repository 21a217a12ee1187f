"""The documented JSON shape of a post, shared by the webhook, the JSONL import and the
replay recording, and the field mapping that lets a sender keep its own names.

The shape (``docs/connectors.md`` shows a full example)::

    {"id": "p-1",                          required, text or integer
     "text": "Loving the new blend ☕",     required, plain text (markup is removed)
     "created_at": "2026-12-01T09:00:00Z",  required, ISO 8601 with an offset, or Unix seconds
     "author": {"handle": "@ann",           required
                "name": "", "url": "", "avatar_url": "",
                "followers": 0, "following": 0, "verified": false},
     "url": "", "title": "", "lang": "", "reply_to": "",
     "mentions": [], "hashtags": [], "links": [],
     "likes": 0, "reposts": 0, "replies": 0,
     "network": "mastodon"}                 where the post was first published, when the
                                            sender relays posts from elsewhere

A mapping names, for any of these fields, the dotted path where the sender keeps it
(``{"id": "data.tweet_id", "author.handle": "user.screen_name"}``); fields it does
not name are read from their own path. Errors name the post, the field and the path
they were read from, so a sender can fix its payload without reading our code."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rapport.channels.posts import Author, RawPost

from ..rss.markup import html_to_text, tidy

MAX_TEXT = 20_000
MAX_SHORT = 512  # ids, handles, names, URLs
MAX_LIST = 100
# Unix seconds outside these years are a unit mistake (milliseconds) or a typo.
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC).timestamp()
_LATEST = datetime(2100, 1, 1, tzinfo=UTC).timestamp()

FIELDS = (
    "id",
    "text",
    "created_at",
    "author.handle",
    "author.name",
    "author.url",
    "author.avatar_url",
    "author.followers",
    "author.following",
    "author.verified",
    "url",
    "title",
    "lang",
    "reply_to",
    "mentions",
    "hashtags",
    "links",
    "likes",
    "reposts",
    "replies",
    "network",
)
REQUIRED = frozenset({"id", "text", "created_at", "author.handle"})
_MISSING = object()
_NETWORK = re.compile(r"^[a-z][a-z0-9_-]{0,19}$")


class PostError(ValueError):
    """One field of one post is wrong; the message says which, where, and why."""


@dataclass(frozen=True, slots=True)
class FieldMapping:
    """Where the posts and each of their fields sit in a sender's JSON. ``posts`` is the
    path of the list of posts in a webhook body ("" for a body that is the list, or a
    single post); ``fields`` maps our field names to the sender's dotted paths."""

    posts: str = "posts"
    fields: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None) -> FieldMapping:
        """A mapping from a source's saved settings, or ``ValueError`` naming the bad key."""
        if not config:
            return cls()
        unknown = set(config) - {"posts", "fields"}
        if unknown:
            raise ValueError(f"mapping: unknown keys {sorted(unknown)}; use 'posts' and 'fields'")
        posts = config.get("posts", "posts")
        if not isinstance(posts, str):
            raise ValueError("mapping.posts must be a dotted path like 'data.items', or ''")
        fields = config.get("fields") or {}
        if not isinstance(fields, Mapping):
            raise ValueError("mapping.fields must map field names to dotted paths")
        for name, path in fields.items():
            if name not in FIELDS:
                raise ValueError(
                    f"mapping.fields: {name!r} is not a post field ({', '.join(FIELDS)})"
                )
            if not isinstance(path, str) or not path.strip():
                raise ValueError(f"mapping.fields.{name} must be a dotted path like 'user.name'")
        return cls(posts=posts, fields={k: v.strip() for k, v in fields.items()})

    def path(self, name: str) -> str:
        return self.fields.get(name, name)


def lookup(data: Any, path: str) -> Any:
    """The value at a dotted path (``a.b.0.c``: list items by index), or ``_MISSING``."""
    if path == "":
        return data
    current = data
    for part in path.split("."):
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return _MISSING
    return current


class _Reader:
    """Reads one post's fields through the mapping, raising ``PostError`` with the
    post's place (``posts[3]``, ``line 12``) in front."""

    def __init__(self, item: Any, mapping: FieldMapping, where: str, separator: str) -> None:
        if not isinstance(item, Mapping):
            raise PostError(f"{where}: expected a JSON object, got {_kind(item)}")
        self.item = item
        self.mapping = mapping
        self.where = where
        self.separator = separator

    def fail(self, name: str, problem: str) -> PostError:
        path = self.mapping.path(name)
        source = f" (from {path!r})" if path != name else ""
        return PostError(f"{self.where}{self.separator}{name}{source}: {problem}")

    def get(self, name: str) -> Any:
        value = lookup(self.item, self.mapping.path(name))
        if value is _MISSING or value is None:
            if name in REQUIRED:
                raise self.fail(name, "is required")
            return _MISSING
        return value

    def text(self, name: str, *, limit: int = MAX_SHORT, default: str = "") -> str:
        value = self.get(name)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self.fail(name, f"expected text, got {_kind(value)}")
        value = str(value).strip()
        if len(value) > limit:
            raise self.fail(name, f"is {len(value):,} characters long; at most {limit:,}")
        if not value and name in REQUIRED:
            raise self.fail(name, "is empty")
        return value

    def web_url(self, name: str) -> str:
        value = self.text(name)
        if value and not value.lower().startswith(("http://", "https://")):
            raise self.fail(name, "must be an http(s) URL")
        return value

    def count(self, name: str) -> int | None:
        value = self.get(name)
        if value is _MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(name, f"expected a whole number of 0 or more, got {_shown(value)}")
        return value

    def flag(self, name: str) -> bool:
        value = self.get(name)
        if value is _MISSING:
            return False
        if not isinstance(value, bool):
            raise self.fail(name, f"expected true or false, got {_shown(value)}")
        return value

    def strings(self, name: str, *, web: bool = False) -> tuple[str, ...]:
        value = self.get(name)
        if value is _MISSING:
            return ()
        if not isinstance(value, list):
            raise self.fail(name, f"expected a list of text, got {_kind(value)}")
        if len(value) > MAX_LIST:
            raise self.fail(name, f"has {len(value)} items; at most {MAX_LIST}")
        out = []
        for i, entry in enumerate(value):
            if not isinstance(entry, str) or len(entry) > MAX_SHORT:
                raise self.fail(name, f"item {i} must be text of at most {MAX_SHORT} characters")
            if web and not entry.lower().startswith(("http://", "https://")):
                raise self.fail(name, f"item {i} must be an http(s) URL")
            out.append(entry.strip())
        return tuple(dict.fromkeys(e for e in out if e))

    def network(self, *, default: str) -> str:
        value = self.text("network", default=default)
        if not _NETWORK.match(value):
            raise self.fail(
                "network", f"must be a network name like 'mastodon', got {_shown(value)}"
            )
        return value

    def moment(self, name: str) -> datetime:
        value = self.get(name)
        if isinstance(value, bool):
            raise self.fail(name, "expected a date, got true/false")
        if isinstance(value, int | float):
            if not math.isfinite(value) or not _EARLIEST <= value < _LATEST:
                hint = " (milliseconds? give seconds)" if value > _LATEST else ""
                raise self.fail(name, f"{_shown(value)} is not a plausible Unix time{hint}")
            return datetime.fromtimestamp(value, UTC)
        if not isinstance(value, str):
            raise self.fail(name, f"expected an ISO 8601 date, got {_kind(value)}")
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise self.fail(
                name, f"expected an ISO 8601 date like 2026-12-01T09:00:00Z, got {_shown(value)}"
            ) from None
        if moment.tzinfo is None:
            raise self.fail(name, f"{_shown(value)} has no UTC offset; add Z or +01:00")
        return moment.astimezone(UTC)


def post_from_json(
    item: Any, mapping: FieldMapping, *, network: str, where: str, separator: str = "."
) -> RawPost:
    """One post in the documented shape (through ``mapping``), or ``PostError`` whose
    message starts with ``where`` (``posts[3]`` + ``.`` + the field, ``line 12`` +
    ``: `` + the field)."""
    read = _Reader(item, mapping, where, separator)
    text, found_links = html_to_text(read.text("text", limit=MAX_TEXT * 2))
    if not text:
        raise read.fail("text", "has no words once markup is removed")
    author = Author(
        handle=tidy(read.text("author.handle")),
        name=tidy(read.text("author.name")),
        url=read.web_url("author.url"),
        avatar_url=read.web_url("author.avatar_url"),
        followers=read.count("author.followers"),
        following=read.count("author.following"),
        verified=read.flag("author.verified"),
    )
    if not author.handle:
        raise read.fail("author.handle", "is empty")
    return RawPost(
        network=read.network(default=network),
        external_id=read.text("id"),
        text=text[:MAX_TEXT],
        created_at=read.moment("created_at"),
        author=author,
        url=read.web_url("url"),
        title=html_to_text(read.text("title", limit=MAX_TEXT))[0][:MAX_SHORT],
        lang=read.text("lang", limit=35),
        reply_to=read.text("reply_to"),
        mentions=read.strings("mentions"),
        hashtags=tuple(h.lstrip("#") for h in read.strings("hashtags")),
        links=tuple(dict.fromkeys([*read.strings("links", web=True), *found_links])),
        likes=read.count("likes") or 0,
        reposts=read.count("reposts") or 0,
        replies=read.count("replies") or 0,
        raw=dict(item),
    )


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "text", bool: "true/false", type(None): "null"}
    return names.get(
        type(value), "a number" if isinstance(value, int | float) else type(value).__name__
    )


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
