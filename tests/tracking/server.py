"""The whole host (tracking API + web app) on uvicorn in a thread, on a free port of
127.0.0.1, for tests that speak HTTP to it the way shops and browsers do."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn

from rapport.tracking.ingest.log import open_log
from rapport.tracking.ingest.server import Host, build


@dataclass
class RunningHost:
    url: str
    host: Host


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def empty_log() -> None:
    """The SQLite-file log outlives a test's database; start each test without it."""
    log = open_log()
    try:
        log.trim(2**62)
    finally:
        log.close()


@contextmanager
def serve_rapport(host: Host | None = None) -> Iterator[RunningHost]:
    empty_log()
    app = host or build(threads=4)
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, loop="asyncio", lifespan="on", log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="test-rapport-host", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test host did not start")
        time.sleep(0.02)
    try:
        yield RunningHost(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
