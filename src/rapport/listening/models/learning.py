"""A workspace's own sentiment and intent model: the shipped one fine-tuned on its
agents' corrections, retrained in the background after they correct posts."""

from __future__ import annotations

from django.db import models

from rapport.core.models.tenancy import WorkspaceOwned


class WorkspaceModel(WorkspaceOwned):
    workspace = models.OneToOneField("core.Workspace", on_delete=models.CASCADE, related_name="+")
    # The weights file (numpy archive, checked on load: never unpickled).
    weights = models.BinaryField()
    corrections = models.PositiveIntegerField(default=0)  # how many it learnt from
    trained_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"model of workspace {self.workspace_id} ({self.corrections} corrections)"
