"""A Jetstream subscription over a WebSocket, through the same egress rules as HTTP:
the host is resolved and every address vetted by ``egress.resolve_checked``, and the
socket is opened to the vetted address (TLS still verifies the URL's host name), so a
DNS answer that changes between check and connect cannot slip through."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from urllib.parse import urlencode, urlsplit

import orjson
from websockets.asyncio.client import ClientConnection, connect

from rapport.channels import egress
from rapport.channels.egress import EgressPolicy
from rapport.channels.http import USER_AGENT

from .parse import POST_COLLECTION

MAX_MESSAGE_BYTES = 1024 * 1024
# More accounts than this go in a message after connecting: a URL of thousands of DIDs
# is longer than servers and proxies accept.
URL_DIDS = 100  # a post record is a few kB; Jetstream frames are small


def subscribe_url(endpoint: str, dids: Sequence[str], cursor_us: int | None) -> str:
    query: list[tuple[str, str]] = [("wantedCollections", POST_COLLECTION)]
    if len(dids) > URL_DIDS:
        query.append(("requireHello", "true"))  # the accounts come in the hello message
    else:
        query += [("wantedDids", did) for did in dids]
    if cursor_us is not None:
        query.append(("cursor", str(cursor_us)))
    return f"{endpoint}?{urlencode(query)}"


def hello(dids: Sequence[str]) -> str | None:
    """The options message to send first when the accounts did not fit in the URL
    (Jetstream waits for it when asked to with ``requireHello``)."""
    if len(dids) <= URL_DIDS:
        return None
    options = {"wantedCollections": [POST_COLLECTION], "wantedDids": list(dids)}
    return orjson.dumps({"type": "options_update", "payload": options}).decode()


def check_endpoint(url: str, policy: EgressPolicy) -> None:
    """What the guard refuses before any lookup (credentials in the URL, a numeric
    host that is not public), judged on the equivalent http(s) URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss"):
        raise egress.EgressDenied(f"{url}: a Jetstream endpoint is a wss:// URL")
    equivalent = parts._replace(scheme="https" if parts.scheme == "wss" else "http")
    egress.check_url(equivalent.geturl(), policy)


async def _vetted_socket(host: str, port: int, policy: EgressPolicy) -> socket.socket:
    loop = asyncio.get_running_loop()
    failure: OSError | None = None
    for address in await egress.resolve_checked(host, port, policy):
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            async with asyncio.timeout(policy.connect_timeout):
                await loop.sock_connect(sock, (address, port))
        except (OSError, TimeoutError) as error:
            sock.close()
            failure = error if isinstance(error, OSError) else OSError(f"{host}: connect timed out")
            continue
        return sock
    raise failure or OSError(f"{host}: no address to connect to")


@asynccontextmanager
async def subscribe(url: str, policy: EgressPolicy) -> AsyncIterator[ClientConnection]:
    """An open Jetstream connection to ``url`` (a ``subscribe_url``)."""
    check_endpoint(url, policy)
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "wss" else 80)
    sock = await _vetted_socket(host, port, policy)
    try:
        async with connect(
            url,
            sock=sock,
            server_hostname=host if parts.scheme == "wss" else None,
            proxy=None,  # a proxy would resolve names where the guard cannot see them
            open_timeout=policy.connect_timeout,
            max_size=MAX_MESSAGE_BYTES,
            user_agent_header=USER_AGENT,
        ) as connection:
            yield connection
    finally:
        sock.close()
