"""Lifecycle stages, computed from behaviour and never typed by hand:

prospect  known only by an anonymous id or a social handle
lead      identified: an email, a phone, a login (shop user id)
customer  at least one order
repeat    two orders or more
advocate  set by community activity (a later release writes the tag)
lapsed    a lead or customer with no activity for the workspace's
          ``lapsed_after_days`` (180 by default), or a repeat customer whose last
          order is ``cadence_factor`` (3 by default) times their own mean gap
          between orders ago, and at least ``MIN_CADENCE_DAYS``
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from rapport.core.events import Event, publish

from .models import Contact, Identity, IdentityKind, Lifecycle, LifecyclePolicy, TimelineEntry

LAPSED_AFTER_DAYS = 180
CADENCE_FACTOR = 3.0
MIN_CADENCE_DAYS = 14
IDENTIFYING = {IdentityKind.EMAIL, IdentityKind.PHONE, IdentityKind.USER_ID}
ADVOCATE_TAG = "advocate"


def policy_for(workspace_id: int) -> LifecyclePolicy:
    return LifecyclePolicy.objects.for_workspace(workspace_id).first() or LifecyclePolicy(
        workspace_id=workspace_id,
        lapsed_after_days=LAPSED_AFTER_DAYS,
        cadence_factor=CADENCE_FACTOR,
    )


def _past_cadence(contact: Contact, policy: LifecyclePolicy, now: datetime) -> bool:
    """Has this repeat customer gone well past their own rhythm of ordering?"""
    if policy.cadence_factor <= 0 or contact.order_count < 2:
        return False
    orders = sorted(
        TimelineEntry.objects.for_workspace(contact.workspace_id)
        .filter(contact=contact, kind="order")
        .values_list("occurred_at", flat=True)
    )
    if len(orders) < 2:
        return False
    mean_gap = (orders[-1] - orders[0]) / (len(orders) - 1)
    overdue = max(mean_gap * policy.cadence_factor, timedelta(days=MIN_CADENCE_DAYS))
    return now - orders[-1] > overdue


def stage_of(
    contact: Contact,
    *,
    now: datetime | None = None,
    policy: LifecyclePolicy | None = None,
    identified: bool | None = None,
) -> Lifecycle:
    """``identified``: the caller knows the contact holds an email, phone or login
    (an import that just added one), which saves the query."""
    now = now or timezone.now()
    policy = policy or policy_for(contact.workspace_id)
    if ADVOCATE_TAG in contact.tags:
        return Lifecycle.ADVOCATE
    if identified is None:
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
    if last is not None and now - last > timedelta(days=policy.lapsed_after_days):
        return Lifecycle.LAPSED
    if _past_cadence(contact, policy, now):
        return Lifecycle.LAPSED
    return stage


def recompute(
    contact: Contact, policy: LifecyclePolicy | None = None, *, identified: bool | None = None
) -> bool:
    """Store the contact's stage; a change is a timeline entry and a domain event."""
    return (
        recompute_many(contact.workspace_id, [contact], policy=policy, identified=identified) == 1
    )


def recompute_many(
    workspace_id: int,
    contacts: list[Contact],
    *,
    policy: LifecyclePolicy | None = None,
    identified: bool | None = None,
) -> int:
    """``recompute`` for a batch (the tracking pipeline's): the policy read once,
    contacts updated and timeline entries inserted with one statement each. Same
    stages, entries and events as one at a time."""
    from .transfer.fast import insert_rows, update_rows

    if not contacts:
        return 0
    policy = policy or policy_for(workspace_id)
    now = timezone.now()
    changed: list[tuple[Contact, str, Lifecycle]] = []
    for contact in contacts:
        stage = stage_of(contact, now=now, policy=policy, identified=identified)
        if stage != contact.lifecycle:
            changed.append((contact, contact.lifecycle, stage))
    update_rows(
        Contact,
        ["lifecycle", "lifecycle_changed_at", "updated_at"],
        [[c.pk, stage.value, now, now] for c, _, stage in changed],
    )
    insert_rows(
        TimelineEntry,
        ["workspace", "contact", "kind", "occurred_at", "summary", "data", "source"],
        [
            [
                workspace_id,
                c.pk,
                "lifecycle",
                now,
                f"Lifecycle: {Lifecycle(before).label} → {stage.label}",
                {"from": before, "to": stage.value},
                "contacts",
            ]
            for c, before, stage in changed
        ],
    )
    for contact, before, stage in changed:
        contact.lifecycle, contact.lifecycle_changed_at, contact.updated_at = stage, now, now
        publish(
            Event.LIFECYCLE_CHANGED,
            workspace_id,
            contact_id=contact.pk,
            before=before,
            after=stage.value,
        )
    return len(changed)
