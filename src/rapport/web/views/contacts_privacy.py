"""Consent, data export and erasure on the contact page."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from rapport.contacts import queries
from rapport.contacts.actions.privacy import (
    do_erase_contact,
    do_export_contact,
    do_record_consent,
    do_set_lifecycle_policy,
    do_set_retention,
)
from rapport.core.actor import Actor
from rapport.core.errors import DomainError
from rapport.core.permissions import Perm
from rapport.web.decorators import workspace_view


@require_POST
@workspace_view(Perm.CONTACTS_MANAGE)
def consent_add(request: HttpRequest, actor: Actor, contact_id: int) -> HttpResponse:
    contact = queries.access_contact(actor, contact_id)
    try:
        do_record_consent(
            actor,
            contact,
            channel=request.POST.get("channel", ""),
            purpose=request.POST.get("purpose", ""),
            granted=request.POST.get("granted") == "yes",
            source=request.POST.get("source", "")[:120],
            wording=request.POST.get("wording", "")[:2000],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Consent recorded.")
    return redirect("contact", slug=actor.workspace.slug, contact_id=contact.pk)


@workspace_view(Perm.CONTACTS_VIEW)
def contact_export(request: HttpRequest, actor: Actor, contact_id: int) -> HttpResponse:
    contact = queries.access_contact(actor, contact_id)
    data = do_export_contact(actor, contact)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="contact-{contact.pk}.json"'
    return response


@require_POST
@workspace_view(Perm.CONTACTS_ERASE)
def contact_erase(request: HttpRequest, actor: Actor, contact_id: int) -> HttpResponse:
    contact = queries.access_contact(actor, contact_id)
    if request.POST.get("confirm") != "ERASE":
        messages.error(request, "Type ERASE to confirm: erasure cannot be undone.")
        return redirect("contact", slug=actor.workspace.slug, contact_id=contact.pk)
    redacted = do_erase_contact(actor, contact)
    messages.success(
        request,
        f"The person is erased; copies were redacted in {len(redacted)} column(s).",
    )
    return redirect("contacts", slug=actor.workspace.slug)


@require_POST
@workspace_view(Perm.CONTACTS_ERASE)
def retention(request: HttpRequest, actor: Actor) -> HttpResponse:
    try:
        months = int(request.POST.get("months", "0"))
        do_set_retention(actor, inactive_months=months)
    except (ValueError, DomainError) as exc:
        messages.error(request, getattr(exc, "message", "Give a whole number of months."))
    else:
        messages.success(request, "Retention policy saved.")
    return redirect("contacts", slug=actor.workspace.slug)


@require_POST
@workspace_view(Perm.WORKSPACE_MANAGE)
def lifecycle_policy(request: HttpRequest, actor: Actor) -> HttpResponse:
    try:
        days = int(request.POST.get("lapsed_after_days", ""))
        factor = float(request.POST.get("cadence_factor", ""))
        do_set_lifecycle_policy(actor, lapsed_after_days=days, cadence_factor=factor)
    except (ValueError, DomainError) as exc:
        messages.error(request, getattr(exc, "message", "Give whole days and a number."))
    else:
        messages.success(request, "Lifecycle policy saved; stages follow at the next daily run.")
    return redirect("contacts", slug=actor.workspace.slug)
