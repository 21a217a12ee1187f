"""Reddit's listing API as the provider meets it: ``/r/<subs>/new.json``,
``/r/<subs>/comments.json`` and ``/search.json``, newest first, ``limit`` and ``after=``
paging by fullname, rate-limit headers on every answer. ``interrupts`` are answers
served instead of the next listing (a 429, garbage), in order."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

from . import FIXTURES
from .http_server import FakeHttpServer, Reply, Request


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "reddit" / name).read_text())
    return data


def submission(number: int, title: str = "") -> dict[str, Any]:
    """A t3 thing with a base-36 id growing with ``number``, built on the fixture's."""
    thing: dict[str, Any] = copy.deepcopy(fixture("new.json")["data"]["children"][2])
    thing_id = _base36(36**6 + number)
    thing["data"].update(
        id=thing_id,
        name=f"t3_{thing_id}",
        title=title or f"Post number {number}",
        selftext="",
        created_utc=1796208000.0 + number,
        permalink=f"/r/selfhosted/comments/{thing_id}/slug/",
    )
    return thing


class FakeReddit:
    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []  # oldest first, like time
        self.comments: list[dict[str, Any]] = []
        self.interrupts: list[Reply] = []
        self.remaining = 599
        self.tokens = ["tok-123"]  # accepted bearer tokens; app tokens are added as issued
        self.issued = 0
        self.server = FakeHttpServer(self.handle)

    @property
    def requests(self) -> list[Request]:
        return self.server.requests

    async def handle(self, request: Request) -> Reply:
        if request.path == "/api/v1/access_token":
            return self._token(request)
        if request.headers.get("authorization", "").removeprefix("bearer ") not in self.tokens:
            return Reply.json({"message": "Unauthorized", "error": 401}, 401)
        if self.interrupts:
            return self.interrupts.pop(0)
        if request.path.endswith("/comments.json"):
            things = self.comments
        elif request.path.endswith(("/new.json", "/search.json")):
            things = self.posts
        else:
            return Reply.json({"message": "Not Found", "error": 404}, 404)
        newest_first = things[::-1]
        after = request.arg("after")
        if after:
            names = [t["data"]["name"] for t in newest_first]
            newest_first = newest_first[names.index(after) + 1 :] if after in names else []
        limit = int(request.arg("limit", "25"))
        page = newest_first[:limit]
        more = len(newest_first) > limit
        listing = {
            "kind": "Listing",
            "data": {
                "after": page[-1]["data"]["name"] if more else None,
                "before": None,
                "dist": len(page),
                "modhash": "",
                "geo_filter": "",
                "children": page,
            },
        }
        self.remaining -= 1
        return Reply.json(
            listing,
            headers={
                "x-ratelimit-used": str(600 - self.remaining),
                "x-ratelimit-remaining": f"{self.remaining}.0",
                "x-ratelimit-reset": "412",
            },
        )

    def _token(self, request: Request) -> Reply:
        expected = "Basic " + base64.b64encode(b"app-id:app-secret").decode()
        if request.headers.get("authorization") != expected or request.body != (
            b"grant_type=client_credentials"
        ):
            return Reply.json({"message": "Unauthorized", "error": 401}, 401)
        self.issued += 1
        token = f"app-token-{self.issued}"
        self.tokens.append(token)
        return Reply.json(
            {"access_token": token, "token_type": "bearer", "expires_in": 86400, "scope": "*"}
        )


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out
