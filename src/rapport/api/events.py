"""Tracked events, the quarantine and a contact's activity, read-only.

Events and the quarantine are the raw feed of the sources (``sources.view``); a
contact's activity is part of the contact (``contacts.view``), so whoever may read
a contact can page through its events here."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from rapport.contacts.queries import access_contact
from rapport.core.pagination import MAX_LIMIT
from rapport.core.permissions import Perm
from rapport.tracking import queries
from rapport.tracking.models import ContactActivity, QuarantinedEvent, Session, TrackedEvent

from .auth import actor_of
from .guard import guarded
from .schemas import ERRORS, CursorPage, QueryIn

router = Router(tags=["events"])

# Row ids are 64-bit: a larger one cannot exist, and the database would refuse it.
MAX_ID = 2**63 - 1
SESSIONS_SHOWN = 10

# The six calls of tracking.spec.TYPES (a test keeps the two in step).
EventType = Literal["track", "identify", "page", "screen", "group", "alias"]


class EventOut(Schema):
    id: int
    source_id: int
    contact_id: int | None
    session_id: int | None
    message_id: str
    type: str
    name: str = Field(description="the track event's name, or the page / screen name")
    user_id: str
    anonymous_id: str
    properties: dict[str, Any]
    traits: dict[str, Any]
    context: dict[str, Any]
    timestamp: datetime = Field(description="when it happened, corrected for the device clock")
    received_at: datetime

    @staticmethod
    def of(event: TrackedEvent) -> EventOut:
        return EventOut(
            id=event.pk,
            source_id=event.source_id,
            contact_id=event.contact_id,
            session_id=event.session_id,
            message_id=event.message_id,
            type=event.type,
            name=event.name,
            user_id=event.user_id,
            anonymous_id=event.anonymous_id,
            properties=event.properties,
            traits=event.traits,
            context=event.context,
            timestamp=event.timestamp,
            received_at=event.received_at,
        )


class QuarantinedOut(Schema):
    id: int
    source_id: int
    received_at: datetime
    reason: str
    payload: str = Field(description="the event as received, cut to 32 KB")

    @staticmethod
    def of(row: QuarantinedEvent) -> QuarantinedOut:
        return QuarantinedOut(
            id=row.pk,
            source_id=row.source_id,
            received_at=row.received_at,
            reason=row.reason,
            payload=row.payload,
        )


class SessionOut(Schema):
    id: int
    source_id: int
    started_at: datetime
    last_at: datetime
    events: int
    page_views: int
    landing: str
    referrer: str
    campaign: dict[str, Any]
    device: str

    @staticmethod
    def of(s: Session) -> SessionOut:
        return SessionOut(
            id=s.pk,
            source_id=s.source_id,
            started_at=s.started_at,
            last_at=s.last_at,
            events=s.events,
            page_views=s.page_views,
            landing=s.landing,
            referrer=s.referrer,
            campaign=s.campaign,
            device=s.device,
        )


class SummaryOut(Schema):
    first_seen: datetime
    last_seen: datetime
    sessions: int
    page_views: int
    events: int
    first_login_at: datetime | None
    features: dict[str, Any] = Field(description="feature name → times used")
    weekly_sessions: dict[str, Any] = Field(description='ISO week ("2026-W48") → sessions')
    usage_dropping: bool

    @staticmethod
    def of(a: ContactActivity) -> SummaryOut:
        return SummaryOut(
            first_seen=a.first_seen,
            last_seen=a.last_seen,
            sessions=a.sessions,
            page_views=a.page_views,
            events=a.events,
            first_login_at=a.first_login_at,
            features=a.features,
            weekly_sessions=a.weekly_sessions,
            usage_dropping=a.usage_dropping,
        )


class ActivityOut(Schema):
    contact_id: int
    summary: SummaryOut | None = Field(description="null until an event reaches the contact")
    sessions: list[SessionOut] = Field(description=f"the {SESSIONS_SHOWN} most recent visits")
    events: CursorPage[EventOut] = Field(description="newest first; page with `cursor`")


class EventQuery(QueryIn):
    source: int | None = Field(default=None, ge=1, le=MAX_ID, description="a source's id")
    contact: int | None = Field(
        default=None, ge=1, le=MAX_ID, description="a contact's id (needs contacts:read too)"
    )
    type: EventType | None = None
    name: str | None = Field(default=None, max_length=200)
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT)


class QuarantineQuery(QueryIn):
    source: int | None = Field(default=None, ge=1, le=MAX_ID, description="a source's id")
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT)


class ActivityQuery(QueryIn):
    type: EventType | None = None
    name: str | None = Field(default=None, max_length=200)
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=25, ge=1, le=MAX_LIMIT)


@router.get(
    "/events",
    response={200: CursorPage[EventOut], **ERRORS},
    summary="Processed events, newest first",
    **guarded(Perm.SOURCES_VIEW),
)
def list_events(request: HttpRequest, q: Query[EventQuery]) -> CursorPage[EventOut]:
    actor = actor_of(request)
    # Filtering by a person reads about that person: it takes their permission too,
    # and another workspace's contact is not found.
    contact_id = access_contact(actor, q.contact).pk if q.contact is not None else None
    page = queries.events_page(
        actor,
        source_id=q.source,
        contact_id=contact_id,
        event_type=q.type,
        name=q.name,
        cursor=q.cursor,
        limit=q.limit,
    )
    return CursorPage[EventOut](
        items=[EventOut.of(e) for e in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/quarantine",
    response={200: CursorPage[QuarantinedOut], **ERRORS},
    summary="Events kept out of processing, with the reason, newest first",
    **guarded(Perm.SOURCES_VIEW),
)
def list_quarantine(request: HttpRequest, q: Query[QuarantineQuery]) -> CursorPage[QuarantinedOut]:
    page = queries.quarantine_page(
        actor_of(request), source_id=q.source, cursor=q.cursor, limit=q.limit
    )
    return CursorPage[QuarantinedOut](
        items=[QuarantinedOut.of(r) for r in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/contacts/{contact_id}/activity",
    response={200: ActivityOut, **ERRORS},
    summary="What a contact's tracked behaviour adds up to, recent visits and events",
    **guarded(Perm.CONTACTS_VIEW),
)
def get_activity(request: HttpRequest, contact_id: int, q: Query[ActivityQuery]) -> ActivityOut:
    actor = actor_of(request)
    contact = access_contact(actor, contact_id)
    activity = queries.contact_activity(actor, contact.pk)
    page = queries.contact_events_page(
        actor,
        contact.pk,
        event_type=q.type,
        name=q.name,
        cursor=q.cursor,
        limit=q.limit,
    )
    return ActivityOut(
        contact_id=contact.pk,
        summary=SummaryOut.of(activity) if activity else None,
        sessions=[
            SessionOut.of(s)
            for s in queries.contact_sessions(actor, contact.pk, limit=SESSIONS_SHOWN)
        ],
        events=CursorPage[EventOut](
            items=[EventOut.of(e) for e in page.items], next_cursor=page.next_cursor
        ),
    )
