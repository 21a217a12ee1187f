"""Per-contact activity (``ContactActivity``), kept current by the pipeline a batch
at a time, folded together when contacts merge, and rebuilt from the stored events
when that is simpler (an unmerge)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Max, Min

from rapport.contacts.transfer.fast import EMPTY_OBJECT, insert_rows, update_rows, upsert_rows
from rapport.core.events import Event, publish

from .models import ContactActivity, Session, TrackedEvent

_FIELDS = ["first_seen", "last_seen", "events", "page_views", "sessions", "features",
           "weekly_sessions", "first_login_at"]  # fmt: skip

# Track events that mean "signed in" in the Segment spec's B2B SaaS events and in
# what shops commonly send; an identify with a userId counts too.
LOGIN_EVENTS = {"Signed In", "Logged In", "Login", "Signed Up", "Account Created"}


@dataclass(slots=True)
class Delta:
    first_seen: datetime
    last_seen: datetime
    events: int = 0
    page_views: int = 0
    sessions: int = 0
    logged_in_at: datetime | None = None
    # Made when first counted: most deltas (a visitor's views) need neither, and two
    # Counters a contact cost more than the rest of its delta.
    features: Counter[str] | None = None
    weeks: Counter[str] | None = None

    def see(self, at: datetime) -> None:
        self.first_seen = min(self.first_seen, at)
        self.last_seen = max(self.last_seen, at)

    def use(self, feature: str) -> None:
        if self.features is None:
            self.features = Counter()
        self.features[feature] += 1

    def start_session(self, week: str) -> None:
        self.sessions += 1
        if self.weeks is None:
            self.weeks = Counter()
        self.weeks[week] += 1


def week_of(at: datetime) -> str:
    year, week, _ = at.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass
class _Row:
    """A ContactActivity row as ``apply`` works on it (a plain record, for speed)."""

    contact_id: int
    first_seen: datetime
    last_seen: datetime
    events: int = 0
    page_views: int = 0
    sessions: int = 0
    features: dict[str, int] = field(default_factory=dict)
    weekly_sessions: dict[str, int] = field(default_factory=dict)
    first_login_at: datetime | None = None


def _add(row: _Row, delta: Delta) -> None:
    row.first_seen = min(row.first_seen, delta.first_seen)
    row.last_seen = max(row.last_seen, delta.last_seen)
    row.events += delta.events
    row.page_views += delta.page_views
    row.sessions += delta.sessions
    row.features = dict(Counter(row.features) + (delta.features or Counter()))
    row.weekly_sessions = dict(Counter(row.weekly_sessions) + (delta.weeks or Counter()))


def _counts_only(delta: Delta) -> bool:
    return not (delta.features or delta.weeks or delta.sessions or delta.logged_in_at)


def apply(workspace_id: int, deltas: dict[int, Delta]) -> None:
    """Add a batch's deltas; publish the first login of a contact.

    Most deltas only move counters and times (a visitor still in their session): those
    are folded in by the database in one upsert, unread. The rest (a new session, app
    features, a login) are read, merged here and written back."""
    counts = {cid: d for cid, d in deltas.items() if _counts_only(d)}
    upsert_rows(
        ContactActivity,
        ["contact", "workspace", "usage_dropping", *_FIELDS],
        [_counts_row(workspace_id, cid, d) for cid, d in counts.items()],
        combine=_COMBINE,
        binary=True,
    )
    _merge(workspace_id, {cid: d for cid, d in deltas.items() if cid not in counts})


def _counts_row(workspace_id: int, contact_id: int, d: Delta) -> list[object]:
    return [contact_id, workspace_id, False, d.first_seen, d.last_seen, d.events,
            d.page_views, 0, EMPTY_OBJECT, EMPTY_OBJECT, None]  # fmt: skip


_COMBINE = {"first_seen": "min", "last_seen": "max", "events": "add", "page_views": "add"}


def _merge(workspace_id: int, deltas: dict[int, Delta]) -> None:
    if not deltas:
        return
    rows = {
        values[0]: _Row(*values)
        for values in ContactActivity.objects.for_workspace(workspace_id)
        .filter(contact_id__any=list(deltas))
        .values_list("contact_id", *_FIELDS)
    }
    new: list[_Row] = []
    for contact_id, delta in deltas.items():
        row = rows.get(contact_id)
        if row is None:
            row = _Row(contact_id, delta.first_seen, delta.last_seen)
            new.append(row)
        _add(row, delta)
        if delta.logged_in_at is not None and row.first_login_at is None:
            row.first_login_at = delta.logged_in_at
            publish(
                Event.FIRST_LOGIN,
                workspace_id,
                contact_id=contact_id,
                at=delta.logged_in_at.isoformat(),
            )
    insert_rows(
        ContactActivity,
        ["workspace", "contact", "usage_dropping", *_FIELDS],
        [[workspace_id, r.contact_id, False, *(getattr(r, f) for f in _FIELDS)] for r in new],
    )
    update_rows(
        ContactActivity,
        _FIELDS,
        [[r.contact_id, *(getattr(r, f) for f in _FIELDS)] for r in rows.values()],
    )


def fold_merges(workspace_id: int, merged: dict[int, int]) -> None:
    """Contacts that merged in this batch: the loser's activity joins the winner's.
    (Their events and sessions moved with the merge: the tables are registered.)"""
    losers = ContactActivity.objects.for_workspace(workspace_id).filter(contact_id__in=merged)
    for row in list(losers):
        delta = Delta(
            row.first_seen,
            row.last_seen,
            row.events,
            row.page_views,
            row.sessions,
            row.first_login_at,
            Counter(row.features),
            Counter(row.weekly_sessions),
        )
        winner = merged[row.contact_id]
        row.delete()
        apply(workspace_id, {winner: delta})


def rebuild(workspace_id: int, contact_id: int) -> ContactActivity | None:
    """From the stored events and sessions: after an unmerge split them."""
    events = TrackedEvent.objects.for_workspace(workspace_id).filter(contact_id=contact_id)
    totals = events.aggregate(n=Count("id"), first=Min("timestamp"), last=Max("timestamp"))
    ContactActivity.objects.for_workspace(workspace_id).filter(contact_id=contact_id).delete()
    if not totals["n"]:
        return None
    sessions = Session.objects.for_workspace(workspace_id).filter(contact_id=contact_id)
    logins = events.filter(type="identify").exclude(user_id="").aggregate(at=Min("timestamp"))
    features = Counter(
        name
        for name in events.filter(type="track", source__kind="app").values_list("name", flat=True)
    )
    return ContactActivity.objects.create(
        workspace_id=workspace_id,
        contact_id=contact_id,
        first_seen=totals["first"],
        last_seen=totals["last"],
        events=totals["n"],
        page_views=events.filter(type__in=("page", "screen")).count(),
        sessions=sessions.count(),
        first_login_at=logins["at"],
        features=dict(features),
        weekly_sessions=dict(
            Counter(week_of(s) for s in sessions.values_list("started_at", flat=True))
        ),
    )
