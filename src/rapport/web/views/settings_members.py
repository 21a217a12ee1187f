"""Settings → Members: who is in the workspace and with which role."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rapport.core.actions.members import do_add_member, do_change_role, do_remove_member
from rapport.core.actor import Actor
from rapport.core.errors import DomainError
from rapport.core.models import Role
from rapport.core.permissions import Perm
from rapport.core.queries import access_member, list_members
from rapport.web.decorators import workspace_view
from rapport.web.forms import MemberAddForm, RoleForm, show_error


def _page(
    request: HttpRequest,
    actor: Actor,
    form: MemberAddForm | None = None,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    context = {
        "section": "settings",
        "page": "settings_members",
        "members": list_members(actor).order_by("user__full_name", "user__email"),
        "roles": Role.choices,
        "form": form or MemberAddForm(),
        "can_manage": actor.can(Perm.MEMBERS_MANAGE),
        "error": error,
    }
    return render(request, "web/settings/members.html", context, status=status)


@workspace_view(Perm.MEMBERS_VIEW)
def members(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _page(request, actor)


@require_POST
@workspace_view(Perm.MEMBERS_MANAGE)
def member_add(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            membership = do_add_member(
                actor,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                full_name=form.cleaned_data["full_name"],
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, f"{membership.user.email} added as {membership.role}.")
            return redirect("settings_members", slug=actor.workspace.slug)
    return _page(request, actor, form, status=400)


@require_POST
@workspace_view(Perm.MEMBERS_MANAGE)
def member_role(request: HttpRequest, actor: Actor, member_id: int) -> HttpResponse:
    membership = access_member(actor, member_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _page(request, actor, status=400, error="Choose a role.")
    try:
        do_change_role(actor, membership, role=form.cleaned_data["role"])
    except DomainError as exc:
        return _page(request, actor, status=exc.status, error=exc.message)
    messages.success(request, f"{membership.user.email} is now {form.cleaned_data['role']}.")
    return redirect("settings_members", slug=actor.workspace.slug)


@require_POST
@workspace_view(Perm.MEMBERS_MANAGE)
def member_remove(request: HttpRequest, actor: Actor, member_id: int) -> HttpResponse:
    membership = access_member(actor, member_id)
    try:
        do_remove_member(actor, membership)
    except DomainError as exc:
        return _page(request, actor, status=exc.status, error=exc.message)
    messages.success(request, f"{membership.user.email} removed.")
    return redirect("settings_members", slug=actor.workspace.slug)
