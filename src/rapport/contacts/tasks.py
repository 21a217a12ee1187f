"""Background work of the contacts app."""

from __future__ import annotations

from django_tasks import task

from .models import ContactImport, ImportStatus
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
    return done.processed_rows
