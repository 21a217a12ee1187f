"""One contact: profile, identities, lifecycle, timeline, notes, tasks, merges."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rapport.contacts import custom_fields, queries
from rapport.contacts.actions.people import (
    do_add_identity,
    do_add_note,
    do_add_task,
    do_complete_task,
    do_update_contact,
)
from rapport.contacts.actions.privacy import current_consents
from rapport.contacts.facade import timeline_page
from rapport.contacts.models import Channel, Contact, CustomField, Purpose
from rapport.core.actor import Actor
from rapport.core.errors import DomainError
from rapport.core.permissions import Perm
from rapport.web.decorators import workspace_view
from rapport.web.forms import (
    ContactEditForm,
    IdentityForm,
    MergeForm,
    NoteForm,
    TaskForm,
    show_error,
)

TIMELINE_PAGE = 20


@dataclass(frozen=True)
class CustomRow:
    """One custom field on the contact page: its definition, the value as an input
    holds it, as it reads, and what was wrong with a submitted one."""

    field: CustomField
    value: str
    shown: str
    error: str = ""

    @property
    def name(self) -> str:
        return f"cf_{self.field.key}"


def _custom_rows(
    fields: list[CustomField],
    stored: dict[str, Any],
    submitted: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> list[CustomRow]:
    submitted, errors = submitted or {}, errors or {}
    return [
        CustomRow(
            field=f,
            value=submitted.get(f.key, custom_fields.form_value(f, stored.get(f.key))),
            shown=custom_fields.display(f, stored.get(f.key)),
            error=errors.get(f.key, ""),
        )
        for f in fields
    ]


def _fields_context(actor: Actor, contact: Contact) -> dict[str, Any]:
    companies = queries.company_choices(actor)
    if contact.company_id and contact.company and contact.company_id not in dict(companies):
        companies.append((contact.company_id, contact.company.name))
    return {
        "custom_rows": _custom_rows(custom_fields.definitions(actor.workspace), contact.custom),
        "custom_error": "",
        "company_choices": companies,
        "company_error": "",
        "can_define_fields": actor.can(Perm.WORKSPACE_MANAGE),
    }


def _context(request: HttpRequest, actor: Actor, contact: Contact) -> dict[str, Any]:
    kind = request.GET.get("kind", "")[:40]
    try:
        page = timeline_page(
            actor, contact, kind=kind or None, cursor=request.GET.get("cursor") or None,
            limit=TIMELINE_PAGE,
        )  # fmt: skip
        entries, next_cursor, error = page.items, page.next_cursor, ""
    except DomainError as exc:
        entries, next_cursor, error = [], None, exc.message
    params = request.GET.copy()
    params.pop("cursor", None)
    if next_cursor:
        params["cursor"] = next_cursor
    return {
        "section": "contacts",
        "contact": contact,
        "identities": queries.identities_of(actor, contact),
        "notes": queries.notes_of(actor, contact)[:50],
        "tasks": queries.tasks_of(actor, contact)[:50],
        "merges": queries.merges_of(actor, contact)[:20],
        "entries": entries,
        "kind": kind,
        "timeline_kinds": queries.timeline_kinds(actor, contact),
        "timeline_error": error,
        "next_query": params.urlencode() if next_cursor else "",
        "can_manage": actor.can(Perm.CONTACTS_MANAGE),
        "can_erase": actor.can(Perm.CONTACTS_ERASE),
        "consents": sorted(current_consents(contact).values(), key=lambda c: c.channel),
        "channels": Channel.choices,
        "purposes": Purpose.choices,
        "edit_form": ContactEditForm(
            initial={
                "full_name": contact.full_name,
                "city": contact.city,
                "country": contact.country,
                "locale": contact.locale,
                "tags": ", ".join(contact.tags),
            }
        ),
        "identity_form": IdentityForm(),
        "note_form": NoteForm(),
        "task_form": _task_form(actor),
        "merge_form": MergeForm(),
        **_fields_context(actor, contact),
    }


def _page(
    request: HttpRequest, actor: Actor, contact: Contact, status: int = 200, **forms: Any
) -> HttpResponse:
    context = _context(request, actor, contact)
    context.update(forms)
    return render(request, "web/contacts/detail.html", context, status=status)


def _task_form(actor: Actor, data: Any = None) -> TaskForm:
    members = queries.assignable_members(actor) if actor.can(Perm.CONTACTS_MANAGE) else []
    me = actor.membership.pk if actor.membership else None
    return TaskForm(data, members=members, me=me)


def _back(actor: Actor, contact: Contact) -> HttpResponse:
    return redirect("contact", slug=actor.workspace.slug, contact_id=contact.pk)


@workspace_view(Perm.CONTACTS_VIEW)
def contact_detail(request: HttpRequest, actor: Actor, contact_id: int) -> HttpResponse:
    contact = queries.access_contact(actor, contact_id)
    if request.headers.get("HX-Request"):
        return render(request, "web/contacts/_timeline.html", _context(request, actor, contact))
    return _page(request, actor, contact)


@require_POST
@workspace_view(Perm.CONTACTS_MANAGE)
def contact_edit(request: HttpRequest, actor: Actor, contact_id: int) -> HttpResponse:
    contact = queries.access_contact(actor, contact_id)
    form = ContactEditForm(request.POST)
    if form.is_valid():
        try:
            do_update_contact(
                actor,
                contact,
                full_name=form.cleaned_data["full_name"],
                city=form.cleaned_data["city"],
                country=form.cleaned_data["country"],
                locale=form.cleaned_data["locale"],
                tags=form.tag_list(),
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, "Saved.")
            return _back(actor, contact)
    return _page(request, actor, contact, status=400, edit_form=form)


@require_POST
@workspace_view(Perm.CONTACTS_MANAGE)
def identity_add(request: HttpRequest, actor: Actor, contact_id: int) -> HttpResponse:
    contact = queries.access_contact(actor, contact_id)
    form = IdentityForm(request.POST)
    if form.is_valid():
        try:
            result = do_add_identity(
                actor, contact, kind=form.cleaned_data["kind"], value=form.cleaned_data["value"],
                region=actor.workspace.phone_region,
            )  # fmt: skip
        except DomainError as exc:
            show_error(form, exc)
        else:
            if result.merges:
                messages.success(
                    request, "That identity belonged to another contact: the two are merged."
                )
            return _back(actor, result.contact)
    return _page(request, actor, contact, status=400, identity_form=form)


@require_POST
@workspace_view(Perm.CONTACTS_MANAGE)
def note_add(request: HttpRequest, actor: Actor, contact_id: int) -> HttpResponse:
    contact = queries.access_contact(actor, contact_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            do_add_note(actor, contact, body=form.cleaned_data["body"])
        except DomainError as exc:
            show_error(form, exc)
        else:
            return _back(actor, contact)
    return _page(request, actor, contact, status=400, note_form=form)


@require_POST
@workspace_view(Perm.CONTACTS_MANAGE)
def task_add(request: HttpRequest, actor: Actor, contact_id: int) -> HttpResponse:
    from datetime import datetime, time

    from django.utils import timezone

    contact = queries.access_contact(actor, contact_id)
    form = _task_form(actor, request.POST)
    if form.is_valid():
        day = form.cleaned_data["due_at"]
        due = timezone.make_aware(datetime.combine(day, time(9))) if day else None
        try:
            do_add_task(actor, contact, title=form.cleaned_data["title"], due_at=due,
                        assignee_id=form.cleaned_data["assignee"])  # fmt: skip
        except DomainError as exc:
            show_error(form, exc)
        else:
            return _back(actor, contact)
    return _page(request, actor, contact, status=400, task_form=form)


@require_POST
@workspace_view(Perm.CONTACTS_MANAGE)
def task_toggle(request: HttpRequest, actor: Actor, task_id: int) -> HttpResponse:
    task = queries.access_task(actor, task_id)
    do_complete_task(actor, task, done=not task.done)
    return redirect("contact", slug=actor.workspace.slug, contact_id=task.contact_id)


@require_POST
@workspace_view(Perm.CONTACTS_MANAGE)
def contact_custom(request: HttpRequest, actor: Actor, contact_id: int) -> HttpResponse:
    """Save the custom field values of the form; fields not in it are kept."""
    contact = queries.access_contact(actor, contact_id)
    fields = custom_fields.definitions(actor.workspace)
    submitted = {
        f.key: request.POST[f"cf_{f.key}"] for f in fields if f"cf_{f.key}" in request.POST
    }
    try:
        do_update_contact(actor, contact, custom=submitted)
    except custom_fields.CustomValuesInvalid as exc:
        rows = _custom_rows(fields, contact.custom, submitted, exc.errors)
        return _page(request, actor, contact, status=400, custom_rows=rows,
                     custom_error="Some fields need another value.")  # fmt: skip
    except DomainError as exc:
        rows = _custom_rows(fields, contact.custom, submitted)
        return _page(request, actor, contact, status=400, custom_rows=rows,
                     custom_error=exc.message)  # fmt: skip
    messages.success(request, "Saved.")
    return _back(actor, contact)


@require_POST
@workspace_view(Perm.CONTACTS_MANAGE)
def contact_company(request: HttpRequest, actor: Actor, contact_id: int) -> HttpResponse:
    """Set (or, with a blank choice, unset) the contact's company."""
    contact = queries.access_contact(actor, contact_id)
    raw = request.POST.get("company")
    if raw is None:
        return _page(request, actor, contact, status=400, company_error="Choose a company.")
    try:
        company_id = int(raw) if raw.strip() else None
        do_update_contact(actor, contact, company_id=company_id)
    except ValueError:
        return _page(request, actor, contact, status=400, company_error="Choose a company.")
    except DomainError as exc:
        return _page(request, actor, contact, status=400, company_error=exc.message)
    messages.success(request, "Saved.")
    return _back(actor, contact)
