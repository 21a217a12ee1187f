"""Sources: a website, an app or a server that sends events, each with a write key."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from rapport.core.models.tenancy import WorkspaceOwned


class SourceKind(models.TextChoices):
    WEBSITE = "website", "Website"
    APP = "app", "Mobile or desktop app"
    SERVER = "server", "Server"


class Source(WorkspaceOwned):
    """A write key identifies the source (and so the workspace) an event comes from,
    as Segment's does. A browser's key is public by nature: it only lets events in,
    and events from website and app sources count as untrusted for identity
    resolution. After a rotation the previous key keeps working for a grace period
    so deployed snippets can be updated without losing events."""

    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=8, choices=SourceKind.choices)
    write_key = models.CharField(max_length=64, unique=True)
    previous_write_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    previous_valid_until = models.DateTimeField(null=True, blank=True)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta(WorkspaceOwned.Meta):
        ordering = ["name", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["workspace", "name"], name="uniq_source_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def trusted(self) -> bool:
        """Only a server keeps its key secret; browsers and apps ship theirs."""
        return self.kind == SourceKind.SERVER
