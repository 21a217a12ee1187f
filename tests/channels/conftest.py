"""A scriptable web server on 127.0.0.1 for the egress, HTTP-client and feed tests, and
the policy and resolver they use. Real sockets: a reply can pause, drip, announce more
than it sends or hang up half way, as real servers do."""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field

import pytest

from rapport.channels.egress import LOOPBACK, EgressPolicy
from tests.channels.fakes.http_server import LoopbackServer, Request, read_request, status_head

# A request as the server received it; read (and answered, over the same plumbing) as by
# the network fakes.
Seen = Request


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_length: int | None = -1  # -1: the body's length; None: no header (close ends it)
    pause: float = 0.0  # before the status line
    drip: float = 0.0  # between body pieces of ``piece`` bytes
    piece: int = 64 * 1024
    hang_up_after: int | None = None  # body bytes sent before the connection is cut


Route = Reply | Callable[[Seen], Reply] | Callable[[Seen], Awaitable[Reply]]


class FakeServer(LoopbackServer):
    """``async with FakeServer({"/feed": Reply(...)}) as server``; ``server.url`` is the
    base URL, ``server.seen`` every request. A route may be a function of the request
    (sync or async) to answer conditionally or count calls. One request a connection.
    ``host`` may be any 127.x address, so a test can allow one and not another; with
    ``tls`` the server speaks HTTPS."""

    def __init__(
        self,
        routes: Mapping[str, Route],
        host: str = "127.0.0.1",
        tls: ssl.SSLContext | None = None,
    ) -> None:
        super().__init__(host, tls)
        self.routes = dict(routes)
        self.seen: list[Seen] = []

    def _drop(self, writer: asyncio.StreamWriter) -> None:
        writer.transport.abort()  # a reply may be pausing or dripping: no waiting for it

    async def _reply_for(self, seen: Seen) -> Reply:
        route = self.routes.get(seen.path)
        if route is None:
            return Reply(404, b"not here")
        if isinstance(route, Reply):
            return route
        reply = route(seen)
        if isinstance(reply, Reply):
            return reply
        return await reply

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen = await read_request(reader)
        if seen is None:
            return
        self.seen.append(seen)
        await _send(writer, await self._reply_for(seen))


async def _send(writer: asyncio.StreamWriter, reply: Reply) -> None:
    if reply.pause:
        await asyncio.sleep(reply.pause)
    headers = {**reply.headers, "connection": "close"}
    if reply.content_length == -1:
        headers["content-length"] = str(len(reply.body))
    elif reply.content_length is not None:
        headers["content-length"] = str(reply.content_length)
    writer.write(status_head(reply.status, headers))
    body = reply.body
    if reply.hang_up_after is not None:
        writer.write(body[: reply.hang_up_after])
        await writer.drain()
        writer.transport.abort()
        return
    for start in range(0, len(body), reply.piece):
        writer.write(body[start : start + reply.piece])
        await writer.drain()
        if reply.drip:
            await asyncio.sleep(reply.drip)


def fake_resolver(
    answers: Mapping[str, Iterable[str]],
) -> Callable[[str, int], Awaitable[list[str]]]:
    """A DNS that answers ``answers[name]`` (and fails for other names), counting calls."""
    calls: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        if host not in answers:
            raise OSError(f"[fake DNS] no such name {host}")
        return list(answers[host])

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


@pytest.fixture
def loopback() -> EgressPolicy:
    """The default policy with loopback allowed, for clients of the fake servers."""
    return EgressPolicy(total_timeout=10.0).allowing(*LOOPBACK)
