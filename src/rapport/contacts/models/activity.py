"""What is attached to a contact: notes, tasks and the timeline."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from rapport.core.models.tenancy import WorkspaceOwned


class Note(WorkspaceOwned):
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=10_000)
    author = models.ForeignKey(
        "core.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(WorkspaceOwned.Meta):
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.body[:60]


class Task(WorkspaceOwned):
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    due_at = models.DateTimeField(null=True, blank=True)
    assignee = models.ForeignKey(
        "core.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(WorkspaceOwned.Meta):
        ordering = ["done", "due_at", "id"]

    def __str__(self) -> str:
        return self.title


class TimelineEntry(WorkspaceOwned):
    """One thing that happened to or by a contact. ``identity`` is the identity it came
    through (an email, a browser, a handle): after an unmerge the entry follows it."""

    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    identity = models.ForeignKey(
        "contacts.Identity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=40)
    occurred_at = models.DateTimeField()
    summary = models.CharField(max_length=300)
    data = models.JSONField(default=dict, blank=True)
    source = models.CharField(max_length=40, blank=True)

    class Meta(WorkspaceOwned.Meta):
        ordering = ["-occurred_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["workspace", "contact", "-occurred_at", "-id"]),
            models.Index(fields=["workspace", "contact", "kind", "-occurred_at", "-id"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.summary}"
