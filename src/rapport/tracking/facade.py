"""What other parts use from tracking: find the source of a write key; read sources
and the workspace's tracking settings."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from rapport.core.actor import Actor
from rapport.core.permissions import Perm
from rapport.core.queries import one_or_404

from .models import Source, TrackingSettings


def source_for_key(write_key: str) -> Source | None:
    """The enabled source a write key belongs to (a rotated-out key during its grace
    period too), or None. Across workspaces: the key is what names the workspace."""
    key = write_key.strip()
    if not key or len(key) > 64:
        return None
    return (
        Source.unscoped.select_related("workspace")
        .filter(enabled=True)
        .filter(
            Q(write_key=key) | Q(previous_write_key=key, previous_valid_until__gt=timezone.now())
        )
        .first()
    )


def list_sources(actor: Actor) -> list[Source]:
    actor.require(Perm.SOURCES_VIEW)
    return list(Source.objects.for_workspace(actor.workspace))


def access_source(actor: Actor, source_id: int) -> Source:
    actor.require(Perm.SOURCES_VIEW)
    return one_or_404(Source.objects.for_workspace(actor.workspace), source_id, "source")


def tracking_settings(actor: Actor) -> TrackingSettings:
    """The workspace's tracking settings; the defaults (unsaved) when never changed."""
    actor.require(Perm.SOURCES_VIEW)
    found = TrackingSettings.objects.for_workspace(actor.workspace).first()
    return found or TrackingSettings(workspace=actor.workspace)
