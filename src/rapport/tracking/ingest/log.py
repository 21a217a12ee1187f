"""The durable log of accepted requests.

The ingest server appends, the processing worker reads in id order and trims what it
has processed. Two stores, chosen by ``settings.RAPPORT_INGEST["LOG"]``:

- ``sqlite:<path>``: a SQLite file of its own (the embedded default), so accepting
  events never waits for the write lock of the main database while the worker
  holds it; ``synchronous=FULL`` makes each commit reach the disk;
- ``database``: the ``tracking_inboundbatch`` table of the main database
  (PostgreSQL), so every ingest node shares one log.

Ids must become visible in id order, or a reader could move its cursor past a row
that commits later. SQLite has one writer at a time, so they do; on PostgreSQL the
writers take a transaction-level advisory lock around each group commit.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from django.conf import settings
from django.db import connection

# Any 64-bit number that no other part of Rapport uses as an advisory lock.
_PG_APPEND_LOCK = 0x52415050_4F525431


class InboundRecord(NamedTuple):
    """A tuple: the worker reads thousands a second, and a frozen dataclass costs
    several times as much to make."""

    workspace_id: int
    source_id: int
    received_at: float  # Unix seconds
    call: str  # the endpoint's call type; "" for a batch
    ip: str
    user_agent: str
    body: bytes  # the request's JSON, decompressed


Row = tuple[int, InboundRecord]


class InboundLog(Protocol):
    def append(self, records: Sequence[InboundRecord]) -> None:
        """Durably: when this returns, the records survive a crash."""

    def read(self, after: int, limit: int) -> list[Row]: ...

    def trim(self, upto: int) -> None: ...

    def pending(self, after: int) -> int: ...

    def checkpoint(self) -> None: ...

    def close(self) -> None: ...


def _values(r: InboundRecord) -> tuple[Any, ...]:
    return (r.workspace_id, r.source_id, r.received_at, r.call, r.ip, r.user_agent, r.body)


def _record(row: Sequence[Any]) -> Row:
    return int(row[0]), InboundRecord(
        int(row[1]), int(row[2]), float(row[3]), row[4], row[5], row[6], bytes(row[7])
    )


_COLUMNS = "workspace_id, source_id, received_at, call, ip, user_agent, body"
_PG_TYPES = ["int8", "int8", "float8", "varchar", "varchar", "varchar", "bytea"]


class SqliteFileLog:
    """A connection per instance: open one per thread."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        # No checkpoint inside a commit: the writer would stall while the WAL is copied
        # into the database. ``checkpoint()`` runs them from a thread of their own.
        self.db.execute("PRAGMA wal_autocheckpoint=0")
        # AUTOINCREMENT: ids are never reused after a trim, so a cursor stays valid.
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS inbound (id INTEGER PRIMARY KEY AUTOINCREMENT, "
            "workspace_id INTEGER NOT NULL, source_id INTEGER NOT NULL, received_at REAL NOT "
            "NULL, call TEXT NOT NULL, ip TEXT NOT NULL, user_agent TEXT NOT NULL, body BLOB "
            "NOT NULL)"
        )

    def append(self, records: Sequence[InboundRecord]) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.executemany(
                f"INSERT INTO inbound ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
                [_values(r) for r in records],
            )
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def read(self, after: int, limit: int) -> list[Row]:
        rows = self.db.execute(
            f"SELECT id, {_COLUMNS} FROM inbound WHERE id > ? ORDER BY id LIMIT ?",  # noqa: S608
            (after, limit),
        ).fetchall()
        # The columns' types are the record's own (the table's affinities see to it).
        make = InboundRecord._make
        return [(row[0], make(row[1:])) for row in rows]

    def trim(self, upto: int) -> None:
        self.db.execute("DELETE FROM inbound WHERE id <= ?", (upto,))

    def pending(self, after: int) -> int:
        row = self.db.execute("SELECT count(*) FROM inbound WHERE id > ?", (after,)).fetchone()
        return int(row[0])

    def checkpoint(self) -> None:
        """Copy the WAL into the database without blocking writers or readers."""
        self.db.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def close(self) -> None:
        self.db.close()


@contextmanager
def _on_primary_key(cur: Any) -> Iterator[None]:
    """The table is a queue: its statistics, from whenever autovacuum last looked, say
    nothing of where the live tail is, so the planner takes ``id > n`` for a third of
    the table and scans all of it, dead rows included (5 million rows a minute in the
    lag bench). The primary key's index is always the right way in: seq scans are
    ruled out for these statements inside the caller's transaction (outside one,
    SET LOCAL would do nothing, and the statement is planned as usual)."""
    if not connection.in_atomic_block:
        yield
        return
    cur.execute("SET LOCAL enable_seqscan = off")
    try:
        yield
    finally:
        cur.execute("SET LOCAL enable_seqscan = on")


class DatabaseLog:
    """The main database's table. ``append`` uses a connection of its own (the
    ingest server's writer thread); ``read`` and ``trim`` use Django's connection so
    they share the processing worker's transaction."""

    def __init__(self) -> None:
        self._writer: Any = None

    def _connect(self) -> Any:
        import psycopg

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        return psycopg.connect(**params)

    def append(self, records: Sequence[InboundRecord]) -> None:
        if self._writer is None or self._writer.closed:
            self._writer = self._connect()
        db = self._writer
        try:
            with db.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", (_PG_APPEND_LOCK,))
                # Binary COPY: bodies go as they are, not hex-escaped to twice their size.
                with cur.copy(
                    f"COPY tracking_inboundbatch ({_COLUMNS}) FROM STDIN (FORMAT BINARY)"
                ) as copy:
                    copy.set_types(_PG_TYPES)
                    for r in records:
                        copy.write_row(_values(r))
            db.commit()
        except BaseException:
            db.close()  # a broken connection is not reused; the next append reconnects
            raise

    def read(self, after: int, limit: int) -> list[Row]:
        with connection.cursor() as cur, _on_primary_key(cur):
            cur.execute(
                f"SELECT id, {_COLUMNS} FROM tracking_inboundbatch WHERE id > %s "  # noqa: S608
                "ORDER BY id LIMIT %s",
                [after, limit],
            )
            return [_record(row) for row in cur.fetchall()]

    def trim(self, upto: int) -> None:
        with connection.cursor() as cur, _on_primary_key(cur):
            cur.execute("DELETE FROM tracking_inboundbatch WHERE id <= %s", [upto])

    def pending(self, after: int) -> int:
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM tracking_inboundbatch WHERE id > %s", [after])
            return int(cur.fetchone()[0])

    def checkpoint(self) -> None:
        """PostgreSQL checkpoints on its own."""

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


def log_setting() -> str:
    return str(settings.RAPPORT_INGEST["LOG"])


def open_log() -> InboundLog:
    """A new log handle for the calling thread."""
    where = log_setting()
    if where == "database":
        if connection.vendor != "postgresql":
            raise RuntimeError('RAPPORT_INGEST["LOG"] = "database" needs PostgreSQL')
        return DatabaseLog()
    if where.startswith("sqlite:"):
        return SqliteFileLog(Path(where.removeprefix("sqlite:")))
    raise RuntimeError(
        f'RAPPORT_INGEST["LOG"] must be "database" or "sqlite:<path>", not {where!r}'
    )
