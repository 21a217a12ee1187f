"""Settings → Contact fields: the typed custom fields every contact of the
workspace can have. Everyone who reads contacts sees them; admins define them."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rapport.contacts import queries
from rapport.contacts.actions.fields import do_create_field, do_delete_field, do_update_field
from rapport.contacts.models import CustomField, FieldType
from rapport.core.actor import Actor
from rapport.core.errors import DomainError
from rapport.core.permissions import Perm
from rapport.web.decorators import workspace_view
from rapport.web.forms import ContactFieldEditForm, ContactFieldForm, show_error

PAGE = "settings_contact_fields"


def _list_page(
    request: HttpRequest, actor: Actor, form: ContactFieldForm | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "section": "settings",
        "page": PAGE,
        "fields": queries.list_field_definitions(actor),
        "form": form or ContactFieldForm(),
        "can_manage": actor.can(Perm.WORKSPACE_MANAGE),
    }
    return render(request, "web/settings/contact_fields.html", context, status=status)


def _edit_form(field: CustomField, data: object = None) -> ContactFieldEditForm:
    form = ContactFieldEditForm(
        data,  # type: ignore[arg-type]
        initial={
            "label": field.label,
            "choices": "\n".join(field.choices),
            "required": field.required,
            "position": field.position,
        },
    )
    if field.type != FieldType.CHOICE:
        del form.fields["choices"]
    return form


def _detail_page(
    request: HttpRequest,
    actor: Actor,
    field: CustomField,
    form: ContactFieldEditForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "section": "settings",
        "page": PAGE,
        "definition": field,
        "form": form or _edit_form(field),
    }
    return render(request, "web/settings/contact_field.html", context, status=status)


@workspace_view(Perm.CONTACTS_VIEW)
def contact_fields(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _list_page(request, actor)


@require_POST
@workspace_view(Perm.WORKSPACE_MANAGE)
def contact_field_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = ContactFieldForm(request.POST)
    if form.is_valid():
        try:
            field = do_create_field(
                actor,
                key=form.cleaned_data["key"],
                label=form.cleaned_data["label"],
                type=form.cleaned_data["type"],
                choices=form.choice_list(),
                required=form.cleaned_data["required"],
                position=form.cleaned_data["position"],
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, f"Field {field.label} added.")
            return redirect(PAGE, slug=actor.workspace.slug)
    return _list_page(request, actor, form, status=400)


@workspace_view(Perm.WORKSPACE_MANAGE)
def contact_field_detail(request: HttpRequest, actor: Actor, field_id: int) -> HttpResponse:
    return _detail_page(request, actor, queries.access_field(actor, field_id))


@require_POST
@workspace_view(Perm.WORKSPACE_MANAGE)
def contact_field_edit(request: HttpRequest, actor: Actor, field_id: int) -> HttpResponse:
    field = queries.access_field(actor, field_id)
    form = _edit_form(field, request.POST)
    if form.is_valid():
        try:
            do_update_field(
                actor,
                field,
                label=form.cleaned_data["label"],
                choices=form.choice_list() if field.type == FieldType.CHOICE else None,
                required=form.cleaned_data["required"],
                position=form.cleaned_data["position"],
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, f"Field {field.label} saved.")
            return redirect(PAGE, slug=actor.workspace.slug)
    return _detail_page(request, actor, queries.access_field(actor, field_id), form, status=400)


@require_POST
@workspace_view(Perm.WORKSPACE_MANAGE)
def contact_field_delete(request: HttpRequest, actor: Actor, field_id: int) -> HttpResponse:
    field = queries.access_field(actor, field_id)
    label = field.label
    removed = do_delete_field(actor, field)
    messages.success(
        request,
        f"Field {label} deleted" + (f", with its value on {removed} contacts." if removed else "."),
    )
    return redirect(PAGE, slug=actor.workspace.slug)
