"""What a contact's orders add up to."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from rapport.core.models.tenancy import WorkspaceOwned

from .fields import money


class CustomerMetrics(WorkspaceOwned):
    """Derived from the contact's counted orders (completed or refunded) and kept
    current by the processor, merges and a daily job; never edited by hand.

    Money is in the contact's main ``currency`` (the one most of their orders
    were paid in); ``revenue_by_currency`` has every currency they paid in.
    ``recency``, ``frequency`` and ``monetary`` are 1-5, quintiles within the
    workspace computed daily (``rfm_at``); null until then.

    Not a contact-owned table for merges (one row per contact): a merge or unmerge
    recomputes both sides from the orders, which do move."""

    contact = models.OneToOneField("contacts.Contact", on_delete=models.CASCADE,
                                   related_name="+", primary_key=True)  # fmt: skip
    order_count = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, blank=True)
    revenue = money(default=Decimal(0))
    revenue_by_currency = models.JSONField(default=dict, blank=True)
    average_order_value = money(null=True, blank=True)
    first_order_at = models.DateTimeField(null=True, blank=True)
    last_order_at = models.DateTimeField(null=True, blank=True)
    mean_gap_days = models.FloatField(null=True, blank=True)
    next_purchase_at = models.DateTimeField(null=True, blank=True)
    recency = models.PositiveSmallIntegerField(null=True, blank=True)
    frequency = models.PositiveSmallIntegerField(null=True, blank=True)
    monetary = models.PositiveSmallIntegerField(null=True, blank=True)
    rfm_at = models.DateTimeField(null=True, blank=True)
    # The ``last_seen`` whose long absence was announced: one event per absence.
    absence_announced_for = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"commerce metrics of contact {self.contact_id}"

    @property
    def rfm(self) -> str:
        """ "R4 F2 M5", or "" before the first daily run."""
        if self.recency is None or self.frequency is None or self.monetary is None:
            return ""
        return f"R{self.recency} F{self.frequency} M{self.monetary}"
