"""Orders as the shop reported them: completed, then perhaps refunded or cancelled."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.db import models

from rapport.core.models.tenancy import WorkspaceOwned

from .fields import money


class OrderStatus(models.TextChoices):
    COMPLETED = "completed", "Completed"
    REFUNDED = "refunded", "Refunded"
    CANCELLED = "cancelled", "Cancelled"


# Orders that count: a refunded order was still bought (its money comes off
# ``net_revenue``); a cancelled one never happened.
COUNTED = (OrderStatus.COMPLETED, OrderStatus.REFUNDED)


class Order(WorkspaceOwned):
    """One order, unique per workspace by the shop's ``order_id`` (``checkout_id``
    when the event had no order id): the same order reported twice is updated.

    Amounts follow the Segment spec: ``revenue`` excludes shipping and tax,
    ``total`` is what the customer paid. ``refunded`` adds up Order Refunded
    amounts; ``net_revenue`` = revenue - refunded (never below 0; 0 when
    cancelled) is what metrics and RFM count."""

    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    identity = models.ForeignKey(
        "contacts.Identity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    order_id = models.CharField(max_length=200)
    checkout_id = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=9, choices=OrderStatus.choices, default=OrderStatus.COMPLETED
    )
    currency = models.CharField(max_length=3, blank=True)
    total = money(default=Decimal(0))
    revenue = money(default=Decimal(0))
    shipping = money(null=True, blank=True)
    tax = money(null=True, blank=True)
    discount = money(null=True, blank=True)
    refunded = money(default=Decimal(0))
    net_revenue = money(default=Decimal(0))
    coupon = models.CharField(max_length=200, blank=True)
    affiliation = models.CharField(max_length=200, blank=True)
    item_count = models.PositiveIntegerField(default=0)
    placed_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    refunded_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The tracked event that reported the order first (tracking.TrackedEvent).
    event_id = models.BigIntegerField(null=True, blank=True)

    class Meta(WorkspaceOwned.Meta):
        ordering = ["-placed_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["workspace", "order_id"], name="uniq_order_id")
        ]
        indexes: ClassVar = [
            models.Index(fields=["workspace", "contact", "-placed_at"]),
            models.Index(fields=["workspace", "-placed_at", "-id"]),
        ]

    def __str__(self) -> str:
        return f"order {self.order_id}"


class OrderItem(WorkspaceOwned):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(
        "commerce.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    product_key = models.CharField(max_length=200)
    name = models.CharField(max_length=300, blank=True)
    sku = models.CharField(max_length=200, blank=True)
    price = money(null=True, blank=True)
    quantity = models.PositiveIntegerField(default=1)

    class Meta(WorkspaceOwned.Meta):
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.name or self.product_key}"
