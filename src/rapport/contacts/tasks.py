"""Background work of the contacts app."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from rapport.core.models import Workspace
from rapport.jobs.facade import enqueue_once
from rapport.jobs.schedule import periodic

from .models import Contact, ContactImport, ContactStatus, ImportStatus, RetentionPolicy
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
