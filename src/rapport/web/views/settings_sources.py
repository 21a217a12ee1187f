"""Settings → Sources: the websites, apps and servers that send events, with their
write keys and how to install each; create, rotate a key, switch a source off and
on; the workspace's tracking settings (consent, Do-Not-Track, IP, timings)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
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
    do_update_tracking_settings,
)
from rapport.tracking.facade import access_source, list_sources, tracking_settings
from rapport.tracking.models import Source, SourceKind, TrackingSettings
from rapport.web.decorators import workspace_view
from rapport.web.forms import SourceForm, show_error

GRACE_HOURS = int(ROTATION_GRACE.total_seconds() // 3600)


class TrackingSettingsForm(forms.Form):
    require_consent = forms.BooleanField(
        required=False,
        label="Ask for consent first",
        help_text="rapport.js sends nothing (and sets no cookie) until the visitor accepts",
    )
    respect_dnt = forms.BooleanField(
        required=False,
        label="Respect Do-Not-Track",
        help_text="rapport.js sends and stores nothing when the browser asks not to be tracked",
    )
    store_ip = forms.BooleanField(
        required=False,
        label="Keep IP addresses",
        help_text="the country is derived either way; the raw address only if this is on",
    )
    cart_abandoned_after_minutes = forms.IntegerField(
        min_value=1, max_value=43_200, label="Cart abandoned after (minutes)"
    )
    long_absence_days = forms.IntegerField(
        min_value=1, max_value=3_650, label="Long absence after (days)"
    )

    @staticmethod
    def of(prefs: TrackingSettings) -> TrackingSettingsForm:
        return TrackingSettingsForm(initial={name: getattr(prefs, name) for name in FIELDS})


FIELDS = list(TrackingSettingsForm.base_fields)


@dataclass(frozen=True)
class Snippet:
    key: str  # part of the element id the copy button points at
    label: str
    text: str


def snippets(source: Source, base_url: str) -> list[Snippet]:
    """How to send this source's events to this Rapport: a script tag for a website;
    curl and the Segment server libraries (host set to this Rapport) for the rest."""
    key = source.write_key
    if source.kind == SourceKind.WEBSITE:
        return [
            Snippet(
                "web",
                "Paste into every page, before </body>",
                f'<script src="{base_url}{static("rapport/rapport.js")}" '
                f'data-write-key="{key}" data-host="{base_url}" data-auto-page="true" '
                "defer></script>",
            )
        ]
    event = {
        "userId": "customer-1001",
        "event": "Order Completed",
        "properties": {"order_id": "50314", "total": 27.5, "currency": "EUR"},
    }
    return [
        Snippet(
            "curl",
            "Any HTTP client: the write key is the Basic user, with no password",
            f"curl {base_url}/v1/track \\\n  -u '{key}:' \\\n"
            "  -H 'Content-Type: application/json' \\\n"
            f"  -d '{json.dumps(event)}'",
        ),
        Snippet(
            "python",
            "Python: analytics-python (pip install segment-analytics-python)",
            f"import segment.analytics as analytics\n\nanalytics.write_key = '{key}'\n"
            f"analytics.host = '{base_url}'",
        ),
        Snippet(
            "node",
            "Node.js: analytics-node (npm install @segment/analytics-node)",
            "import { Analytics } from '@segment/analytics-node'\n\n"
            f"const analytics = new Analytics({{ writeKey: '{key}', host: '{base_url}' }})",
        ),
    ]


def _page(
    request: HttpRequest,
    actor: Actor,
    form: SourceForm | None = None,
    settings_form: TrackingSettingsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    base_url = request.build_absolute_uri("/").rstrip("/")
    sources = list_sources(actor)
    context = {
        "section": "settings",
        "page": "settings_sources",
        "sources": [(s, snippets(s, base_url)) for s in sources],
        "form": form or SourceForm(initial={"kind": SourceKind.WEBSITE}),
        "settings_form": settings_form or TrackingSettingsForm.of(tracking_settings(actor)),
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
def tracking_settings_update(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = TrackingSettingsForm(request.POST)
    if form.is_valid():
        try:
            do_update_tracking_settings(actor, **{n: form.cleaned_data[n] for n in FIELDS})
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, "Tracking settings saved.")
            return redirect("settings_sources", slug=actor.workspace.slug)
    return _page(request, actor, settings_form=form, status=400)


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
