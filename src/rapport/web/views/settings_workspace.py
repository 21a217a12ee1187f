"""Settings → Workspace: name, time zone and languages."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rapport.core.actions.workspaces import do_update_workspace
from rapport.core.actor import Actor
from rapport.core.errors import DomainError
from rapport.core.permissions import Perm
from rapport.web.decorators import workspace_view
from rapport.web.forms import WorkspaceForm, show_error


def _page(
    request: HttpRequest, actor: Actor, form: WorkspaceForm | None = None, status: int = 200
) -> HttpResponse:
    ws = actor.workspace
    form = form or WorkspaceForm(
        initial={
            "name": ws.name,
            "timezone": ws.timezone,
            "default_language": ws.default_language,
            "languages": ws.languages,
        }
    )
    context = {
        "section": "settings",
        "page": "settings_workspace",
        "form": form,
        "can_manage": actor.can(Perm.WORKSPACE_MANAGE),
    }
    return render(request, "web/settings/workspace.html", context, status=status)


@workspace_view(Perm.WORKSPACE_VIEW)
def workspace_settings(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _page(request, actor)


@require_POST
@workspace_view(Perm.WORKSPACE_MANAGE)
def workspace_edit(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = WorkspaceForm(request.POST)
    if form.is_valid():
        try:
            do_update_workspace(
                actor,
                name=form.cleaned_data["name"],
                timezone=form.cleaned_data["timezone"],
                default_language=form.cleaned_data["default_language"],
                languages=form.cleaned_data["languages"],
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, "Workspace saved.")
            return redirect("settings_workspace", slug=actor.workspace.slug)
    return _page(request, actor, form, status=400)
