"""Reads for the UI and the API. Each takes an ``Actor``, checks its permission and
scopes to its workspace; commerce data is customer data, so it is read with
``contacts.view``."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from rapport.core.actor import Actor
from rapport.core.permissions import Perm

from .models import Order, OrderItem, OrderStatus, Product

# The catalogue's sort keys: the key in the URL → the ordering (id last, so a page
# boundary between equal values is stable).
PRODUCT_SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name", "key", "id"),
    "-views": ("-views", "name", "id"),
    "-adds": ("-adds", "name", "id"),
    "-purchases": ("-purchases", "name", "id"),
    "-revenue": ("-revenue", "name", "id"),
    "price": ("price", "name", "id"),
    "-last_seen": ("-last_seen", "id"),
}
DEFAULT_SORT = "-purchases"


def list_products(actor: Actor, *, search: str = "", sort: str = DEFAULT_SORT) -> QuerySet[Product]:
    """The catalogue, searched in name, id, SKU, brand and category."""
    actor.require(Perm.CONTACTS_VIEW)
    qs = Product.objects.for_workspace(actor.workspace)
    term = search.strip()
    if term:
        qs = qs.filter(
            Q(name__icontains=term)
            | Q(key__icontains=term)
            | Q(sku__icontains=term)
            | Q(brand__icontains=term)
            | Q(category__icontains=term)
        )
    return qs.order_by(*PRODUCT_SORTS.get(sort, PRODUCT_SORTS[DEFAULT_SORT]))


def list_orders(
    actor: Actor, *, contact_id: int | None = None, status: OrderStatus | None = None
) -> QuerySet[Order]:
    actor.require(Perm.CONTACTS_VIEW)
    qs = Order.objects.for_workspace(actor.workspace)
    if contact_id is not None:
        qs = qs.filter(contact_id=contact_id)
    if status is not None:
        qs = qs.filter(status=status)
    return qs


def items_of(actor: Actor, orders: Iterable[Order]) -> dict[int, list[OrderItem]]:
    """The lines of each order, by order id, in one query."""
    actor.require(Perm.CONTACTS_VIEW)
    out: dict[int, list[OrderItem]] = {o.pk: [] for o in orders}
    for item in OrderItem.objects.for_workspace(actor.workspace).filter(order_id__in=list(out)):
        out[item.order_id].append(item)
    return out
