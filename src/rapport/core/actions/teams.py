"""Teams: named groups of members that routing and reports will use."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from ..actor import Actor
from ..audit import record, snapshot
from ..errors import Conflict, DomainError
from ..events import Event, publish
from ..models import Membership, Team, TeamMembership
from ..permissions import Perm

TEAM_FIELDS = ["name", "description"]


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise DomainError("A team needs a name.", field="name")
    if len(name) > 80:
        raise DomainError("Team names are at most 80 characters.", field="name")
    return name


def do_create_team(actor: Actor, *, name: str, description: str = "") -> Team:
    actor.require(Perm.TEAMS_MANAGE)
    try:
        with transaction.atomic():
            team = Team.objects.create(
                workspace=actor.workspace, name=_clean_name(name), description=description[:240]
            )
            record(actor, "team.create", team, after=snapshot(team, TEAM_FIELDS))
            publish(Event.TEAM_CREATED, actor.workspace.pk, team_id=team.pk)
    except IntegrityError as exc:
        raise Conflict(f"A team called '{name.strip()}' exists.", field="name") from exc
    return team


def do_update_team(
    actor: Actor, team: Team, *, name: str | None = None, description: str | None = None
) -> Team:
    actor.require(Perm.TEAMS_MANAGE)
    before = snapshot(team, TEAM_FIELDS)
    if name is not None:
        team.name = _clean_name(name)
    if description is not None:
        team.description = description[:240]
    try:
        with transaction.atomic():
            team.save(update_fields=TEAM_FIELDS)
            after = snapshot(team, TEAM_FIELDS)
            if after != before:
                record(actor, "team.update", team, before=before, after=after)
                publish(Event.TEAM_UPDATED, actor.workspace.pk, team_id=team.pk)
    except IntegrityError as exc:
        raise Conflict(f"A team called '{team.name}' exists.", field="name") from exc
    return team


def do_delete_team(actor: Actor, team: Team) -> None:
    actor.require(Perm.TEAMS_MANAGE)
    with transaction.atomic():
        record(actor, "team.delete", team, before=snapshot(team, TEAM_FIELDS))
        team_id = team.pk
        team.delete()
        publish(Event.TEAM_DELETED, actor.workspace.pk, team_id=team_id)


def do_add_team_member(actor: Actor, team: Team, membership: Membership) -> None:
    actor.require(Perm.TEAMS_MANAGE)
    with transaction.atomic():
        _, created = TeamMembership.unscoped.get_or_create(
            workspace=actor.workspace, team=team, membership=membership
        )
        if created:
            record(actor, "team.member_add", team, after={"member": membership.user.email})
            publish(
                Event.TEAM_MEMBER_ADDED,
                actor.workspace.pk,
                team_id=team.pk,
                membership_id=membership.pk,
            )


def do_remove_team_member(actor: Actor, team: Team, membership: Membership) -> None:
    actor.require(Perm.TEAMS_MANAGE)
    with transaction.atomic():
        deleted, _ = (
            TeamMembership.objects.for_workspace(actor.workspace)
            .filter(team=team, membership=membership)
            .delete()
        )
        if deleted:
            record(actor, "team.member_remove", team, before={"member": membership.user.email})
            publish(
                Event.TEAM_MEMBER_REMOVED,
                actor.workspace.pk,
                team_id=team.pk,
                membership_id=membership.pk,
            )
