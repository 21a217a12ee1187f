"""Reads of tracked behaviour: the live event debugger of a source, the quarantine,
the events API and a contact's activity. Each checks its permission and reads only
the actor's workspace; another workspace's source is not found (404).

A contact's reads take a contact id the caller has already looked up through
``contacts.queries.access_contact`` (tracking does not reach into contacts); they
still filter inside the actor's workspace, so a foreign id finds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from rapport.core.actor import Actor
from rapport.core.pagination import Page, paginate
from rapport.core.permissions import Perm

from .facade import access_source
from .models import ContactActivity, QuarantinedEvent, Session, Source, TrackedEvent

# What the live debugger keeps on screen.
LIVE_LIMIT = 50
# How many of the newest quarantined events the reason filter's suggestions look at:
# a DISTINCT over the whole quarantine would read every row of it.
REASON_SCAN = 1_000


@dataclass(frozen=True)
class FeedItem:
    """One row of the live debugger: a processed event or a quarantined one."""

    received_at: datetime
    pk: int
    event: TrackedEvent | None = None
    quarantined: QuarantinedEvent | None = None


@dataclass(frozen=True)
class Feed:
    """The newest rows of a source, newest first, and the ids to ask after next."""

    items: list[FeedItem]
    last_event_id: int
    last_quarantined_id: int


def source_feed(
    actor: Actor,
    source: Source,
    *,
    after_event: int = 0,
    after_quarantined: int = 0,
    limit: int = LIVE_LIMIT,
) -> Feed:
    """The newest events and quarantined events of ``source`` with ids above the
    given ones (both from zero on the first load), merged by time received.

    Ids grow in the order the pipeline stores rows, and one pipeline run at a time
    writes them, so "above the last id seen" misses nothing. Rows cut off by
    ``limit`` are older than every row returned, which is all a live view shows."""
    actor.require(Perm.SOURCES_VIEW)
    limit = max(1, min(limit, LIVE_LIMIT))
    events = list(
        TrackedEvent.objects.for_workspace(actor.workspace)
        .filter(source_id=source.pk, id__gt=after_event)
        .select_related("contact")
        .order_by("-id")[:limit]
    )
    quarantined = list(
        QuarantinedEvent.objects.for_workspace(actor.workspace)
        .filter(source_id=source.pk, id__gt=after_quarantined)
        .order_by("-id")[:limit]
    )
    items = [FeedItem(e.received_at, e.pk, event=e) for e in events]
    items += [FeedItem(q.received_at, q.pk, quarantined=q) for q in quarantined]
    items.sort(key=lambda i: (i.received_at, i.pk), reverse=True)
    return Feed(
        items=items[:limit],
        last_event_id=max([after_event, *(e.pk for e in events)]),
        last_quarantined_id=max([after_quarantined, *(q.pk for q in quarantined)]),
    )


def events_page(
    actor: Actor,
    *,
    source_id: int | None = None,
    contact_id: int | None = None,
    event_type: str | None = None,
    name: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[TrackedEvent]:
    """Processed events, newest first (in the order they were stored, which the
    workspace's id index serves without sorting)."""
    actor.require(Perm.SOURCES_VIEW)
    qs = TrackedEvent.objects.for_workspace(actor.workspace)
    if source_id is not None:
        qs = qs.filter(source=access_source(actor, source_id))
    if contact_id is not None:
        qs = qs.filter(contact_id=contact_id)
    qs = _of_kind(qs, event_type, name)
    return paginate(qs, key="id", descending=True, cursor=cursor, limit=limit)


def quarantine_page(
    actor: Actor,
    *,
    source_id: int | None = None,
    reason: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[QuarantinedEvent]:
    """Events kept out of processing, with why, newest first."""
    actor.require(Perm.SOURCES_VIEW)
    qs = QuarantinedEvent.objects.for_workspace(actor.workspace).select_related("source")
    if source_id is not None:
        qs = qs.filter(source=access_source(actor, source_id))
    if reason:
        qs = qs.filter(reason__icontains=reason)
    return paginate(qs, key="id", descending=True, cursor=cursor, limit=limit)


def quarantine_reasons(actor: Actor) -> list[str]:
    """The distinct reasons among the newest quarantined events, for the filter."""
    actor.require(Perm.SOURCES_VIEW)
    recent = (
        QuarantinedEvent.objects.for_workspace(actor.workspace)
        .order_by("-id")
        .values_list("reason", flat=True)[:REASON_SCAN]
    )
    return sorted(set(recent))


def contact_events_page(
    actor: Actor,
    contact_id: int,
    *,
    event_type: str | None = None,
    name: str | None = None,
    cursor: str | None = None,
    limit: int = 25,
) -> Page[TrackedEvent]:
    """A contact's events, newest first by when they happened (device clocks
    corrected), which the (workspace, contact, -timestamp, -id) index serves."""
    actor.require(Perm.CONTACTS_VIEW)
    qs = (
        TrackedEvent.objects.for_workspace(actor.workspace)
        .filter(contact_id=contact_id)
        .select_related("source")
    )
    qs = _of_kind(qs, event_type, name)
    return paginate(qs, key="timestamp", descending=True, cursor=cursor, limit=limit)


def contact_sessions(actor: Actor, contact_id: int, *, limit: int = 10) -> list[Session]:
    """A contact's most recent visits, newest first."""
    actor.require(Perm.CONTACTS_VIEW)
    return list(
        Session.objects.for_workspace(actor.workspace)
        .filter(contact_id=contact_id)
        .order_by("-started_at", "-id")[: max(1, limit)]
    )


def contact_activity(actor: Actor, contact_id: int) -> ContactActivity | None:
    """What the contact's behaviour adds up to; None until an event reaches them."""
    actor.require(Perm.CONTACTS_VIEW)
    return ContactActivity.objects.for_workspace(actor.workspace).filter(pk=contact_id).first()


def _of_kind(
    qs: QuerySet[TrackedEvent], event_type: str | None, name: str | None
) -> QuerySet[TrackedEvent]:
    if event_type:
        qs = qs.filter(type=event_type)
    if name:
        qs = qs.filter(name=name)
    return qs
