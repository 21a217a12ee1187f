"""What other apps use from contacts: write into a contact's timeline, resolve the
identities an event came with, and read a contact's timeline a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q

from rapport.core.actor import Actor
from rapport.core.models import Workspace
from rapport.core.pagination import Page, paginate
from rapport.core.permissions import Perm

from .models import Contact, ContactStatus, Identity, TimelineEntry
from .resolution import Claim, Resolution, normalise_claims, resolve
from .tombstones import forget_tombstones


def observe(
    workspace: Workspace,
    claims: list[Claim],
    *,
    trusted: bool,
    source: str,
    consented: bool = False,
) -> Resolution:
    """Identities seen together (an ``identify`` call, a form, a message header).

    An erased person's identities are not stored again unless ``consented``: the
    person themselves came back and agreed (a sign-up form with its consent box).
    """
    normalised = normalise_claims(claims)
    if consented:
        forget_tombstones(workspace, normalised)
    return resolve(
        workspace,
        normalised,
        trusted=trusted,
        source=source,
        actor_label=f"source:{source}",
    )


def record_timeline(
    workspace: Workspace,
    *,
    contact: Contact | None = None,
    identity: Identity | None = None,
    kind: str,
    occurred_at: datetime,
    summary: str,
    data: dict[str, Any] | None = None,
    source: str = "",
) -> TimelineEntry:
    """Add an entry to a contact's timeline. Pass the ``identity`` it came through
    when there is one: if the contact is later unmerged, the entry follows it."""
    if contact is None:
        if identity is None:
            raise ValueError("a timeline entry needs a contact or an identity")
        contact = Contact.objects.for_workspace(workspace).get(pk=identity.contact_id)
    with transaction.atomic():
        entry = TimelineEntry.objects.create(
            workspace=workspace,
            contact=contact,
            identity=identity,
            kind=kind[:40],
            occurred_at=occurred_at,
            summary=summary[:300],
            data=data or {},
            source=source[:40],
        )
        # Entries can arrive late (imports, replays): only a newer one moves it.
        Contact.objects.for_workspace(workspace).filter(pk=contact.pk).filter(
            Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=occurred_at)
        ).update(last_activity_at=occurred_at)
    return entry


def timeline_page(
    actor: Actor,
    contact: Contact,
    *,
    kind: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[TimelineEntry]:
    actor.require(Perm.CONTACTS_VIEW)
    qs = TimelineEntry.objects.for_workspace(actor.workspace).filter(contact=contact)
    if kind:
        qs = qs.filter(kind=kind)
    return paginate(qs, key="occurred_at", descending=True, cursor=cursor, limit=limit)


@dataclass(frozen=True)
class EnrichmentSubject:
    """What enrichment providers may read about a contact."""

    city: str
    country: str
    identities: list[Identity]


def enrichment_subject(workspace_id: int, contact_id: int) -> EnrichmentSubject | None:
    """None when the contact is gone (erased, or merged into another one)."""
    contact = (
        Contact.objects.for_workspace(workspace_id)
        .filter(pk=contact_id, status=ContactStatus.ACTIVE)
        .first()
    )
    if contact is None:
        return None
    identities = list(Identity.objects.for_workspace(workspace_id).filter(contact_id=contact_id))
    return EnrichmentSubject(contact.city, contact.country, identities)


def contacts_created_since(
    since: datetime, *, after_id: int = 0, limit: int = 5_000
) -> list[tuple[int, int]]:
    """(workspace id, contact id) of active contacts created since ``since``, in id
    order after ``after_id``, for system jobs that look at newcomers whatever path
    made them (imports, events). Page with the last id returned."""
    return list(
        Contact.unscoped.filter(created_at__gte=since, status=ContactStatus.ACTIVE, id__gt=after_id)
        .order_by("id")
        .values_list("workspace_id", "id")[:limit]
    )
