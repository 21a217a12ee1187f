"""Teams of the token's workspace and who is in them."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from rapport.core import queries
from rapport.core.actions.teams import (
    do_add_team_member,
    do_create_team,
    do_delete_team,
    do_remove_team_member,
    do_update_team,
)
from rapport.core.models import Team
from rapport.core.pagination import MAX_LIMIT, paginate
from rapport.core.permissions import Perm

from .auth import actor_of
from .guard import guarded
from .schemas import ERRORS, CursorPage, QueryIn, StrictIn

router = Router(tags=["teams"])


class TeamOut(Schema):
    id: int
    name: str
    description: str
    member_ids: list[int]
    created_at: datetime

    @staticmethod
    def of(team: Team) -> TeamOut:
        """``team`` comes from ``queries.access_team``/``list_teams``, which
        prefetch its members within the workspace."""
        return TeamOut(
            id=team.pk,
            name=team.name,
            description=team.description,
            member_ids=sorted(m.pk for m in team.members.all()),
            created_at=team.created_at,
        )


class TeamIn(StrictIn):
    name: str = Field(min_length=1, max_length=80)
    description: str = Field(default="", max_length=240)


class TeamPatch(StrictIn):
    name: str | None = Field(default=None, min_length=1, max_length=80)
    description: str | None = Field(default=None, max_length=240)


class PageQuery(QueryIn):
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT)


@router.get("", response={200: CursorPage[TeamOut], **ERRORS}, **guarded(Perm.TEAMS_VIEW))
def list_teams(request: HttpRequest, q: Query[PageQuery]) -> CursorPage[TeamOut]:
    page = paginate(
        queries.list_teams(actor_of(request)),
        key="id",
        descending=False,
        cursor=q.cursor,
        limit=q.limit,
    )
    return CursorPage[TeamOut](
        items=[TeamOut.of(t) for t in page.items], next_cursor=page.next_cursor
    )


@router.post("", response={201: TeamOut, **ERRORS}, **guarded(Perm.TEAMS_MANAGE))
def create_team(request: HttpRequest, body: TeamIn) -> Status[TeamOut]:
    actor = actor_of(request)
    team = do_create_team(actor, name=body.name, description=body.description)
    return Status(201, TeamOut.of(queries.access_team(actor, team.pk)))


@router.get("/{team_id}", response={200: TeamOut, **ERRORS}, **guarded(Perm.TEAMS_VIEW))
def get_team(request: HttpRequest, team_id: int) -> TeamOut:
    return TeamOut.of(queries.access_team(actor_of(request), team_id))


@router.patch("/{team_id}", response={200: TeamOut, **ERRORS}, **guarded(Perm.TEAMS_MANAGE))
def update_team(request: HttpRequest, team_id: int, body: TeamPatch) -> TeamOut:
    actor = actor_of(request)
    team = queries.access_team(actor, team_id)
    do_update_team(actor, team, **body.model_dump(exclude_unset=True))
    return TeamOut.of(queries.access_team(actor, team_id))


@router.delete("/{team_id}", response={204: None, **ERRORS}, **guarded(Perm.TEAMS_MANAGE))
def delete_team(request: HttpRequest, team_id: int) -> Status[None]:
    actor = actor_of(request)
    do_delete_team(actor, queries.access_team(actor, team_id))
    return Status(204, None)


@router.put(
    "/{team_id}/members/{member_id}",
    response={200: TeamOut, **ERRORS},
    summary="Put a member in a team (idempotent)",
    **guarded(Perm.TEAMS_MANAGE),
)
def add_team_member(request: HttpRequest, team_id: int, member_id: int) -> TeamOut:
    actor = actor_of(request)
    team = queries.access_team(actor, team_id)
    do_add_team_member(actor, team, queries.access_team_candidate(actor, member_id))
    return TeamOut.of(queries.access_team(actor, team_id))


@router.delete(
    "/{team_id}/members/{member_id}",
    response={200: TeamOut, **ERRORS},
    summary="Take a member out of a team",
    **guarded(Perm.TEAMS_MANAGE),
)
def remove_team_member(request: HttpRequest, team_id: int, member_id: int) -> TeamOut:
    actor = actor_of(request)
    team = queries.access_team(actor, team_id)
    do_remove_team_member(actor, team, queries.access_team_candidate(actor, member_id))
    return TeamOut.of(queries.access_team(actor, team_id))
