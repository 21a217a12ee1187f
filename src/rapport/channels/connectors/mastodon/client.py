"""A Mastodon instance's API over the shared HTTP client: hashtag timelines (paged
forwards with ``min_id``) and the streaming API's server-sent events. Mastodon says
when a spent rate-limit window reopens in ``X-RateLimit-Reset``, an ISO 8601 time."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import orjson

from rapport.channels.egress import EgressPolicy
from rapport.channels.http import HttpClient
from rapport.channels.posts import RawPost

from ..social import network_client
from .parse import MastodonPayloadError, parse_status

PAGE_SIZE = 40  # the largest page Mastodon serves


@dataclass(frozen=True, slots=True)
class Entry:
    """A status as a timeline holds it: the instance's own id (what pages and cursors
    count by) and the post (known everywhere by its URI)."""

    id: str
    post: RawPost | None  # None when the status could not be read: then ``problem`` says why
    problem: str = ""


@dataclass(frozen=True, slots=True)
class Page:
    entries: list[Entry]  # oldest first
    problems: list[str]  # statuses without an id: they cannot even be placed


def mastodon_retry_after(headers: httpx.Headers) -> float | None:
    reset = headers.get("x-ratelimit-reset", "")
    try:
        when = datetime.fromisoformat(reset.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (when - datetime.now(UTC)).total_seconds()


class MastodonClient:
    def __init__(self, http: HttpClient, settings: Mapping[str, Any]) -> None:
        self._http = http
        self._instance = settings["instance"]
        self._streaming = settings["streaming_url"] or settings["instance"]
        self._host = urlsplit(self._instance).hostname or ""

    @classmethod
    @asynccontextmanager
    async def open(
        cls, settings: Mapping[str, Any], policy: EgressPolicy
    ) -> AsyncIterator[MastodonClient]:
        headers = {"Accept": "application/json"}
        if settings["token"]:
            headers["Authorization"] = f"Bearer {settings['token']}"
        # Mastodon sends a heartbeat every 15 s or so; four missed ones mean a dead stream.
        patient = dataclasses.replace(policy, read_timeout=max(policy.read_timeout, 60.0))
        async with network_client(patient, headers, mastodon_retry_after) as http:
            yield cls(http, settings)

    async def tag_page(self, tag: str, min_id: str = "") -> Page:
        """Statuses with ``tag``: the newest page, or with ``min_id`` the page right
        after that id (so a walk forwards from a cursor misses nothing). A page that is
        not a list of statuses raises; a status in it that cannot be read is kept as a
        problem, so one odd status from a far server does not stop the hashtag."""
        params = {"limit": str(PAGE_SIZE)}
        if min_id:
            params["min_id"] = min_id
        url = f"{self._instance}/api/v1/timelines/tag/{quote(tag, safe='')}"
        payload = (await self._http.get(url, params=params)).json()
        if not isinstance(payload, list):
            raise MastodonPayloadError(f"{url}: expected a JSON array of statuses")
        entries, problems = [], []
        for status in payload:
            status_id = status.get("id") if isinstance(status, dict) else None
            if not isinstance(status_id, str) or not status_id:
                problems.append(f"#{tag}: a status without an id was skipped")
                continue
            try:
                entries.append(self._entry(status))
            except MastodonPayloadError as error:
                entries.append(
                    Entry(status_id, None, f"#{tag}: status {status_id} was skipped: {error}")
                )
        return Page(sorted(entries, key=lambda e: (len(e.id), e.id)), problems)

    async def status(self, status_id: str) -> object:
        """One status by the instance's id, as JSON."""
        url = f"{self._instance}/api/v1/statuses/{quote(status_id, safe='')}"
        return (await self._http.get(url)).json()

    async def hashtag_stream(self, tag: str) -> AsyncIterator[Entry | str]:
        """New statuses with ``tag`` as the streaming API announces them. An update
        that is not a status comes as a sentence saying so; the stream goes on."""
        lines = self._http.lines(
            f"{self._streaming}/api/v1/streaming/hashtag",
            params={"tag": tag},
            # lines() reads raw bytes: the events must come uncompressed.
            headers={"Accept": "text/event-stream", "Accept-Encoding": "identity"},
        )
        async for event, data in server_sent_events(lines):
            if event != "update":
                continue  # deletions, edits, filter changes: not new posts
            try:
                entry = self._entry(orjson.loads(data))
            except (orjson.JSONDecodeError, MastodonPayloadError) as error:
                yield f"#{tag} stream: an update that is not a status was skipped ({error})"
                continue
            yield entry

    def _entry(self, status: object) -> Entry:
        if not isinstance(status, dict) or not isinstance(status.get("id"), str):
            raise MastodonPayloadError("a status without an id")
        return Entry(status["id"], parse_status(status, self._host))


async def server_sent_events(lines: AsyncIterator[str]) -> AsyncIterator[tuple[str, str]]:
    """(event, data) pairs from an event stream's lines: fields accumulate until a blank
    line; comment lines (``:thump``, Mastodon's heartbeat) are ignored."""
    event, data = "", list[str]()
    async for line in lines:
        if not line:
            if data:
                yield event or "message", "\n".join(data)
            event, data = "", list[str]()
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            event = value
        elif field == "data":
            data.append(value)
