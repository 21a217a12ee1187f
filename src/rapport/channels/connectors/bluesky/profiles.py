"""Who wrote a Jetstream post. Jetstream carries only the author's DID; the handle,
display name, follower count and verification come from a Bluesky AppView
(``app.bsky.actor.getProfiles``, 25 accounts a request), kept for a day so an active
account costs one lookup. A lookup that fails or is rate limited leaves the DID as
the handle for a while: the posts are never held back for a name."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import httpx

from rapport.channels.egress import EgressError
from rapport.channels.http import HttpClient, HttpError, RateLimited
from rapport.channels.posts import Author, RawPost

from ..payload import optional_count, web_link
from ..social import bounded_wait, header_number

log = logging.getLogger(__name__)

APPVIEW = "https://public.api.bsky.app"
PER_REQUEST = 25  # getProfiles' limit
KEEP_SECONDS = 24 * 3600.0
FAILURE_PAUSE_SECONDS = 60.0


def appview_retry_after(headers: httpx.Headers) -> float | None:
    reset = header_number(headers, "ratelimit-reset")  # epoch seconds
    return None if reset is None else reset - time.time()


class Profiles:
    def __init__(
        self,
        http: HttpClient,
        appview: str,
        *,
        size: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._http = http
        self._appview = appview
        self._size = size
        self._clock = clock
        self._known: OrderedDict[str, tuple[float, Author | None]] = OrderedDict()
        self._quiet_until = 0.0

    async def with_authors(self, posts: list[RawPost]) -> list[RawPost]:
        """``posts`` with the authors the AppView knows filled in."""
        dids = list(
            dict.fromkeys(p.author.handle for p in posts if p.author.handle.startswith("did:"))
        )
        missing = [did for did in dids if self._cached(did) is _UNKNOWN]
        for start in range(0, len(missing), PER_REQUEST):
            if self._clock() < self._quiet_until:
                break
            await self._look_up(missing[start : start + PER_REQUEST])
        authors = {did: author for did in dids if isinstance(author := self._cached(did), Author)}
        return [
            dataclasses.replace(p, author=authors[p.author.handle])
            if p.author.handle in authors
            else p
            for p in posts
        ]

    def _cached(self, did: str) -> Author | object | None:
        entry = self._known.get(did)
        if entry is None or entry[0] < self._clock():
            return _UNKNOWN
        self._known.move_to_end(did)
        return entry[1]

    async def _look_up(self, dids: list[str]) -> None:
        try:
            response = await self._http.get(
                f"{self._appview}/xrpc/app.bsky.actor.getProfiles", params={"actors": dids}
            )
            payload = response.json()
        except RateLimited as limited:
            self._quiet_until = self._clock() + bounded_wait(limited.retry_after_seconds)
            return
        except (HttpError, EgressError) as error:
            log.info("Bluesky profiles unavailable for now (%s)", error)
            self._quiet_until = self._clock() + FAILURE_PAUSE_SECONDS
            return
        by_did: dict[str, Author | None] = dict.fromkeys(dids)
        for profile in _profiles(payload):
            author = _author(profile)
            if author is not None:
                by_did[str(profile["did"])] = author
        expires = self._clock() + KEEP_SECONDS
        for did, author in by_did.items():
            # An account the AppView does not return (deleted, taken down) is
            # remembered as unknown too, so it is not asked for again at once.
            self._known[did] = (expires, author)
            self._known.move_to_end(did)
        while len(self._known) > self._size:
            self._known.popitem(last=False)


_UNKNOWN = object()


def _profiles(payload: object) -> list[dict[str, Any]]:
    profiles = payload.get("profiles") if isinstance(payload, dict) else None
    if not isinstance(profiles, list):
        return []
    return [p for p in profiles if isinstance(p, dict) and isinstance(p.get("did"), str)]


def _author(profile: dict[str, Any]) -> Author | None:
    handle = profile.get("handle")
    if not isinstance(handle, str) or not handle or handle == "handle.invalid":
        return None
    name = profile.get("displayName")
    verification = profile.get("verification")
    return Author(
        handle=handle,
        name=name if isinstance(name, str) else "",
        url=f"https://bsky.app/profile/{handle}",
        followers=optional_count(profile.get("followersCount")),
        following=optional_count(profile.get("followsCount")),
        verified=isinstance(verification, dict) and verification.get("verifiedStatus") == "valid",
        avatar_url=web_link(profile.get("avatar")),
    )
