"""GET / PATCH the token's workspace."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from rapport.core import queries
from rapport.core.actions.workspaces import do_update_workspace
from rapport.core.permissions import Perm

from .auth import actor_of
from .guard import guarded
from .schemas import ERRORS, StrictIn

router = Router(tags=["workspace"])


class WorkspaceOut(Schema):
    id: int
    name: str
    slug: str
    timezone: str
    default_language: str
    languages: list[str]
    created_at: datetime


class WorkspacePatch(StrictIn):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    timezone: str | None = Field(default=None, max_length=64)
    default_language: str | None = Field(default=None, max_length=8)
    languages: list[str] | None = Field(default=None, max_length=20)


@router.get(
    "",
    response={200: WorkspaceOut, **ERRORS},
    summary="The token's workspace",
    **guarded(Perm.WORKSPACE_VIEW),
)
def get_workspace(request: HttpRequest) -> WorkspaceOut:
    return WorkspaceOut.model_validate(
        queries.workspace_of(actor_of(request)), from_attributes=True
    )


@router.patch(
    "",
    response={200: WorkspaceOut, **ERRORS},
    summary="Change the workspace",
    **guarded(Perm.WORKSPACE_MANAGE),
)
def patch_workspace(request: HttpRequest, body: WorkspacePatch) -> WorkspaceOut:
    workspace = do_update_workspace(actor_of(request), **body.model_dump(exclude_unset=True))
    return WorkspaceOut.model_validate(workspace, from_attributes=True)
