"""Plain ``executemany`` inserts for the import's hot path. The ORM's bulk_create
prepares every value of every field in Python, which costs more than the insert
itself at 100k rows; here values go to the driver as they are, adapted once."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: list[list[Any]]) -> None:
    if not rows:
        return
    meta = model._meta
    columns = [_column(model, f) for f in fields]
    json_positions = [
        n for n, f in enumerate(fields) if isinstance(meta.get_field(f), models.JSONField)
    ]
    ops = connection.ops
    adapted = []
    for row in rows:
        values = list(row)
        for n in json_positions:
            values[n] = json.dumps(values[n])
        for n, value in enumerate(values):
            if isinstance(value, datetime):
                values[n] = ops.adapt_datetimefield_value(value)
        adapted.append(values)
    quoted = ", ".join(ops.quote_name(c) for c in columns)
    table = str(meta.db_table)
    marks = ", ".join(["%s"] * len(columns))
    # Names come from model metadata and are quoted; every value is a parameter.
    sql = f"INSERT INTO {ops.quote_name(table)} ({quoted}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, adapted)


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
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        start = int(cursor.fetchone()[0]) + 1
    return list(range(start, start + count))
