"""RFM scores: recency, frequency and monetary value, each 1-5 by quintile among the
workspace's customers (contacts with at least one counted order).

A customer's score is their mid-rank percentile p = (number below + half the number
equal) ÷ customers, mapped to 1 + ⌊5p⌋. Equal values share a score, so a workspace
where most people ordered once puts them all in the same frequency score rather
than spreading identical customers over several. Recency ranks the last order's
date (later is better), frequency the order count, monetary the revenue — within
the customer's main currency only, since amounts in different currencies are not
comparable without rates Rapport does not have.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from .bulk import write
from .models import CustomerMetrics

V = TypeVar("V", int, float, Decimal)


def quintiles(values: Sequence[V]) -> list[int]:
    """The 1-5 score of each value among ``values``, higher value → higher score."""
    ordered = sorted(values)
    n = len(ordered)
    scores = []
    for v in values:
        below = bisect_left(ordered, v)
        equal = bisect_right(ordered, v) - below
        p = (below + equal / 2) / n
        scores.append(min(5, 1 + int(5 * p)))
    return scores


def score_workspace(workspace_id: int, now: datetime) -> int:
    """Score every customer of the workspace; returns how many rows changed."""
    rows = list(
        CustomerMetrics.objects.for_workspace(workspace_id)
        .filter(order_count__gt=0, last_order_at__isnull=False)
        .only("contact_id", "order_count", "revenue", "currency", "last_order_at",
              "recency", "frequency", "monetary", "rfm_at")
    )  # fmt: skip
    if not rows:
        return 0
    recency = quintiles([r.last_order_at.timestamp() if r.last_order_at else 0.0 for r in rows])
    frequency = quintiles([r.order_count for r in rows])
    monetary: dict[int, int] = {}
    by_currency: dict[str, list[CustomerMetrics]] = {}
    for r in rows:
        by_currency.setdefault(r.currency, []).append(r)
    for group in by_currency.values():
        for r, score in zip(group, quintiles([r.revenue for r in group]), strict=True):
            monetary[r.contact_id] = score
    changed = []
    for r, rec, freq in zip(rows, recency, frequency, strict=True):
        scores = (rec, freq, monetary[r.contact_id])
        if (r.recency, r.frequency, r.monetary) != scores:
            r.recency, r.frequency, r.monetary = scores
            changed.append(r)
        r.rfm_at = now
    manager = CustomerMetrics.objects.for_workspace(workspace_id)
    write(CustomerMetrics, changed, ["recency", "frequency", "monetary"])
    # One statement stamps the run on everyone, changed or not.
    manager.filter(order_count__gt=0).update(rfm_at=now)
    manager.filter(order_count=0).update(recency=None, frequency=None, monetary=None, rfm_at=now)
    return len(changed)
