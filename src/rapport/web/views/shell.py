"""The landing redirect, the workspace overview and the module pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render

from rapport.core.actor import Actor
from rapport.core.models import User
from rapport.core.permissions import Perm
from rapport.core.queries import audit_page, list_members, list_teams, memberships_of
from rapport.jobs.facade import worker_health
from rapport.web.context import MODULES, NavItem
from rapport.web.decorators import workspace_view
from rapport.web.modules import MODULE_INFO


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    memberships = list(memberships_of(user))
    if not memberships:
        return render(request, "web/no_workspace.html", status=200)
    last = request.session.get("last_workspace")
    slugs = [m.workspace.slug for m in memberships]
    return redirect("workspace_home", slug=last if last in slugs else slugs[0])


@workspace_view(Perm.WORKSPACE_VIEW)
def workspace_home(request: HttpRequest, actor: Actor) -> HttpResponse:
    tiles = [(item, MODULE_INFO[item.key]) for item in MODULES if actor.can(item.perm)]
    recent = audit_page(actor, limit=6).items if actor.can(Perm.AUDIT_VIEW) else []
    context: dict[str, Any] = {
        "section": "home",
        "tiles": tiles,
        "recent": recent,
        "member_count": list_members(actor).count(),
        "team_count": list_teams(actor).count(),
        "health": worker_health(),
    }
    return render(request, "web/home.html", context)


def module_page(item: NavItem) -> Callable[..., HttpResponseBase]:
    """The page of a module not built yet: an empty state saying what it will do."""

    def view(request: HttpRequest, actor: Actor) -> HttpResponse:
        return render(
            request,
            "web/modules/empty.html",
            {"section": item.key, "item": item, "info": MODULE_INFO[item.key]},
        )

    view.__name__ = f"{item.key}_page"
    return workspace_view(item.perm)(view)
