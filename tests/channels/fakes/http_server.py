"""A scriptable HTTP/1.1 server on 127.0.0.1 for the network fakes: real sockets, real
chunked streaming, and the abrupt disconnects a long-lived stream meets in practice.
Each fake network is a handler from ``Request`` to ``Reply`` or ``StreamReply``;
``LoopbackServer`` is the plumbing, shared with the egress tests' ``FakeServer``."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self
from urllib.parse import parse_qs, urlsplit

import orjson


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def arg(self, name: str, default: str = "") -> str:
        return self.query.get(name, [default])[0]


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(
        cls, payload: object, status: int = 200, headers: dict[str, str] | None = None
    ) -> Reply:
        return cls(
            status, orjson.dumps(payload), {"content-type": "application/json", **(headers or {})}
        )


class Disconnect(Exception):
    """Raised by a stream's chunk iterator to drop the connection without a last chunk."""


@dataclass
class StreamReply:
    chunks: AsyncIterator[bytes]
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request], Awaitable[Reply | StreamReply]]
_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found"}


class LoopbackServer:
    """The plumbing the fake HTTP servers share: ``async with`` listens on ``host`` (any
    127.x address) at a free port, over TLS when given ``tls``, and ``url`` is then the
    base URL; each connection is handed to ``_exchange``, a dropped or cut-off one is no
    error, and leaving the block closes the connections still open (``_drop``)."""

    def __init__(self, host: str = "127.0.0.1", tls: ssl.SSLContext | None = None) -> None:
        self.host = host
        self.tls = tls
        self.url = ""
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._serve, self.host, 0, ssl=self.tls)
        self.port = self._server.sockets[0].getsockname()[1]
        self.url = f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            self._drop(writer)
        await self._server.wait_closed()

    def _drop(self, writer: asyncio.StreamWriter) -> None:
        """Ends a connection still open when the server stops."""
        writer.close()

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Answers what comes on one connection."""
        raise NotImplementedError

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            await self._exchange(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


class FakeHttpServer(LoopbackServer):
    def __init__(self, handler: Handler) -> None:
        super().__init__()
        self.handler = handler
        self.requests: list[Request] = []

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while request := await read_request(reader):
            self.requests.append(request)
            reply = await self.handler(request)
            if isinstance(reply, StreamReply):
                await _stream(writer, reply)
                return
            await _send(writer, reply)


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    line = await reader.readline()
    if not line.strip():
        return None
    method, target, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while (header := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = header.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    parts = urlsplit(target)
    return Request(method, parts.path, parse_qs(parts.query), headers, body)


def status_head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _send(writer: asyncio.StreamWriter, reply: Reply) -> None:
    writer.write(
        status_head(reply.status, {**reply.headers, "content-length": str(len(reply.body))})
    )
    writer.write(reply.body)
    await writer.drain()


async def _stream(writer: asyncio.StreamWriter, reply: StreamReply) -> None:
    writer.write(status_head(reply.status, {**reply.headers, "transfer-encoding": "chunked"}))
    try:
        async for chunk in reply.chunks:
            if chunk:
                writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                await writer.drain()
    except Disconnect:
        writer.transport.abort()
        return
    writer.write(b"0\r\n\r\n")
    await writer.drain()
