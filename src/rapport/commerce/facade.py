"""What other apps use from commerce: a contact's shopping panel and metrics, and
recomputing metrics after something outside commerce moved orders.

The tracking pipeline needs no call: ``processor.process_events`` registers itself
with ``tracking.processed.register_processor`` when the app is ready."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from rapport.core.actor import Actor
from rapport.core.permissions import Perm

from . import metrics
from .models import Cart, CartItem, CartStatus, CustomerMetrics, Order, OrderItem

PANEL_ORDERS = 10


@dataclass
class CartView:
    cart: Cart
    items: list[CartItem]


@dataclass
class OrderView:
    order: Order
    lines: list[OrderItem]


@dataclass
class Shopping:
    """A contact's shopping: what their orders add up to, the latest orders with
    their lines, and the cart they have open or left."""

    metrics: CustomerMetrics | None
    orders: list[OrderView]
    cart: CartView | None
    more_orders: bool = False
    now: datetime = field(default_factory=timezone.now)

    @property
    def next_purchase_overdue(self) -> bool:
        m = self.metrics
        return bool(m and m.next_purchase_at and m.next_purchase_at < self.now)


def shopping(actor: Actor, contact_id: int) -> Shopping:
    actor.require(Perm.CONTACTS_VIEW)
    ws = actor.workspace
    found = CustomerMetrics.objects.for_workspace(ws).filter(contact_id=contact_id).first()
    orders = list(Order.objects.for_workspace(ws).filter(contact_id=contact_id)[: PANEL_ORDERS + 1])
    items: dict[int, list[OrderItem]] = {o.pk: [] for o in orders[:PANEL_ORDERS]}
    for item in OrderItem.objects.for_workspace(ws).filter(order_id__in=list(items)):
        items[item.order_id].append(item)
    cart = (
        Cart.objects.for_workspace(ws)
        .filter(contact_id=contact_id, status__in=[CartStatus.OPEN, CartStatus.ABANDONED])
        .order_by("-updated_at", "-id")
        .first()
    )
    view = None
    if cart is not None:
        view = CartView(cart, list(CartItem.objects.for_workspace(ws).filter(cart=cart)))
    return Shopping(
        metrics=found,
        orders=[OrderView(o, items[o.pk]) for o in orders[:PANEL_ORDERS]],
        cart=view,
        more_orders=len(orders) > PANEL_ORDERS,
    )


def metrics_of(workspace_id: int, contact_ids: Iterable[int]) -> dict[int, CustomerMetrics]:
    """Commerce metrics by contact id (contacts that never ordered are absent),
    for segments and analytics."""
    rows = CustomerMetrics.objects.for_workspace(workspace_id).filter(
        contact_id__in=list(contact_ids)
    )
    return {m.contact_id: m for m in rows}


def refresh_contacts(workspace_id: int, contact_ids: Iterable[int]) -> None:
    """Recompute these contacts' metrics and order counts from their orders: for a
    caller that moved orders between contacts without a ``contact.merged`` event
    (bulk identity resolution)."""
    with transaction.atomic():
        metrics.refresh(workspace_id, contact_ids)
