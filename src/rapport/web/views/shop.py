"""/shop/: the demo's web shop, a stand-in for a customer's website. Public (a shop
has no Rapport login) and served only when ``RAPPORT_DEMO`` is on. It loads
rapport.js with the demo workspace's website source, so what a visitor does here
(page views, products viewed and added, checkout, sign-in) arrives as events the
way a real shop's would; its behaviour is in static/rapport/shop.js."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from rapport.core.models import Workspace
from rapport.demo.brand import NORDLICHT
from rapport.demo.commerce import CATALOGUE, CURRENCY, FREE_SHIPPING_FROM, SHIPPING
from rapport.demo.loader import DEMO_SLUG
from rapport.tracking.models import Source, SourceKind

# The source the demo loader creates; any other website source of the demo
# workspace will do when it has been renamed.
SHOP_SOURCE = "Nordlicht web shop"


@dataclass(frozen=True)
class Product:
    id: str
    sku: str
    name: str
    category: str
    price: Decimal
    notes: str
    description: str


# What the catalogue does not say: tasting notes and a line to read.
_COPY = {
    "polar-espresso": (
        "dark chocolate · hazelnut",
        "A dense, syrupy espresso roast from Brazilian and Indian beans, rested three weeks "
        "in Hamburg before it ships.",
    ),
    "aurora-filter": (
        "blueberry · jasmine · lime",
        "A light washed Ethiopian for pour-over and batch brew, bright as the sky it is named "
        "after.",
    ),
    "fjord-cold-brew": (
        "cocoa · molasses",
        "Coarse-ground Colombian, steeped eighteen hours and bottled: pour over ice or cut "
        "with milk.",
    ),
    "midnight-decaf": (
        "caramel · red apple",
        "Sugar-cane decaffeinated Colombian that still tastes of coffee, for the cup after dinner.",
    ),
}
# The demo's catalogue, so the shop's events name the products (ids, SKUs, prices)
# the demo's orders and carts are about.
PRODUCTS: tuple[Product, ...] = tuple(
    Product(pid, sku, name, category, Decimal(price), *_COPY[pid])
    for pid, sku, name, category, price in CATALOGUE
)


def _shop_source() -> Source | None:
    workspace = Workspace.objects.filter(slug=DEMO_SLUG).first()
    if workspace is None:
        return None
    sites = Source.objects.for_workspace(workspace).filter(kind=SourceKind.WEBSITE, enabled=True)
    return sites.filter(name=SHOP_SOURCE).first() or sites.first()


@require_GET
def shop(request: HttpRequest) -> HttpResponse:
    if not getattr(settings, "RAPPORT_DEMO", False):
        raise Http404("The demo shop is part of the demo only.")
    wanted = request.GET.get("product", "")
    product = next((p for p in PRODUCTS if p.id == wanted), None)
    if wanted and product is None:
        raise Http404("No such product.")
    context = {
        "brand": NORDLICHT,
        "products": PRODUCTS,
        "product": product,
        "currency": CURRENCY,
        "shipping": SHIPPING,
        "free_shipping_from": FREE_SHIPPING_FROM,
        "source": _shop_source(),
        # ?consent=required asks the visitor even when the workspace does not
        # (the workspace's own setting reaches rapport.js from the server).
        "force_consent": request.GET.get("consent") == "required",
    }
    return render(request, "web/shop/index.html", context)
