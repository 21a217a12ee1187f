"""``field__any=[…]``: membership in a long list of values with one query parameter,
for batch code that asks about thousands of values at once. Django's ``__in`` makes a
parameter per value (and prepares each one), which costs more than the query itself
at that size; this sends one JSON array (SQLite) or one array (PostgreSQL)."""

from __future__ import annotations

import json
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, ForeignObject, Lookup
from django.db.models.sql.compiler import SQLCompiler


class AnyOf(Lookup[Any]):
    lookup_name = "any"
    prepare_rhs = False

    def get_db_prep_lookup(self, value: Any, connection: BaseDatabaseWrapper) -> Any:
        return ("%s", [value])

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", (*lhs_params, values)
        # lhs is the compiled column; the values are one parameter.
        return f"{lhs} IN (SELECT value FROM json_each(%s))", (*lhs_params, json.dumps(values))  # noqa: S608


# Foreign keys keep lookups of their own; they take the column's values (ids).
Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)
