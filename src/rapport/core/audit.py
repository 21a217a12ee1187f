"""Writing the audit log. Only actions call ``record``, inside their transaction."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from .actor import Actor
from .models import AuditEntry


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The fields of ``obj`` worth showing in a before/after diff, JSON-ready."""
    data: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, models.Model):
            value = value.pk
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        data[name] = value
    return data


def record(
    actor: Actor,
    action: str,
    obj: models.Model | None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    object_type: str | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        workspace=actor.workspace,
        actor_user=actor.membership.user if actor.membership else None,
        actor_token=actor.token,
        actor_label=actor.label[:200],
        action=action,
        object_type=object_type or (obj._meta.model_name if obj is not None else "") or "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        before=before,
        after=after,
        created_at=timezone.now(),
    )
