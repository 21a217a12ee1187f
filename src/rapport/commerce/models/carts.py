"""Carts: what a shopper has put in their basket, and what became of it."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.db import models

from rapport.core.models.tenancy import WorkspaceOwned

from .fields import money


class CartStatus(models.TextChoices):
    OPEN = "open", "Open"
    ABANDONED = "abandoned", "Abandoned"
    CONVERTED = "converted", "Converted"


class Cart(WorkspaceOwned):
    """A shopper's basket. A contact has one current cart (open, or abandoned and
    waiting to be picked up again); Order Completed converts it, and the next
    Product Added starts a new one.

    ``updated_at`` is the time of the last shopping event (an add, a removal, a
    look at the cart, a checkout step): the abandonment sweeper measures from it.
    ``announced_at`` is when ``commerce.cart_abandoned`` went out: once per cart,
    even if the shopper comes back and leaves again."""

    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    # The identity the cart's first event came through: after an unmerge the cart
    # follows it.
    identity = models.ForeignKey(
        "contacts.Identity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    visitor = models.CharField(max_length=200, blank=True)  # anonymous id, else user id
    cart_id = models.CharField(max_length=200, blank=True)  # the shop's, when it sends one
    checkout_id = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=9, choices=CartStatus.choices, default=CartStatus.OPEN)
    currency = models.CharField(max_length=3, blank=True)
    value = money(default=Decimal(0))
    item_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    abandoned_at = models.DateTimeField(null=True, blank=True)
    announced_at = models.DateTimeField(null=True, blank=True)
    converted_at = models.DateTimeField(null=True, blank=True)
    order = models.ForeignKey(
        "commerce.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(WorkspaceOwned.Meta):
        ordering = ["-updated_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["workspace", "contact", "status"]),
            # The sweeper's question: open carts untouched since a cut-off.
            models.Index(
                fields=["workspace", "updated_at"],
                name="cart_open_by_age",
                condition=models.Q(status="open"),
            ),
        ]

    def __str__(self) -> str:
        return f"cart {self.pk} ({self.status})"


class CartItem(WorkspaceOwned):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(
        "commerce.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    product_key = models.CharField(max_length=200)
    name = models.CharField(max_length=300, blank=True)
    price = money(null=True, blank=True)
    quantity = models.PositiveIntegerField(default=1)
    added_at = models.DateTimeField()

    class Meta(WorkspaceOwned.Meta):
        ordering = ["added_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["cart", "product_key"], name="uniq_cart_product")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.name or self.product_key}"
