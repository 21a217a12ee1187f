"""Enrichment reacts to contacts: new people and new identities are looked up; a
changed city is geocoded again. Enriched values follow their identity on unmerge."""

from __future__ import annotations

from rapport.contacts.ownership import register
from rapport.core.events import DomainEvent, Event, subscribe

from .models import EnrichedValue
from .runner import request_enrichment

register(EnrichedValue, identity_field="identity")


@subscribe(Event.CONTACT_CREATED, Event.IDENTITY_ADDED)
def look_up_new_people(event: DomainEvent) -> None:
    if event.workspace_id is not None:
        request_enrichment(event.workspace_id, int(event.payload["contact_id"]))


@subscribe(Event.CONTACT_UPDATED)
def locate_again(event: DomainEvent) -> None:
    if event.workspace_id is not None:
        request_enrichment(
            event.workspace_id, int(event.payload["contact_id"]), ["location", "weather"]
        )
