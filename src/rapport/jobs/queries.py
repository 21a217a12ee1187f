"""Jobs as a workspace sees them (Settings → Background jobs)."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.http import Http404

from rapport.core.actor import Actor
from rapport.core.permissions import Perm

from .models import Job, JobStatus


def list_jobs(actor: Actor, *, status: str | None = None) -> QuerySet[Job]:
    actor.require(Perm.JOBS_VIEW)
    qs = Job.objects.filter(workspace=actor.workspace)
    if status in JobStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-enqueued_at")


def access_job(actor: Actor, job_id: str) -> Job:
    actor.require(Perm.JOBS_VIEW)
    job = Job.objects.filter(workspace=actor.workspace, pk=job_id).first()
    if job is None:
        raise Http404("No such job")
    return job


def job_counts(actor: Actor) -> dict[str, int]:
    actor.require(Perm.JOBS_VIEW)
    rows = (
        Job.objects.filter(workspace=actor.workspace)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return dict(rows)
