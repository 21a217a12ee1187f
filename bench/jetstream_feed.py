"""A Jetstream instance for the listening benchmark, run in a process of its own so
its CPU is not counted as the listener's: a WebSocket server on 127.0.0.1 that sends
the events of a JSONL file as text frames, at a steady rate, to the first client.

No Django here: the process is spawned and imports only this module."""

from __future__ import annotations

import asyncio
import time
from multiprocessing.connection import Connection
from pathlib import Path

from websockets.asyncio.server import ServerConnection, serve

TICK = 0.01  # seconds between bursts: 20 events a burst at 2,000/s


def serve_file(events: str, rate: float, pipe: Connection) -> None:
    """Sends ``(port,)`` on ``pipe`` when listening, ``("started", t)`` when the first
    client connects and ``("sent", t)`` when every event has gone; then idles until
    killed."""
    asyncio.run(_main(Path(events).read_text().splitlines(), rate, pipe))


async def _main(messages: list[str], rate: float, pipe: Connection) -> None:
    async def feed(connection: ServerConnection) -> None:
        started = time.monotonic()
        pipe.send(("started", time.time()))
        sent = 0
        while sent < len(messages):
            due = min(len(messages), int((time.monotonic() - started) * rate) + 1)
            for message in messages[sent:due]:
                await connection.send(message)
            sent = due
            await asyncio.sleep(TICK)
        pipe.send(("sent", time.time()))
        await connection.wait_closed()

    async with serve(feed, "127.0.0.1", 0, compression=None, max_size=2**20) as server:
        pipe.send((next(iter(server.sockets)).getsockname()[1],))
        await asyncio.Future()  # until the benchmark kills this process
