"""Reddit's OAuth API over the shared HTTP client. Reddit asks for a bearer token, a
User-Agent naming the app and its operator, and attention to its rate-limit headers:
``X-Ratelimit-Remaining`` requests are left for ``X-Ratelimit-Reset`` seconds."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from rapport.channels.egress import EgressPolicy
from rapport.channels.http import HttpClient
from rapport.channels.posts import RawPost

from ..social import Sleep, bounded_wait, header_number, network_client
from .parse import fullname_order, parse_listing

API = "https://oauth.reddit.com"
PAGE_SIZE = 100  # Reddit's largest listing page
MAX_PAGES = 10  # a listing goes back about 1,000 things; older ones are out of reach


@dataclass(frozen=True, slots=True)
class Feed:
    """One listing a source follows, and its key in the cursor."""

    key: str
    path: str
    params: Mapping[str, str]


def reddit_retry_after(headers: httpx.Headers) -> float | None:
    return header_number(headers, "x-ratelimit-reset")


class RedditClient:
    def __init__(self, http: HttpClient, base_url: str, sleep: Sleep) -> None:
        self._http = http
        self._base_url = base_url
        self._sleep = sleep

    @classmethod
    @asynccontextmanager
    async def open(
        cls, settings: Mapping[str, Any], policy: EgressPolicy, sleep: Sleep
    ) -> AsyncIterator[RedditClient]:
        headers = {
            "Authorization": f"bearer {settings['token']}",
            "User-Agent": settings["user_agent"],
            "Accept": "application/json",
        }
        async with network_client(policy, headers, reddit_retry_after) as http:
            yield cls(http, settings["base_url"], sleep)

    async def page(self, feed: Feed, after: str = "") -> tuple[list[RawPost], str]:
        params = {**feed.params, "limit": str(PAGE_SIZE)}
        if after:
            params["after"] = after
        response = await self._http.get(f"{self._base_url}/{feed.path}.json", params=params)
        listing = parse_listing(response.json())
        remaining = header_number(response.headers, "x-ratelimit-remaining")
        if remaining is not None and remaining < 1:
            # The window is spent: the next request would be a 429, so wait it out now.
            await self._sleep(bounded_wait(reddit_retry_after(response.headers) or 60.0))
        return listing.posts, listing.after

    async def since(self, feed: Feed, newest: str) -> list[RawPost]:
        """What the listing holds after ``newest`` (a fullname), oldest first. Reddit's
        ``before=`` pagination returns nothing once that thing is deleted, so this walks
        back from the top with ``after=`` until it meets older things, comparing ids.
        The first time (no ``newest``) it is the first page."""
        collected: list[RawPost] = []
        after = ""
        for _ in range(MAX_PAGES):
            posts, after = await self.page(feed, after)
            fresh = [p for p in posts if not newest or _order(p) > fullname_order(newest)]
            collected += fresh
            if not newest or len(fresh) < len(posts) or not after:
                break
        unique = {p.external_id: p for p in collected}
        return sorted(unique.values(), key=_order)


def _order(post: RawPost) -> int:
    return fullname_order(post.external_id)
