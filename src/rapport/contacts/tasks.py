"""Background work of the contacts app."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from rapport.core.models import Workspace
from rapport.jobs.facade import enqueue_once
from rapport.jobs.schedule import periodic

from . import lifecycle
from .models import (
    Contact,
    ContactImport,
    ContactStatus,
    ImportStatus,
    Lifecycle,
    RetentionPolicy,
)
from .privacy import erase_contact
from .similarity import refresh_suggestions
from .transfer.importer import run_import


@task(queue_name="default")
def import_contacts(import_id: int, workspace_id: int, actor_label: str) -> int:
    job = ContactImport.objects.for_workspace(workspace_id).get(pk=import_id)
    if job.status == ImportStatus.DONE:
        return job.processed_rows  # a retried job after success: nothing to redo
    try:
        done = run_import(job, actor_label=actor_label)
    except Exception as exc:
        ContactImport.objects.for_workspace(workspace_id).filter(pk=import_id).update(
            status=ImportStatus.FAILED, failure=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    # New people may look like people already here: look once the import is in.
    enqueue_once(suggest_duplicates, f"duplicates:{workspace_id}", workspace_id=workspace_id)
    return done.processed_rows


@periodic(every=timedelta(hours=24), name="contacts.retention")
@task()
def apply_retention() -> int:
    """Erase contacts inactive for longer than their workspace keeps them."""
    erased = 0
    for policy in RetentionPolicy.unscoped.filter(inactive_months__gt=0):
        cutoff = timezone.now() - timedelta(days=30 * policy.inactive_months)
        stale = (
            Contact.objects.for_workspace(policy.workspace_id)
            .filter(status=ContactStatus.ACTIVE)
            .filter(
                Q(last_activity_at__lt=cutoff)
                | Q(last_activity_at__isnull=True, created_at__lt=cutoff)
            )[:500]
        )
        for contact in stale:
            with transaction.atomic():
                erase_contact(contact)
            erased += 1
    return erased


@task()
def suggest_duplicates(workspace_id: int) -> int:
    return refresh_suggestions(Workspace.objects.get(pk=workspace_id))


@periodic(every=timedelta(hours=1), name="contacts.duplicates")
@task()
def suggest_duplicates_everywhere() -> int:
    return sum(refresh_suggestions(ws) for ws in Workspace.objects.all())


@periodic(every=timedelta(hours=24), name="contacts.lifecycle")
@task()
def recompute_lapsing() -> int:
    """Time passes without events: people go quiet (lapse) and, when they come back,
    stop being lapsed. Only contacts whose stage could have changed are looked at."""
    changed = 0
    now = timezone.now()
    for workspace in Workspace.objects.all():
        policy = lifecycle.policy_for(workspace.pk)
        quiet = now - timedelta(days=min(policy.lapsed_after_days, lifecycle.MIN_CADENCE_DAYS))
        candidates = (
            Contact.objects.for_workspace(workspace)
            .filter(status=ContactStatus.ACTIVE)
            .filter(
                Q(
                    lifecycle__in=[Lifecycle.LEAD, Lifecycle.CUSTOMER, Lifecycle.REPEAT],
                    last_activity_at__lt=quiet,
                )
                | Q(lifecycle=Lifecycle.LAPSED, last_activity_at__gt=F("lifecycle_changed_at"))
            )
        )
        for contact in candidates.iterator(chunk_size=500):
            with transaction.atomic():
                changed += lifecycle.recompute(contact, policy)
    return changed
