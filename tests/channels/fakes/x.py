"""The X API v2 as the provider meets it: recent search (``since_id``/``until_id``,
newest first, ``meta.next_token`` when more remain), stream rules, and the filtered
stream as chunked newline-delimited JSON with blank keep-alive lines. Each stream
connection plays the next script in ``connections`` (then stays open, silent)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson

from . import FIXTURES
from .http_server import FakeHttpServer, Reply, Request, StreamReply

FIRST_ID = 1863612345678902000


def search_fixture() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "x" / "search_recent.json").read_text())
    return data


def tweet(number: int, text: str = "") -> dict[str, Any]:
    """A post by @rapportdev whose id grows with ``number``."""
    tweet_id = str(FIRST_ID + number)
    return {
        "id": tweet_id,
        "text": text or f"Post number {number} about #rapport",
        "author_id": "2244994945",
        "created_at": f"2026-12-02T11:{number // 60 % 60:02d}:{number % 60:02d}.000Z",
        "lang": "en",
        "conversation_id": tweet_id,
        "edit_history_tweet_ids": [tweet_id],
        "entities": {"hashtags": [{"start": 23, "end": 31, "tag": "rapport"}]},
        "public_metrics": {
            "retweet_count": 0,
            "reply_count": 0,
            "like_count": number,
            "quote_count": 0,
        },
    }


def stream_line(post: dict[str, Any], rule_id: str) -> bytes:
    users = [u for u in search_fixture()["includes"]["users"] if u["id"] == post["author_id"]]
    payload = {
        "data": post,
        "includes": {"users": users},
        "matching_rules": [{"id": rule_id, "tag": "rapport"}],
    }
    return orjson.dumps(payload) + b"\r\n"


Script = Callable[[], AsyncIterator[bytes]]


class FakeX:
    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []  # oldest first, like time
        self.users = search_fixture()["includes"]["users"]
        self.rules: list[dict[str, str]] = []
        self.interrupts: list[Reply] = []  # answers served instead of the next search
        self.connections: list[Script] = []
        self.oldest_searchable = 0  # a since_id below this is outside the 7-day window
        self.server = FakeHttpServer(self.handle)

    @property
    def requests(self) -> list[Request]:
        return self.server.requests

    async def handle(self, request: Request) -> Reply | StreamReply:
        if request.headers.get("authorization") != "Bearer x-token":
            return Reply.json({"title": "Unauthorized", "status": 401}, 401)
        if request.path == "/2/tweets/search/recent":
            return self.interrupts.pop(0) if self.interrupts else self._search(request)
        if request.path == "/2/tweets/search/stream/rules":
            return self._rules(request)
        if request.path == "/2/tweets/search/stream":
            if self.interrupts:
                return self.interrupts.pop(0)
            script = self.connections.pop(0) if self.connections else _silence
            return StreamReply(script(), headers={"content-type": "application/json"})
        return Reply.json({"title": "Not Found Error"}, 404)

    def _search(self, request: Request) -> Reply:
        since = int(request.arg("since_id", "0"))
        if since and since < self.oldest_searchable:
            parameter = {"since_id": [str(since)]}
            message = f"Invalid 'since_id':'{since}'. 'since_id' must be a tweet id created after"
            return Reply.json(
                {
                    "errors": [{"parameters": parameter, "message": message}],
                    "title": "Invalid Request",
                    "detail": "One or more parameters to your request was invalid.",
                    "type": "https://api.twitter.com/2/problems/invalid-request",
                },
                400,
            )
        until = int(request.arg("until_id", str(10**30)))
        limit = int(request.arg("max_results", "10"))
        matching = [p for p in self.posts[::-1] if since < int(p["id"]) < until]
        page = matching[:limit]
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta.update(newest_id=page[0]["id"], oldest_id=page[-1]["id"])
        if len(matching) > limit:
            meta["next_token"] = "b26v89c19zqg8o3fo7gesq314yb9l2l4ptqy0gcf3mc9p"
        if not page:
            return Reply.json({"meta": meta}, headers=_window(299))
        authors = {p["author_id"] for p in page}
        body = {"data": page, "includes": {"users": [u for u in self.users if u["id"] in authors]}}
        return Reply.json({**body, "meta": meta}, headers=_window(299))

    def _rules(self, request: Request) -> Reply:
        if request.method == "POST":
            added = orjson.loads(request.body)["add"]
            created = [
                {**rule, "id": str(1866000000000000000 + len(self.rules) + i)}
                for i, rule in enumerate(added)
            ]
            self.rules += created
            summary = {
                "created": len(created),
                "not_created": 0,
                "valid": len(created),
                "invalid": 0,
            }
            return Reply.json(
                {"data": created, "meta": {"sent": "2026-12-02T11:00:00.000Z", "summary": summary}},
                201,
            )
        meta = {"sent": "2026-12-02T11:00:00.000Z", "result_count": len(self.rules)}
        return Reply.json({"data": self.rules, "meta": meta} if self.rules else {"meta": meta})


def _window(remaining: int) -> dict[str, str]:
    return {
        "x-rate-limit-limit": "300",
        "x-rate-limit-remaining": str(remaining),
        "x-rate-limit-reset": "1796209200",
    }


async def _silence() -> AsyncIterator[bytes]:
    while True:
        await asyncio.sleep(0.05)
        yield b"\r\n"
