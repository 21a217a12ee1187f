"""The job queue tables. One row per enqueued task; the worker moves it through
READY -> RUNNING -> SUCCESSFUL | FAILED (or back to READY to retry)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models


class JobStatus(models.TextChoices):
    READY = "READY", "Queued"
    RUNNING = "RUNNING", "Running"
    SUCCESSFUL = "SUCCESSFUL", "Done"
    FAILED = "FAILED", "Failed"


class Job(models.Model):
    id = models.CharField(primary_key=True, max_length=64)
    task_path = models.CharField(max_length=200)
    queue_name = models.CharField(max_length=40, default="default")
    priority = models.SmallIntegerField(default=0)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    # Jobs done on behalf of a workspace are listed in that workspace's settings.
    workspace = models.ForeignKey(
        "core.Workspace", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Enqueuing twice with the same key while the first is not finished is a no-op.
    # NULL (not '') when absent: the partial unique index must ignore keyless jobs.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    status = models.CharField(
        max_length=12, choices=JobStatus.choices, default=JobStatus.READY, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    max_attempts = models.PositiveIntegerField(default=5)
    run_after = models.DateTimeField()
    enqueued_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_attempted_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    worker_id = models.CharField(max_length=64, blank=True)
    worker_ids = models.JSONField(default=list)
    errors = models.JSONField(default=list)
    return_value = models.JSONField(null=True, blank=True)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["status", "queue_name", "-priority", "run_after"]),
            models.Index(fields=["status", "lease_expires_at"]),
            models.Index(fields=["workspace", "status"]),
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=models.Q(status__in=["READY", "RUNNING"]),
                name="uniq_open_job_dedupe_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_path} [{self.status}]"

    @property
    def short_name(self) -> str:
        return self.task_path.rsplit(".", 1)[-1]

    @property
    def last_error(self) -> str:
        if not self.errors:
            return ""
        return str(self.errors[-1].get("message", ""))


class ScheduleSlot(models.Model):
    """A periodic job's slot, claimed by inserting this row: the unique key makes
    exactly one worker win each slot, however many are running."""

    name = models.CharField(max_length=120)
    slot_start = models.DateTimeField()
    job_id = models.CharField(max_length=64)
    claimed_by = models.CharField(max_length=64)
    claimed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["name", "slot_start"], name="uniq_schedule_slot")
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {self.slot_start:%Y-%m-%d %H:%M:%S}"


class WorkerHeartbeat(models.Model):
    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=120)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField(db_index=True)
    jobs_done = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"
