"""What other apps use from contacts: write into a contact's timeline, resolve the
identities an event came with, read a contact's timeline a page at a time, and
record orders (which move the lifecycle)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q

from rapport.core.actor import Actor
from rapport.core.models import Workspace
from rapport.core.pagination import Page, paginate
from rapport.core.permissions import Perm

from . import lifecycle
from .models import Contact, ContactStatus, Identity, MergeRecord, TimelineEntry
from .resolution import Claim, Resolution, normalise_claims, resolve
from .tombstones import forget_tombstones
from .transfer.fast import update_rows


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


@dataclass(frozen=True)
class OrderEntry:
    """An order as the contacts app records it: one more (or one fewer) order for
    the contact and a line on their timeline."""

    contact_id: int
    occurred_at: datetime
    summary: str
    identity_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


def record_orders(
    workspace_id: int, orders: Sequence[OrderEntry], *, source: str = "commerce"
) -> None:
    """Completed orders: each adds one to its contact's ``order_count`` and an
    ``order`` entry to the timeline (through the identity it came with, so it
    follows that identity on unmerge); then each contact's lifecycle is recomputed
    once, which moves a lead to customer and a customer to repeat."""
    _record(workspace_id, orders, kind="order", step=1, source=source)


def record_order(
    workspace_id: int,
    contact_id: int,
    *,
    occurred_at: datetime,
    summary: str,
    identity_id: int | None = None,
    data: dict[str, Any] | None = None,
    source: str = "commerce",
) -> None:
    """One completed order; see ``record_orders``."""
    entry = OrderEntry(contact_id, occurred_at, summary, identity_id, data or {})
    record_orders(workspace_id, [entry], source=source)


def record_refunds(
    workspace_id: int, orders: Sequence[OrderEntry], *, source: str = "commerce"
) -> None:
    """Refunded orders: an ``order_refunded`` timeline entry each. The order still
    counts (it was bought), so neither ``order_count`` nor the stage changes."""
    _record(workspace_id, orders, kind="order_refunded", step=0, source=source)


def withdraw_orders(
    workspace_id: int, orders: Sequence[OrderEntry], *, source: str = "commerce"
) -> None:
    """Cancelled orders: each takes one off its contact's ``order_count`` (never
    below zero) and adds an ``order_cancelled`` entry; lifecycles are recomputed
    (a customer whose only order was cancelled is a lead again)."""
    _record(workspace_id, orders, kind="order_cancelled", step=-1, source=source)


def _record(
    workspace_id: int, orders: Sequence[OrderEntry], *, kind: str, step: int, source: str
) -> None:
    """A few statements however many orders: the entries in one insert, the
    contacts read once, their counts and activity written in one update."""
    if not orders:
        return
    with transaction.atomic():
        TimelineEntry.objects.for_workspace(workspace_id).bulk_create(
            [
                TimelineEntry(
                    workspace_id=workspace_id, contact_id=o.contact_id,
                    identity_id=o.identity_id, kind=kind, occurred_at=o.occurred_at,
                    summary=o.summary[:300], data=o.data, source=source[:40],
                )
                for o in orders
            ]
        )  # fmt: skip
        contacts = {
            c.pk: c
            for c in Contact.objects.for_workspace(workspace_id)
            .select_for_update()
            .filter(pk__in={o.contact_id for o in orders})
        }
        for o in orders:
            contact = contacts.get(o.contact_id)
            if contact is None:
                continue
            contact.order_count = max(0, contact.order_count + step)
            # As in record_timeline: a late entry does not move the activity back.
            if contact.last_activity_at is None or contact.last_activity_at < o.occurred_at:
                contact.last_activity_at = o.occurred_at
        update_rows(
            Contact,
            ["order_count", "last_activity_at"],
            [[c.pk, c.order_count, c.last_activity_at] for c in contacts.values()],
        )
        if step:
            _recompute(workspace_id, list(contacts.values()))


def sync_order_counts(workspace_id: int, counts: Mapping[int, int]) -> int:
    """Set ``order_count`` of active contacts to what the caller counted, where it
    differs (a merge moved orders between contacts), and recompute their
    lifecycle. Returns how many contacts changed."""
    if not counts:
        return 0
    stale = [
        (pk, counts[pk])
        for pk, current in Contact.objects.for_workspace(workspace_id)
        .filter(pk__in=list(counts), status=ContactStatus.ACTIVE)
        .values_list("pk", "order_count")
        if current != counts[pk]
    ]
    with transaction.atomic():
        update_rows(Contact, ["order_count"], [[pk, count] for pk, count in stale])
        _recompute(
            workspace_id,
            list(
                Contact.objects.for_workspace(workspace_id).filter(pk__in=[pk for pk, _ in stale])
            ),
        )
    return len(stale)


def _recompute(workspace_id: int, contacts: list[Contact]) -> None:
    """The contacts' lifecycles in bulk, with whether each holds an email, phone or
    login read for all of them in one query."""
    active = [c for c in contacts if c.status == ContactStatus.ACTIVE]
    if not active:
        return
    identified = set(
        Identity.objects.for_workspace(workspace_id)
        .filter(contact_id__in=[c.pk for c in active], kind__in=lifecycle.IDENTIFYING)
        .values_list("contact_id", flat=True)
    )
    for known in (True, False):
        group = [c for c in active if (c.pk in identified) == known]
        lifecycle.recompute_many(workspace_id, group, identified=known)


def current_contact_ids(workspace_id: int, contact_ids: set[int]) -> dict[int, int]:
    """Each contact id mapped to the active contact it is now: itself, or the
    contact it was merged into (following merges of merges)."""
    current = {pk: pk for pk in contact_ids}
    pending = set(contact_ids)
    for _ in range(10):  # a chain of merges is short; this bounds a corrupt one
        merged = dict(
            Contact.objects.for_workspace(workspace_id)
            .filter(pk__in=pending, status=ContactStatus.MERGED, merged_into__isnull=False)
            .values_list("pk", "merged_into_id")
        )
        if not merged:
            break
        for pk, now in current.items():
            if now in merged:
                current[pk] = merged[now]
        pending = set(merged.values())
    return current


def merge_parties(workspace_id: int, merge_id: int) -> set[int]:
    """The contacts a merge (or its undo) changed: both sides, and whoever holds
    the identities involved now (an unmerge can split off a contact of its own)."""
    record = MergeRecord.objects.for_workspace(workspace_id).filter(pk=merge_id).first()
    if record is None:
        return set()
    identities = [*record.moved.get("contacts.identity", []),
                  *record.moved.get("winner_identities", [])]  # fmt: skip
    holders = Identity.objects.for_workspace(workspace_id).filter(pk__in=identities)
    return {record.winner_id, record.loser_id, *holders.values_list("contact_id", flat=True)}
