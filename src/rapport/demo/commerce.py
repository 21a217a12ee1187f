"""Demo commerce of Nordlicht Coffee: the web shop's catalogue, an order behind
every order on the demo contacts' timelines (one of them partly refunded), an open
and an abandoned cart, and metrics with RFM scores. Deterministic for a seed;
dates are relative to when the demo is loaded, as the timelines are."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from rapport.commerce import metrics, rfm
from rapport.commerce.models import Cart, CartItem, CartStatus, Order, OrderItem, Product
from rapport.commerce.spec import money_text
from rapport.contacts.facade import OrderEntry, record_refunds
from rapport.contacts.models import Contact, Lifecycle, TimelineEntry
from rapport.core.models import Workspace

CURRENCY = "EUR"
SHIPPING, FREE_SHIPPING_FROM = Decimal("4.90"), Decimal(30)
# The same ids, SKUs and prices as the demo web shop, so its live events land on
# these products: (product id, SKU, name, category, price).
CATALOGUE = (
    ("polar-espresso", "NL-ESP-250", "Polar Espresso", "Espresso", "14.90"),
    ("aurora-filter", "NL-FIL-250", "Aurora Filter", "Filter", "12.50"),
    ("fjord-cold-brew", "NL-CLD-500", "Fjord Cold Brew", "Cold brew", "9.80"),
    ("midnight-decaf", "NL-DEC-250", "Midnight Decaf", "Decaf", "13.20"),
)


def load_commerce(workspace: Workspace, seed: int = 33) -> int:
    """Returns the number of orders made."""
    rng = random.Random(seed)
    now = timezone.now()
    ws = workspace.pk
    products = {
        name: Product.objects.create(
            workspace=workspace,
            key=pid,
            product_id=pid,
            sku=sku,
            name=name,
            brand="Nordlicht Coffee",
            category=f"Coffee/{category}",
            price=Decimal(price),
            currency=CURRENCY,
            url=f"/shop/?product={pid}",
            first_seen=now - timedelta(days=500),
            last_seen=now - timedelta(hours=1 + n),
            revenue_currency=CURRENCY,
        )
        for n, (pid, sku, name, category, price) in enumerate(CATALOGUE)
    }
    entries = list(
        TimelineEntry.objects.for_workspace(ws)
        .filter(kind="order", source="demo")
        .order_by("occurred_at", "id")
    )
    orders, lines = [], []
    for n, entry in enumerate(entries):
        # The contacts demo named a product in the entry; the order buys it.
        product = next((p for name, p in products.items() if name.lower() in
                        entry.summary.lower()), rng.choice(list(products.values())))  # fmt: skip
        quantity = rng.randint(1, 3)
        price = product.price or Decimal(0)
        subtotal = price * quantity
        shipping = Decimal(0) if subtotal >= FREE_SHIPPING_FROM else SHIPPING
        order = Order(
            workspace_id=ws, contact_id=entry.contact_id, order_id=f"NL-{10001 + n}",
            currency=CURRENCY, total=subtotal + shipping, revenue=subtotal, shipping=shipping,
            tax=Decimal(0), net_revenue=subtotal, affiliation="Nordlicht web shop",
            item_count=quantity, placed_at=entry.occurred_at, updated_at=entry.occurred_at,
        )  # fmt: skip
        orders.append(order)
        lines.append((order, product, quantity))
        product.purchases += quantity
        product.revenue += subtotal
        entry.summary = f"Order {order.order_id} placed · {money_text(order.total, CURRENCY)}"
        entry.data = {
            "order_id": order.order_id,
            "total": str(order.total),
            "revenue": str(subtotal),
            "currency": CURRENCY,
            "items": quantity,
        }
    Order.objects.for_workspace(ws).bulk_create(orders)
    OrderItem.objects.for_workspace(ws).bulk_create(
        OrderItem(workspace_id=ws, order_id=o.pk, product=p, product_key=p.key, name=p.name,
                  sku=p.sku, price=p.price, quantity=q)
        for o, p, q in lines
    )  # fmt: skip
    for entry, order in zip(entries, orders, strict=True):
        entry.data["order"] = order.pk
    TimelineEntry.objects.for_workspace(ws).bulk_update(entries, ["summary", "data"])
    if orders:
        _refund(ws, orders[len(orders) // 2])
    for n, product in enumerate(products.values()):
        product.adds = product.purchases * 2 + 3 * n + 4
        product.views = product.adds * 6 + 11 * n + 9
        product.save()
    _carts(workspace, products, now)
    customers = {o.contact_id for o in orders}
    metrics.refresh(ws, customers)
    rfm.score_workspace(ws, now)
    return len(orders)


def _refund(ws: int, order: Order) -> None:
    """One customer sent a bag back."""
    item = OrderItem.objects.for_workspace(ws).get(order=order)
    order.refunded = item.price or Decimal(0)
    order.net_revenue = max(Decimal(0), order.revenue - order.refunded)
    order.status, order.refunded_at = "refunded", order.placed_at + timedelta(days=6)
    order.save()
    summary = f"Order {order.order_id} refunded · {money_text(order.refunded, CURRENCY)}"
    record_refunds(ws, [OrderEntry(order.contact_id, order.refunded_at, summary,
                                   data={"order": order.pk, "order_id": order.order_id})],
                   source="demo")  # fmt: skip


def _carts(workspace: Workspace, products: dict[str, Product], now: datetime) -> None:
    """A lead with a cart open right now, and one who left theirs this morning."""
    leads = list(
        Contact.objects.for_workspace(workspace)
        .filter(lifecycle=Lifecycle.LEAD)
        .order_by("pk")
        .values_list("pk", flat=True)[:2]
    )
    espresso, decaf, filter_ = (products[n] for n in ("Polar Espresso", "Midnight Decaf",
                                                      "Aurora Filter"))  # fmt: skip
    plans = [
        (CartStatus.OPEN, timedelta(minutes=20), [(espresso, 2), (decaf, 1)]),
        (CartStatus.ABANDONED, timedelta(hours=5), [(filter_, 1)]),
    ]
    for contact_id, (status, ago, items) in zip(leads, plans, strict=False):
        at = now - ago
        value = sum(((p.price or Decimal(0)) * q for p, q in items), Decimal(0))
        left = at + timedelta(hours=1) if status == CartStatus.ABANDONED else None
        cart = Cart.objects.create(
            workspace=workspace, contact_id=contact_id, visitor=f"demo-browser-{contact_id}",
            status=status, currency=CURRENCY, value=value, item_count=sum(q for _, q in items),
            created_at=at - timedelta(minutes=7), updated_at=at, abandoned_at=left,
            announced_at=left,
        )  # fmt: skip
        CartItem.objects.for_workspace(workspace).bulk_create(
            CartItem(workspace=workspace, cart=cart, product=p, product_key=p.key, name=p.name,
                     price=p.price, quantity=q, added_at=at - timedelta(minutes=5))
            for p, q in items
        )  # fmt: skip
