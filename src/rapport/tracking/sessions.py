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

from rapport.contacts.transfer.fast import (
    among,
    datetime_column,
    db_datetime,
    fetch,
    insert_rows,
    read_datetime,
    reserve_ids,
    table_of,
    update_rows,
)

from .context import device_of
from .models import Session
from .spec import Event

GAP = timedelta(minutes=30)
_FIELDS = ["id", "workspace", "source", "contact", "visitor", "started_at", "last_at", "events",
           "page_views", "landing", "referrer", "campaign", "device"]  # fmt: skip
# A continued session's counters are this batch's: added to the stored ones.
_CONTINUED = {"last_at": "max", "events": "add", "page_views": "add"}
_COLUMNS = ["pk", "workspace_id", "source_id", "contact_id", *_FIELDS[4:]]


@dataclass(slots=True)
class Visit:
    """One event, as far as sessions care."""

    visitor: str
    at: datetime
    source_id: int
    contact_id: int | None
    page_view: bool
    # Where a session it starts landed, came from and ran on are read from these, only
    # then: most events continue a session.
    event: Event
    user_agent: str = ""


@dataclass
class Open:
    """A session as the batch works on it (a plain record: thousands are made a
    second, and a model instance costs ten times as much)."""

    pk: int | None
    workspace_id: int
    source_id: int
    contact_id: int | None
    visitor: str
    started_at: datetime
    last_at: datetime
    events: int = 0
    page_views: int = 0
    landing: str = ""
    referrer: str = ""
    campaign: dict[str, Any] = field(default_factory=dict)
    device: str = ""


@dataclass
class Assigned:
    sessions: list[Open]  # per visit, in the order given
    started: list[Open]  # the sessions this batch started


def assign(workspace_id: int, visits: list[Visit]) -> Assigned:
    if not visits:
        return Assigned([], [])
    earliest = min(v.at for v in visits) - GAP
    latest: dict[str, Open] = {}
    stored: dict[int, int | None] = {}  # the contact of each session read
    match, values = among("visitor", list({v.visitor for v in visits}))
    # By hand, without the ORM's converters: building the query and converting the
    # rows cost several times what running it does.
    times = f"{datetime_column('started_at')}, {datetime_column('last_at')}"
    rows = fetch(
        f"SELECT id, visitor, {times}, contact_id FROM {table_of(Session)} "  # noqa: S608
        f"WHERE workspace_id = %s AND last_at >= %s AND {match} ORDER BY visitor, last_at DESC",
        [workspace_id, db_datetime(earliest), values],
    )
    for pk, visitor, started_at, last_at, contact_id in rows:
        if visitor not in latest:
            stored[pk] = contact_id
            # Only what continuing needs; its counters here count this batch's events.
            latest[visitor] = Open(
                pk,
                workspace_id,
                0,
                contact_id,
                visitor,
                read_datetime(started_at),
                read_datetime(last_at),
            )
    order: dict[str, list[int]] = defaultdict(list)
    for n, visit in enumerate(visits):
        order[visit.visitor].append(n)
    out: list[Open | None] = [None] * len(visits)
    started: list[Open] = []
    touched: dict[int, Open] = {}
    for visitor, indexes in order.items():
        current = latest.get(visitor)
        if len(indexes) > 1:
            indexes.sort(key=lambda i: visits[i].at)
        for n in indexes:
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
    for session, pk in zip(started, reserve_ids(Session, len(started)), strict=True):
        session.pk = pk
    insert_rows(Session, _FIELDS, [[getattr(s, f) for f in _COLUMNS] for s in started], binary=True)
    _save_continued(touched, stored)
    return Assigned([s for s in out if s is not None], started)


def _save_continued(sessions: dict[int, Open], stored: dict[int, int | None]) -> None:
    """This batch's counters added to the continued sessions; the contact set only
    where it changed (``stored`` holds the contact each had), since writing a foreign
    key costs a look-up of the contact and a rewrite of the index it is in, a third
    of the statement for a visitor who stays who they were."""
    same = [s for pk, s in sessions.items() if s.contact_id == stored[pk]]
    other = [s for pk, s in sessions.items() if s.contact_id != stored[pk]]
    counters = ["last_at", "events", "page_views"]
    update_rows(
        Session,
        counters,
        [[s.pk, s.last_at, s.events, s.page_views] for s in same],
        combine=_CONTINUED,
        binary=True,
    )
    update_rows(
        Session,
        [*counters, "contact"],
        [[s.pk, s.last_at, s.events, s.page_views, s.contact_id] for s in other],
        combine=_CONTINUED,
        binary=True,
    )


def _start(workspace_id: int, visit: Visit) -> Open:
    event, page = visit.event, _page(visit.event.context)
    url = str(page.get("url") or page.get("path") or event.properties.get("url") or "")
    referrer = str(page.get("referrer") or event.properties.get("referrer") or "")
    device = " · ".join(device_of(visit.user_agent).values())
    return Open(
        pk=None,
        workspace_id=workspace_id,
        source_id=visit.source_id,
        contact_id=visit.contact_id,
        visitor=visit.visitor,
        started_at=visit.at,
        last_at=visit.at,
        landing=url[:500],
        referrer=referrer[:500],
        campaign=_campaign(event.context),
        device=device[:120],
    )


def _campaign(context: dict[str, Any]) -> dict[str, Any]:
    campaign = context.get("campaign")
    return (
        {k: v for k, v in campaign.items() if isinstance(v, str)}
        if isinstance(campaign, dict)
        else {}
    )


def _page(context: dict[str, Any]) -> dict[str, Any]:
    page = context.get("page")
    return page if isinstance(page, dict) else {}
