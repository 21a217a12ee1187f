"""Merging contacts by hand, undoing merges, and reviewing duplicate suggestions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rapport.contacts import queries
from rapport.contacts.actions.merges import do_dismiss_suggestion, do_merge_contacts, do_unmerge
from rapport.contacts.merge_preview import preview_merge
from rapport.contacts.models import Contact, Identity
from rapport.core.actor import Actor
from rapport.core.errors import DomainError
from rapport.core.permissions import Perm
from rapport.web.decorators import workspace_view
from rapport.web.forms import MergeForm


def _find_other(actor: Actor, text: str) -> Contact:
    text = text.strip().lstrip("#")
    if text.isdigit():
        return queries.access_contact(actor, int(text))
    identity = Identity.objects.for_workspace(actor.workspace).filter(value=text.lower()).first()
    if identity is None:
        raise Http404("No contact with that id or identity")
    return queries.access_contact(actor, identity.contact_id)


@require_POST
@workspace_view(Perm.CONTACTS_MANAGE)
def contact_merge(request: HttpRequest, actor: Actor, contact_id: int) -> HttpResponse:
    contact = queries.access_contact(actor, contact_id)
    form = MergeForm(request.POST)
    target = contact
    if not form.is_valid():
        messages.error(request, "Say which contact to merge with (its id or email).")
    else:
        try:
            other = _find_other(actor, form.cleaned_data["other"])
            record = do_merge_contacts(actor, contact, other)
        except Http404:
            messages.error(request, "No contact has that id or identity.")
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            target = Contact.objects.for_workspace(actor.workspace).get(pk=record.winner_id)
            messages.success(request, f"Merged #{record.loser_id} into this contact.")
    return redirect("contact", slug=actor.workspace.slug, contact_id=target.pk)


@workspace_view(Perm.CONTACTS_MANAGE)
def contact_merge_preview(request: HttpRequest, actor: Actor, contact_id: int) -> HttpResponse:
    """The merge dialog: pick the other contact, then see both people side by side
    and what the merge would do before confirming it."""
    contact = queries.access_contact(actor, contact_id)
    form = MergeForm(request.GET) if "other" in request.GET else MergeForm()
    context: dict[str, Any] = {"section": "contacts", "contact": contact, "merge_form": form}
    if not form.is_bound:
        return render(request, "web/contacts/merge_preview.html", context)
    status = 200
    if not form.is_valid():
        context["error"], status = "Say which contact to merge with (its id or email).", 400
    else:
        try:
            other = _find_other(actor, form.cleaned_data["other"])
            context.update(other=other, p=preview_merge(actor, contact, other))
        except Http404:
            context["error"], status = "No contact has that id or identity.", 404
        except DomainError as exc:
            context["error"], status = exc.message, 409
    return render(request, "web/contacts/merge_preview.html", context, status=status)


@require_POST
@workspace_view(Perm.CONTACTS_MANAGE)
def merge_undo(request: HttpRequest, actor: Actor, merge_id: int) -> HttpResponse:
    record = queries.access_merge(actor, merge_id)
    try:
        restored = do_unmerge(actor, record)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("contact", slug=actor.workspace.slug, contact_id=record.winner_id)
    messages.success(request, f"Merge undone: {restored.display_name} is separate again.")
    return redirect("contact", slug=actor.workspace.slug, contact_id=restored.pk)


@workspace_view(Perm.CONTACTS_VIEW)
def duplicates(request: HttpRequest, actor: Actor) -> HttpResponse:
    suggestions = list(queries.open_suggestions(actor)[:50])
    pairs = [
        (
            s,
            [(c, list(queries.identities_of(actor, c))) for c in (s.first, s.second)],
        )
        for s in suggestions
    ]
    return render(
        request,
        "web/contacts/duplicates.html",
        {"section": "contacts", "pairs": pairs, "can_manage": actor.can(Perm.CONTACTS_MANAGE)},
    )


@require_POST
@workspace_view(Perm.CONTACTS_MANAGE)
def duplicate_merge(request: HttpRequest, actor: Actor, suggestion_id: int) -> HttpResponse:
    suggestion = queries.access_suggestion(actor, suggestion_id)
    try:
        record = do_merge_contacts(actor, suggestion.first, suggestion.second)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("contact_duplicates", slug=actor.workspace.slug)
    messages.success(request, "Merged. You can undo it from the contact's page.")
    return redirect("contact", slug=actor.workspace.slug, contact_id=record.winner_id)


@require_POST
@workspace_view(Perm.CONTACTS_MANAGE)
def duplicate_dismiss(request: HttpRequest, actor: Actor, suggestion_id: int) -> HttpResponse:
    do_dismiss_suggestion(actor, queries.access_suggestion(actor, suggestion_id))
    messages.success(request, "Dismissed: they stay two people.")
    return redirect("contact_duplicates", slug=actor.workspace.slug)
