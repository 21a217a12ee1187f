"""/shop/: the demo's web shop page, public, demo-only, loading rapport.js with the
demo workspace's website source (its behaviour is driven in test_rapport_js.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client, override_settings

from rapport.core.actions.workspaces import do_create_workspace
from rapport.core.actor import Actor
from rapport.core.models import Membership, Workspace
from rapport.demo.loader import DEMO_SLUG
from rapport.tracking.actions import do_create_source
from rapport.tracking.models import Source
from rapport.web.middleware import CONTENT_SECURITY_POLICY
from rapport.web.views.shop import PRODUCTS
from tests.factories import make_user
from tests.web.test_pages import inline_code


def demo_workspace() -> Actor:
    owner = make_user()
    workspace = do_create_workspace(name="Nordlicht Coffee", owner=owner, slug=DEMO_SLUG)
    return Actor(
        workspace=workspace, membership=Membership.objects.for_workspace(workspace).get(user=owner)
    )


@pytest.fixture
def shop_source(db: Any) -> Source:
    actor = demo_workspace()
    do_create_source(actor, name="Order backend", kind="server")
    return do_create_source(actor, name="Nordlicht web shop", kind="website")


def test_the_shop_loads_rapport_js_with_the_demo_website_key(shop_source: Source) -> None:
    response = Client().get("/shop/")  # nobody signed in: a shop is public
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    page = response.content.decode()
    assert inline_code(page) == []
    tag = re.search(r"<script src=\"/static/rapport/rapport.js\"[^>]*>", page)
    assert tag is not None
    assert f'data-write-key="{shop_source.write_key}"' in tag.group(0)
    assert 'data-auto-page="true"' in tag.group(0)
    assert "data-require-consent" not in tag.group(0)
    assert '<script src="/static/rapport/shop.js" defer>' in page
    for product in PRODUCTS:
        assert f'data-product-id="{product.id}"' in page
        assert f'data-price="{product.price}"' in page
    assert 'id="consent-banner"' in page
    assert 'id="signin"' in page
    assert "data-viewed" not in page  # no product is open on the list


def test_a_product_page_and_the_consent_parameter(shop_source: Source) -> None:
    page = Client().get("/shop/?product=aurora-filter&consent=required").content.decode()
    assert "<h1>Aurora Filter</h1>" in page
    assert re.search(r'<article [^>]*data-viewed data-product-id="aurora-filter"', page)
    assert 'data-require-consent="true"' in page
    assert 'href="/shop/?consent=required"' in page  # links keep asking
    assert Client().get("/shop/?product=nope").status_code == 404


def test_another_website_source_when_the_demo_one_is_gone(db: Any) -> None:
    actor = demo_workspace()
    other = do_create_source(actor, name="Landing pages", kind="website")
    assert other.write_key in Client().get("/shop/").content.decode()


def test_without_a_demo_source_the_page_says_so(db: Any) -> None:
    page = Client().get("/shop/").content.decode()
    assert 'id="no-source"' in page
    assert "rapport.js" not in re.sub(r"<p class=\"demo-note\">.*?</p>", "", page, flags=re.S)
    assert not Workspace.objects.filter(slug=DEMO_SLUG).exists()


def test_only_in_the_demo(shop_source: Source) -> None:
    with override_settings(RAPPORT_DEMO=False):
        assert Client().get("/shop/").status_code == 404
    assert Client().post("/shop/").status_code == 405


def test_static_files_are_served() -> None:
    client = Client()
    for path in ("rapport/rapport.js", "rapport/shop.js", "rapport/shop.css"):
        response = client.get(f"/static/{path}")
        assert response.status_code == 200, path
