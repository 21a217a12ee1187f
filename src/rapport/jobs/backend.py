"""A django-tasks backend that stores tasks in our ``Job`` table.

Enqueue happens on transaction commit: a task enqueued inside a transaction that
rolls back never runs, and a worker never sees a task before the rows it needs.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ParamSpec, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import Task, TaskError, TaskResult, TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist
from django_tasks.utils import get_random_id, normalize_json

from .models import Job, JobStatus

T = TypeVar("T")
P = ParamSpec("P")

_STATUS = {
    JobStatus.READY: TaskResultStatus.READY,
    JobStatus.RUNNING: TaskResultStatus.RUNNING,
    JobStatus.SUCCESSFUL: TaskResultStatus.SUCCESSFUL,
    JobStatus.FAILED: TaskResultStatus.FAILED,
}


class DatabaseBackend(BaseTaskBackend):
    supports_defer = True
    supports_priority = True
    supports_get_result = True
    supports_async_task = False

    def __init__(self, alias: str, params: dict[str, Any]) -> None:
        super().__init__(alias, params)
        self.max_attempts = int(self.options.get("max_attempts", 5))
        self.lease_seconds = float(self.options.get("lease_seconds", 60))
        self.backoff_base_seconds = float(self.options.get("backoff_base_seconds", 2.0))

    def enqueue(
        self,
        task: Task[P, T],
        args: P.args,  # type: ignore[valid-type]
        kwargs: P.kwargs,  # type: ignore[valid-type]
    ) -> TaskResult[T]:
        self.validate_task(task)
        now = timezone.now()
        job = build_job(
            task_path=task.module_path,
            queue_name=task.queue_name,
            priority=task.priority,
            args=list(normalize_json(list(args))),
            kwargs=dict(normalize_json(dict(kwargs))),
            run_after=task.run_after or now,
            max_attempts=self.max_attempts,
        )
        transaction.on_commit(lambda: insert_job(job))
        return _to_result(task, job, self.alias)

    def get_result(self, result_id: str) -> TaskResult[Any]:
        job = Job.objects.filter(pk=result_id).first()
        if job is None:
            raise TaskResultDoesNotExist(result_id)
        return job_result(job, self.alias)


def build_job(
    *,
    task_path: str,
    args: list[Any],
    kwargs: dict[str, Any],
    run_after: datetime,
    queue_name: str = "default",
    priority: int = 0,
    max_attempts: int = 5,
    dedupe_key: str | None = None,
) -> Job:
    workspace_id = kwargs.get("workspace_id")
    return Job(
        id=get_random_id(),
        task_path=task_path,
        queue_name=queue_name,
        priority=priority,
        args=args,
        kwargs=kwargs,
        workspace_id=workspace_id if isinstance(workspace_id, int) else None,
        dedupe_key=dedupe_key,
        status=JobStatus.READY,
        max_attempts=max_attempts,
        run_after=run_after,
        enqueued_at=timezone.now(),
    )


def insert_job(job: Job) -> bool:
    """Insert ``job``; False when an open job with the same dedupe key exists."""
    try:
        with transaction.atomic():
            job.save(force_insert=True)
    except IntegrityError:
        if job.dedupe_key is None:
            raise
        return False
    return True


def _to_result(task: Task[P, T], job: Job, alias: str) -> TaskResult[T]:
    return TaskResult(
        task=task,
        id=job.id,
        status=_STATUS[JobStatus(job.status)],
        enqueued_at=job.enqueued_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        last_attempted_at=job.last_attempted_at,
        args=job.args,
        kwargs=job.kwargs,
        backend=alias,
        errors=[
            TaskError(exception_class_path=e.get("type", ""), traceback=e.get("traceback", ""))
            for e in job.errors
        ],
        worker_ids=list(job.worker_ids),
    )


def job_result(job: Job, alias: str) -> TaskResult[Any]:
    from django.utils.module_loading import import_string

    task = import_string(job.task_path)
    result: TaskResult[Any] = _to_result(task, job, alias)
    object.__setattr__(result, "_return_value", job.return_value)
    return result
