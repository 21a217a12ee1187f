"""A post as every connector hands it over, whatever the network: the fields listening
needs to match, classify, attribute and link it, plus the raw payload for the record.

Parsers build these from the network's own JSON (or XML); nothing downstream knows which
network a post came from except through ``network`` and ``raw``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


# Not frozen: a frozen dataclass sets each field through object.__setattr__, which made
# building the two objects a third of parsing a Jetstream event (2,000 a second). Nothing
# changes a post after its parser built it; dataclasses.replace makes the changed copies.
@dataclass(slots=True)
class Author:
    """Who wrote it, as the network shows them. ``handle`` is the network's stable
    name for the account (``alice.bsky.social``, ``@alice@mastodon.social``,
    ``u/alice``); counts are None when the payload does not carry them."""

    handle: str
    name: str = ""
    url: str = ""
    followers: int | None = None
    following: int | None = None
    verified: bool = False
    avatar_url: str = ""


@dataclass(slots=True)
class RawPost:
    """One post, comment or article from a source."""

    network: str  # "bluesky", "mastodon", "reddit", "rss", "x", "webhook", "jsonl", "replay"
    external_id: str  # unique within the network (at-uri, status URL, t3_/t1_ id, guid)
    text: str  # plain text: markup removed, entities decoded
    created_at: datetime  # timezone-aware
    author: Author
    url: str = ""  # the original, for "open the original"
    title: str = ""  # articles and Reddit posts have one
    lang: str = ""  # the network's own language tag, if any (a hint, not the truth)
    reply_to: str = ""  # external_id of the parent, for threads and the reply graph
    mentions: tuple[str, ...] = ()  # handles mentioned
    hashtags: tuple[str, ...] = ()  # without the '#', as written
    links: tuple[str, ...] = ()
    likes: int = 0
    reposts: int = 0
    replies: int = 0
    raw: dict[str, Any] = field(default_factory=dict, compare=False)
