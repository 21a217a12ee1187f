"""What other apps use from jobs: enqueue helpers, health and listings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django_tasks.base import Task

from .backend import build_job, insert_job
from .models import Job, JobStatus, WorkerHeartbeat


def enqueue_once(task: Task[Any, Any], dedupe_key: str, **kwargs: Any) -> Job:
    """Enqueue unless an open (queued or running) job with ``dedupe_key`` exists.

    Batch pipelines use this to ask for "a run soon" many times a second while
    only one run is ever waiting.
    """
    job = build_job(
        task_path=task.module_path,
        queue_name=task.queue_name,
        priority=task.priority,
        args=[],
        kwargs=kwargs,
        run_after=timezone.now(),
        dedupe_key=dedupe_key,
    )
    transaction.on_commit(lambda: insert_job(job))
    return job


def worker_health() -> dict[str, Any]:
    stale = timedelta(seconds=settings.RAPPORT["WORKER_STALE_SECONDS"])
    now = timezone.now()
    alive = WorkerHeartbeat.objects.filter(last_seen_at__gte=now - stale)
    last_seen = WorkerHeartbeat.objects.aggregate(last=Max("last_seen_at"))["last"]
    counts = dict(
        Job.objects.filter(status__in=[JobStatus.READY, JobStatus.RUNNING, JobStatus.FAILED])
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {
        "ok": alive.exists(),
        "workers": alive.count(),
        "last_heartbeat": last_seen.isoformat() if last_seen else None,
        "queued": counts.get(JobStatus.READY, 0),
        "running": counts.get(JobStatus.RUNNING, 0),
        "failed": counts.get(JobStatus.FAILED, 0),
    }
