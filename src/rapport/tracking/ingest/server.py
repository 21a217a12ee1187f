"""One ASGI application for the whole host: Segment's tracking API under /v1/ goes
to the ingest app, everything else to Django (a WSGI app on a thread pool)."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

from a2wsgi import WSGIMiddleware
from django.core.wsgi import get_wsgi_application

from .app import IngestApp, Receive, Scope, Send


class Host:
    def __init__(self, ingest: IngestApp, django: Any) -> None:
        self.ingest = ingest
        self.django = django

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http" and scope["path"].startswith("/v1/"):
            await self.ingest(scope, receive, send)
        elif kind == "http":
            await self.django(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                # Everything loaded so far (Django, the apps, the URL map) lives as long
                # as the process: out of the collector's sight, a full collection no
                # longer walks it, which was the worst of the latency tail.
                gc.collect()
                gc.freeze()
                self.ingest.committer.start(asyncio.get_running_loop())
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                # Commit what is queued: a request already answered 200 is in the log,
                # one still waiting gets its answer before the server goes.
                await asyncio.get_running_loop().run_in_executor(None, self.ingest.committer.stop)
                await send({"type": "lifespan.shutdown.complete"})
                return


def build(threads: int = 8) -> Host:
    django = get_wsgi_application()  # sets Django up before the ingest app reads settings
    return Host(IngestApp.from_settings(), WSGIMiddleware(django, workers=threads))  # type: ignore[arg-type]
