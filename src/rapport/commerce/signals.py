"""Signals from what customers do over time, read from ``tracking.ContactActivity``
(kept current by the tracking pipeline) by daily jobs.

**Long absence** (``tracking.long_absence``): a customer — a contact with at least
one counted order — not seen (``last_seen``) for the workspace's
``long_absence_days`` (``TrackingSettings``; 60 without a row). One event per
absence: the ``last_seen`` it was announced for is kept on the customer's metrics,
so the next run stays quiet, and an absence after they come back is a new one.

**Usage dropping** (``tracking.usage_dropping``): from ``weekly_sessions``
(ISO week "2026-W48" → sessions). Take the last two *full* weeks (the two before
the current one, which is still running) and the four weeks before those. Usage
is dropping when the recent average is under half the earlier average, and the
earlier four weeks had at least ``MIN_BASELINE`` sessions (an occasional visitor
skipping two weeks is not a drop). Weeks missing from the map count as zero.
``usage_dropping`` is set while it holds and cleared when it no longer does; the
event goes out when it becomes true, so once per drop.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from rapport.core.events import Event, publish
from rapport.tracking.models import ContactActivity, TrackingSettings

from .models import CustomerMetrics

DEFAULT_ABSENCE_DAYS = TrackingSettings._meta.get_field("long_absence_days").get_default()
MIN_BASELINE = 4  # sessions in the four earlier weeks: about one a week
RECENT_WEEKS, EARLIER_WEEKS = 2, 4
BATCH = 2_000


def _absence_days() -> dict[int, int]:
    return dict(TrackingSettings.unscoped.values_list("workspace_id", "long_absence_days"))


def long_absences(now: datetime) -> int:
    """Announce customers who have been away too long; returns how many."""
    configured = _absence_days()
    workspaces = (
        CustomerMetrics.unscoped.filter(order_count__gt=0)
        .values_list("workspace_id", flat=True)
        .distinct()
    )
    announced = 0
    for ws in list(workspaces):
        days = configured.get(ws, DEFAULT_ABSENCE_DAYS)
        if days <= 0:
            continue
        absent = (
            ContactActivity.objects.for_workspace(ws)
            .filter(last_seen__lt=now - timedelta(days=days))
            .filter(
                Exists(
                    CustomerMetrics.objects.for_workspace(ws)
                    .filter(contact_id=OuterRef("contact_id"), order_count__gt=0)
                    .exclude(absence_announced_for=OuterRef("last_seen"))
                )
            )
            .values_list("contact_id", "last_seen")
            .order_by("contact_id")
        )
        after = 0
        while True:
            page = list(absent.filter(contact_id__gt=after)[:BATCH])
            if not page:
                break
            after = page[-1][0]
            with transaction.atomic():
                for contact_id, last_seen in page:
                    CustomerMetrics.objects.for_workspace(ws).filter(contact_id=contact_id).update(
                        absence_announced_for=last_seen
                    )
                    publish(Event.LONG_ABSENCE, ws, contact_id=contact_id,
                            last_seen=last_seen.isoformat(), days=days,
                            absent_days=(now - last_seen).days)  # fmt: skip
            announced += len(page)
    return announced


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def windows(today: date) -> tuple[list[str], list[str]]:
    """The keys of the two recent full weeks and of the four weeks before them."""
    monday = today - timedelta(days=today.weekday())
    weeks = [iso_week(monday - timedelta(weeks=n)) for n in range(1, 1 + RECENT_WEEKS
                                                                  + EARLIER_WEEKS)]  # fmt: skip
    return weeks[:RECENT_WEEKS], weeks[RECENT_WEEKS:]


def is_dropping(weekly: Mapping[str, Any], today: date) -> bool:
    if not isinstance(weekly, Mapping):
        return False
    recent, earlier = windows(today)

    def sessions(week: str) -> float:
        value = weekly.get(week, 0)
        return float(value) if isinstance(value, int | float) and value > 0 else 0.0

    before = sum(sessions(w) for w in earlier)
    if before < MIN_BASELINE:
        return False
    return sum(sessions(w) for w in recent) / RECENT_WEEKS < (before / EARLIER_WEEKS) / 2


def usage_dropping(now: datetime) -> tuple[int, int]:
    """Set and clear ``usage_dropping``; returns (newly dropping, recovered).
    Only contacts seen in the six weeks looked at, or flagged now, can change."""
    today = now.date()
    since = now - timedelta(weeks=RECENT_WEEKS + EARLIER_WEEKS + 1)
    rows = (
        ContactActivity.unscoped.filter(Q(last_seen__gte=since) | Q(usage_dropping=True))
        .only("contact_id", "workspace_id", "weekly_sessions", "usage_dropping")
        .order_by("contact_id")
    )
    dropped = recovered = 0
    after = 0
    while True:
        page = list(rows.filter(contact_id__gt=after)[:BATCH])
        if not page:
            break
        after = page[-1].contact_id
        start = [a for a in page if not a.usage_dropping and is_dropping(a.weekly_sessions, today)]
        stop = [a for a in page if a.usage_dropping and not is_dropping(a.weekly_sessions, today)]
        with transaction.atomic():
            ContactActivity.unscoped.filter(
                contact_id__in=[a.contact_id for a in start], usage_dropping=False
            ).update(usage_dropping=True)
            ContactActivity.unscoped.filter(contact_id__in=[a.contact_id for a in stop]).update(
                usage_dropping=False
            )
            recent, earlier = windows(today)
            for a in start:
                weekly = a.weekly_sessions
                publish(
                    Event.USAGE_DROPPING,
                    a.workspace_id,
                    contact_id=a.contact_id,
                    recent_weeks={w: weekly.get(w, 0) for w in recent},
                    earlier_weeks={w: weekly.get(w, 0) for w in earlier},
                )
        dropped, recovered = dropped + len(start), recovered + len(stop)
    return dropped, recovered
