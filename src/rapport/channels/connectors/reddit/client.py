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
from .parse import Listing, RedditPayloadError, Thing, fullname_order, parse_listing

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

    async def page(self, feed: Feed, after: str = "") -> Listing:
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
        return listing

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

    async def since(self, feed: Feed, newest: str) -> Catch:
        """What the listing holds after ``newest`` (a fullname), oldest first. Reddit's
        ``before=`` pagination returns nothing once that thing is deleted, so this walks
        back from the top with ``after=`` until it meets older things, comparing ids.
        The first time (no ``newest``) it is the first page."""
        collected: dict[str, Thing] = {}
        problems: list[str] = []
        after = ""
        for _ in range(MAX_PAGES):
            listing = await self.page(feed, after)
            after = listing.after
            fresh = [t for t in listing.things if _newer(t.name, newest)]
            collected.update((t.name, t) for t in fresh if t.name)
            problems += [t.problem for t in fresh if t.problem]
            if not newest or len(fresh) < len(listing.things) or not after:
                break
        things = sorted(collected.values(), key=lambda t: fullname_order(t.name))
        return Catch(
            posts=[t.post for t in things if t.post is not None],
            problems=problems,
            newest=things[-1].name if things else newest,
        )


@dataclass(frozen=True, slots=True)
class Catch:
    posts: list[RawPost]  # oldest first
    problems: list[str]  # things that could not be read
    newest: str  # the cursor's new fullname for this listing


def _newer(name: str, newest: str) -> bool:
    if not newest:
        return True
    # A thing without a readable fullname cannot be placed; it is reported every time
    # it is on a page the walk reads.
    return not name or fullname_order(name) > fullname_order(newest)
