"""A Jetstream instance on 127.0.0.1: a WebSocket server that replays its events from
the ``cursor`` a client asks for (``time_us`` at or after it), filtered by
``wantedCollections``. Each connection plays the next script in ``connections`` (a
function of the connection and the asked cursor); without one, it replays and waits."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from . import FIXTURES


def fixture_events() -> list[dict[str, Any]]:
    lines = (FIXTURES / "bluesky" / "events.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


Script = Callable[["FakeJetstream", ServerConnection, int], Awaitable[None]]


class FakeJetstream:
    def __init__(self, events: list[dict[str, Any]]) -> None:
        self.events = list(events)
        self.connections: list[Script] = []
        self.refusals: list[Response] = []  # handshake answers instead of a connection
        self.asked: list[dict[str, list[str]]] = []  # each connection's query
        self.hellos: list[dict[str, Any]] = []  # options_update messages received
        self.url = ""
        self._server: Server | None = None

    async def __aenter__(self) -> FakeJetstream:
        self._server = await serve(
            self._handle, "127.0.0.1", 0, process_request=self._refuse, compression=None
        )
        port = next(iter(self._server.sockets)).getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/subscribe"
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    def refuse(self, status: HTTPStatus, headers: dict[str, str]) -> None:
        self.refusals.append(
            Response(status.value, status.phrase, Headers(headers), b"slow down\n")
        )

    def _refuse(self, connection: ServerConnection, request: Request) -> Response | None:
        return self.refusals.pop(0) if self.refusals else None

    async def _handle(self, connection: ServerConnection) -> None:
        query = parse_qs(urlsplit(connection.request.path if connection.request else "").query)
        self.asked.append(query)
        cursor = int(query.get("cursor", ["0"])[0])
        if query.get("requireHello") == ["true"]:
            self.hellos.append(orjson.loads(await connection.recv()))
        script = self.connections.pop(0) if self.connections else replay_and_wait
        await script(self, connection, cursor)

    def replayed(self, cursor: int, wanted: list[str] | None = None) -> list[dict[str, Any]]:
        collections = wanted or ["app.bsky.feed.post"]
        return [
            e
            for e in self.events
            if e["time_us"] >= cursor
            and (e["kind"] != "commit" or e["commit"]["collection"] in collections)
        ]


async def replay_and_wait(fake: FakeJetstream, connection: ServerConnection, cursor: int) -> None:
    for event in fake.replayed(cursor):
        await connection.send(orjson.dumps(event).decode())
    await connection.wait_closed()
