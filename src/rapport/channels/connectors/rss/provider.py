"""Any RSS or Atom feed as a listening source (news sites, blogs, review sites), polled.

Each poll is a conditional GET: the ETag and Last-Modified of the last answer ride in
the cursor, so an unchanged feed costs the publisher a 304 and us nothing. Feeds repeat
their recent entries on every fetch, so the cursor also remembers a bounded set of
entry ids already handed over; only the others are new. The cursor is written only
with the posts it covers, so a failed poll (a broken connection, a document that is no
feed) leaves it as it was and the next poll starts from the same place."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncGenerator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from rapport.channels import egress
from rapport.channels.egress import EgressPolicy
from rapport.channels.http import HttpClient, RateLimited
from rapport.channels.registry import Fetched

from ..social import NetworkProvider, Sleep
from .parse import parse_feed

DEFAULT_INTERVAL = 15 * 60.0  # seconds between polls; feeds rarely change faster
MIN_INTERVAL = 1.0
MAX_RATE_LIMIT_WAIT = 6 * 3600.0
SEEN_LIMIT = 500  # ids remembered beyond those in the latest document


@dataclass(slots=True)
class FeedCursor:
    """Where a feed source stands: the validators of the last answer and digests of
    the entry ids already handed over (newest first)."""

    etag: str = ""
    last_modified: str = ""
    seen: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, cursor: str) -> FeedCursor:
        if not cursor:
            return cls()
        try:
            state = orjson.loads(cursor)
            return cls(
                etag=str(state.get("etag", "")),
                last_modified=str(state.get("last_modified", "")),
                seen=[str(s) for s in state.get("seen", [])],
            )
        except (orjson.JSONDecodeError, AttributeError, TypeError):
            raise ValueError(f"not an RSS source's cursor: {cursor[:80]!r}") from None

    def dump(self) -> str:
        return orjson.dumps(
            {"etag": self.etag, "last_modified": self.last_modified, "seen": self.seen}
        ).decode()


def id_digest(external_id: str) -> str:
    # 64 bits of a digest: a collision among a few hundred ids of one feed would need
    # billions of entries, and the cursor stays a few kilobytes.
    return hashlib.blake2b(external_id.encode(), digest_size=8).hexdigest()


@dataclass(frozen=True, slots=True)
class Poll:
    """One conditional fetch: the new posts (oldest first) and the cursor after them;
    ``changed`` is False when the publisher answered 304 Not Modified."""

    fetched: Fetched
    changed: bool


async def poll(http: HttpClient, feed_url: str, cursor: str) -> Poll:
    """Fetch the feed once and keep what was not seen. Raises ``FeedError`` for a
    document that is no feed, ``RateLimited`` and ``HttpError`` as the client does;
    in every such case the caller's cursor still stands."""
    state = FeedCursor.load(cursor)
    response = await http.get(feed_url, etag=state.etag, last_modified=state.last_modified)
    if response.not_modified:
        return Poll(Fetched([], cursor), changed=False)
    feed = parse_feed(
        response.body,
        feed_url,
        base_url=response.url,
        content_type=response.headers.get("content-type", ""),
        fetched_at=datetime.now(UTC),
    )
    seen = set(state.seen)
    fresh = []
    in_document = []
    for post in feed.posts:
        digest = id_digest(post.external_id)
        in_document.append(digest)
        if digest not in seen:
            seen.add(digest)
            fresh.append(post)
    fresh.sort(key=lambda p: p.created_at)
    # Everything the document still lists stays remembered, however long the feed;
    # beyond that the most recent ids, so an entry that drops out and comes back
    # within a while is still known.
    remembered = list(dict.fromkeys([*in_document, *state.seen]))
    keep = max(SEEN_LIMIT, len(in_document))
    after = FeedCursor(
        etag=response.etag,
        last_modified=response.last_modified,
        seen=remembered[:keep],
    )
    return Poll(Fetched(fresh, after.dump()), changed=True)


class RssProvider(NetworkProvider):
    network = "rss"
    label = "RSS / Atom feed"

    def __init__(
        self,
        *,
        policy: EgressPolicy | None = None,
        sleep: Sleep = asyncio.sleep,
        client: Callable[[EgressPolicy], HttpClient] | None = None,
    ) -> None:
        super().__init__(policy=policy, sleep=sleep)
        self._client = client or (lambda p: HttpClient(policy=p))

    def validate(self, config: Mapping[str, Any]) -> dict[str, Any]:
        url = config.get("url")
        if not isinstance(url, str) or not url.strip():
            raise ValueError("url: give the feed's address, like https://example.com/feed.xml")
        try:
            checked = egress.check_url(url.strip(), self.policy)
        except egress.EgressDenied as exc:
            raise ValueError(f"url: {exc}") from None
        interval = config.get("interval_seconds", DEFAULT_INTERVAL)
        if isinstance(interval, bool) or not isinstance(interval, int | float):
            raise ValueError("interval_seconds must be a number of seconds")
        if interval < MIN_INTERVAL:
            raise ValueError(f"interval_seconds must be at least {MIN_INTERVAL:g}")
        return {"url": str(checked), "interval_seconds": float(interval)}

    async def stream(self, config: Mapping[str, Any], cursor: str) -> AsyncGenerator[Fetched, None]:
        """Poll forever. A rate limit waits as long as the publisher asks (bounded);
        other failures end the stream with their error, the cursor untouched, for the
        runner to record and retry later."""
        settings = self.validate(config)
        FeedCursor.load(cursor)  # a foreign cursor fails now, not after the first fetch
        async with self._client(self.policy) as http:
            while True:
                try:
                    result = await poll(http, settings["url"], cursor)
                except RateLimited as limited:
                    await self._sleep(min(limited.retry_after_seconds, MAX_RATE_LIMIT_WAIT))
                    continue
                if result.changed and result.fetched.cursor != cursor:
                    cursor = result.fetched.cursor
                    yield result.fetched
                await self._sleep(settings["interval_seconds"])
