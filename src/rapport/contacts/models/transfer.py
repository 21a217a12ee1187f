"""CSV imports: the uploaded file, how to read it, and how far the import got."""

from __future__ import annotations

from django.db import models

from rapport.core.models.tenancy import WorkspaceOwned


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "Waiting for a mapping"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Importing"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ConflictPolicy(models.TextChoices):
    KEEP = "keep", "Keep the existing value"
    OVERWRITE = "overwrite", "Overwrite with the file's value"
    FILL = "fill", "Fill only empty fields"


class ContactImport(WorkspaceOwned):
    file_name = models.CharField(max_length=200)
    # Kept in the database so a worker on another machine can read it.
    raw = models.BinaryField()
    encoding = models.CharField(max_length=16)
    delimiter = models.CharField(max_length=2)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)  # column header -> field
    policy = models.JSONField(default=dict)  # field -> ConflictPolicy
    region = models.CharField(max_length=2, blank=True)
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)  # [line, column, reason]
    failure = models.TextField(blank=True)
    created_by = models.ForeignKey(
        "core.Membership", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta(WorkspaceOwned.Meta):
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == ImportStatus.DONE else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))
