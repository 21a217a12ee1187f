"""Settings → Audit log: every write, filterable; "Load more" appends the next
cursor page through htmx."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from rapport.core.actor import Actor
from rapport.core.errors import DomainError
from rapport.core.permissions import Perm
from rapport.core.queries import audit_facets, audit_page
from rapport.web.decorators import workspace_view
from rapport.web.forms import AuditFilterForm

PAGE_SIZE = 25


def _day_start(day: object) -> datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.combine(day, time.min))  # type: ignore[arg-type]


@workspace_view(Perm.AUDIT_VIEW)
def audit(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    error = ""
    entries: list[object] = []
    next_cursor = None
    if form.is_valid():
        data = form.cleaned_data
        until = _day_start(data["until"])
        try:
            page = audit_page(
                actor,
                action=data["action"] or None,
                actor_query=data["actor"] or None,
                object_type=data["object_type"] or None,
                since=_day_start(data["since"]),
                # "until" is inclusive of that day for people, exclusive for the query.
                until=until + timedelta(days=1) if until else None,
                cursor=data["cursor"] or None,
                limit=PAGE_SIZE,
            )
        except DomainError as exc:
            error = exc.message
        else:
            entries, next_cursor = list(page.items), page.next_cursor
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
        "page": "settings_audit",
        "form": form,
        "entries": entries,
        "next_query": query.urlencode() if next_cursor else "",
        "facets": audit_facets(actor),
        "error": error,
    }
    if request.headers.get("HX-Request"):
        return render(request, "web/settings/_audit_rows.html", context)
    return render(request, "web/settings/audit.html", context, status=400 if error else 200)
