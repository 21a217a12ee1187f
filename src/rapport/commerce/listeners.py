"""Carts and orders belong to a contact: merges move them, unmerges move them back
(rows that came through an identity follow it), erasure deletes them. Metrics are
one row per contact, so a merge or unmerge recomputes them from the orders."""

from __future__ import annotations

from django.db import transaction

from rapport.contacts.facade import merge_parties
from rapport.contacts.ownership import register
from rapport.core.events import DomainEvent, Event, subscribe

from . import metrics
from .models import Cart, Order

register(Cart, identity_field="identity")
register(Order, identity_field="identity")


@subscribe(Event.CONTACTS_MERGED, Event.CONTACT_UNMERGED)
def recount_after_merge(event: DomainEvent) -> None:
    if event.workspace_id is None:
        return
    with transaction.atomic():
        parties = merge_parties(event.workspace_id, int(event.payload["merge_id"]))
        metrics.refresh(event.workspace_id, parties)
