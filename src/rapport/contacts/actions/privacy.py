"""Consent, the right of access (export) and the right to erasure, as actions."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from rapport.core.actor import Actor
from rapport.core.audit import record
from rapport.core.errors import DomainError
from rapport.core.permissions import Perm

from ..models import Channel, Consent, Contact, LifecyclePolicy, Purpose, RetentionPolicy
from ..privacy import erase_contact, export_contact


def do_record_consent(
    actor: Actor,
    contact: Contact,
    *,
    channel: str,
    purpose: str,
    granted: bool,
    source: str,
    wording: str,
) -> Consent:
    actor.require(Perm.CONTACTS_MANAGE)
    if channel not in Channel.values:
        raise DomainError(f"Unknown channel '{channel}'.", field="channel")
    if purpose not in Purpose.values:
        raise DomainError(f"Unknown purpose '{purpose}'.", field="purpose")
    if not wording.strip():
        raise DomainError("Record the wording the person was shown.", field="wording")
    with transaction.atomic():
        consent = Consent.objects.create(
            workspace=actor.workspace, contact=contact, channel=channel, purpose=purpose,
            granted=granted, source=source.strip()[:120] or "agent", wording=wording.strip(),
            recorded_at=timezone.now(),
        )  # fmt: skip
        record(actor, "contact.consent", contact,
               after={"channel": channel, "purpose": purpose, "granted": granted})  # fmt: skip
    return consent


def current_consents(contact: Contact) -> dict[tuple[str, str], Consent]:
    """The newest decision per (channel, purpose)."""
    latest: dict[tuple[str, str], Consent] = {}
    for consent in Consent.objects.for_workspace(contact.workspace_id).filter(contact=contact):
        latest.setdefault((consent.channel, consent.purpose), consent)
    return latest


def do_export_contact(actor: Actor, contact: Contact) -> dict[str, Any]:
    actor.require(Perm.CONTACTS_VIEW)
    data = export_contact(contact)
    # Who looked at everything about a person is itself worth knowing.
    record(actor, "contact.export", contact)
    return data


def do_erase_contact(actor: Actor, contact: Contact) -> dict[str, int]:
    actor.require(Perm.CONTACTS_ERASE)
    contact_id = contact.pk
    with transaction.atomic():
        redacted = erase_contact(contact)
        # The audit entry names no one: the person is gone, only the fact stays.
        record(actor, "contact.erase", None, object_type="contact",
               after={"contact_id": contact_id, "redacted_columns": len(redacted)})  # fmt: skip
    return redacted


def do_set_retention(actor: Actor, *, inactive_months: int) -> RetentionPolicy:
    actor.require(Perm.CONTACTS_ERASE)
    if not 0 <= inactive_months <= 1200:
        raise DomainError("Give a number of months from 0 (keep) to 1200.", field="months")
    with transaction.atomic():
        policy, _ = RetentionPolicy.objects.for_workspace(actor.workspace).update_or_create(
            workspace=actor.workspace, defaults={"inactive_months": inactive_months}
        )
        record(actor, "contact.retention", policy, object_type="retention",
               after={"inactive_months": inactive_months})  # fmt: skip
    return policy


def do_set_lifecycle_policy(
    actor: Actor, *, lapsed_after_days: int, cadence_factor: float
) -> LifecyclePolicy:
    """When contacts count as lapsed. Stages follow at the next daily recompute."""
    actor.require(Perm.WORKSPACE_MANAGE)
    if not 1 <= lapsed_after_days <= 3650:
        raise DomainError("Give a number of days from 1 to 3650.", field="lapsed_after_days")
    if not 0 <= cadence_factor <= 50:
        raise DomainError("Give a factor from 0 (off) to 50.", field="cadence_factor")
    with transaction.atomic():
        policy, _ = LifecyclePolicy.objects.for_workspace(actor.workspace).update_or_create(
            workspace=actor.workspace,
            defaults={"lapsed_after_days": lapsed_after_days, "cadence_factor": cadence_factor},
        )
        record(actor, "contact.lifecycle_policy", policy, object_type="lifecycle_policy",
               after={"lapsed_after_days": lapsed_after_days,
                      "cadence_factor": cadence_factor})  # fmt: skip
    return policy
