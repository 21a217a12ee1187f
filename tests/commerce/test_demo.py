"""The demo has a catalogue, an order behind every order on its timelines, carts
and scored customers, the same on every load."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from rapport.commerce.models import Cart, CustomerMetrics, Order, OrderItem, Product
from rapport.contacts.models import Contact, TimelineEntry
from rapport.demo.loader import load_demo


def test_demo_commerce_agrees_with_the_contacts(db: Any) -> None:
    ws = load_demo().workspace
    products = Product.objects.for_workspace(ws)
    assert set(products.values_list("key", flat=True)) == {
        "polar-espresso", "aurora-filter", "fjord-cold-brew", "midnight-decaf"}  # fmt: skip
    orders = Order.objects.for_workspace(ws)
    entries = TimelineEntry.objects.for_workspace(ws).filter(kind="order")
    assert orders.count() == entries.count() > 10
    # Every customer's count is their orders; every order has its timeline line.
    for contact in Contact.objects.for_workspace(ws).filter(order_count__gt=0):
        assert orders.filter(contact=contact).count() == contact.order_count
    assert {e.data["order_id"] for e in entries} == set(orders.values_list("order_id", flat=True))
    sold = sum(OrderItem.objects.for_workspace(ws).values_list("quantity", flat=True))
    assert sum(products.values_list("purchases", flat=True)) == sold
    assert orders.filter(status="refunded").count() == 1
    assert sorted(Cart.objects.for_workspace(ws).values_list("status", flat=True)) == [
        "abandoned", "open"]  # fmt: skip
    scored = CustomerMetrics.objects.for_workspace(ws).filter(order_count__gt=0)
    assert scored.count() == Contact.objects.for_workspace(ws).filter(order_count__gt=0).count()
    assert not scored.filter(recency__isnull=True).exists()
    # More orders, never a lower frequency score; the most frequent buyers get 5.
    by_count = sorted((m.order_count, m.frequency or 0) for m in scored)
    assert [f for _, f in by_count] == sorted(f for _, f in by_count)
    assert by_count[-1][1] == 5


class _Rollback(Exception):
    pass


def _fresh_demo_orders() -> list[tuple[str, str, str, int]]:
    """Load the demo, read its orders, and roll it all back."""
    shape: list[tuple[str, str, str, int]] = []
    try:
        with transaction.atomic():
            ws = load_demo().workspace
            shape = [
                (o.order_id, o.status, str(o.total), o.item_count)
                for o in Order.objects.for_workspace(ws).order_by("order_id")
            ]
            raise _Rollback
    except _Rollback:
        pass
    return shape


def test_demo_commerce_is_deterministic(db: Any) -> None:
    first = _fresh_demo_orders()
    assert first
    assert _fresh_demo_orders() == first
