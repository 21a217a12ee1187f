"""Sessions: a visitor's events with no gap longer than 30 minutes are one visit.

Assigned per batch: the latest session of each visitor in the batch that could
still continue is read in one query; events are walked in time order per visitor.
An event older than the visitor's open session (a late delivery) starts a session
of its own rather than rewriting the past.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .models import Session

GAP = timedelta(minutes=30)


@dataclass
class Visit:
    """One event, as far as sessions care."""

    visitor: str
    at: datetime
    source_id: int
    contact_id: int | None
    page_view: bool
    url: str = ""
    referrer: str = ""
    campaign: dict[str, Any] = field(default_factory=dict)
    device: str = ""


@dataclass
class Assigned:
    sessions: list[Session]  # per visit, in the order given
    started: list[Session]  # the sessions this batch started


def assign(workspace_id: int, visits: list[Visit]) -> Assigned:
    if not visits:
        return Assigned([], [])
    earliest = min(v.at for v in visits) - GAP
    latest: dict[str, Session] = {}
    rows = (
        Session.objects.for_workspace(workspace_id)
        .filter(visitor__in={v.visitor for v in visits}, last_at__gte=earliest)
        .order_by("visitor", "-last_at")
    )
    for session in rows:
        latest.setdefault(session.visitor, session)
    order: dict[str, list[int]] = defaultdict(list)
    for n, visit in enumerate(visits):
        order[visit.visitor].append(n)
    out: list[Session | None] = [None] * len(visits)
    started: list[Session] = []
    touched: dict[int, Session] = {}
    for visitor, indexes in order.items():
        current = latest.get(visitor)
        for n in sorted(indexes, key=lambda i: visits[i].at):
            visit = visits[n]
            if current is None or not (current.started_at <= visit.at <= current.last_at + GAP):
                current = _start(workspace_id, visit)
                started.append(current)
            elif current.pk is not None:
                touched[current.pk] = current
            current.last_at = max(current.last_at, visit.at)
            current.events += 1
            current.page_views += visit.page_view
            if visit.contact_id is not None:
                current.contact_id = visit.contact_id
            out[n] = current
    Session.unscoped.bulk_create(started)
    if touched:
        Session.unscoped.bulk_update(
            list(touched.values()), ["last_at", "events", "page_views", "contact"]
        )
    return Assigned([s for s in out if s is not None], started)


def _start(workspace_id: int, visit: Visit) -> Session:
    return Session(
        workspace_id=workspace_id,
        source_id=visit.source_id,
        contact_id=visit.contact_id,
        visitor=visit.visitor,
        started_at=visit.at,
        last_at=visit.at,
        landing=visit.url[:500],
        referrer=visit.referrer[:500],
        campaign=visit.campaign,
        device=visit.device[:120],
    )
