"""A contact's tracked activity: what it adds up to, the recent visits and the
events, newest first. Loaded into the contact page by htmx (like enrichment) so
the page never waits for it; opened directly, it is a page of its own."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rapport.contacts import queries as contacts
from rapport.core.actor import Actor
from rapport.core.errors import DomainError
from rapport.core.permissions import Perm
from rapport.tracking import queries
from rapport.tracking.spec import TYPES
from rapport.web.decorators import workspace_view

EVENTS_PAGE = 20
SESSIONS_SHOWN = 10


class EventFilterForm(forms.Form):
    type = forms.ChoiceField(choices=[("", "Every type"), *((t, t) for t in TYPES)], required=False)
    name = forms.CharField(max_length=200, required=False)
    cursor = forms.CharField(max_length=200, required=False)


@workspace_view(Perm.CONTACTS_VIEW)
def contact_activity(request: HttpRequest, actor: Actor, contact_id: int) -> HttpResponse:
    contact = contacts.access_contact(actor, contact_id)
    form = EventFilterForm(request.GET)
    events: list[Any] = []
    next_cursor = None
    error = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            page = queries.contact_events_page(
                actor,
                contact.pk,
                event_type=data["type"] or None,
                name=data["name"].strip() or None,
                cursor=data["cursor"] or None,
                limit=EVENTS_PAGE,
            )
        except DomainError as exc:
            error = exc.message
        else:
            events, next_cursor = page.items, page.next_cursor
    else:
        error = "Check the filters: " + "; ".join(
            f"{name}: {' '.join(str(e) for e in errs)}" for name, errs in form.errors.items()
        )
    query = request.GET.copy()
    query.pop("cursor", None)
    query["part"] = "events"
    if next_cursor:
        query["cursor"] = next_cursor
    context = {
        "section": "contacts",
        "contact": contact,
        "form": form,
        "types": TYPES,
        "events": events,
        "events_error": error,
        "next_query": query.urlencode() if next_cursor else "",
    }
    partial = request.headers.get("HX-Request") == "true"
    if partial and request.GET.get("part") == "events":
        # "Load more" and the filters replace only the list.
        return render(request, "web/contacts/_activity_events.html", context)
    context["activity"] = queries.contact_activity(actor, contact.pk)
    context["sessions"] = queries.contact_sessions(actor, contact.pk, limit=SESSIONS_SHOWN)
    return render(
        request,
        "web/contacts/_activity.html" if partial else "web/contacts/activity.html",
        context,
        status=400 if error and not partial else 200,
    )
