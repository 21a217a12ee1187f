"""Write keys to sources, cached: the ingest path must not ask the database on every
request. A key's answer (its source, or that it is unknown) is kept for a few
seconds, so a source switched off or a rotation's grace running out takes effect
within ``TTL`` seconds everywhere."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections

from rapport.tracking.facade import source_for_key
from rapport.tracking.models import TrackingSettings

TTL = 5.0
MAX_KEYS = 50_000


@dataclass(frozen=True)
class SourceInfo:
    source_id: int
    workspace_id: int
    require_consent: bool
    respect_dnt: bool


def load_source(write_key: str) -> SourceInfo | None:
    """Runs in a worker thread (Django's ORM is synchronous)."""
    close_old_connections()
    source = source_for_key(write_key)
    if source is None:
        return None
    prefs = TrackingSettings.objects.for_workspace(source.workspace_id).first()
    return SourceInfo(
        source_id=source.pk,
        workspace_id=source.workspace_id,
        require_consent=prefs.require_consent if prefs else False,
        respect_dnt=prefs.respect_dnt if prefs else True,
    )


class KeyCache:
    def __init__(self, loader: Callable[[str], SourceInfo | None] = load_source) -> None:
        self._loader = loader
        self._known: dict[str, tuple[SourceInfo | None, float]] = {}
        self._loading: dict[str, asyncio.Future[SourceInfo | None]] = {}

    async def lookup(self, write_key: str) -> SourceInfo | None:
        now = time.monotonic()
        hit = self._known.get(write_key)
        if hit is not None and hit[1] > now:
            return hit[0]
        # One database query per key however many requests are waiting for it.
        pending = self._loading.get(write_key)
        if pending is not None:
            return await pending
        loop = asyncio.get_running_loop()
        future: asyncio.Future[SourceInfo | None] = loop.create_future()
        self._loading[write_key] = future
        try:
            info = await loop.run_in_executor(None, self._loader, write_key)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters re-raise it, nobody logs it twice
            raise
        finally:
            del self._loading[write_key]
        if len(self._known) >= MAX_KEYS:
            self._known.clear()  # a flood of made-up keys must not grow memory
        self._known[write_key] = (info, now + TTL)
        future.set_result(info)
        return info
