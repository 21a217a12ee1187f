"""Settings → Sources → live events (a debugger: a source's newest events, and the
quarantined ones with their reason, as they arrive) and the quarantine browser.

Event text is whatever a browser sent: the templates show it only as escaped text,
never as a link or markup."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache

from rapport.core.actor import Actor
from rapport.core.errors import DomainError
from rapport.core.permissions import Perm
from rapport.tracking.facade import access_source, list_sources
from rapport.tracking.queries import (
    LIVE_LIMIT,
    quarantine_page,
    quarantine_reasons,
    source_feed,
)
from rapport.web.decorators import workspace_view

QUARANTINE_PAGE = 25
# Ids beyond a 64-bit integer cannot exist; a larger "after" is someone's typo.
MAX_ID = 2**63 - 1


class QuarantineFilterForm(forms.Form):
    source = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    reason = forms.CharField(max_length=300, required=False)
    cursor = forms.CharField(max_length=200, required=False)


def _after(request: HttpRequest, name: str) -> int:
    """An id the page has already shown; anything unreadable counts as none yet."""
    raw = request.GET.get(name, "")
    return min(int(raw), MAX_ID) if raw.isdigit() else 0


def _hx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# Event payloads can carry personal data: keep them out of every cache.
@never_cache
@workspace_view(Perm.SOURCES_VIEW)
def source_events(request: HttpRequest, actor: Actor, source_id: int) -> HttpResponse:
    source = access_source(actor, source_id)
    feed = source_feed(
        actor,
        source,
        after_event=_after(request, "after"),
        after_quarantined=_after(request, "qafter"),
    )
    if _hx(request) and not feed.items:
        # htmx swaps nothing on a 204: the poller stays as it is and asks again.
        return HttpResponse(status=204)
    poll_url = reverse("settings_source_events", args=[actor.workspace.slug, source.pk])
    query = urlencode({"after": feed.last_event_id, "qafter": feed.last_quarantined_id})
    context = {
        "section": "settings",
        "page": "settings_sources",
        "source": source,
        "feed": feed,
        "limit": LIVE_LIMIT,
        "poll_url": f"{poll_url}?{query}",
    }
    if _hx(request):
        return render(request, "web/settings/_source_events_rows.html", context)
    return render(request, "web/settings/source_events.html", context)


@never_cache
@workspace_view(Perm.SOURCES_VIEW)
def quarantine(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = QuarantineFilterForm(request.GET)
    error = ""
    rows: list[Any] = []
    next_cursor = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            page = quarantine_page(
                actor,
                source_id=data["source"],
                reason=data["reason"].strip() or None,
                cursor=data["cursor"] or None,
                limit=QUARANTINE_PAGE,
            )
        except DomainError as exc:
            error = exc.message
        else:
            rows, next_cursor = page.items, page.next_cursor
    else:
        error = "Check the filters: " + "; ".join(
            f"{name}: {' '.join(str(e) for e in errs)}" for name, errs in form.errors.items()
        )
    query = request.GET.copy()
    query.pop("cursor", None)
    if next_cursor:
        query["cursor"] = next_cursor
    context = {
        "section": "settings",
        "page": "settings_sources",
        "form": form,
        "rows": rows,
        "next_query": query.urlencode() if next_cursor else "",
        "sources": list_sources(actor),
        "reasons": quarantine_reasons(actor),
        "error": error,
    }
    if _hx(request):
        return render(request, "web/settings/_quarantine_rows.html", context)
    return render(request, "web/settings/quarantine.html", context, status=400 if error else 200)
