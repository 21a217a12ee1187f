"""Group commit: requests wait on a future while one writer thread appends whatever
has queued up since its last commit, in one transaction. Under load a commit covers
hundreds of requests, so the cost of making them durable (an fsync, a round trip)
is paid once for all of them; when idle, a lone request is committed at once."""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable

from .log import InboundLog, InboundRecord

logger = logging.getLogger(__name__)

MAX_RECORDS = 4_000
MAX_BYTES = 16 * 1024 * 1024
CHECKPOINT_EVERY = 1.0  # seconds

_Item = tuple[InboundRecord, "asyncio.Future[None]"]


class StoreUnavailable(RuntimeError):
    """The log could not be written; the request is answered 503 and the client retries."""


class GroupCommitter:
    def __init__(self, open_log: Callable[[], InboundLog]) -> None:
        self._open_log = open_log
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = threading.Event()
        self.commits = 0
        self.records = 0

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._thread is not None:
            return
        self._loop = loop
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="ingest-commit", daemon=True)
        self._thread.start()
        checkpoints = threading.Thread(
            target=self._checkpoints, name="ingest-checkpoint", daemon=True
        )
        checkpoints.start()

    def _checkpoints(self) -> None:
        """Keep the log's write-ahead file short, off the commit path."""
        log = self._open_log()
        try:
            while not self._stopping.wait(CHECKPOINT_EVERY):
                try:
                    log.checkpoint()
                except Exception:
                    logger.warning("ingest: checkpoint failed; retrying", exc_info=True)
        finally:
            log.close()

    def stop(self) -> None:
        """Commit what is queued, then end the writer thread."""
        if self._thread is None:
            return
        self._stopping.set()
        self._queue.put(None)
        self._thread.join(timeout=30)
        self._thread = None

    async def append(self, record: InboundRecord) -> None:
        loop = asyncio.get_running_loop()
        if self._thread is None:
            self.start(loop)
        future: asyncio.Future[None] = loop.create_future()
        self._queue.put((record, future))
        await future

    def _take(self, first: _Item) -> tuple[list[_Item], bool]:
        items, size, stopping = [first], len(first[0].body), False
        while len(items) < MAX_RECORDS and size < MAX_BYTES:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                stopping = True
                break
            items.append(item)
            size += len(item[0].body)
        return items, stopping

    def _run(self) -> None:
        log: InboundLog | None = None
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                break
            items, stopping = self._take(first)
            error: BaseException | None = None
            try:
                log = log or self._open_log()
                log.append([record for record, _ in items])
                self.commits += 1
                self.records += len(items)
            except Exception as exc:
                # Reported to every waiting request as a 503; the next commit reopens.
                logger.exception("ingest: could not write %d records to the log", len(items))
                error = exc
                if log is not None:
                    log.close()
                log = None
            assert self._loop is not None
            self._loop.call_soon_threadsafe(_settle, [f for _, f in items], error)
        if log is not None:
            log.close()


def _settle(futures: list[asyncio.Future[None]], error: BaseException | None) -> None:
    for future in futures:
        if future.done():  # the client went away and the request was cancelled
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(StoreUnavailable(str(error)))
