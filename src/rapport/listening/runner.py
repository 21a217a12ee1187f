"""``rapport listen``: every enabled source of the chosen workspaces streaming at once
in one asyncio loop, each on its own, so a source that fails, is rate-limited or sends
garbage waits and retries while the others go on.

Database work runs in threads (Django's ORM is synchronous); the network work stays in
the loop. A source's cursor moves only in the transaction that stores its posts."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import aclosing, suppress
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from django.db import DatabaseError, connection
from django.utils import timezone

from rapport.channels.http import RateLimited
from rapport.channels.registry import provider

from .models import ListeningSource, SourceState
from .store import Nlp, StoreReport, store
from .topics_index import TopicIndex

logger = logging.getLogger(__name__)

TOPIC_REFRESH = 0.5  # seconds: a saved topic matches within a second
SOURCE_RESCAN = 5.0  # seconds: a new or re-enabled source starts within this
MAX_BACKOFF = 300.0
_SECRET_WORDS = ("token", "secret", "password", "key")


@dataclass(frozen=True)
class Selection:
    """Which sources this process runs (none given: every enabled source)."""

    source_ids: frozenset[int] = frozenset()
    networks: frozenset[str] = frozenset()

    def wants(self, source: ListeningSource) -> bool:
        return (not self.source_ids or source.pk in self.source_ids) and (
            not self.networks or source.network in self.networks
        )


def redact(message: str, config: Mapping[str, Any]) -> str:
    """An error as shown on the source's page: credentials from its settings never
    appear in it, whatever the library that raised put in the message."""
    for key, value in config.items():
        if (
            isinstance(value, str)
            and len(value) >= 6
            and any(w in key.lower() for w in _SECRET_WORDS)
        ):
            message = message.replace(value, "•••")
    return message[:1000]


class Runner:
    def __init__(self, nlp: Nlp, selection: Selection | None = None) -> None:
        self.nlp = nlp
        self.selection = selection or Selection()
        self.index = TopicIndex()
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._db = _Database()

    async def run(self, *, until: Callable[[], bool] = lambda: False) -> None:
        try:
            await self._db(self.index.refresh)
            refresher = asyncio.create_task(self._refresh_topics())
            try:
                while not until():
                    await self._start_new_sources()
                    await asyncio.sleep(SOURCE_RESCAN)
            finally:
                refresher.cancel()
                for task in self._tasks.values():
                    task.cancel()
                await asyncio.gather(refresher, *self._tasks.values(), return_exceptions=True)
        finally:
            await asyncio.get_running_loop().run_in_executor(None, self._db.close)

    async def _refresh_topics(self) -> None:
        while True:
            try:
                await self._db(self.index.refresh)
            except Exception:
                logger.exception("listen: reading topics failed; keeping the last ones")
            await asyncio.sleep(TOPIC_REFRESH)

    async def _start_new_sources(self) -> None:
        enabled = await self._db(lambda: list(ListeningSource.unscoped.filter(enabled=True)))
        wanted = {s.pk for s in enabled if self.selection.wants(s)}
        for pk in wanted - set(self._tasks):
            self._tasks[pk] = asyncio.create_task(self._run_source(pk), name=f"source-{pk}")
        for pk in set(self._tasks) - wanted:  # disabled or deleted: stop it
            self._tasks.pop(pk).cancel()

    async def _run_source(self, source_id: int) -> None:
        failures = 0
        while True:
            source = await self._db(lambda: ListeningSource.unscoped.filter(pk=source_id).first())
            if source is None or not source.enabled:
                return
            try:
                # Closed here, also when cancelled: left to the loop's shutdown, nested
                # generators were closed twice at once ("aclose(): asynchronous
                # generator is already running").
                stream = provider(source.network).stream(source.config, source.cursor)
                async with aclosing(stream):
                    async for fetched in stream:
                        report: StoreReport = await self._db(
                            partial(store, source, fetched, self.index, self.nlp)
                        )
                        source.cursor = fetched.cursor  # the stored copy; the next store reads it
                        failures = 0
                        if report.mentions:
                            logger.info("listen: %s stored %d posts, %d mentions", source.name,
                                        report.stored, report.mentions)  # fmt: skip
                return  # a finite source (a file) is done
            except asyncio.CancelledError:
                raise
            except RateLimited as exc:
                wait = max(1.0, float(exc.retry_after_seconds))
                note = f"Rate-limited by the network; retrying in {wait:.0f} s"
                await self._db(
                    partial(_mark, source_id, SourceState.RATE_LIMITED, note, until=wait)
                )
                await asyncio.sleep(wait)
            except Exception as exc:
                failures += 1
                wait = min(MAX_BACKOFF, 2.0**failures)
                message = redact(f"{type(exc).__name__}: {exc}", source.config)
                logger.warning("listen: %s failed (%s); retrying in %.0f s", source.name,
                               message, wait)  # fmt: skip
                await self._db(partial(_mark, source_id, SourceState.ERROR, message))
                await asyncio.sleep(wait)


def _mark(source_id: int, state: str, message: str, *, until: float | None = None) -> None:
    now = timezone.now()
    fields: dict[str, Any] = {"state": state, "last_error": message, "last_error_at": now}
    if until is not None:
        fields["rate_limited_until"] = now + timedelta(seconds=until)
    ListeningSource.unscoped.filter(pk=source_id).update(**fields)


class _Database:
    """The runner's database work on a few threads of its own, each keeping its
    connection from one call to the next: closing it after every call (as a web request
    does) cost a new connection for each store step and each topic check, four a second,
    and on PostgreSQL a server process each. A connection that failed is closed, so the
    next call on that thread opens a fresh one; ``close`` closes them all at the end."""

    THREADS = 4

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(self.THREADS, thread_name_prefix="listen-db")

    async def __call__(self, fn: Callable[[], Any]) -> Any:
        def call() -> Any:
            try:
                return fn()
            except DatabaseError:
                connection.close()
                raise

        return await asyncio.get_running_loop().run_in_executor(self._pool, call)

    def close(self) -> None:
        # Connections belong to their threads: one closing task per thread, each held
        # at the barrier until all have started, so no thread takes two.
        barrier = threading.Barrier(self.THREADS)

        def close_mine() -> None:
            connection.close()
            # A thread still finishing a long step may not come in time: its connection
            # then goes with the thread.
            with suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=30)

        for closing in [self._pool.submit(close_mine) for _ in range(self.THREADS)]:
            closing.result()
        self._pool.shutdown()


def listen_in_thread(nlp: Nlp) -> tuple[threading.Thread, threading.Event]:
    """``rapport serve --with-worker`` (and so ``make demo``) listens too: the loop in a
    thread of its own, stopped by setting the event."""
    stop = threading.Event()

    def main() -> None:
        asyncio.run(Runner(nlp).run(until=stop.is_set))

    thread = threading.Thread(target=main, name="rapport-listen", daemon=True)
    thread.start()
    return thread, stop
