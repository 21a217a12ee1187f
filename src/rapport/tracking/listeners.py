"""Tracking reacts to contacts: events and sessions move with their contact on a
merge (and follow their identity on unmerge); activity is rebuilt for both sides."""

from __future__ import annotations

from rapport.contacts.models import MergeRecord
from rapport.contacts.ownership import register
from rapport.core.events import DomainEvent, Event, subscribe

from . import activity
from .models import Session, TrackedEvent

register(TrackedEvent, identity_field="identity")
register(Session)


@subscribe(Event.CONTACTS_MERGED, Event.CONTACT_UNMERGED)
def rebuild_activity(event: DomainEvent) -> None:
    if event.workspace_id is None:
        return
    merge = (
        MergeRecord.objects.for_workspace(event.workspace_id)
        .filter(pk=event.payload["merge_id"])
        .values_list("winner_id", "loser_id")
        .first()
    )
    for contact_id in merge or ():
        activity.rebuild(event.workspace_id, contact_id)
