"""Writes on jobs made by people (the retry button)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_tasks import task_backends

from rapport.core.actor import Actor
from rapport.core.audit import record
from rapport.core.errors import Conflict
from rapport.core.permissions import Perm

from .backend import DatabaseBackend
from .models import Job, JobStatus


def fresh_attempts() -> int:
    backend = task_backends["default"]
    return backend.max_attempts if isinstance(backend, DatabaseBackend) else 5


def do_retry_job(actor: Actor, job: Job) -> Job:
    """Queue a failed job again with a fresh set of attempts; its error history stays."""
    actor.require(Perm.JOBS_MANAGE)
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk, workspace=actor.workspace)
        if locked.status != JobStatus.FAILED:
            raise Conflict("Only a failed job can be retried.")
        locked.status = JobStatus.READY
        # A fresh allowance on top of the attempts already spent.
        locked.max_attempts = locked.attempts + fresh_attempts()
        locked.run_after = timezone.now()
        locked.finished_at = None
        locked.save()
        record(
            actor,
            "job.retry",
            locked,
            object_type="job",
            before={"status": JobStatus.FAILED.value},
            after={"status": JobStatus.READY.value},
        )
    return locked
