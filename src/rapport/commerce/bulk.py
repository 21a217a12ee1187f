"""Writing changed rows back in one statement per chunk: ``update_rows`` sends
``UPDATE … FROM (VALUES …)``, where Django's ``bulk_update`` builds a CASE per
column per row and spends most of a batch building it."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import models

from rapport.contacts.transfer.fast import update_rows


def write(model: type[models.Model], rows: Sequence[models.Model], fields: Sequence[str]) -> None:
    """Store ``fields`` of ``rows`` (saved rows, changed in memory)."""
    if not rows:
        return
    meta = model._meta
    attnames = [meta.get_field(f).attname for f in fields]  # type: ignore[union-attr]
    update_rows(model, fields, [[r.pk, *(getattr(r, a) for a in attnames)] for r in rows])
