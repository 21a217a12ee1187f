"""Lifecycle stages, computed from behaviour and never typed by hand:

prospect  known only by an anonymous id or a social handle
lead      identified: an email, a phone, a login (shop user id)
customer  at least one order
repeat    two orders or more
advocate  set by community activity (a later release writes the tag)
lapsed    a customer or lead with no activity for ``LAPSED_AFTER_DAYS``
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from rapport.core.events import Event, publish

from .models import Contact, Identity, IdentityKind, Lifecycle, TimelineEntry

LAPSED_AFTER_DAYS = 180
IDENTIFYING = {IdentityKind.EMAIL, IdentityKind.PHONE, IdentityKind.USER_ID}
ADVOCATE_TAG = "advocate"


def stage_of(contact: Contact, *, now: datetime | None = None) -> Lifecycle:
    now = now or timezone.now()
    if ADVOCATE_TAG in contact.tags:
        return Lifecycle.ADVOCATE
    identified = (
        Identity.objects.for_workspace(contact.workspace_id)
        .filter(contact=contact, kind__in=IDENTIFYING)
        .exists()
    )
    if contact.order_count >= 2:
        stage = Lifecycle.REPEAT
    elif contact.order_count == 1:
        stage = Lifecycle.CUSTOMER
    elif identified:
        stage = Lifecycle.LEAD
    else:
        return Lifecycle.PROSPECT
    last = contact.last_activity_at
    if last is not None and now - last > timedelta(days=LAPSED_AFTER_DAYS):
        return Lifecycle.LAPSED
    return stage


def recompute(contact: Contact) -> bool:
    """Store the contact's stage; a change is a timeline entry and a domain event."""
    stage = stage_of(contact)
    if stage == contact.lifecycle:
        return False
    before = contact.lifecycle
    now = timezone.now()
    contact.lifecycle = stage
    contact.lifecycle_changed_at = now
    contact.save(update_fields=["lifecycle", "lifecycle_changed_at", "updated_at"])
    TimelineEntry.objects.create(
        workspace_id=contact.workspace_id,
        contact=contact,
        kind="lifecycle",
        occurred_at=now,
        summary=f"Lifecycle: {Lifecycle(before).label} → {stage.label}",
        data={"from": before, "to": stage.value},
        source="contacts",
    )
    publish(
        Event.LIFECYCLE_CHANGED,
        contact.workspace_id,
        contact_id=contact.pk,
        before=before,
        after=stage.value,
    )
    return True
