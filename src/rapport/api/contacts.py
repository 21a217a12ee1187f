"""Contacts: list and search, create (identities resolve to their person), read,
edit, add identities, timeline, notes, merge and undo, duplicate suggestions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from rapport.contacts import queries
from rapport.contacts.actions.merges import do_dismiss_suggestion, do_merge_contacts, do_unmerge
from rapport.contacts.actions.people import (
    do_add_identity,
    do_add_note,
    do_create_contact,
    do_update_contact,
)
from rapport.contacts.facade import timeline_page
from rapport.contacts.models import (
    Contact,
    DuplicateSuggestion,
    IdentityKind,
    Lifecycle,
    MergeRecord,
    Note,
)
from rapport.contacts.resolution import Claim
from rapport.core.pagination import MAX_LIMIT, paginate
from rapport.core.permissions import Perm

from .auth import actor_of
from .guard import guarded
from .schemas import ERRORS, CursorPage, QueryIn, StrictIn

router = Router(tags=["contacts"])


class IdentityIn(StrictIn):
    kind: IdentityKind
    value: str = Field(min_length=1, max_length=320)


class IdentityOut(Schema):
    id: int
    kind: str
    value: str
    verified: bool
    source: str


class ContactOut(Schema):
    id: int
    full_name: str
    lifecycle: Lifecycle
    city: str
    country: str
    locale: str
    timezone: str
    tags: list[str]
    company_id: int | None
    custom: dict[str, Any]
    status: str
    merged_into: int | None
    last_activity_at: datetime | None
    created_at: datetime
    identities: list[IdentityOut]

    @staticmethod
    def of(contact: Contact, identities: list[IdentityOut] | None = None) -> ContactOut:
        return ContactOut(
            id=contact.pk,
            full_name=contact.full_name,
            lifecycle=Lifecycle(contact.lifecycle),
            city=contact.city,
            country=contact.country,
            locale=contact.locale,
            timezone=contact.timezone,
            tags=list(contact.tags),
            company_id=contact.company_id,
            custom=dict(contact.custom),
            status=contact.status,
            merged_into=contact.merged_into_id,
            last_activity_at=contact.last_activity_at,
            created_at=contact.created_at,
            identities=identities or [],
        )


def _full(request: HttpRequest, contact: Contact) -> ContactOut:
    actor = actor_of(request)
    ids = [
        IdentityOut(id=i.pk, kind=i.kind, value=i.value, verified=i.verified, source=i.source)
        for i in queries.identities_of(actor, contact)
    ]
    return ContactOut.of(contact, ids)


class ContactIn(StrictIn):
    full_name: str = Field(default="", max_length=200)
    identities: list[IdentityIn] = Field(default_factory=list, max_length=50)
    region: str = Field(default="", max_length=2, description="reads local phone numbers")
    city: str = Field(default="", max_length=120)
    country: str = Field(default="", max_length=2)
    locale: str = Field(default="", max_length=16)
    tags: list[str] = Field(default_factory=list, max_length=50)


class ContactPatch(StrictIn):
    full_name: str | None = Field(default=None, max_length=200)
    city: str | None = Field(default=None, max_length=120)
    country: str | None = Field(default=None, max_length=2)
    locale: str | None = Field(default=None, max_length=16)
    timezone: str | None = Field(default=None, max_length=64)
    tags: list[str] | None = Field(default=None, max_length=50)
    company_id: int | None = Field(default=None, ge=1, description="null: no company")
    custom: dict[str, Any] | None = Field(
        default=None,
        max_length=100,
        description="custom field values by key, checked against /contact-fields; "
        "null clears one; keys not sent are kept",
    )


class ContactFilters(QueryIn):
    """The list filters, shared by the list and the CSV export."""

    search: str | None = Field(default=None, max_length=200)
    lifecycle: Lifecycle | None = None
    tag: str | None = Field(default=None, max_length=40)
    company_id: int | None = Field(default=None, ge=1)
    field: str | None = Field(default=None, max_length=40, description="a custom field key")
    value: str | None = Field(
        default=None, max_length=200, description="its value (blank: any value)"
    )
    consent: str | None = Field(
        default=None,
        max_length=40,
        description="channel:purpose (newest decision is yes), or !channel:purpose",
    )

    def as_kwargs(self) -> dict[str, Any]:
        return {
            "search": self.search,
            "lifecycle": self.lifecycle.value if self.lifecycle else None,
            "tag": self.tag,
            "field": self.field,
            "value": self.value,
            "company_id": self.company_id,
            "consent": self.consent,
        }


class ContactQuery(ContactFilters):
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT)


class NewIdentityIn(IdentityIn):
    region: str = Field(default="", max_length=2)


class NoteIn(StrictIn):
    body: str = Field(min_length=1, max_length=10_000)


class NoteOut(Schema):
    id: int
    body: str
    created_at: datetime

    @staticmethod
    def of(note: Note) -> NoteOut:
        return NoteOut(id=note.pk, body=note.body, created_at=note.created_at)


class TimelineOut(Schema):
    id: int
    kind: str
    occurred_at: datetime
    summary: str
    data: dict[str, Any]
    source: str


class TimelineQuery(QueryIn):
    kind: str | None = Field(default=None, max_length=40)
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT)


class MergeIn(StrictIn):
    other_id: int = Field(ge=1, description="the contact to merge with this one")


class MergeOut(Schema):
    id: int
    winner: int
    loser: int
    reason: str
    created_at: datetime
    undone_at: datetime | None

    @staticmethod
    def of(m: MergeRecord) -> MergeOut:
        return MergeOut(
            id=m.pk,
            winner=m.winner_id,
            loser=m.loser_id,
            reason=m.reason,
            created_at=m.created_at,
            undone_at=m.undone_at,
        )


class SuggestionOut(Schema):
    id: int
    first: int
    second: int
    score: float
    evidence: list[dict[str, Any]]

    @staticmethod
    def of(s: DuplicateSuggestion) -> SuggestionOut:
        return SuggestionOut(
            id=s.pk, first=s.first_id, second=s.second_id, score=s.score, evidence=s.evidence
        )


@router.get(
    "/contacts", response={200: CursorPage[ContactOut], **ERRORS}, **guarded(Perm.CONTACTS_VIEW)
)
def list_contacts(request: HttpRequest, q: Query[ContactQuery]) -> CursorPage[ContactOut]:
    qs = queries.list_contacts(actor_of(request), **q.as_kwargs())
    page = paginate(qs, key="id", descending=True, cursor=q.cursor, limit=q.limit)
    return CursorPage[ContactOut](
        items=[ContactOut.of(c) for c in page.items], next_cursor=page.next_cursor
    )


@router.post(
    "/contacts",
    response={201: ContactOut, 200: ContactOut, **ERRORS},
    summary="Create a contact, or find the person its identities belong to",
    **guarded(Perm.CONTACTS_MANAGE),
)
def create_contact(request: HttpRequest, body: ContactIn) -> Status[ContactOut]:
    fields = body.model_dump(exclude={"identities", "region"}, exclude_unset=True)
    result = do_create_contact(
        actor_of(request),
        identities=[Claim(i.kind.value, i.value) for i in body.identities],
        region=body.region,
        **fields,
    )
    return Status(201 if result.created else 200, _full(request, result.contact))


@router.get(
    "/contacts/{contact_id}",
    response={200: ContactOut, **ERRORS},
    **guarded(Perm.CONTACTS_VIEW),
)
def get_contact(request: HttpRequest, contact_id: int) -> ContactOut:
    return _full(request, queries.access_contact(actor_of(request), contact_id))


@router.patch(
    "/contacts/{contact_id}",
    response={200: ContactOut, **ERRORS},
    **guarded(Perm.CONTACTS_MANAGE),
)
def update_contact(request: HttpRequest, contact_id: int, body: ContactPatch) -> ContactOut:
    actor = actor_of(request)
    contact = queries.access_contact(actor, contact_id)
    do_update_contact(actor, contact, **body.model_dump(exclude_unset=True))
    return _full(request, contact)


@router.post(
    "/contacts/{contact_id}/identities",
    response={200: ContactOut, **ERRORS},
    summary="Add an identity; if another contact holds it, the two are merged",
    **guarded(Perm.CONTACTS_MANAGE),
)
def add_identity(request: HttpRequest, contact_id: int, body: NewIdentityIn) -> ContactOut:
    actor = actor_of(request)
    contact = queries.access_contact(actor, contact_id)
    result = do_add_identity(
        actor, contact, kind=body.kind.value, value=body.value, region=body.region
    )
    return _full(request, result.contact)


@router.get(
    "/contacts/{contact_id}/timeline",
    response={200: CursorPage[TimelineOut], **ERRORS},
    **guarded(Perm.CONTACTS_VIEW),
)
def timeline(
    request: HttpRequest, contact_id: int, q: Query[TimelineQuery]
) -> CursorPage[TimelineOut]:
    actor = actor_of(request)
    contact = queries.access_contact(actor, contact_id)
    page = timeline_page(actor, contact, kind=q.kind, cursor=q.cursor, limit=q.limit)
    return CursorPage[TimelineOut](
        items=[
            TimelineOut(
                id=e.pk,
                kind=e.kind,
                occurred_at=e.occurred_at,
                summary=e.summary,
                data=e.data,
                source=e.source,
            )
            for e in page.items
        ],
        next_cursor=page.next_cursor,
    )


@router.get(
    "/contacts/{contact_id}/notes",
    response={200: list[NoteOut], **ERRORS},
    summary="The contact's notes, newest first (at most 200)",
    **guarded(Perm.CONTACTS_VIEW),
)
def list_notes(request: HttpRequest, contact_id: int) -> list[NoteOut]:
    actor = actor_of(request)
    contact = queries.access_contact(actor, contact_id)
    return [NoteOut.of(n) for n in queries.notes_of(actor, contact)[:200]]


@router.post(
    "/contacts/{contact_id}/notes",
    response={201: NoteOut, **ERRORS},
    **guarded(Perm.CONTACTS_MANAGE),
)
def add_note(request: HttpRequest, contact_id: int, body: NoteIn) -> Status[NoteOut]:
    actor = actor_of(request)
    note = do_add_note(actor, queries.access_contact(actor, contact_id), body=body.body)
    return Status(201, NoteOut.of(note))


@router.post(
    "/contacts/{contact_id}/merge",
    response={200: MergeOut, **ERRORS},
    summary="Merge two contacts; the older one survives",
    **guarded(Perm.CONTACTS_MANAGE),
)
def merge_contacts(request: HttpRequest, contact_id: int, body: MergeIn) -> MergeOut:
    actor = actor_of(request)
    keep = queries.access_contact(actor, contact_id)
    other = queries.access_contact(actor, body.other_id)
    return MergeOut.of(do_merge_contacts(actor, keep, other))


@router.post(
    "/merges/{merge_id}/undo",
    response={200: ContactOut, **ERRORS},
    summary="Undo a merge; returns the restored contact",
    **guarded(Perm.CONTACTS_MANAGE),
)
def undo_merge(request: HttpRequest, merge_id: int) -> ContactOut:
    actor = actor_of(request)
    restored = do_unmerge(actor, queries.access_merge(actor, merge_id))
    return _full(request, restored)


@router.get(
    "/duplicates",
    response={200: CursorPage[SuggestionOut], **ERRORS},
    **guarded(Perm.CONTACTS_VIEW),
)
def duplicates(request: HttpRequest, q: Query[TimelineQuery]) -> CursorPage[SuggestionOut]:
    page = paginate(
        queries.open_suggestions(actor_of(request)),
        key="id",
        descending=True,
        cursor=q.cursor,
        limit=q.limit,
    )
    return CursorPage[SuggestionOut](
        items=[SuggestionOut.of(s) for s in page.items], next_cursor=page.next_cursor
    )


@router.post(
    "/duplicates/{suggestion_id}/dismiss",
    response={204: None, **ERRORS},
    **guarded(Perm.CONTACTS_MANAGE),
)
def dismiss(request: HttpRequest, suggestion_id: int) -> Status[None]:
    actor = actor_of(request)
    do_dismiss_suggestion(actor, queries.access_suggestion(actor, suggestion_id))
    return Status(204, None)
