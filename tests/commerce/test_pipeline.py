"""End to end: a browser shops anonymously, signs up, buys; the tracking pipeline
stores the events and hands them to commerce in the same transaction."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from rapport.commerce.models import Cart, Order, Product
from rapport.contacts.models import Identity, Lifecycle
from rapport.tracking.actions import do_create_source
from rapport.tracking.pipeline import process_pending
from tests.factories import World
from tests.tracking.pipeline_helpers import append

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fresh_log")]


def test_a_visitor_who_signs_up_and_buys(world: World) -> None:
    web = do_create_source(world.actor(), name="Shop", kind="website")
    espresso = {"product_id": "polar-espresso", "name": "Polar Espresso", "price": 14.9,
                "currency": "EUR"}  # fmt: skip
    calls: list[dict[str, Any]] = [
        {"type": "page", "name": "Home", "messageId": "m1"},
        {"type": "track", "event": "Product Viewed", "properties": espresso, "messageId": "m2"},
        {"type": "track", "event": "Product Added", "messageId": "m3",
         "properties": {**espresso, "quantity": 2}},
        {"type": "identify", "userId": "u-77", "traits": {"email": "ola@example.com"},
         "messageId": "m4"},
        {"type": "track", "userId": "u-77", "event": "Order Completed", "messageId": "m5",
         "properties": {"order_id": "W-1", "total": 29.8, "currency": "EUR",
                        "products": [{**espresso, "quantity": 2}]}},
    ]  # fmt: skip
    append(web, {"writeKey": web.write_key,
                 "batch": [{"anonymousId": "browser-9", **c} for c in calls]})  # fmt: skip
    process_pending()

    ws = world.workspace
    order = Order.objects.for_workspace(ws).get()
    email = Identity.objects.for_workspace(ws).get(kind="email", value="ola@example.com")
    assert order.contact_id == email.contact_id  # the browser was stitched to the person
    assert (order.order_id, order.total) == ("W-1", Decimal("29.8"))
    cart = Cart.objects.for_workspace(ws).get()
    assert (cart.contact_id, cart.status, cart.order_id) == (email.contact_id, "converted",
                                                             order.pk)  # fmt: skip
    product = Product.objects.for_workspace(ws).get()
    assert (product.views, product.adds, product.purchases) == (1, 1, 2)
    contact = order.contact
    assert (contact.order_count, contact.lifecycle) == (1, Lifecycle.CUSTOMER)
