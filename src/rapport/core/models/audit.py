"""The audit log: one row per write, written by actions in the same transaction."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from .tenancy import WorkspaceOwned


class AuditEntry(WorkspaceOwned):
    actor_user = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_token = models.ForeignKey(
        "core.ApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text too, so the log still reads right after a user or token is deleted.
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=60, db_index=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta(WorkspaceOwned.Meta):
        ordering = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["workspace", "-created_at", "-id"])]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.action} {self.object_repr}"

    @property
    def changed_fields(self) -> list[str]:
        before = self.before or {}
        after = self.after or {}
        return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))

    @property
    def diff(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for each field the write changed."""
        before = self.before or {}
        after = self.after or {}
        return [(k, before.get(k), after.get(k)) for k in self.changed_fields]
