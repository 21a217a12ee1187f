"""A contact's enrichment: values with their sources, influence, provider state.
Loaded into the contact page by htmx so a slow panel never slows the page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rapport.contacts import queries
from rapport.core.actor import Actor
from rapport.core.permissions import Perm
from rapport.enrichment import facade
from rapport.enrichment.influence import ENGAGEMENT_SATURATION, WEIGHTS
from rapport.enrichment.providers import provider_class
from rapport.web.decorators import workspace_view

FIELD_LABELS = {
    "gravatar.avatar_url": "Photo",
    "gravatar.display_name": "Name",
    "gravatar.location": "Location (self-described)",
    "gravatar.job_title": "Job title",
    "gravatar.company": "Company",
    "gravatar.description": "About",
    "gravatar.verified_accounts": "Verified accounts",
    "user-agent.browser": "Browser",
    "user-agent.os": "Operating system",
    "user-agent.device": "Device",
    "geoip.country": "Country (from IP)",
    "geoip.network": "Network (from IP)",
    "location.place": "Location",
    "weather.current": "Weather now",
}


def _row(value: Any, now: Any) -> dict[str, Any]:
    key = f"{value.provider}.{value.field}"
    label = FIELD_LABELS.get(key) or value.field.replace("profile.", "").replace("_", " ").title()
    cls = provider_class(value.provider)
    return {
        "key": key,
        "label": label,
        "value": value.value,
        "kind": type(value.value).__name__,
        "provider": cls.label if cls else value.provider,
        "source_ref": value.source_ref,
        "source_is_url": value.source_ref.startswith(("https://", "http://")),
        "fetched_at": value.fetched_at,
        "expires_at": value.expires_at,
        "expired": value.expires_at < now,
        "basis": value.get_lawful_basis_display(),
    }


@workspace_view(Perm.CONTACTS_VIEW)
def contact_enrichment(request: HttpRequest, actor: Actor, contact_id: int) -> HttpResponse:
    contact = queries.access_contact(actor, contact_id)
    panel = facade.panel(actor, contact.pk)
    # htmx loads the panel into the contact page; opened directly, it is a page.
    partial = request.headers.get("HX-Request") == "true"
    return render(
        request,
        "web/contacts/_enrichment.html" if partial else "web/contacts/enrichment.html",
        {
            "section": "contacts",
            "contact": contact,
            "panel": panel,
            "rows": [_row(v, panel.now) for v in panel.values],
            "weights": WEIGHTS,
            "engagement_saturation": f"{ENGAGEMENT_SATURATION:.0%}",
            "can_manage": actor.can(Perm.CONTACTS_MANAGE),
        },
    )


@require_POST
@workspace_view(Perm.CONTACTS_MANAGE)
def contact_enrichment_refresh(request: HttpRequest, actor: Actor, contact_id: int) -> HttpResponse:
    contact = queries.access_contact(actor, contact_id)
    added = facade.refresh(actor, contact.pk)
    if added:
        messages.success(
            request, f"Asked {added} provider(s) again; values update in the background."
        )
    elif not facade.network_enabled():
        messages.warning(
            request,
            "Network enrichment is off on this server (RAPPORT_ENRICHMENT_NETWORK=1 turns it on).",
        )
    else:
        messages.info(request, "Every provider is already queued for this contact.")
    return redirect("contact", slug=actor.workspace.slug, contact_id=contact.pk)
