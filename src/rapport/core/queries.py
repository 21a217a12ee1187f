"""Reads with access checks. Views and API endpoints fetch records only through
``access_*``: a record of another workspace is simply not found (404), never a 403
that would confirm it exists."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from django.db.models import Model, Prefetch, QuerySet
from django.http import Http404

from .actor import Actor
from .models import ApiToken, AuditEntry, Membership, Team, User, Workspace
from .pagination import Page, paginate
from .permissions import Perm

M = TypeVar("M", bound=Model)


def memberships_of(user: User) -> QuerySet[Membership]:
    return (
        Membership.unscoped.filter(user=user)
        .select_related("workspace")
        .order_by("workspace__name")
    )


def one_or_404(qs: QuerySet[M], pk: object, what: str) -> M:
    """The row ``pk`` of an already workspace-scoped queryset, or a 404 that says
    what was not found (another workspace's row is simply not there)."""
    found = qs.filter(pk=pk).first()
    if found is None:
        raise Http404(f"No such {what}")
    return found


def access_workspace(user: User, slug: str) -> Actor:
    membership = (
        Membership.unscoped.select_related("workspace", "user")
        .filter(user=user, workspace__slug=slug)
        .first()
    )
    if membership is None:
        raise Http404("No such workspace")
    return Actor(workspace=membership.workspace, membership=membership)


def access_member(actor: Actor, member_id: int) -> Membership:
    actor.require(Perm.MEMBERS_VIEW)
    return one_or_404(
        Membership.objects.for_workspace(actor.workspace).select_related("user"),
        member_id,
        "member",
    )


def access_team_candidate(actor: Actor, member_id: int) -> Membership:
    """A member as the object of a team change: needs the team permission only, so a
    token scoped to teams can staff them without also reading the member list."""
    actor.require(Perm.TEAMS_VIEW)
    return one_or_404(
        Membership.objects.for_workspace(actor.workspace).select_related("user"),
        member_id,
        "member",
    )


def access_team(actor: Actor, team_id: int) -> Team:
    actor.require(Perm.TEAMS_VIEW)
    return one_or_404(
        Team.objects.for_workspace(actor.workspace).prefetch_related(_team_members(actor)),
        team_id,
        "team",
    )


def access_token(actor: Actor, token_id: int) -> ApiToken:
    actor.require(Perm.TOKENS_VIEW)
    return one_or_404(
        ApiToken.objects.for_workspace(actor.workspace).select_related("created_by__user"),
        token_id,
        "token",
    )


def list_members(actor: Actor) -> QuerySet[Membership]:
    actor.require(Perm.MEMBERS_VIEW)
    return Membership.objects.for_workspace(actor.workspace).select_related("user")


def list_teams(actor: Actor) -> QuerySet[Team]:
    actor.require(Perm.TEAMS_VIEW)
    return Team.objects.for_workspace(actor.workspace).prefetch_related(_team_members(actor))


def _team_members(actor: Actor) -> Prefetch[Any]:
    # Related managers go through the fail-closed default manager, so the
    # prefetch names its workspace explicitly.
    return Prefetch(
        "members",
        queryset=Membership.objects.for_workspace(actor.workspace).select_related("user"),
    )


def list_tokens(actor: Actor) -> QuerySet[ApiToken]:
    actor.require(Perm.TOKENS_VIEW)
    return ApiToken.objects.for_workspace(actor.workspace).select_related("created_by__user")


def workspace_of(actor: Actor) -> Workspace:
    actor.require(Perm.WORKSPACE_VIEW)
    return actor.workspace


def audit_page(
    actor: Actor,
    *,
    action: str | None = None,
    actor_query: str | None = None,
    object_type: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[AuditEntry]:
    actor.require(Perm.AUDIT_VIEW)
    qs = AuditEntry.objects.for_workspace(actor.workspace)
    if action:
        qs = qs.filter(action__startswith=action)
    if actor_query:
        qs = qs.filter(actor_label__icontains=actor_query)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if since:
        qs = qs.filter(created_at__gte=since)
    if until:
        qs = qs.filter(created_at__lt=until)
    return paginate(qs, key="created_at", descending=True, cursor=cursor, limit=limit)


def audit_facets(actor: Actor) -> dict[str, list[str]]:
    actor.require(Perm.AUDIT_VIEW)
    qs = AuditEntry.objects.for_workspace(actor.workspace)
    return {
        "actions": sorted(set(qs.values_list("action", flat=True).distinct()[:200])),
        "object_types": sorted(set(qs.values_list("object_type", flat=True).distinct()[:100])),
    }
