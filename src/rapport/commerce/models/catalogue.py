"""The product catalogue, upserted from the products events mention."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.db import models

from rapport.core.models.tenancy import WorkspaceOwned

from .fields import money


class Product(WorkspaceOwned):
    """One product as the shop describes it in its events. ``key`` is the event's
    ``product_id``, or its ``sku`` when it has no id; name, brand, category, price
    and links are the latest an event sent.

    Counters: ``views`` counts Product Viewed events, ``adds`` Product Added events,
    ``purchases`` units in completed orders (a cancelled order takes its units
    back). ``price`` is in ``currency``, both as last sent. ``revenue`` is price x
    quantity of the units sold in ``revenue_currency`` (the currency of the first
    sale); units sold in other currencies go to ``other_revenue`` (currency →
    amount as text), because Rapport converts no currencies."""

    key = models.CharField(max_length=200)
    product_id = models.CharField(max_length=200, blank=True)
    sku = models.CharField(max_length=200, blank=True)
    name = models.CharField(max_length=300, blank=True)
    brand = models.CharField(max_length=200, blank=True)
    category = models.CharField(max_length=200, blank=True)
    price = money(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    url = models.CharField(max_length=1000, blank=True)
    image_url = models.CharField(max_length=1000, blank=True)
    first_seen = models.DateTimeField()
    last_seen = models.DateTimeField()
    views = models.PositiveIntegerField(default=0)
    adds = models.PositiveIntegerField(default=0)
    purchases = models.PositiveIntegerField(default=0)
    revenue = money(default=Decimal(0))
    revenue_currency = models.CharField(max_length=3, blank=True)
    other_revenue = models.JSONField(default=dict, blank=True)

    class Meta(WorkspaceOwned.Meta):
        ordering = ["name", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["workspace", "key"], name="uniq_product_key")
        ]

    def __str__(self) -> str:
        return self.name or self.key
