"""Writes of the tracking app: create, rotate, enable and disable sources; change
the workspace's tracking settings."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from rapport.core.actor import Actor
from rapport.core.audit import record, snapshot
from rapport.core.errors import Conflict, DomainError
from rapport.core.permissions import Perm

from .models import Source, SourceKind, TrackingSettings

# How long the previous key keeps working after a rotation.
ROTATION_GRACE = timedelta(hours=24)


def new_write_key(kind: str) -> str:
    prefix = {"website": "wk_web_", "app": "wk_app_", "server": "wk_srv_"}[kind]
    return prefix + secrets.token_urlsafe(24)


def do_create_source(actor: Actor, *, name: str, kind: str) -> Source:
    actor.require(Perm.SOURCES_MANAGE)
    name = name.strip()
    if not name:
        raise DomainError("A source needs a name.", field="name")
    if kind not in SourceKind.values:
        raise DomainError(f"Unknown kind '{kind[:20]}'.", field="kind")
    try:
        with transaction.atomic():
            source = Source.objects.create(
                workspace=actor.workspace, name=name[:80], kind=kind, write_key=new_write_key(kind)
            )
            # The key is not audited: a server key is a secret, and logs are read widely.
            record(actor, "source.create", source, after={"name": source.name, "kind": kind})
    except IntegrityError as exc:
        raise Conflict(f"A source called '{name[:80]}' exists already.", field="name") from exc
    return source


def do_rotate_write_key(actor: Actor, source: Source) -> Source:
    """A new key now; the old one keeps working for ``ROTATION_GRACE``."""
    actor.require(Perm.SOURCES_MANAGE)
    with transaction.atomic():
        source.previous_write_key = source.write_key
        source.previous_valid_until = timezone.now() + ROTATION_GRACE
        source.write_key = new_write_key(source.kind)
        source.rotated_at = timezone.now()
        source.save(update_fields=["previous_write_key", "previous_valid_until", "write_key",
                                   "rotated_at"])  # fmt: skip
        record(actor, "source.rotate", source, after={"previous_valid_until":
               source.previous_valid_until.isoformat()})  # fmt: skip
    return source


def do_set_source_enabled(actor: Actor, source: Source, *, enabled: bool) -> Source:
    actor.require(Perm.SOURCES_MANAGE)
    with transaction.atomic():
        source.enabled = enabled
        source.save(update_fields=["enabled"])
        record(actor, "source.enable" if enabled else "source.disable", source)
    return source


SETTINGS_FIELDS = [
    "require_consent",
    "respect_dnt",
    "store_ip",
    "cart_abandoned_after_minutes",
    "long_absence_days",
]
# Bounds that keep the commerce and absence jobs meaningful: a cart is not abandoned
# within a minute, nor after a month; an absence is at least a day and at most ten years.
_BOUNDS = {"cart_abandoned_after_minutes": (1, 43_200), "long_absence_days": (1, 3_650)}


def do_update_tracking_settings(actor: Actor, **fields: bool | int) -> TrackingSettings:
    """Change the workspace's tracking settings; a field not given keeps its value.
    The row is created on first change (absent means the model's defaults)."""
    actor.require(Perm.SOURCES_MANAGE)
    unknown = sorted(set(fields) - set(SETTINGS_FIELDS))
    if unknown:
        raise DomainError(f"Unknown setting '{unknown[0][:40]}'.", field=unknown[0][:40])
    for name, value in fields.items():
        if name in _BOUNDS:
            low, high = _BOUNDS[name]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise DomainError(f"Give a whole number from {low} to {high:,}.", field=name)
        elif not isinstance(value, bool):
            raise DomainError("Give true or false.", field=name)
    with transaction.atomic():
        prefs, _created = (
            TrackingSettings.objects.for_workspace(actor.workspace)
            .select_for_update()
            .get_or_create(workspace=actor.workspace)
        )
        before = snapshot(prefs, SETTINGS_FIELDS)
        for name, value in fields.items():
            setattr(prefs, name, value)
        prefs.save()
        after = snapshot(prefs, SETTINGS_FIELDS)
        if after != before:
            record(actor, "tracking_settings.update", prefs, before=before, after=after)
    return prefs
