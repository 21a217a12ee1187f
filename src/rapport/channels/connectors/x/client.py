"""The X API v2 over the shared HTTP client: recent search, filtered-stream rules and
the filtered stream itself, with an app-only bearer token. X counts requests per
15-minute window and says in ``x-rate-limit-reset`` (epoch seconds) when it reopens."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx

from rapport.channels.egress import EgressPolicy
from rapport.channels.http import HttpClient

from ..social import Sleep, bounded_wait, header_number, network_client
from .parse import EXPANSIONS, TWEET_FIELDS, USER_FIELDS, SearchPage, XPayloadError
from .parse import parse_search_page as parse_page

API = "https://api.x.com"
FIELDS = {"tweet.fields": TWEET_FIELDS, "expansions": EXPANSIONS, "user.fields": USER_FIELDS}
# X sends a keep-alive line every 20 seconds; three missed ones mean the stream is dead.
STREAM_SILENCE_SECONDS = 60.0


def x_retry_after(headers: httpx.Headers) -> float | None:
    reset = header_number(headers, "x-rate-limit-reset")
    return None if reset is None else reset - time.time()


class XClient:
    def __init__(self, http: HttpClient, base_url: str, sleep: Sleep) -> None:
        self._http = http
        self._base_url = base_url
        self._sleep = sleep

    @classmethod
    @asynccontextmanager
    async def open(
        cls, settings: Mapping[str, Any], policy: EgressPolicy, sleep: Sleep
    ) -> AsyncIterator[XClient]:
        headers = {"Authorization": f"Bearer {settings['token']}"}
        patient = dataclasses.replace(
            policy, read_timeout=max(policy.read_timeout, STREAM_SILENCE_SECONDS)
        )
        async with network_client(patient, headers, x_retry_after) as http:
            yield cls(http, settings["base_url"], sleep)

    async def search(self, query: str, since_id: str = "", until_id: str = "") -> SearchPage:
        """The newest page of posts matching ``query`` newer than ``since_id`` (and
        older than ``until_id``, to walk back through a gap)."""
        params = {"query": query, "max_results": "100", **FIELDS}
        if since_id:
            params["since_id"] = since_id
        if until_id:
            params["until_id"] = until_id
        response = await self._http.get(f"{self._base_url}/2/tweets/search/recent", params=params)
        if header_number(response.headers, "x-rate-limit-remaining") == 0:
            await self._sleep(bounded_wait(x_retry_after(response.headers) or 60.0))
        return parse_page(response.json())

    async def ensure_rule(self, query: str, tag: str) -> str:
        """The id of the filtered-stream rule for ``query``, added if X has none."""
        url = f"{self._base_url}/2/tweets/search/stream/rules"
        existing = (await self._http.get(url)).json()
        for rule in existing.get("data") or [] if isinstance(existing, dict) else []:
            if isinstance(rule, dict) and rule.get("value") == query:
                return str(rule["id"])
        added = await self._http.request("POST", url, json={"add": [{"value": query, "tag": tag}]})
        payload = added.json()
        rules = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(rules, list) or not rules or not isinstance(rules[0], dict):
            errors = payload.get("errors") if isinstance(payload, dict) else None
            raise XPayloadError(f"X refused the stream rule {query!r}: {errors}")
        return str(rules[0].get("id"))

    def stream(self) -> AsyncIterator[str]:
        """The filtered stream's lines: one JSON post each, blank keep-alives between."""
        return self._http.lines(
            f"{self._base_url}/2/tweets/search/stream",
            params=FIELDS,
            # lines() reads the raw bytes, so the stream must come uncompressed.
            headers={"Accept-Encoding": "identity"},
        )
