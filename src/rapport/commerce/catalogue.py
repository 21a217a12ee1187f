"""The catalogue side of a batch: every product the batch mentions is read (or
created) once, changed in memory, and written back with one statement."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from .bulk import write
from .models import Product
from .spec import Line

# Everything a batch may change on a product (bulk_update's field list).
CHANGING = ["product_id", "sku", "name", "brand", "category", "price", "currency", "url",
            "image_url", "last_seen", "views", "adds", "purchases", "revenue",
            "revenue_currency", "other_revenue"]  # fmt: skip


class Catalogue:
    """The products of one workspace that one batch touches."""

    def __init__(self, workspace_id: int) -> None:
        self.workspace_id = workspace_id
        self.products: dict[str, Product] = {}
        self._touched: set[str] = set()
        self._described: dict[str, Line] = {}  # the line each product last took its text from

    def load(self, mentioned: Iterable[tuple[Line, datetime]]) -> None:
        """Read the mentioned products, locked for this transaction, and insert the
        new ones (a concurrent batch that inserted one first is not an error)."""
        first: dict[str, tuple[Line, datetime]] = {}
        for item, at in mentioned:
            first.setdefault(item.key, (item, at))
        if not first:
            return
        rows = Product.objects.for_workspace(self.workspace_id).select_for_update()
        self.products = {p.key: p for p in rows.filter(key__in=list(first))}
        missing = [key for key in first if key not in self.products]
        if missing:
            Product.objects.for_workspace(self.workspace_id).bulk_create(
                [self._new(*first[key]) for key in missing], ignore_conflicts=True
            )
            for p in rows.filter(key__in=missing):
                self.products[p.key] = p

    def _new(self, item: Line, at: datetime) -> Product:
        return Product(
            workspace_id=self.workspace_id, key=item.key, product_id=item.product_id,
            sku=item.sku, name=item.name, brand=item.brand, category=item.category,
            price=item.price, currency=item.currency, url=item.url, image_url=item.image_url,
            first_seen=at, last_seen=at,
        )  # fmt: skip

    def get(self, key: str) -> Product | None:
        return self.products.get(key)

    def seen(self, item: Line, at: datetime) -> Product | None:
        """The shop described the product again: keep what it said last."""
        product = self.products.get(item.key)
        if product is None:
            return None
        if at >= product.last_seen:
            # Describing a product again with the very line that described it last
            # changes nothing (only ``seen`` writes these fields), and a batch of
            # views repeats one line per product (``LineReader``).
            if self._described.get(item.key) is not item:
                _describe(product, item)
                self._described[item.key] = item
            product.last_seen = at
        product.first_seen = min(product.first_seen, at)
        self._touched.add(item.key)
        return product

    def viewed(self, key: str) -> None:
        self._count(key, "views", 1)

    def added(self, key: str) -> None:
        self._count(key, "adds", 1)

    def sold(self, key: str, units: int, value: Decimal, currency: str, sign: int = 1) -> None:
        """Units of an order line; ``sign=-1`` takes a cancelled order's back."""
        product = self.products.get(key)
        if product is None:
            return
        product.purchases = max(0, product.purchases + sign * units)
        if not product.revenue_currency and sign > 0:
            product.revenue_currency = currency
        if not currency or currency == product.revenue_currency:
            product.revenue = max(Decimal(0), product.revenue + sign * value)
        else:
            other = dict(product.other_revenue)
            total = max(Decimal(0), Decimal(other.get(currency, "0")) + sign * value)
            other[currency] = str(total)
            product.other_revenue = other
        self._touched.add(key)

    def _count(self, key: str, field: str, n: int) -> None:
        product = self.products.get(key)
        if product is not None:
            setattr(product, field, getattr(product, field) + n)
            self._touched.add(key)

    def save(self) -> None:
        write(Product, [self.products[k] for k in sorted(self._touched)], CHANGING)


def _describe(product: Product, item: Line) -> None:
    """What the shop said last wins; what it left out stays."""
    for name in ("product_id", "sku", "name", "brand", "category", "url", "image_url"):
        if getattr(item, name):
            setattr(product, name, getattr(item, name))
    if item.price is not None:
        product.price = item.price
        product.currency = item.currency or product.currency
