"""A Mastodon instance as the provider meets it: hashtag timelines (newest first;
``min_id`` gives the page right after an id, with Link headers as Mastodon sends
them) and the streaming API as server-sent events with ``:thump`` heartbeats. Each
stream connection for a hashtag plays the next script in ``connections[tag]``."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson

from . import FIXTURES
from .http_server import FakeHttpServer, Reply, Request, StreamReply

FIRST_ID = 113590000000001000


def timeline_fixture() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(
        (FIXTURES / "mastodon" / "tag_timeline.json").read_text()
    )
    return data


def status(number: int, *tags: str) -> dict[str, Any]:
    """A status by @alice whose id grows with ``number``."""
    made: dict[str, Any] = copy.deepcopy(timeline_fixture()[2])
    status_id = str(FIRST_ID + number)
    made.update(
        id=status_id,
        uri=f"https://mastodon.example/users/alice/statuses/{status_id}",
        url=f"https://mastodon.example/@alice/{status_id}",
        content=f"<p>Status number {number}</p>",
        tags=[
            {"name": t, "url": f"https://mastodon.example/tags/{t}"} for t in tags or ("rapport",)
        ],
    )
    return made


def update_event(payload: dict[str, Any]) -> bytes:
    return b"event: update\ndata: " + orjson.dumps(payload) + b"\n\n"


Script = Callable[[], AsyncIterator[bytes]]


class FakeMastodon:
    def __init__(self) -> None:
        self.statuses: list[dict[str, Any]] = []  # oldest first; a tag's timeline filters these
        self.interrupts: list[Reply] = []  # answers served instead of the next timeline page
        self.connections: dict[str, list[Script]] = {}
        self.elsewhere: list[dict[str, Any]] = []  # statuses without a followed hashtag
        self.server = FakeHttpServer(self.handle)

    @property
    def requests(self) -> list[Request]:
        return self.server.requests

    async def handle(self, request: Request) -> Reply | StreamReply:
        if request.path.startswith("/api/v1/timelines/tag/"):
            if self.interrupts:
                return self.interrupts.pop(0)
            return self._timeline(request, request.path.rsplit("/", 1)[1])
        if request.path.startswith("/api/v1/statuses/"):
            wanted = request.path.rsplit("/", 1)[1]
            found = [s for s in self.statuses + self.elsewhere if s["id"] == wanted]
            return Reply.json(found[0]) if found else Reply.json({"error": "Record not found"}, 404)
        if request.path == "/api/v1/streaming/hashtag":
            scripts = self.connections.get(request.arg("tag"), [])
            script = scripts.pop(0) if scripts else _heartbeats
            return StreamReply(script(), headers={"content-type": "text/event-stream"})
        return Reply.json({"error": "Record not found"}, 404)

    def _timeline(self, request: Request, tag: str) -> Reply:
        tagged = [s for s in self.statuses if tag in {t["name"] for t in s["tags"]}]
        limit = min(int(request.arg("limit", "20")), 40)
        min_id = request.arg("min_id")
        if min_id:
            page = [s for s in tagged if int(s["id"]) > int(min_id)][:limit][::-1]
        else:
            page = tagged[::-1][:limit]
        headers = {}
        if page:
            base = f"{self.server.url}{request.path}"
            older, newer = page[-1]["id"], page[0]["id"]
            headers["link"] = (
                f'<{base}?max_id={older}>; rel="next", <{base}?min_id={newer}>; rel="prev"'
            )
        return Reply.json(page, headers=headers)


async def _heartbeats() -> AsyncIterator[bytes]:
    while True:
        yield b":thump\n\n"
        await asyncio.sleep(0.05)
