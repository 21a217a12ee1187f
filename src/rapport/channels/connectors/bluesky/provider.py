"""Bluesky as a listening source: every new post on the network (or of some accounts)
from Jetstream. Matching happens downstream; this only keeps up and keeps its place.

Jetstream cursors are times (``time_us``, microseconds) and each instance stamps
events with its own clock, so a reconnection, possibly to another instance, starts a
few seconds before the cursor and drops posts already handed over by their at-uri.
The cursor therefore carries, besides ``time_us``, short digests of the posts handed
over in those last seconds: ``{"time_us": T, "recent": [[time_us, digest], ...]}``.

The process remembers the whole window; the cursor it saves keeps the newest
``CURSOR_RECENT`` of them. A source following some accounts hands over far fewer posts
than that in a window, so its cursor has them all; the whole firehose hands over ten
thousand, and writing them all on every step cost more than everything else the
listener does with the stream. After a restart, what the cursor no longer lists is
handed over again, and the store recognises it by its at-uri (it keeps each post once
per network), so nothing is stored twice either way."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import itertools
import logging
import re
from collections import OrderedDict
from collections.abc import AsyncGenerator, Mapping
from contextlib import AsyncExitStack, aclosing
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

from rapport.channels.egress import EgressError, EgressPolicy
from rapport.channels.http import DEFAULT_RETRY_AFTER, RateLimited, retry_after_seconds
from rapport.channels.posts import RawPost
from rapport.channels.registry import Fetched

from ..social import (
    Backoff,
    NetworkProvider,
    Sleep,
    checked_base_url,
    dump_cursor,
    load_cursor,
    network_client,
    real_sleep,
)
from .client import check_endpoint, hello, subscribe, subscribe_url
from .parse import JetstreamPayloadError, parse_message
from .profiles import APPVIEW, Profiles, appview_retry_after

log = logging.getLogger(__name__)

# Bluesky's public instances; a source rotates through them when one fails.
PUBLIC_ENDPOINTS = (
    "wss://jetstream2.us-east.bsky.network/subscribe",
    "wss://jetstream1.us-east.bsky.network/subscribe",
    "wss://jetstream1.us-west.bsky.network/subscribe",
    "wss://jetstream2.us-west.bsky.network/subscribe",
)
_DID = re.compile(r"^did:(plc:[a-z2-7]{24}|web:[A-Za-z0-9.:%-]{1,253})$")
MAX_DIDS = 10_000  # Jetstream's own limit on wantedDids
BATCH_POSTS = 1_000  # half a second of the whole firehose: fewer, larger store steps
BATCH_SECONDS = 1.0
CURSOR_RECENT = 500  # digests a saved cursor keeps (see the module's docstring)


class BlueskyProvider(NetworkProvider):
    network = "bluesky"
    label = "Bluesky"

    def __init__(
        self,
        *,
        policy: EgressPolicy | None = None,
        sleep: Sleep = real_sleep,
        batch_seconds: float = BATCH_SECONDS,
    ) -> None:
        super().__init__(policy=policy, sleep=sleep)
        self._batch_seconds = batch_seconds

    def validate(self, config: Mapping[str, Any]) -> dict[str, Any]:
        endpoints = config.get("endpoints") or list(PUBLIC_ENDPOINTS)
        if isinstance(endpoints, str):
            endpoints = endpoints.replace(",", " ").split()
        if not isinstance(endpoints, list | tuple) or not endpoints:
            raise ValueError("endpoints must be a list of wss:// Jetstream URLs")
        for endpoint in endpoints:
            try:
                check_endpoint(str(endpoint), self.policy)
            except EgressError as error:
                raise ValueError(f"endpoint {endpoint!r}: {error}") from None
        dids = config.get("dids") or []
        if isinstance(dids, str):
            dids = dids.replace(",", " ").split()
        if not isinstance(dids, list | tuple) or len(dids) > MAX_DIDS:
            raise ValueError(f"dids must be a list of at most {MAX_DIDS:,} account DIDs")
        for did in dids:
            if not isinstance(did, str) or not _DID.match(did):
                raise ValueError(
                    f"{did!r} is not an account DID like did:plc:ewvi7nxzyoun6zhxrhs64oiz"
                )
        rewind = config.get("rewind_seconds", 5)
        if not isinstance(rewind, int | float) or not 0 <= rewind <= 600:
            raise ValueError("rewind_seconds must be between 0 and 600")
        # Profiles are looked up per author of every post handed over: fine for a
        # source that follows some accounts, not for the whole firehose (thousands of
        # authors a second), where only the few matching posts are kept anyway.
        return {
            "profiles": bool(config.get("profiles", bool(dids))),
            "appview_url": checked_base_url(
                config.get("appview_url"), "appview_url", APPVIEW, self.policy
            ),
            "endpoints": [str(e) for e in endpoints],
            "dids": list(dict.fromkeys(dids)),
            "rewind_seconds": rewind,
        }

    async def stream(self, config: Mapping[str, Any], cursor: str) -> AsyncGenerator[Fetched, None]:
        settings = self.validate(config)
        place = _Place.load(cursor, int(settings["rewind_seconds"] * 1_000_000))
        async with AsyncExitStack() as stack:
            profiles = await self._profiles(settings, stack)
            steps = await stack.enter_async_context(aclosing(self._follow(settings, place)))
            async for step in steps:
                if profiles is None or not step.posts:
                    yield step
                else:
                    posts = await profiles.with_authors(step.posts)
                    yield dataclasses.replace(step, posts=posts)

    async def _profiles(self, settings: dict[str, Any], stack: AsyncExitStack) -> Profiles | None:
        if not settings["profiles"]:
            return None
        # A name is not worth holding the stream for long.
        brief = dataclasses.replace(self.policy, total_timeout=min(self.policy.total_timeout, 10.0))
        headers = {"Accept": "application/json"}
        http = await stack.enter_async_context(network_client(brief, headers, appview_retry_after))
        return Profiles(http, settings["appview_url"])

    async def _follow(
        self, settings: dict[str, Any], place: _Place
    ) -> AsyncGenerator[Fetched, None]:
        backoff = Backoff(self._sleep)
        attempt = 0
        while True:
            endpoint = settings["endpoints"][attempt % len(settings["endpoints"])]
            url = subscribe_url(endpoint, settings["dids"], place.resume_from())
            try:
                async with subscribe(url, self.policy) as connection:
                    if (options := hello(settings["dids"])) is not None:
                        await connection.send(options)
                    async with aclosing(_batches(connection, place, self._batch_seconds)) as steps:
                        async for step in steps:
                            backoff.reset()
                            yield step
            except InvalidStatus as refused:
                _raise_unless_server_trouble(refused, endpoint)
                failure: Exception = refused
            except (ConnectionClosed, InvalidHandshake, OSError, TimeoutError) as error:
                failure = error
            log.info("Jetstream %s dropped (%s); reconnecting", endpoint, failure)
            attempt += 1  # the next public instance, if there are several
            await backoff.wait(failure)


def _raise_unless_server_trouble(refused: InvalidStatus, endpoint: str) -> None:
    """A refused handshake: a 429 goes to the listen runner as ``RateLimited`` (it waits
    as asked, then restarts from the cursor); another 4xx needs a person; a 5xx is the
    server's trouble, retried here."""
    status = refused.response.status_code
    if status == 429:
        wait = retry_after_seconds(refused.response.headers.get("Retry-After", ""))
        raise RateLimited(DEFAULT_RETRY_AFTER if wait is None else wait, url=endpoint)
    if status < 500:
        raise refused


class _Place:
    """Where the stream is: the last ``time_us`` seen and the posts handed over within
    the rewind window before it."""

    def __init__(self, time_us: int, recent: list[tuple[int, str]], rewind_us: int) -> None:
        self.time_us = time_us
        self.rewind_us = rewind_us
        # digest -> time_us, oldest first (Jetstream sends in time order): expiry pops
        # from the front instead of rebuilding ten thousand entries a step.
        self.recent: OrderedDict[str, int] = OrderedDict(
            (digest, seen) for seen, digest in sorted(recent)
        )

    @classmethod
    def load(cls, cursor: str, rewind_us: int) -> _Place:
        state = load_cursor(cursor, "bluesky")
        time_us = state.get("time_us", 0)
        recent = state.get("recent", [])
        if not isinstance(time_us, int) or not isinstance(recent, list):
            raise ValueError(f"not a bluesky cursor: {cursor[:80]!r}")
        if not all(isinstance(p, list) and len(p) == 2 and isinstance(p[0], int) for p in recent):
            raise ValueError(f"not a bluesky cursor: {cursor[:80]!r}")
        return cls(time_us, [(p[0], str(p[1])) for p in recent], rewind_us)

    def resume_from(self) -> int | None:
        return self.time_us - self.rewind_us if self.time_us else None

    def hand_over(self, post: RawPost, time_us: int) -> bool:
        """Whether ``post`` is new; if so it is remembered."""
        digest = hashlib.blake2b(post.external_id.encode(), digest_size=6).hexdigest()
        if digest in self.recent:
            return False
        self.recent[digest] = time_us
        return True

    def advance(self, time_us: int) -> None:
        self.time_us = max(self.time_us, time_us)

    def dump(self) -> str:
        horizon = self.time_us - self.rewind_us
        recent = self.recent
        while recent and next(iter(recent.values())) < horizon:
            recent.popitem(last=False)
        newest = itertools.islice(reversed(recent.items()), CURSOR_RECENT)
        kept = sorted([t, d] for d, t in newest)
        return dump_cursor({"time_us": self.time_us, "recent": kept})


async def _batches(
    connection: ClientConnection, place: _Place, batch_seconds: float
) -> AsyncGenerator[Fetched, None]:
    """Posts in batches of up to ``BATCH_POSTS`` or ``batch_seconds``, whichever comes
    first; a quiet spell still hands over the cursor if events moved it. When the
    connection breaks, what was read is handed over before the error goes up, so the
    cursor never runs ahead of the posts."""
    loop = asyncio.get_running_loop()
    stored = place.time_us
    while True:
        posts: list[RawPost] = []
        problems: list[str] = []
        # One deadline for the batch, not one per message (a timer per message cost as
        # much as parsing it); cancelling recv() loses nothing, the next call returns
        # the message it was waiting for.
        deadline = asyncio.timeout_at(loop.time() + batch_seconds)
        try:
            async with deadline:
                while len(posts) < BATCH_POSTS:
                    _take(await connection.recv(), place, posts, problems)
        except TimeoutError:
            if not deadline.expired():
                raise
        except Exception:
            if posts or problems or place.time_us != stored:
                yield Fetched(posts, place.dump(), tuple(problems))
            raise
        if posts or problems or place.time_us != stored:
            yield Fetched(posts, place.dump(), tuple(problems))
            stored = place.time_us


def _take(message: str | bytes, place: _Place, posts: list[RawPost], problems: list[str]) -> None:
    try:
        event = parse_message(message)
    except JetstreamPayloadError as error:
        problems.append(f"a Jetstream message was skipped: {error}")
        log.warning("Jetstream: %s", problems[-1])
        return
    if event.post is not None and place.hand_over(event.post, event.time_us):
        posts.append(event.post)
    place.advance(event.time_us)
