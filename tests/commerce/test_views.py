"""Commerce in the UI (the catalogue, the contact's Shopping panel) and the API."""

from __future__ import annotations

import re
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from rapport.commerce import abandonment
from rapport.commerce.models import Product
from rapport.commerce.processor import process_events
from rapport.commerce.tasks import score_customers
from rapport.contacts.models import Contact
from tests.factories import World
from tests.web.test_pages import inline_code

from .conftest import ESPRESSO, FILTER, Shop


def _client(world: World, role: str = "analyst") -> Client:
    client = Client()
    client.force_login(world.members[role].user)
    return client


def _shopper(shop: Shop) -> Contact:
    ann = shop.person("ann@example.com")
    now = timezone.now()
    lines = [{**ESPRESSO, "quantity": 2}, {**FILTER, "quantity": 1}]
    process_events([
        shop.event(ann, "Product Viewed", ESPRESSO, at=now - timedelta(days=40)),
        shop.event(ann, "Order Completed", {"order_id": "NL-1001", "total": 55.2, "revenue": 50.3,
                                            "shipping": 4.9, "currency": "EUR", "products": lines},
                   at=now - timedelta(days=40)),
        shop.event(ann, "Order Completed", {"order_id": "NL-1002", "revenue": 20,
                                            "currency": "EUR"}, at=now - timedelta(days=15)),
        shop.event(ann, "Order Refunded", {"order_id": "NL-1002", "total": 5},
                   at=now - timedelta(days=14)),
        shop.event(ann, "Product Added", FILTER, at=now - timedelta(hours=3)),
    ])  # fmt: skip
    return ann


def test_the_catalogue_lists_searches_and_sorts(shop: Shop) -> None:
    _shopper(shop)
    process_events([shop.event(None, "Product Viewed", ESPRESSO)])  # no contact: ignored
    ws = shop.world.workspace
    Product.objects.for_workspace(ws).filter(key="p-filter").update(views=7)
    url = f"/w/{ws.slug}/contacts/products/"
    client = _client(shop.world)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert inline_code(html) == []
    assert 'aria-current="page">Products</a>' in html
    # Bought most first: espresso (2 units) before filter (1).
    assert html.index("Polar Espresso") < html.index("Aurora Filter")
    assert "25.80 EUR" in html  # espresso revenue: 2 x 12.90
    assert 'aria-sort="descending"' in html
    by_views = client.get(url, {"sort": "-views"}).content.decode()
    assert by_views.index("Aurora Filter") < by_views.index("Polar Espresso")
    found = client.get(url, {"q": "NL-FIL"}).content.decode()
    assert "Aurora Filter" in found
    assert "Polar Espresso" not in found
    assert "No products match" in client.get(url, {"q": "tea"}).content.decode()
    assert client.get(url, {"sort": "'; drop", "page": "x"}).status_code == 200


def test_event_text_is_shown_as_text(shop: Shop) -> None:
    """Anyone with a website key can send events: what they say is never markup and
    their links are never links."""
    mallory = shop.person("mallory@example.com")
    hostile = {"product_id": "<b>x</b>", "name": "<script>alert(1)</script>",
               "url": "https://evil.example/<svg onload=alert(1)>", "price": 1}  # fmt: skip
    process_events([
        shop.event(mallory, "Product Added", hostile),
        shop.event(mallory, "Order Completed", {"order_id": "<img src=x onerror=alert(1)>",
                                                "total": 1, "products": [hostile]}),
    ])  # fmt: skip
    ws = shop.world.workspace
    client = _client(shop.world)
    for url in (
        f"/w/{ws.slug}/contacts/products/",
        f"/w/{ws.slug}/contacts/{mallory.pk}/shopping/",
    ):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "<svg onload" not in html
        assert not [h for h in re.findall(r'href="([^"]*)"', html) if "evil" in h]
        assert inline_code(html) == []


def test_the_contact_page_loads_the_shopping_panel(shop: Shop) -> None:
    ann = _shopper(shop)
    score_customers.call()
    abandonment.sweep(timezone.now())
    ws = shop.world.workspace
    client = _client(shop.world)
    page = client.get(f"/w/{ws.slug}/contacts/{ann.pk}/").content.decode()
    assert f'hx-get="/w/{ws.slug}/contacts/{ann.pk}/shopping/"' in page
    panel = client.get(f"/w/{ws.slug}/contacts/{ann.pk}/shopping/", HTTP_HX_REQUEST="true")
    html = panel.content.decode()
    assert inline_code(html) == []
    assert "<html" not in html  # a fragment for htmx
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "NL-1001" in text
    assert "NL-1002 refunded" in text
    assert "65.30 EUR" in text  # revenue: 50.30 + (20 - 5)
    assert "32.65 EUR" in text  # average order
    assert "R3 F3 M3" in text  # the only customer sits in the middle
    assert "around" in text  # next purchase: 25 days after the last order, still ahead
    assert "Abandoned cart" in text
    assert "1 × Aurora Filter" in text
    full = client.get(f"/w/{ws.slug}/contacts/{ann.pk}/shopping/")
    assert "<html" in full.content.decode()


def test_a_contact_without_orders_has_an_empty_panel(shop: Shop) -> None:
    bob = shop.person("bob@example.com")
    ws = shop.world.workspace
    html = _client(shop.world).get(f"/w/{ws.slug}/contacts/{bob.pk}/shopping/").content.decode()
    assert "No orders or carts yet." in html


def test_the_api_lists_products_and_orders(shop: Shop, api: Client) -> None:
    ann = _shopper(shop)
    products = api.get("/api/v1/products", {"search": "espresso"}).json()
    (espresso,) = products["items"]
    assert (espresso["key"], espresso["purchases"], espresso["revenue"]) == (
        "p-espresso", 2, "25.8000")  # fmt: skip
    orders = api.get("/api/v1/orders", {"contact": ann.pk}).json()["items"]
    assert [o["order_id"] for o in orders] == ["NL-1002", "NL-1001"]
    assert (orders[0]["status"], orders[0]["net_revenue"]) == ("refunded", "15.0000")
    assert [(i["product_key"], i["quantity"]) for i in orders[1]["items"]] == [
        ("p-espresso", 2), ("p-filter", 1)]  # fmt: skip
    refunded = api.get("/api/v1/orders", {"status": "refunded", "limit": "1"}).json()
    assert [o["order_id"] for o in refunded["items"]] == ["NL-1002"]


def test_the_api_tells_a_contacts_commerce(shop: Shop, api: Client) -> None:
    ann = _shopper(shop)
    body = api.get(f"/api/v1/contacts/{ann.pk}/commerce").json()
    assert body["metrics"]["order_count"] == 2
    assert body["metrics"]["revenue_by_currency"] == {"EUR": "65.3000"}
    assert body["metrics"]["next_purchase_at"] is not None
    assert (body["cart"]["status"], body["cart"]["item_count"]) == ("open", 1)
    assert [o["order_id"] for o in body["orders"]] == ["NL-1002", "NL-1001"]


def test_another_workspaces_contact_is_not_found(
    shop: Shop, api: Client, other_world: World
) -> None:
    stranger = Shop(other_world).person("stranger@example.com")
    assert api.get(f"/api/v1/contacts/{stranger.pk}/commerce").status_code == 404
    assert api.get("/api/v1/orders", {"contact": stranger.pk}).status_code == 404
