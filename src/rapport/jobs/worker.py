"""The worker: claims jobs, runs them, retries with backoff, holds a lease.

A running job's lease is extended by a heartbeat thread. If a worker dies (even
by SIGKILL) its lease runs out and any other worker puts the job back in the
queue, so it runs again to completion; tasks are written to be idempotent, and a
late finish from a worker whose lease was taken over is not recorded.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import close_old_connections, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task_backends
from django_tasks.base import Task, TaskContext
from django_tasks.utils import get_random_id, normalize_json

from rapport.core.events import Event, publish

from .backend import DatabaseBackend, job_result
from .models import Job, JobStatus, WorkerHeartbeat
from .schedule import fire_due, prune_slots

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 3600.0


def backoff_seconds(attempt: int, base: float) -> float:
    """Exponential backoff with up to 25 % jitter, so retries of a burst spread out."""
    delay: float = min(base * 2 ** max(attempt - 1, 0), MAX_BACKOFF_SECONDS)
    return delay * (1 + random.random() / 4)  # noqa: S311 - jitter, not security


def _error_entry(exc: BaseException, attempt: int) -> dict[str, Any]:
    return {
        "type": f"{type(exc).__module__}.{type(exc).__qualname__}",
        "message": str(exc)[:2000],
        "traceback": "".join(traceback.format_exception(exc))[-8000:],
        "attempt": attempt,
        "at": timezone.now().isoformat(),
    }


@dataclass
class Worker:
    queues: list[str] = field(default_factory=lambda: ["default"])
    worker_id: str = field(default_factory=get_random_id)
    poll_interval: float = 1.0
    lease_seconds: float | None = None
    backoff_base_seconds: float | None = None
    run_scheduler: bool = True
    jobs_done: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _last_heartbeat: datetime | None = None
    _last_prune: datetime | None = None

    def __post_init__(self) -> None:
        backend = task_backends["default"]
        if isinstance(backend, DatabaseBackend):
            if self.lease_seconds is None:
                self.lease_seconds = backend.lease_seconds
            if self.backoff_base_seconds is None:
                self.backoff_base_seconds = backend.backoff_base_seconds
        self.lease_seconds = self.lease_seconds or 60.0
        self.backoff_base_seconds = self.backoff_base_seconds or 2.0

    # -- the loop -------------------------------------------------------------

    def stop(self) -> None:
        self._stop.set()

    def run(self, *, max_jobs: int | None = None) -> None:
        logger.info("worker %s started on queues %s", self.worker_id, ",".join(self.queues))
        try:
            while not self._stop.is_set():
                close_old_connections()
                self.tick()
                job = self.run_one()
                if max_jobs is not None and self.jobs_done >= max_jobs:
                    break
                if job is None:
                    self._stop.wait(self.poll_interval)
        finally:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
            connection.close()
            logger.info("worker %s stopped after %d jobs", self.worker_id, self.jobs_done)

    def tick(self) -> None:
        """Housekeeping each worker does between jobs; all of it is safe to race."""
        now = timezone.now()
        self.heartbeat(now)
        self.requeue_expired(now)
        if self.run_scheduler:
            fire_due(self.worker_id, now)
            if self._last_prune is None or now - self._last_prune > timedelta(hours=1):
                prune_slots(timedelta(days=2), now)
                self._last_prune = now

    def heartbeat(self, now: datetime) -> None:
        if self._last_heartbeat and (now - self._last_heartbeat).total_seconds() < 5:
            return
        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "hostname": socket.gethostname()[:120],
                "pid": os.getpid(),
                "last_seen_at": now,
                "jobs_done": self.jobs_done,
            },
            create_defaults={
                "hostname": socket.gethostname()[:120],
                "pid": os.getpid(),
                "started_at": now,
                "last_seen_at": now,
            },
        )
        self._last_heartbeat = now

    # -- claiming ---------------------------------------------------------------

    def claim(self) -> Job | None:
        now = timezone.now()
        lease = timedelta(seconds=float(self.lease_seconds or 60))
        for _ in range(5):
            with transaction.atomic():
                qs = Job.objects.filter(
                    status=JobStatus.READY, queue_name__in=self.queues, run_after__lte=now
                ).order_by("-priority", "run_after", "enqueued_at")
                if connection.features.has_select_for_update_skip_locked:
                    qs = qs.select_for_update(skip_locked=True)
                candidate = qs.values_list("pk", flat=True).first()
                if candidate is None:
                    return None
                # Compare-and-set: on SQLite (no row locks) two workers may pick the
                # same candidate; only one update matches status=READY.
                claimed = Job.objects.filter(pk=candidate, status=JobStatus.READY).update(
                    status=JobStatus.RUNNING,
                    worker_id=self.worker_id,
                    attempts=F("attempts") + 1,
                    last_attempted_at=now,
                    lease_expires_at=now + lease,
                )
                if claimed:
                    job = Job.objects.get(pk=candidate)
                    if job.started_at is None:
                        job.started_at = now
                    job.worker_ids = [*job.worker_ids, self.worker_id][-20:]
                    job.save(update_fields=["started_at", "worker_ids"])
                    return job
        return None

    def requeue_expired(self, now: datetime) -> int:
        """Put back jobs whose worker stopped heartbeating (crashed or was killed)."""
        requeued = 0
        expired = list(
            Job.objects.filter(status=JobStatus.RUNNING, lease_expires_at__lt=now).values_list(
                "pk", flat=True
            )[:100]
        )
        for pk in expired:
            with transaction.atomic():
                job = (
                    Job.objects.select_for_update()
                    .filter(pk=pk, status=JobStatus.RUNNING, lease_expires_at__lt=now)
                    .first()
                )
                if job is None:
                    continue
                entry = {
                    "type": "rapport.jobs.LeaseExpired",
                    "message": f"worker {job.worker_id} stopped heartbeating; lease expired",
                    "traceback": "",
                    "attempt": job.attempts,
                    "at": now.isoformat(),
                }
                job.errors = [*job.errors, entry]
                job.worker_id = ""
                job.lease_expires_at = None
                if job.attempts >= job.max_attempts:
                    job.status = JobStatus.FAILED
                    job.finished_at = now
                    _announce_failure(job)
                else:
                    job.status = JobStatus.READY
                    job.run_after = now
                job.save()
                requeued += 1
        return requeued

    # -- running ------------------------------------------------------------------

    def run_one(self) -> Job | None:
        job = self.claim()
        if job is None:
            return None
        self.execute(job)
        self.jobs_done += 1
        return job

    def execute(self, job: Job) -> None:
        beat = _LeaseKeeper(job.pk, self.worker_id, float(self.lease_seconds or 60))
        beat.start()
        try:
            try:
                task = import_string(job.task_path)
                if not isinstance(task, Task):
                    raise TypeError(f"{job.task_path} is not a task")
            except (ImportError, TypeError) as exc:
                # A task that no longer exists will not appear by retrying.
                self._finish_failed(job, exc, final=True)
                return
            try:
                if task.takes_context:
                    context = TaskContext(task_result=job_result(job, "default"))
                    value = task.call(context, *job.args, **job.kwargs)
                else:
                    value = task.call(*job.args, **job.kwargs)
            except Exception as exc:
                logger.warning("job %s (%s) failed: %s", job.pk, job.task_path, exc)
                self._finish_failed(job, exc, final=False)
            else:
                self._finish_ok(job, value)
        finally:
            beat.stop()

    def _finish_ok(self, job: Job, value: Any) -> None:
        try:
            stored = normalize_json(value)
        except (TypeError, ValueError):
            stored = repr(value)[:2000]
        Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, worker_id=self.worker_id).update(
            status=JobStatus.SUCCESSFUL,
            finished_at=timezone.now(),
            lease_expires_at=None,
            return_value=stored,
        )

    def _finish_failed(self, job: Job, exc: BaseException, *, final: bool) -> None:
        now = timezone.now()
        with transaction.atomic():
            locked = (
                Job.objects.select_for_update()
                .filter(pk=job.pk, status=JobStatus.RUNNING, worker_id=self.worker_id)
                .first()
            )
            if locked is None:
                return  # our lease was taken over; the new holder owns the outcome
            locked.errors = [*locked.errors, _error_entry(exc, locked.attempts)]
            locked.lease_expires_at = None
            locked.worker_id = ""
            if final or locked.attempts >= locked.max_attempts:
                locked.status = JobStatus.FAILED
                locked.finished_at = now
                _announce_failure(locked)
            else:
                locked.status = JobStatus.READY
                delay = backoff_seconds(locked.attempts, float(self.backoff_base_seconds or 2))
                locked.run_after = now + timedelta(seconds=delay)
            locked.save()


def _announce_failure(job: Job) -> None:
    publish(Event.JOB_FAILED, job.workspace_id, job_id=job.pk, task=job.task_path)


class _LeaseKeeper:
    """Extends a running job's lease every third of its length, from its own thread."""

    def __init__(self, job_id: str, worker_id: str, lease_seconds: float) -> None:
        self.job_id = job_id
        self.worker_id = worker_id
        self.lease_seconds = lease_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"lease-{job_id}")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.lease_seconds / 3):
                Job.objects.filter(
                    pk=self.job_id, status=JobStatus.RUNNING, worker_id=self.worker_id
                ).update(lease_expires_at=timezone.now() + timedelta(seconds=self.lease_seconds))
        finally:
            connection.close()
