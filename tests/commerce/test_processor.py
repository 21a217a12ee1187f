"""The processor over lists of processed events, as the pipeline hands them over:
a shopping journey from a product view to a refund, orders reported twice, several
currencies, cancellations, and what it costs."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from rapport.commerce.models import Cart, CartItem, CustomerMetrics, Order, OrderItem, Product
from rapport.commerce.processor import process_events
from rapport.contacts.models import Contact, Lifecycle, TimelineEntry
from rapport.core.events import Event

from .conftest import ESPRESSO, FILTER, Recorder, Shop


def _product(shop: Shop, key: str) -> Product:
    return Product.objects.for_workspace(shop.world.workspace).get(key=key)


def _items(cart: Cart) -> dict[str, int]:
    rows = CartItem.objects.for_workspace(cart.workspace_id).filter(cart=cart)
    return {i.product_key: i.quantity for i in rows}


def test_a_journey_from_product_view_to_refund(shop: Shop, published: Recorder) -> None:
    ann = shop.person("ann@example.com")
    ws = shop.world.workspace
    line_e, line_f = {**ESPRESSO, "quantity": 1}, {**FILTER, "quantity": 1}
    with published.deliver():
        process_events([
            shop.event(ann, "Product Viewed", ESPRESSO),
            shop.event(ann, "Product Viewed", FILTER),
            shop.event(ann, "Product Viewed", ESPRESSO),
            shop.event(ann, "Product Added", {**ESPRESSO, "quantity": 2, "cart_id": "c-1"}),
            shop.event(ann, "Product Added", FILTER),
            shop.event(ann, "Product Removed", {**ESPRESSO, "quantity": 1}),
            shop.event(ann, "Cart Viewed", {"cart_id": "c-1"}),
            shop.event(ann, "Checkout Started", {"order_id": "A-1", "currency": "EUR",
                                                 "products": [line_e, line_f]}),
        ])  # fmt: skip
    cart = Cart.objects.for_workspace(ws).get(contact=ann)
    assert (cart.status, cart.cart_id, cart.checkout_id) == ("open", "c-1", "A-1")
    assert _items(cart) == {"p-espresso": 1, "p-filter": 1}
    assert (cart.item_count, cart.value, cart.currency) == (2, Decimal("37.4"), "EUR")
    espresso = _product(shop, "p-espresso")
    assert (espresso.views, espresso.adds, espresso.purchases) == (2, 1, 0)
    assert (espresso.name, espresso.sku, espresso.price) == ("Polar Espresso", "NL-ESP-250",
                                                             Decimal("12.9"))  # fmt: skip
    assert espresso.url == "https://shop.example/espresso"
    assert published.events == []

    order_props = {"order_id": "A-1", "total": 42.3, "revenue": 37.4, "shipping": 4.9,
                   "tax": 0, "currency": "EUR", "products": [line_e, line_f]}  # fmt: skip
    with published.deliver():
        process_events([shop.event(ann, "Order Completed", order_props)])
    order = Order.objects.for_workspace(ws).get(order_id="A-1")
    assert (order.status, order.total, order.revenue, order.shipping) == (
        "completed", Decimal("42.3"), Decimal("37.4"), Decimal("4.9"))  # fmt: skip
    assert (order.contact_id, order.item_count) == (ann.pk, 2)
    assert OrderItem.objects.for_workspace(ws).filter(order=order).count() == 2
    cart.refresh_from_db()
    assert (cart.status, cart.order_id) == ("converted", order.pk)
    espresso.refresh_from_db()
    assert (espresso.purchases, espresso.revenue) == (1, Decimal("12.9"))
    ann.refresh_from_db()
    assert (ann.order_count, ann.lifecycle) == (1, Lifecycle.CUSTOMER)
    entry = TimelineEntry.objects.for_workspace(ws).get(contact=ann, kind="order")
    assert entry.summary == "Order A-1 placed · 42.30 EUR"
    assert entry.data["order"] == order.pk
    assert [e.payload["external_id"] for e in published.named(Event.ORDER_COMPLETED)] == ["A-1"]
    assert [e.payload["contact_id"] for e in published.named(Event.FIRST_PURCHASE)] == [ann.pk]
    metrics = CustomerMetrics.objects.for_workspace(ws).get(contact=ann)
    assert (metrics.order_count, metrics.revenue, metrics.average_order_value) == (
        1, Decimal("37.4"), Decimal("37.4"))  # fmt: skip

    with published.deliver():
        process_events([shop.event(ann, "Order Refunded", {"order_id": "A-1", "total": 12.9,
                                                           "currency": "EUR"})])  # fmt: skip
    order.refresh_from_db()
    assert (order.status, order.refunded, order.net_revenue) == (
        "refunded", Decimal("12.9"), Decimal("24.5"))  # fmt: skip
    metrics.refresh_from_db()
    assert (metrics.order_count, metrics.revenue) == (1, Decimal("24.5"))
    ann.refresh_from_db()
    assert (ann.order_count, ann.lifecycle) == (1, Lifecycle.CUSTOMER)  # still bought it
    refund = TimelineEntry.objects.for_workspace(ws).get(contact=ann, kind="order_refunded")
    assert refund.summary == "Order A-1 refunded · 12.90 EUR"
    assert len(published.named(Event.ORDER_COMPLETED)) == 1  # a refund completes nothing


def test_a_refund_without_an_amount_is_the_whole_order(shop: Shop) -> None:
    bob = shop.person("bob@example.com")
    process_events([shop.event(bob, "Order Completed", {"order_id": "B-1", "revenue": 20,
                                                        "currency": "EUR"})])  # fmt: skip
    process_events([shop.event(bob, "Order Refunded", {"order_id": "B-1"})])
    order = Order.objects.for_workspace(shop.world.workspace).get(order_id="B-1")
    assert (order.status, order.refunded, order.net_revenue) == (
        "refunded", Decimal(20), Decimal(0))  # fmt: skip


def test_an_order_reported_twice_is_updated_not_duplicated(shop: Shop, published: Recorder) -> None:
    cid = shop.person("cid@example.com")
    ws = shop.world.workspace
    first = {"order_id": "C-1", "total": 10, "currency": "EUR",
             "products": [{**ESPRESSO, "quantity": 3}]}  # fmt: skip
    again = {"order_id": "C-1", "total": 24.5, "currency": "EUR",
             "products": [{**FILTER, "quantity": 1}]}  # fmt: skip
    with published.deliver():
        process_events([shop.event(cid, "Order Completed", first),
                        shop.event(cid, "Order Completed", first)])  # fmt: skip
        process_events([shop.event(cid, "Order Completed", again)])
    order = Order.objects.for_workspace(ws).get()
    assert (order.order_id, order.total, order.item_count) == ("C-1", Decimal("24.5"), 1)
    lines = OrderItem.objects.for_workspace(ws).filter(order=order)
    assert [(i.product_key, i.quantity) for i in lines] == [("p-filter", 1)]
    # The replaced lines' units went back; the new ones count.
    assert _product(shop, "p-espresso").purchases == 0
    assert _product(shop, "p-filter").purchases == 1
    cid.refresh_from_db()
    assert cid.order_count == 1
    assert TimelineEntry.objects.for_workspace(ws).filter(contact=cid, kind="order").count() == 1
    assert len(published.named(Event.ORDER_COMPLETED)) == 1


def test_orders_in_several_currencies_are_kept_apart(shop: Shop) -> None:
    dora = shop.person("dora@example.com")
    ws = shop.world.workspace
    process_events([
        shop.event(dora, "Order Completed", {"order_id": "D-1", "revenue": 30, "currency": "eur"}),
        shop.event(dora, "Order Completed", {"order_id": "D-2", "revenue": 20, "currency": "EUR",
                                             "products": [{**ESPRESSO, "quantity": 1}]}),
        shop.event(dora, "Order Completed", {"order_id": "D-3", "revenue": "100,00",
                                             "currency": "PLN",
                                             "products": [{**ESPRESSO, "price": 50,
                                                           "currency": "PLN", "quantity": 2}]}),
    ])  # fmt: skip
    metrics = CustomerMetrics.objects.for_workspace(ws).get(contact=dora)
    assert (metrics.order_count, metrics.currency, metrics.revenue) == (3, "EUR", Decimal(50))
    assert metrics.average_order_value == Decimal(25)  # 50 EUR over the 2 EUR orders
    assert metrics.revenue_by_currency == {"EUR": "50.0000", "PLN": "100.0000"}
    espresso = _product(shop, "p-espresso")
    assert (espresso.purchases, espresso.revenue_currency) == (3, "EUR")
    assert (espresso.revenue, espresso.price, espresso.currency) == (Decimal("12.9"), 50, "PLN")
    assert espresso.other_revenue == {"PLN": "100.0000"}
    currencies = Order.objects.for_workspace(ws).order_by("order_id").values_list("currency")
    assert [c for (c,) in currencies] == ["EUR", "EUR", "PLN"]


def test_a_cancelled_order_is_withdrawn(shop: Shop, published: Recorder) -> None:
    eve = shop.person("eve@example.com")
    ws = shop.world.workspace
    with published.deliver():
        process_events([shop.event(eve, "Order Completed",
                                   {"order_id": "E-1", "total": 25, "currency": "EUR",
                                    "products": [{**FILTER, "quantity": 1}]})])  # fmt: skip
    eve.refresh_from_db()
    assert (eve.order_count, eve.lifecycle) == (1, Lifecycle.CUSTOMER)
    process_events([shop.event(eve, "Order Cancelled", {"order_id": "E-1"})])
    order = Order.objects.for_workspace(ws).get(order_id="E-1")
    assert (order.status, order.net_revenue) == ("cancelled", Decimal(0))
    eve.refresh_from_db()
    assert (eve.order_count, eve.lifecycle) == (0, Lifecycle.LEAD)
    assert _product(shop, "p-filter").purchases == 0
    assert CustomerMetrics.objects.for_workspace(ws).get(contact=eve).order_count == 0
    kinds = TimelineEntry.objects.for_workspace(ws).filter(contact=eve).values_list("kind")
    assert ("order_cancelled",) in kinds
    # A late report of its completion does not bring it back.
    process_events([shop.event(eve, "Order Completed", {"order_id": "E-1", "total": 25})])
    order.refresh_from_db()
    eve.refresh_from_db()
    assert (order.status, eve.order_count) == ("cancelled", 0)
    # The next real order is the first purchase again: the cancelled one never happened.
    with published.deliver():
        process_events([shop.event(eve, "Order Completed", {"order_id": "E-2", "total": 5})])
    assert [e.payload["external_id"] for e in published.named(Event.FIRST_PURCHASE)] == [
        "E-1", "E-2"]  # fmt: skip


def test_updates_refunds_and_cancels_of_unknown_orders_change_nothing(shop: Shop) -> None:
    fay = shop.person("fay@example.com")
    process_events([
        shop.event(fay, "Order Updated", {"order_id": "X-1", "total": 9}),
        shop.event(fay, "Order Refunded", {"order_id": "X-2", "total": 9}),
        shop.event(fay, "Order Cancelled", {"order_id": "X-3"}),
        shop.event(fay, "Order Completed", {"total": 9}),  # no id: cannot be told apart
    ])  # fmt: skip
    assert not Order.objects.for_workspace(shop.world.workspace).exists()
    fay.refresh_from_db()
    assert fay.order_count == 0


def test_cart_views_with_products_replace_the_cart(shop: Shop) -> None:
    gus = shop.person("gus@example.com")
    ws = shop.world.workspace
    process_events([
        shop.event(gus, "Product Added", {**ESPRESSO, "quantity": 2}),
        shop.event(gus, "Product Added", FILTER),
        shop.event(gus, "Product Removed", FILTER),  # no quantity: the whole line goes
    ])  # fmt: skip
    cart = Cart.objects.for_workspace(ws).get(contact=gus)
    assert _items(cart) == {"p-espresso": 2}
    process_events([shop.event(gus, "Cart Viewed", {"products": [{**FILTER, "quantity": 4}]})])
    cart.refresh_from_db()
    assert _items(cart) == {"p-filter": 4}
    assert (cart.item_count, cart.value) == (4, Decimal(98))
    process_events([shop.event(gus, "Cart Viewed", {"products": []})])
    cart.refresh_from_db()
    assert (_items(cart), cart.item_count, cart.value) == ({}, 0, Decimal(0))


def test_the_next_add_after_an_order_starts_a_new_cart(shop: Shop) -> None:
    hal = shop.person("hal@example.com")
    process_events([
        shop.event(hal, "Product Added", ESPRESSO),
        shop.event(hal, "Order Completed", {"order_id": "H-1", "total": 12.9}),
        shop.event(hal, "Product Added", FILTER),
    ])  # fmt: skip
    carts = Cart.objects.for_workspace(shop.world.workspace).filter(contact=hal).order_by("id")
    assert [(c.status, _items(c)) for c in carts] == [
        ("converted", {"p-espresso": 1}), ("open", {"p-filter": 1})]  # fmt: skip


def test_events_of_a_merged_contact_land_on_the_contact_it_became(shop: Shop) -> None:
    from rapport.contacts.actions.merges import do_merge_contacts

    ivy = shop.person("ivy@example.com")
    twin = shop.person(anonymous="ivy-browser")
    do_merge_contacts(shop.world.actor(), ivy, twin)
    process_events([shop.event(twin, "Order Completed", {"order_id": "I-1", "total": 3})])
    order = Order.objects.for_workspace(shop.world.workspace).get(order_id="I-1")
    assert order.contact_id == ivy.pk
    ivy.refresh_from_db()
    assert ivy.order_count == 1


def test_page_views_and_contactless_events_cost_no_query(
    shop: Shop, django_assert_num_queries: Any
) -> None:
    jo = shop.person("jo@example.com")
    batch = [shop.event(jo, "Home", {"path": "/"}, kind="page") for _ in range(500)]
    batch += [shop.event(jo, "Signed In", {}), shop.event(None, "Product Added", ESPRESSO)]
    with django_assert_num_queries(0):
        process_events(batch)
    assert not Product.objects.for_workspace(shop.world.workspace).exists()


def _queries(batch: list[Any]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        process_events(batch)
    return len(ctx.captured_queries)


def test_the_cost_of_a_batch_does_not_grow_with_its_events(shop: Shop) -> None:
    people = [shop.person(f"p{n}@example.com") for n in range(40)]

    def browsing(who: list[Contact], n: int) -> list[Any]:
        return [
            shop.event(c, name, {**ESPRESSO, "product_id": f"p-{n}-{i}"})
            for i, c in enumerate(who)
            for name in ("Product Viewed", "Product Added", "Product Viewed")
        ]

    small, large = _queries(browsing(people[:2], 1)), _queries(browsing(people[2:], 2))
    assert small == large  # 6 events or 114: the same statements
    assert large <= 15
    assert Cart.objects.for_workspace(shop.world.workspace).count() == 40
