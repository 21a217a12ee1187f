"""Companies, a page of the contacts module: the list (name, domain, how many
contacts), create, and one company with its contacts."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rapport.contacts import queries
from rapport.contacts.actions.companies import do_create_company, do_update_company
from rapport.contacts.models import Company
from rapport.core.actor import Actor
from rapport.core.errors import DomainError
from rapport.core.pagination import paginate
from rapport.core.permissions import Perm
from rapport.web.decorators import workspace_view
from rapport.web.forms import CompanyForm, show_error

PAGE = 50


def _paged(request: HttpRequest, qs: Any, descending: bool) -> tuple[list[Any], str, str]:
    """One page of ``qs`` by id, the query string of the next one, and an error."""
    try:
        page = paginate(
            qs, key="id", descending=descending, cursor=request.GET.get("cursor") or None,
            limit=PAGE,
        )  # fmt: skip
    except DomainError as exc:
        return [], "", exc.message
    params = request.GET.copy()
    params.pop("cursor", None)
    if page.next_cursor:
        params["cursor"] = page.next_cursor
        return page.items, params.urlencode(), ""
    return page.items, "", ""


def _list_page(
    request: HttpRequest, actor: Actor, form: CompanyForm | None = None, status: int = 200
) -> HttpResponse:
    search = request.GET.get("q", "")[:200]
    rows, next_query, error = _paged(
        request, queries.list_companies(actor, search=search), descending=False
    )
    context = {
        "section": "contacts",
        "tab": "companies",
        "companies": rows,
        "next_query": next_query,
        "error": error,
        "q": search,
        "form": form or CompanyForm(),
        "can_manage": actor.can(Perm.CONTACTS_MANAGE),
    }
    return render(request, "web/contacts/companies.html", context, status=status)


def _detail_page(
    request: HttpRequest,
    actor: Actor,
    company: Company,
    form: CompanyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    rows, next_query, error = _paged(
        request, queries.list_contacts(actor, company_id=company.pk), descending=True
    )
    context = {
        "section": "contacts",
        "tab": "companies",
        "company": company,
        "contacts": rows,
        "next_query": next_query,
        "error": error,
        "form": form or CompanyForm(initial={"name": company.name, "domain": company.domain}),
        "can_manage": actor.can(Perm.CONTACTS_MANAGE),
    }
    return render(request, "web/contacts/company.html", context, status=status)


@workspace_view(Perm.CONTACTS_VIEW)
def company_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _list_page(request, actor)


@require_POST
@workspace_view(Perm.CONTACTS_MANAGE)
def company_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = CompanyForm(request.POST)
    if form.is_valid():
        try:
            company = do_create_company(
                actor, name=form.cleaned_data["name"], domain=form.cleaned_data["domain"]
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, f"Company {company.name} added.")
            return redirect("contact_company", slug=actor.workspace.slug, company_id=company.pk)
    return _list_page(request, actor, form, status=400)


@workspace_view(Perm.CONTACTS_VIEW)
def company_detail(request: HttpRequest, actor: Actor, company_id: int) -> HttpResponse:
    return _detail_page(request, actor, queries.access_company(actor, company_id))


@require_POST
@workspace_view(Perm.CONTACTS_MANAGE)
def company_edit(request: HttpRequest, actor: Actor, company_id: int) -> HttpResponse:
    company = queries.access_company(actor, company_id)
    form = CompanyForm(request.POST)
    if form.is_valid():
        try:
            do_update_company(
                actor, company, name=form.cleaned_data["name"], domain=form.cleaned_data["domain"]
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, "Company saved.")
            return redirect("contact_company", slug=actor.workspace.slug, company_id=company.pk)
    return _detail_page(request, actor, queries.access_company(actor, company_id), form, 400)
