"""Commerce in the UI: the product catalogue (a page of the contacts module) and a
contact's Shopping panel, loaded into the contact page by htmx."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from rapport.commerce import facade, queries
from rapport.contacts import queries as contact_queries
from rapport.core.actor import Actor
from rapport.core.permissions import Perm
from rapport.web.decorators import workspace_view

PAGE = 50
# Column header → (sort key when clicked, the same key read as "this column").
COLUMNS = (
    ("Product", "name"),
    ("Price", "price"),
    ("Views", "-views"),
    ("Added", "-adds"),
    ("Bought", "-purchases"),
    ("Revenue", "-revenue"),
    ("Last seen", "-last_seen"),
)


def _page_number(raw: str) -> int:
    return max(1, min(int(raw), 10_000)) if raw.isdigit() else 1


@workspace_view(Perm.CONTACTS_VIEW)
def product_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Sortable by the column headers; pages by number, because a sort by views or
    revenue has no cursor key and a shop's catalogue is thousands of rows, not
    millions."""
    search = request.GET.get("q", "")[:200]
    sort = request.GET.get("sort", queries.DEFAULT_SORT)
    if sort not in queries.PRODUCT_SORTS:
        sort = queries.DEFAULT_SORT
    page = _page_number(request.GET.get("page", ""))
    offset = (page - 1) * PAGE
    rows = list(queries.list_products(actor, search=search, sort=sort)[offset : offset + PAGE + 1])
    context: dict[str, Any] = {
        "section": "contacts",
        "tab": "products",
        "products": rows[:PAGE],
        "q": search,
        "sort": sort,
        "page": page,
        "has_next": len(rows) > PAGE,
        "columns": [
            {
                "label": label,
                "key": key,
                "current": key == sort,
                "direction": "ascending" if not key.startswith("-") else "descending",
            }
            for label, key in COLUMNS
        ],
    }
    return render(request, "web/contacts/products.html", context)


@workspace_view(Perm.CONTACTS_VIEW)
def contact_shopping(request: HttpRequest, actor: Actor, contact_id: int) -> HttpResponse:
    contact = contact_queries.access_contact(actor, contact_id)
    partial = request.headers.get("HX-Request") == "true"
    return render(
        request,
        "web/contacts/_shopping.html" if partial else "web/contacts/shopping.html",
        {"section": "contacts", "contact": contact, "shop": facade.shopping(actor, contact.pk)},
    )
