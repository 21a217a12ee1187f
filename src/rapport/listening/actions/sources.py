"""Listening sources: added with a provider's validated settings, enabled or paused.
Settings can hold credentials (a bearer token): those are not audited and not shown."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from rapport.channels.registry import provider
from rapport.core.actor import Actor
from rapport.core.audit import record
from rapport.core.errors import Conflict, DomainError
from rapport.core.permissions import Perm

from ..models import ListeningSource, SourceState

# Networks whose source is everything everyone posts: only matching posts are kept.
FIREHOSES = frozenset({"bluesky"})


def do_create_listening_source(
    actor: Actor, *, name: str, network: str, config: dict[str, Any]
) -> ListeningSource:
    actor.require(Perm.LISTEN_MANAGE)
    name = " ".join(name.split())[:80]
    if not name:
        raise DomainError("A source needs a name.", field="name")
    try:
        chosen = provider(network)
    except LookupError as exc:
        raise DomainError(f"Unknown network '{network[:20]}'.", field="network") from exc
    try:
        clean = chosen.validate(config)
    except ValueError as exc:
        raise DomainError(str(exc), field="config") from exc
    try:
        with transaction.atomic():
            source = ListeningSource.objects.create(
                workspace=actor.workspace, name=name, network=network, config=clean,
                keep_unmatched=network not in FIREHOSES,
            )  # fmt: skip
            # Only the name and the network: settings may carry a token.
            record(actor, "listening_source.create", source,
                   after={"name": name, "network": network})  # fmt: skip
    except IntegrityError as exc:
        raise Conflict(f"A source called '{name}' exists already.", field="name") from exc
    return source


def do_set_listening_source_enabled(
    actor: Actor, source: ListeningSource, *, enabled: bool
) -> ListeningSource:
    actor.require(Perm.LISTEN_MANAGE)
    with transaction.atomic():
        source.enabled = enabled
        source.state = SourceState.IDLE if enabled else SourceState.PAUSED
        source.save(update_fields=["enabled", "state"])
        record(actor, "listening_source.enable" if enabled else "listening_source.pause", source)
    return source
