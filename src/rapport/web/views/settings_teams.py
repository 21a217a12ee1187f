"""Settings → Teams: groups of members that work will be routed to."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rapport.core.actions.teams import (
    do_add_team_member,
    do_create_team,
    do_delete_team,
    do_remove_team_member,
    do_update_team,
)
from rapport.core.actor import Actor
from rapport.core.errors import DomainError
from rapport.core.models import Team
from rapport.core.permissions import Perm
from rapport.core.queries import access_team, access_team_candidate, list_members, list_teams
from rapport.web.decorators import workspace_view
from rapport.web.forms import TeamForm, TeamMemberForm, show_error


def _list_page(
    request: HttpRequest, actor: Actor, form: TeamForm | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "section": "settings",
        "page": "settings_teams",
        "teams": list_teams(actor),
        "form": form or TeamForm(),
        "can_manage": actor.can(Perm.TEAMS_MANAGE),
    }
    return render(request, "web/settings/teams.html", context, status=status)


def _detail_page(
    request: HttpRequest,
    actor: Actor,
    team: Team,
    *,
    form: TeamForm | None = None,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    in_team = list(team.members.all())
    ids = {m.pk for m in in_team}
    candidates = (
        [m for m in list_members(actor) if m.pk not in ids] if actor.can(Perm.MEMBERS_VIEW) else []
    )
    context = {
        "section": "settings",
        "page": "settings_teams",
        "team": team,
        "in_team": in_team,
        "candidates": candidates,
        "form": form or TeamForm(initial={"name": team.name, "description": team.description}),
        "can_manage": actor.can(Perm.TEAMS_MANAGE),
        "error": error,
    }
    return render(request, "web/settings/team_detail.html", context, status=status)


@workspace_view(Perm.TEAMS_VIEW)
def teams(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _list_page(request, actor)


@require_POST
@workspace_view(Perm.TEAMS_MANAGE)
def team_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = TeamForm(request.POST)
    if form.is_valid():
        try:
            team = do_create_team(
                actor,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, f"Team {team.name} created.")
            return redirect("settings_team", slug=actor.workspace.slug, team_id=team.pk)
    return _list_page(request, actor, form, status=400)


@workspace_view(Perm.TEAMS_VIEW)
def team_detail(request: HttpRequest, actor: Actor, team_id: int) -> HttpResponse:
    return _detail_page(request, actor, access_team(actor, team_id))


@require_POST
@workspace_view(Perm.TEAMS_MANAGE)
def team_edit(request: HttpRequest, actor: Actor, team_id: int) -> HttpResponse:
    team = access_team(actor, team_id)
    form = TeamForm(request.POST)
    if form.is_valid():
        try:
            do_update_team(
                actor,
                team,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, "Team saved.")
            return redirect("settings_team", slug=actor.workspace.slug, team_id=team.pk)
    return _detail_page(request, actor, access_team(actor, team_id), form=form, status=400)


@require_POST
@workspace_view(Perm.TEAMS_MANAGE)
def team_delete(request: HttpRequest, actor: Actor, team_id: int) -> HttpResponse:
    team = access_team(actor, team_id)
    name = team.name
    do_delete_team(actor, team)
    messages.success(request, f"Team {name} deleted.")
    return redirect("settings_teams", slug=actor.workspace.slug)


@require_POST
@workspace_view(Perm.TEAMS_MANAGE)
def team_member_add(request: HttpRequest, actor: Actor, team_id: int) -> HttpResponse:
    team = access_team(actor, team_id)
    form = TeamMemberForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, actor, team, status=400, error="Choose a member to add.")
    membership = access_team_candidate(actor, form.cleaned_data["member"])
    do_add_team_member(actor, team, membership)
    messages.success(request, f"{membership.user.display_name} added to {team.name}.")
    return redirect("settings_team", slug=actor.workspace.slug, team_id=team.pk)


@require_POST
@workspace_view(Perm.TEAMS_MANAGE)
def team_member_remove(
    request: HttpRequest, actor: Actor, team_id: int, member_id: int
) -> HttpResponse:
    team = access_team(actor, team_id)
    membership = access_team_candidate(actor, member_id)
    do_remove_team_member(actor, team, membership)
    messages.success(request, f"{membership.user.display_name} left {team.name}.")
    return redirect("settings_team", slug=actor.workspace.slug, team_id=team.pk)
