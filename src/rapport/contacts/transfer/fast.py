"""Plain ``executemany`` inserts for the import's hot path. The ORM's bulk_create
prepares every value of every field in Python, which costs more than the insert
itself at 100k rows; here values go to the driver as they are, adapted once."""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

import orjson
from django.db import connection, models


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a batch builds millions of small objects:
    each collection would walk every one of them (the identity map alone holds
    millions), for nothing, since batch data has no reference cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def sqlite_cache(mb: int) -> Iterator[None]:
    """A bigger SQLite page cache for one batch (the default is 2 MB): index pages
    of a large workspace stay in memory instead of being read again and again."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {-1024 * int(mb)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {before}")


@contextmanager
def server_binding() -> Iterator[None]:
    """On PostgreSQL, parameters bound by the server for a while: Django's default
    cursor writes every parameter into the SQL text in Python, quoting each element of
    a 5,000-id array one by one, which cost the pipeline a third of its time. Scoped to
    the code that runs in it, because some ORM queries Django builds (parameters in a
    GROUP BY) need client-side binding."""
    if connection.vendor != "postgresql":
        yield
        return
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    raw = connection.connection
    before = raw.cursor_factory
    raw.cursor_factory = ServerBindingCursor
    try:
        yield
    finally:
        raw.cursor_factory = before


def refresh_statistics(*tables: type[models.Model]) -> None:
    """PostgreSQL plans from table statistics that autovacuum refreshes only now and
    then; after a bulk load they describe an empty table, and it picks plans that
    scan. ANALYZE samples the table (a fraction of a second) so the next queries of
    the same load use the indexes. SQLite needs nothing."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(str(model._meta.db_table))}")


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    binary: bool = False,
) -> None:
    """``binary``: on PostgreSQL, COPY in the binary format, when every value is of
    its field's own Python type (int for keys and integers, str for text, an aware
    datetime, what JSON can write for JSON; no strings for numbers): half the
    client's time of the text format, which writes every value as text first."""
    if not rows:
        return
    meta = model._meta
    columns = [_column(model, f) for f in fields]
    json_positions = [
        n for n, f in enumerate(fields) if isinstance(meta.get_field(f), models.JSONField)
    ]
    ops = connection.ops
    table = ops.quote_name(str(meta.db_table))
    quoted = ", ".join(ops.quote_name(c) for c in columns)
    if connection.vendor == "postgresql":
        types = _binary_types(model, fields) if binary else None
        _copy(table, quoted, rows, json_positions, types)
        return
    adapted = _sqlite_values(rows, json_positions)
    marks = ", ".join(["%s"] * len(columns))
    # Names come from model metadata and are quoted; every value is a parameter.
    sql = f"INSERT INTO {table} ({quoted}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, adapted)


def _sqlite_values(
    rows: Sequence[Sequence[Any]], json_positions: list[int]
) -> list[tuple[Any, ...]]:
    """Rows as SQLite takes them: JSON as text, datetimes as Django writes them.
    Column by column: a batch shares a handful of timestamps and JSON shapes, and
    transposing with zip() keeps the per-row work in C."""
    by_column = list(zip(*rows, strict=True))
    for n in json_positions:
        by_column[n] = tuple(map(_json, by_column[n]))
    for n, column in enumerate(by_column):
        # A column holds one field's values: the first that is not None tells its type.
        if isinstance(next((v for v in column if v is not None), None), datetime):
            by_column[n] = _sqlite_datetimes(column)
    return list(zip(*by_column, strict=True))


_tzinfo = attrgetter("tzinfo")


def _sqlite_datetimes(column: tuple[Any, ...]) -> tuple[Any, ...]:
    """A column of datetimes as ``sqlite_datetime`` writes them. A column of UTC
    values (what the pipeline writes) is formatted by orjson in one call and cut
    apart: ``isoformat`` costs 0.8 us a value, a fifth of an event's Python time
    when each event writes six of them; this costs a fifth of that."""
    if None in column or set(map(_tzinfo, column)) != {UTC}:
        return tuple(map(sqlite_datetime, column))
    # ["2026-12-02T10:00:00.5+00:00", …]: the only T and +00:00 are the dates' own.
    text = orjson.dumps(column).decode()
    return tuple(text[2:-2].replace("+00:00", "").replace("T", " ").split('","'))


def among(column: str, values: Sequence[Any]) -> tuple[str, Any]:
    """``column`` is one of ``values``, as SQL and its one parameter: the ``__any``
    lookup for statements written by hand (the pipeline's reads, where building an
    ORM query cost more than running it)."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", list(values)
    try:
        text = orjson.dumps(list(values)).decode()
    except TypeError:  # what orjson refuses (integers past 64 bits) the standard module writes
        text = json.dumps(list(values))
    return f"{column} IN (SELECT value FROM json_each(%s))", text  # noqa: S608


def fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Rows as the driver gives them: no ORM converters (see ``aware``)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


def datetime_column(column: str) -> str:
    """A datetime column for ``fetch``, to be read with ``read_datetime``: selected as
    naive UTC text. SQLite's driver would make a naive datetime that then costs more
    to make aware (``replace``) than to parse; PostgreSQL's timestamps go through
    Django's loader, written in Python (a third of reading a session row)."""
    if connection.vendor == "sqlite":
        return f"CAST({column} AS TEXT)"
    # to_char, not ::text: the same text whatever the session's DateStyle.
    return f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"


def read_datetime(value: str | datetime) -> datetime:
    """A ``datetime_column`` as the ORM reads it: aware, in UTC."""
    return datetime.fromisoformat(value + "+00:00") if isinstance(value, str) else value


def db_datetime(value: datetime) -> Any:
    """A datetime as a parameter of a statement written by hand, as the ORM sends it."""
    return sqlite_datetime(value) if connection.vendor == "sqlite" else value


def table_of(model: type[models.Model]) -> str:
    return connection.ops.quote_name(str(model._meta.db_table))


def sqlite_datetime(value: datetime | None) -> str | None:
    """A datetime as Django stores it in SQLite (naive UTC text). UTC values, all the
    hot paths write, skip Django's adapter, which costs five times as much."""
    if value is None:
        return None
    if value.tzinfo is UTC:
        return value.isoformat(" ")[:-6]  # without its +00:00
    return connection.ops.adapt_datetimefield_value(value)


def update_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: list[list[Any]],
    *,
    chunk: int = 500,
    only_if: str = "",
    combine: Mapping[str, str] | None = None,
    binary: bool = False,
) -> None:
    """Set ``fields`` of many rows, each its own values: ``rows`` are
    ``[primary key, value, …]``. One ``UPDATE … FROM (VALUES …)`` per chunk instead
    of Django's ``bulk_update``, whose CASE per column grows with the square of the
    batch. ``combine`` folds a value into the stored one instead of replacing it
    (see ``upsert_rows``); ``only_if`` is an extra condition on ``{t}``, the table,
    and ``v``, the values; ``binary`` as for ``insert_rows``."""
    if not rows:
        return
    meta = model._meta
    ops = connection.ops
    table = ops.quote_name(str(meta.db_table))
    pk = ops.quote_name(str(meta.pk.column))
    targets = [meta.get_field(f) for f in fields]
    json_positions = [n + 1 for n, f in enumerate(targets) if isinstance(f, models.JSONField)]
    sets = ", ".join(
        _assign(table, str(f.column), f"v.column{n + 2}", (combine or {}).get(f.name, "set"))  # type: ignore[union-attr]
        for n, f in enumerate(targets)
    )
    where = f"{table}.{pk} = v.column1" + (f" AND {only_if.format(t=table)}" if only_if else "")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            staged = _stage(cursor, model, [meta.pk.name, *fields], rows, binary=binary)
            picks = ", ".join(f"{c} AS column{n + 1}" for n, c in enumerate(staged.columns))
            # Names come from model metadata and are quoted; the values were copied.
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM (SELECT {picks} FROM {staged.name}) AS v "  # noqa: S608
                f"WHERE {where}"
            )
        return
    values = _sqlite_values(rows, json_positions)
    mark = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(values), chunk):
            part = values[start : start + chunk]
            # Names come from model metadata and are quoted; every value is a parameter.
            sql = (
                f"UPDATE {table} SET {sets} FROM (VALUES {', '.join([mark] * len(part))}) "  # noqa: S608
                f"AS v WHERE {where}"
            )
            cursor.execute(sql, [v for row in part for v in row])


@dataclass(frozen=True)
class _Staged:
    name: str
    columns: list[str]  # quoted, in the order the rows gave them


def _stage(
    cursor: Any,
    model: type[models.Model],
    fields: Sequence[str],
    rows: list[list[Any]],
    *,
    binary: bool = False,
) -> _Staged:
    """PostgreSQL: the rows copied into a temporary table with the types of these
    columns. Sending thousands of rows as statement parameters costs more in psycopg's
    Python than the statement costs the server; COPY adapts them in C. The table is
    made once per connection and emptied at commit (and here, before each use, for a
    second use in one transaction)."""
    meta = model._meta
    ops = connection.ops
    table = ops.quote_name(str(meta.db_table))
    columns = [ops.quote_name(_column(model, f)) for f in fields]
    digest = hashlib.blake2b(f"{table}:{','.join(columns)}".encode(), digest_size=6).hexdigest()
    name = f"rapport_stage_{digest}"
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {name} ON COMMIT DELETE ROWS AS "  # noqa: S608
        f"SELECT {', '.join(columns)} FROM {table} WITH NO DATA"
    )
    cursor.execute(f"DELETE FROM {name}")  # noqa: S608
    json_positions = [
        n for n, f in enumerate(fields) if isinstance(meta.get_field(f), models.JSONField)
    ]
    types = _binary_types(model, fields) if binary else None
    _copy(name, ", ".join(columns), rows, json_positions, types)
    return _Staged(name, columns)


def upsert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: list[list[Any]],
    *,
    combine: Mapping[str, str],
    binary: bool = False,
) -> None:
    """Insert rows, or fold them into the row already there, without reading it
    first: ``combine`` says per field how (``"add"``, ``"min"`` or ``"max"``); fields
    it does not name keep the stored value. The first field is the unique key.
    ``binary`` as for ``insert_rows``."""
    if not rows:
        return
    meta = model._meta
    ops = connection.ops
    table = ops.quote_name(str(meta.db_table))
    targets = [meta.get_field(f) for f in fields]
    columns = [ops.quote_name(str(f.column)) for f in targets]  # type: ignore[union-attr]
    pg = connection.vendor == "postgresql"
    sets = ", ".join(
        _assign(table, str(f.column), f"excluded.{columns[n]}", combine[name])  # type: ignore[union-attr]
        for n, (name, f) in enumerate(zip(fields, targets, strict=True))
        if name in combine
    )
    json_positions = [n for n, f in enumerate(targets) if isinstance(f, models.JSONField)]
    conflict = f"ON CONFLICT ({columns[0]}) DO UPDATE SET {sets}"
    with connection.cursor() as cursor:
        if pg:
            staged = _stage(cursor, model, fields, rows, binary=binary)
            # Names come from model metadata and are quoted; the values were copied.
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
                f"SELECT {', '.join(staged.columns)} FROM {staged.name} {conflict}"
            )
            return
        marks = ", ".join(["%s"] * len(columns))
        # Names come from model metadata and are quoted; every value is a parameter.
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) {conflict}"  # noqa: S608
        cursor.executemany(sql, _sqlite_values(rows, json_positions))


def _assign(table: str, column: str, value: str, how: str) -> str:
    """``column = …`` for an UPDATE: the new value, or it folded into the stored one.
    (min and max of NULL are NULL in SQLite: for nullable columns, use ``only_if``.)"""
    pg = connection.vendor == "postgresql"
    name = connection.ops.quote_name(column)
    stored = f"{table}.{name}"
    folded = {
        "set": value,
        "add": f"{stored} + {value}",
        "min": f"{'LEAST' if pg else 'min'}({stored}, {value})",
        "max": f"{'GREATEST' if pg else 'max'}({stored}, {value})",
    }
    return f"{name} = {folded[how]}"


def advance_rows(
    model: type[models.Model], field: str, rows: list[list[Any]], *, workspace_id: int
) -> None:
    """Move a datetime field forward to each row's value, never back (``rows`` are
    ``[primary key, moment]``), in rows of the workspace only: events arrive out of
    order, and the guard in the statement spares reading the current values first."""
    column = connection.ops.quote_name(_column(model, field))
    guard = f"({{t}}.{column} IS NULL OR {{t}}.{column} < v.column2)"
    update_rows(
        model,
        [field],
        rows,
        only_if=f"{{t}}.workspace_id = {int(workspace_id)} AND {guard}",
        binary=True,  # keys and aware datetimes
    )


class RawJSON(str):
    """JSON text the caller has already written: inserted as it is."""

    __slots__ = ()


EMPTY_LIST, EMPTY_OBJECT = RawJSON("[]"), RawJSON("{}")


def id_list(ids: Sequence[int]) -> RawJSON:
    """A list of ids as JSON text, without the encoder (the observation log)."""
    return RawJSON("[" + ",".join(map(str, ids)) + "]")


def _json(value: Any) -> str:
    """JSON text; lists of ints (identity ids in the observation log) and empty
    containers, the bulk of what is written here, skip the encoder."""
    if isinstance(value, RawJSON):
        return value
    if isinstance(value, list):
        if not value:
            return "[]"
        if all(type(v) is int for v in value):
            return "[" + ",".join(map(str, value)) + "]"
    elif isinstance(value, dict) and not value:
        return "{}"
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # what orjson refuses (integers past 64 bits) the standard module writes
        return json.dumps(value)


# A column's type as binary COPY names it, by what Django's field says it is.
_BINARY = {"bigint": "int8", "integer": "int4", "smallint": "int2", "boolean": "bool",
           "varchar": "text", "text": "text", "jsonb": "jsonb",
           "timestamp with time zone": "timestamptz", "double precision": "float8"}  # fmt: skip


def _binary_types(model: type[models.Model], fields: Sequence[str]) -> list[str] | None:
    """The binary COPY types of ``fields``; None when one has a type not listed."""
    types = []
    for name in fields:
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field)
        db_type = str(field.db_type(connection) or "").split("(")[0]
        if db_type not in _BINARY:
            return None
        types.append(_BINARY[db_type])
    return types


def _json_bytes(value: Any) -> bytes:
    """``_json`` as bytes, for binary COPY (orjson writes bytes)."""
    if isinstance(value, RawJSON):
        return value.encode()
    if isinstance(value, dict) and not value:
        return b"{}"
    try:
        return orjson.dumps(value)
    except TypeError:
        return _json(value).encode()


def _copy(
    table: str,
    columns: str,
    rows: Sequence[Sequence[Any]],
    json_positions: list[int],
    types: list[str] | None = None,
) -> None:
    """PostgreSQL's COPY: several times faster than INSERT for big batches. JSON
    goes as text (the column casts it); everything else psycopg adapts. With
    ``types`` (see ``insert_rows``), in the binary format."""
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        if types is not None:
            from psycopg.types.json import set_json_dumps

            set_json_dumps(_json_bytes, raw)  # this cursor's JSON, written by orjson
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
            return
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            if not json_positions:
                for row in rows:
                    copy.write_row(row)
                return
            for row in rows:
                values = list(row)
                for n in json_positions:
                    values[n] = _json(values[n])
                copy.write_row(values)


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return str(field.column)


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` fresh primary keys, so rows can be inserted with their ids known.
    Call inside the transaction that inserts them: on SQLite that transaction holds
    the write lock (BEGIN IMMEDIATE), so nobody else takes the same ids."""
    if count == 0:
        return []
    table = str(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Nobody inserts into the table while we hold EXCLUSIVE (it conflicts with
            # the ROW EXCLUSIVE every INSERT takes), so moving the sequence on by
            # ``count`` at once is safe and far cheaper than ``count`` nextval calls.
            # The lock lasts until the transaction that inserts the rows commits.
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(table)} IN EXCLUSIVE MODE")
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                "nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
                [table, table, count],
            )
            end = int(cursor.fetchone()[0])
            return list(range(end - count + 1, end + 1))
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        start = int(cursor.fetchone()[0]) + 1
    return list(range(start, start + count))
