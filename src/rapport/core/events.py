"""Domain events: named constants, published on commit, delivered to listeners.

A write publishes ``Event.X`` inside its transaction; listeners run only after the
transaction commits, so nobody reacts to a write that was rolled back. A listener
that raises is logged and does not break the write or the other listeners;
listeners that do slow work enqueue a task (which retries) rather than doing it
inline.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


class Event(StrEnum):
    WORKSPACE_CREATED = "workspace.created"
    WORKSPACE_UPDATED = "workspace.updated"
    MEMBER_ADDED = "member.added"
    MEMBER_ROLE_CHANGED = "member.role_changed"
    MEMBER_REMOVED = "member.removed"
    TEAM_CREATED = "team.created"
    TEAM_UPDATED = "team.updated"
    TEAM_DELETED = "team.deleted"
    TEAM_MEMBER_ADDED = "team.member_added"
    TEAM_MEMBER_REMOVED = "team.member_removed"
    TOKEN_CREATED = "token.created"  # noqa: S105 - an event name, not a secret
    TOKEN_REVOKED = "token.revoked"  # noqa: S105
    JOB_FAILED = "job.failed"
    CONTACT_CREATED = "contact.created"
    CONTACT_UPDATED = "contact.updated"
    CONTACTS_MERGED = "contact.merged"
    CONTACT_UNMERGED = "contact.unmerged"
    IDENTITY_ADDED = "contact.identity_added"
    LIFECYCLE_CHANGED = "contact.lifecycle_changed"
    DUPLICATE_SUGGESTED = "contact.duplicate_suggested"
    CART_ABANDONED = "commerce.cart_abandoned"
    ORDER_COMPLETED = "commerce.order_completed"
    FIRST_PURCHASE = "commerce.first_purchase"
    LONG_ABSENCE = "tracking.long_absence"
    USAGE_DROPPING = "tracking.usage_dropping"
    FIRST_LOGIN = "tracking.first_login"
    TOPIC_CHANGED = "listening.topic_changed"
    MENTION_CREATED = "listening.mention_created"
    MENTION_CORRECTED = "listening.mention_corrected"
    LISTENING_ALERT = "listening.alert"


@dataclass(frozen=True)
class DomainEvent:
    name: Event
    workspace_id: int | None
    payload: dict[str, Any]
    occurred_at: datetime = field(default_factory=timezone.now)


Listener = Callable[[DomainEvent], None]
_listeners: dict[Event, list[Listener]] = defaultdict(list)


def subscribe(*names: Event) -> Callable[[Listener], Listener]:
    """Register a listener for one or more events (``@subscribe(Event.X)``)."""

    def register(fn: Listener) -> Listener:
        for name in names:
            if fn not in _listeners[name]:
                _listeners[name].append(fn)
        return fn

    return register


def unsubscribe(name: Event, fn: Listener) -> None:
    if fn in _listeners[name]:
        _listeners[name].remove(fn)


def publish(name: Event, workspace_id: int | None, **payload: Any) -> None:
    """Deliver the event once the surrounding transaction commits."""
    event = DomainEvent(name=Event(name), workspace_id=workspace_id, payload=payload)
    transaction.on_commit(lambda: deliver(event))


def deliver(event: DomainEvent) -> int:
    delivered = 0
    for listener in list(_listeners[event.name]):
        try:
            listener(event)
            delivered += 1
        except Exception:
            logger.exception("listener %s failed for %s", listener.__qualname__, event.name)
    return delivered
