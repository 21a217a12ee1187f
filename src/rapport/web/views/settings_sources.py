"""Settings → Sources: the websites, apps and servers that send events, with their
write keys; create, rotate a key, switch a source off and on."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from rapport.core.actor import Actor
from rapport.core.errors import DomainError
from rapport.core.permissions import Perm
from rapport.tracking.actions import (
    ROTATION_GRACE,
    do_create_source,
    do_rotate_write_key,
    do_set_source_enabled,
)
from rapport.tracking.facade import access_source, list_sources
from rapport.tracking.models import SourceKind
from rapport.web.decorators import workspace_view
from rapport.web.forms import SourceForm, show_error

GRACE_HOURS = int(ROTATION_GRACE.total_seconds() // 3600)


def _page(
    request: HttpRequest, actor: Actor, form: SourceForm | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "section": "settings",
        "page": "settings_sources",
        "sources": list_sources(actor),
        "form": form or SourceForm(initial={"kind": SourceKind.WEBSITE}),
        "can_manage": actor.can(Perm.SOURCES_MANAGE),
        "grace_hours": GRACE_HOURS,
    }
    return render(request, "web/settings/sources.html", context, status=status)


# The page shows write keys: keep it out of shared caches.
@never_cache
@workspace_view(Perm.SOURCES_VIEW)
def sources(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _page(request, actor)


@require_POST
@workspace_view(Perm.SOURCES_MANAGE)
def source_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = SourceForm(request.POST)
    if form.is_valid():
        try:
            source = do_create_source(
                actor, name=form.cleaned_data["name"], kind=form.cleaned_data["kind"]
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, f"Source “{source.name}” created.")
            return redirect("settings_sources", slug=actor.workspace.slug)
    return _page(request, actor, form=form, status=400)


@require_POST
@workspace_view(Perm.SOURCES_MANAGE)
def source_rotate(request: HttpRequest, actor: Actor, source_id: int) -> HttpResponse:
    source = do_rotate_write_key(actor, access_source(actor, source_id))
    messages.success(
        request,
        f"New write key for “{source.name}”. The old one keeps working for {GRACE_HOURS} hours.",
    )
    return redirect("settings_sources", slug=actor.workspace.slug)


@require_POST
@workspace_view(Perm.SOURCES_MANAGE)
def source_toggle(request: HttpRequest, actor: Actor, source_id: int) -> HttpResponse:
    source = access_source(actor, source_id)
    do_set_source_enabled(actor, source, enabled=not source.enabled)
    messages.success(
        request, f"“{source.name}” is {'on' if source.enabled else 'off'}: "
        f"{'its events are accepted' if source.enabled else 'its key is refused'}."
    )  # fmt: skip
    return redirect("settings_sources", slug=actor.workspace.slug)
