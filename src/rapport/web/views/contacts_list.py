"""Contacts: the searchable list (htmx filters and "Load more") and quick create."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rapport.contacts import queries
from rapport.contacts.actions.people import do_create_contact
from rapport.contacts.models import Channel, Lifecycle, Purpose
from rapport.contacts.resolution import Claim
from rapport.core.actor import Actor
from rapport.core.errors import DomainError
from rapport.core.pagination import paginate
from rapport.core.permissions import Perm
from rapport.web.decorators import workspace_view
from rapport.web.forms import ContactCreateForm, show_error

PAGE = 30


def list_filters(request: HttpRequest) -> dict[str, Any]:
    """The list's filters from the query string, as ``queries.list_contacts`` takes
    them (the list, its htmx rows and the CSV export read them the same way)."""
    stage = request.GET.get("lifecycle", "")
    field = request.GET.get("field", "")[:40]
    return {
        "search": request.GET.get("q", "")[:200] or None,
        "lifecycle": stage if stage in Lifecycle.values else None,
        "tag": request.GET.get("tag", "")[:40] or None,
        "field": field or None,
        "value": request.GET.get("value", "")[:200] if field else None,
        "consent": request.GET.get("consent", "")[:40] or None,
    }


def _list_context(request: HttpRequest, actor: Actor) -> dict[str, Any]:
    filters = list_filters(request)
    error = ""
    try:
        qs = queries.list_contacts(actor, **filters)
        page = paginate(
            qs, key="id", descending=True, cursor=request.GET.get("cursor") or None, limit=PAGE
        )
        rows, next_cursor = page.items, page.next_cursor
    except DomainError as exc:
        rows, next_cursor, error = [], None, exc.message
    params = request.GET.copy()
    params.pop("cursor", None)
    base_query = params.urlencode()
    if next_cursor:
        params["cursor"] = next_cursor
    return {
        "section": "contacts",
        "contacts": rows,
        "next_query": params.urlencode() if next_cursor else "",
        "q": filters["search"] or "",
        "lifecycle": filters["lifecycle"] or "",
        "tag": filters["tag"] or "",
        "field": filters["field"] or "",
        "value": filters["value"] or "",
        "consent": filters["consent"] or "",
        "consent_choices": [
            (f"{c}:{p}", f"{cl}, {pl}") for c, cl in Channel.choices for p, pl in Purpose.choices
        ],
        "custom_fields": queries.list_field_definitions(actor),
        "stages": Lifecycle.choices,
        "base_query": base_query,
        "error": error,
        "suggestion_count": queries.open_suggestions(actor).count(),
        "can_manage": actor.can(Perm.CONTACTS_MANAGE),
        "can_erase": actor.can(Perm.CONTACTS_ERASE),
        "retention_months": queries.retention_months(actor),
        "lifecycle_policy": queries.lifecycle_policy(actor),
        "can_set_policy": actor.can(Perm.WORKSPACE_MANAGE),
    }


@workspace_view(Perm.CONTACTS_VIEW)
def contact_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    context = _list_context(request, actor)
    if request.headers.get("HX-Request"):
        return render(request, "web/contacts/_rows.html", context)
    context["form"] = ContactCreateForm()
    return render(request, "web/contacts/list.html", context)


@require_POST
@workspace_view(Perm.CONTACTS_MANAGE)
def contact_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = ContactCreateForm(request.POST)
    if form.is_valid():
        claims = [Claim("email", form.cleaned_data["email"])] if form.cleaned_data["email"] else []
        if form.cleaned_data["phone"]:
            claims.append(Claim("phone", form.cleaned_data["phone"]))
        try:
            result = do_create_contact(
                actor,
                identities=claims,
                region=actor.workspace.phone_region,
                full_name=form.cleaned_data["full_name"],
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            if not result.created:
                messages.info(request, "That person is already here: this is their page.")
            return redirect("contact", slug=actor.workspace.slug, contact_id=result.contact.pk)
    context = _list_context(request, actor)
    context["form"] = form
    return render(request, "web/contacts/list.html", context, status=400)
