"""Workspaces and fail-closed scoping.

Every domain row belongs to a workspace. The default manager of a workspace-owned
model refuses to build a query until it is told which workspace it is for, so a
forgotten filter raises instead of leaking another brand's data.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from django.db import models


class WorkspaceScopeError(RuntimeError):
    """A workspace-owned model was queried without a workspace."""


class Workspace(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    timezone = models.CharField(max_length=64, default="UTC")
    default_language = models.CharField(max_length=8, default="en")
    languages = models.JSONField(default=list, blank=True)
    # ISO country used to read phone numbers written without a country code.
    phone_region = models.CharField(max_length=2, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


M = TypeVar("M", bound=models.Model)


class WorkspaceQuerySet(models.QuerySet[M], Generic[M]):
    pass


class WorkspaceScopedManager(models.Manager[M], Generic[M]):
    """Refuses unscoped queries. Use ``for_workspace(ws)``."""

    def get_queryset(self) -> models.QuerySet[M]:
        raise WorkspaceScopeError(
            f"{self.model.__name__} is workspace-owned: query it with "
            f"{self.model.__name__}.objects.for_workspace(workspace)"
        )

    def for_workspace(self, workspace: Workspace | int) -> models.QuerySet[M]:
        workspace_id = workspace if isinstance(workspace, int) else workspace.pk
        if workspace_id is None:
            raise WorkspaceScopeError("for_workspace() needs a saved workspace")
        return super().get_queryset().filter(workspace_id=workspace_id)

    def create(self, **kwargs: Any) -> M:
        if kwargs.get("workspace") is None and kwargs.get("workspace_id") is None:
            raise WorkspaceScopeError(f"{self.model.__name__} needs a workspace")
        obj = self.model(**kwargs)
        obj.save(force_insert=True, using=self.db)
        return obj


class WorkspaceOwned(models.Model):
    """Base for every workspace-owned row.

    ``objects`` fails closed; ``unscoped`` exists for system code that really
    works across workspaces (migrations, the job worker, the demo loader) and is
    the base manager so foreign-key access and cascades keep working.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")

    objects = WorkspaceScopedManager()
    unscoped = models.Manager()  # noqa: DJ012 - the base manager, declared beside objects

    class Meta:
        abstract = True
        base_manager_name = "unscoped"
