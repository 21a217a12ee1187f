"""Reddit's OAuth API over the shared HTTP client. Reddit asks for a bearer token (one
a person pasted, or an application token this client gets and renews from the app's
id and secret), a User-Agent naming the app and its operator, and attention to its
rate-limit headers: ``X-Ratelimit-Remaining`` requests are left for
``X-Ratelimit-Reset`` seconds."""

from __future__ import annotations

import base64
import math
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from rapport.channels.egress import EgressPolicy
from rapport.channels.http import HttpClient, HttpError
from rapport.channels.posts import RawPost

from ..social import Sleep, bounded_wait, header_number, network_client
from .parse import RedditPayloadError, fullname_order, parse_listing

API = "https://oauth.reddit.com"
AUTH = "https://www.reddit.com"  # where application tokens come from
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
    def __init__(self, http: HttpClient, settings: Mapping[str, Any], sleep: Sleep) -> None:
        self._http = http
        self._settings = settings
        self._sleep = sleep
        self._token: str = settings["token"]
        self._token_expires = math.inf if self._token else 0.0

    @classmethod
    @asynccontextmanager
    async def open(
        cls, settings: Mapping[str, Any], policy: EgressPolicy, sleep: Sleep
    ) -> AsyncIterator[RedditClient]:
        headers = {"User-Agent": settings["user_agent"], "Accept": "application/json"}
        async with network_client(policy, headers, reddit_retry_after) as http:
            yield cls(http, settings, sleep)

    async def page(self, feed: Feed, after: str = "") -> tuple[list[RawPost], str]:
        params = {**feed.params, "limit": str(PAGE_SIZE)}
        if after:
            params["after"] = after
        url = f"{self._settings['base_url']}/{feed.path}.json"
        try:
            response = await self._http.get(url, params=params, headers=await self._auth())
        except HttpError as error:
            if error.status != 401 or not self._settings["client_id"]:
                raise
            self._token = ""  # expired or revoked early: ask for a new one, once
            response = await self._http.get(url, params=params, headers=await self._auth())
        listing = parse_listing(response.json())
        remaining = header_number(response.headers, "x-ratelimit-remaining")
        if remaining is not None and remaining < 1:
            # The window is spent: the next request would be a 429, so wait it out now.
            await self._sleep(bounded_wait(reddit_retry_after(response.headers) or 60.0))
        return listing.posts, listing.after

    async def _auth(self) -> dict[str, str]:
        if self._settings["client_id"] and (
            not self._token or time.monotonic() > self._token_expires - 60
        ):
            await self._new_app_token()
        return {"Authorization": f"bearer {self._token}"}

    async def _new_app_token(self) -> None:
        """An application-only token (``client_credentials``): enough to read public
        listings, and renewable without a person."""
        credentials = f"{self._settings['client_id']}:{self._settings['client_secret']}"
        response = await self._http.request(
            "POST",
            f"{self._settings['auth_url']}/api/v1/access_token",
            headers={"Authorization": f"Basic {base64.b64encode(credentials.encode()).decode()}"},
            data={"grant_type": "client_credentials"},
        )
        payload = response.json()
        token = payload.get("access_token") if isinstance(payload, dict) else None
        if not isinstance(token, str) or not token:
            error = payload.get("error") if isinstance(payload, dict) else None
            raise RedditPayloadError(f"Reddit gave no access token ({error or 'no reason given'})")
        expires_in = payload.get("expires_in")
        lifetime = float(expires_in) if isinstance(expires_in, int | float) else 3600.0
        self._token = token
        self._token_expires = time.monotonic() + lifetime

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
