"""The landing redirect and the workspace overview."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from rapport.core.actor import Actor
from rapport.core.models import User
from rapport.core.permissions import Perm
from rapport.core.queries import memberships_of
from rapport.web.decorators import workspace_view


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
    return render(request, "web/home.html", {})
