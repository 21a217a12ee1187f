"""Reading and writing enriched values."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction

from .models import EnrichedValue
from .providers.base import Fact, Provider


def save_facts(
    workspace_id: int,
    contact_id: int,
    provider: type[Provider],
    facts: Sequence[Fact],
    now: datetime,
) -> list[EnrichedValue]:
    """Replace the provider's earlier values of the same fields with these."""
    rows = [
        EnrichedValue(
            workspace_id=workspace_id,
            contact_id=contact_id,
            identity_id=f.identity_id,
            provider=provider.name,
            field=f.field[:60],
            value=f.value,
            fetched_at=now,
            expires_at=now + provider.ttl,
            lawful_basis=provider.lawful_basis,
            source_ref=f.source_ref[:300],
        )
        for f in facts
    ]
    with transaction.atomic():
        EnrichedValue.objects.for_workspace(workspace_id).filter(
            contact_id=contact_id, provider=provider.name, field__in={r.field for r in rows}
        ).delete()
        EnrichedValue.objects.for_workspace(workspace_id).bulk_create(rows)
    return rows


def current_values(workspace_id: int, contact_id: int) -> list[EnrichedValue]:
    """The newest value of each provider and field (after a merge there may be two)."""
    seen: dict[tuple[str, str], EnrichedValue] = {}
    for row in (
        EnrichedValue.objects.for_workspace(workspace_id)
        .filter(contact_id=contact_id)
        .order_by("provider", "field", "-fetched_at", "-id")
    ):
        seen.setdefault((row.provider, row.field), row)
    return list(seen.values())


def current_facts(workspace_id: int, contact_id: int) -> dict[str, Any]:
    return {f"{v.provider}.{v.field}": v.value for v in current_values(workspace_id, contact_id)}
