"""Per-contact commerce metrics, derived from the contact's counted orders.

- ``order_count``: completed and refunded orders (a cancelled order never
  happened; a refunded one was bought and returned).
- ``revenue``: the sum of ``net_revenue`` (revenue without shipping and tax, less
  refunds) in the contact's main currency: the one most of their orders were paid
  in (ties: the larger sum, then alphabetical). Rapport converts no currencies;
  every currency's sum is in ``revenue_by_currency``.
- ``average_order_value``: main-currency revenue ÷ main-currency orders.
- ``next_purchase_at``: the last order plus the contact's own mean gap between
  orders, (last - first) ÷ (orders - 1). It needs two orders: one order says
  nothing about a rhythm. It may lie in the past: the customer is overdue.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Min, Sum

from rapport.contacts.facade import sync_order_counts

from .bulk import write
from .models import COUNTED, CustomerMetrics, Order
from .spec import FOUR_PLACES

CHUNK = 2_000
DERIVED = ["order_count", "currency", "revenue", "revenue_by_currency", "average_order_value",
           "first_order_at", "last_order_at", "mean_gap_days", "next_purchase_at"]  # fmt: skip


@dataclass
class _Sums:
    orders: int = 0
    first: datetime | None = None
    last: datetime | None = None
    by_currency: dict[str, tuple[int, Decimal]] = field(default_factory=dict)

    def add(self, code: str, n: int, revenue: Decimal, first: datetime, last: datetime) -> None:
        self.orders += n
        self.first = first if self.first is None else min(self.first, first)
        self.last = last if self.last is None else max(self.last, last)
        count, total = self.by_currency.get(code, (0, Decimal(0)))
        self.by_currency[code] = (count + n, total + revenue)


def _apply(row: CustomerMetrics, sums: _Sums | None) -> None:
    if sums is None or sums.orders == 0:
        row.order_count, row.currency, row.revenue = 0, "", Decimal(0)
        row.revenue_by_currency, row.average_order_value = {}, None
        row.first_order_at = row.last_order_at = row.next_purchase_at = None
        row.mean_gap_days = None
        return
    main = min(sums.by_currency, key=lambda c: (-sums.by_currency[c][0],
                                                -sums.by_currency[c][1], c))  # fmt: skip
    count, revenue = sums.by_currency[main]
    row.order_count = sums.orders
    row.currency = main
    row.revenue = revenue.quantize(FOUR_PLACES)
    row.revenue_by_currency = {c: str(v.quantize(FOUR_PLACES))
                               for c, (_, v) in sorted(sums.by_currency.items())}  # fmt: skip
    row.average_order_value = (revenue / count).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)
    row.first_order_at, row.last_order_at = sums.first, sums.last
    if sums.orders >= 2 and sums.first is not None and sums.last is not None:
        gap = (sums.last - sums.first) / (sums.orders - 1)
        row.mean_gap_days = gap / timedelta(days=1)
        row.next_purchase_at = sums.last + gap
    else:
        row.mean_gap_days, row.next_purchase_at = None, None


def refresh(workspace_id: int, contact_ids: Iterable[int]) -> dict[int, CustomerMetrics]:
    """Recompute the metrics of these contacts from their orders (one aggregate
    query), write the rows that changed, and bring ``Contact.order_count`` in
    line where a merge moved orders. Returns the rows by contact id."""
    ids = sorted(set(contact_ids))
    out: dict[int, CustomerMetrics] = {}
    for start in range(0, len(ids), CHUNK):
        out.update(_refresh_chunk(workspace_id, ids[start : start + CHUNK]))
    return out


def _refresh_chunk(workspace_id: int, ids: list[int]) -> dict[int, CustomerMetrics]:
    sums: dict[int, _Sums] = {}
    for r in (
        Order.objects.for_workspace(workspace_id)
        .filter(contact_id__in=ids, status__in=COUNTED)
        .values("contact_id", "currency")
        .annotate(n=Count("id"), revenue=Sum("net_revenue"), first=Min("placed_at"),
                  last=Max("placed_at"))
        .order_by()
    ):  # fmt: skip
        sums.setdefault(r["contact_id"], _Sums()).add(
            r["currency"], r["n"], r["revenue"] or Decimal(0), r["first"], r["last"]
        )
    rows = {m.contact_id: m for m in CustomerMetrics.objects.for_workspace(workspace_id).filter(
        contact_id__in=ids)}  # fmt: skip
    created, changed = [], []
    for contact_id in ids:
        row = rows.get(contact_id)
        if row is None and contact_id not in sums:
            continue  # never bought anything: no row needed
        if row is None:
            row = rows[contact_id] = CustomerMetrics(workspace_id=workspace_id,
                                                     contact_id=contact_id)  # fmt: skip
            _apply(row, sums.get(contact_id))
            created.append(row)
            continue
        before = [getattr(row, name) for name in DERIVED]
        _apply(row, sums.get(contact_id))
        if before != [getattr(row, name) for name in DERIVED]:
            changed.append(row)
    manager = CustomerMetrics.objects.for_workspace(workspace_id)
    manager.bulk_create(created, batch_size=500)
    write(CustomerMetrics, changed, DERIVED)
    sync_order_counts(workspace_id, {pk: row.order_count for pk, row in rows.items()})
    return rows


def customers(workspace_id: int) -> Iterator[list[int]]:
    """Every contact of the workspace with an order or a metrics row, in chunks."""
    ids = set(
        Order.objects.for_workspace(workspace_id).values_list("contact_id", flat=True).distinct()
    )
    ids |= set(
        CustomerMetrics.objects.for_workspace(workspace_id).values_list("contact_id", flat=True)
    )
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]
