"""The processing pipeline: reads the durable log of accepted requests in id order
and turns each event into stored, resolved behaviour.

Per batch, in one transaction: parse and validate each event (an invalid one goes
to the quarantine with its reason), drop bots, drop messageIds already stored,
correct device clocks, derive device and country, resolve the contact through the
contacts app (anonymousId ↔ userId / email), assign sessions, store the events,
update per-contact activity, run registered processors (commerce), and move the
cursor. A worker killed anywhere in a batch leaves the cursor where it was, so the
batch is done again, whole, by the next worker: no accepted event is lost or
stored twice.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

import orjson
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from rapport.contacts.behaviour import (
    existing_identities,
    join_companies,
    mark_active,
    promote_identified,
)
from rapport.contacts.bulk import Owner, resolve_stream
from rapport.contacts.normalize import InvalidIdentity, normalise
from rapport.contacts.resolution import Claim
from rapport.contacts.transfer.fast import (
    among,
    fetch,
    gc_paused,
    insert_rows,
    reserve_ids,
    server_binding,
    table_of,
)
from rapport.core.models import Workspace

from . import activity
from .context import enrich_context, is_bot, signals
from .ingest.log import InboundLog, InboundRecord, log_setting, open_log
from .models import IngestCursor, QuarantinedEvent, Source, SourceKind, TrackedEvent
from .models import TrackingSettings as Prefs
from .processed import Processed, processors
from .sessions import Visit, assign
from .spec import Event, InvalidEvent, parse_event, parse_time

logger = logging.getLogger(__name__)

_EVENT_FIELDS = ["id", "workspace", "source", "contact", "identity", "session", "message_id",
                 "type", "name", "anonymous_id", "user_id", "properties", "traits", "context",
                 "timestamp", "received_at"]  # fmt: skip
# A stored event's values, in _EVENT_FIELDS order (one C call a row, not 16 getattr).
_event_values = attrgetter("event_id", "workspace_id", "source_id", "contact_id", "identity_id",
                           "session_id", *_EVENT_FIELDS[6:])  # fmt: skip

CURSOR = "pipeline"
SETTINGS_TTL = 60.0  # seconds
# A batch is up to this many requests or this much JSON, whichever comes first: single
# events then go some 10,000 to a transaction, batches of 100 some 120 requests (about
# 12,000 events), and the worker's memory stays bounded by the bytes, not the calls.
# Bigger batches fold more of one visitor's events into one row update and pay for
# fewer commits: 10,000 single events a batch process 25 % faster than 4,000.
ROWS_PER_BATCH = 10_000
BYTES_PER_BATCH = 4 * 1024 * 1024
ANONYMOUS, USER_ID, EMAIL, PHONE = "anonymous", "user_id", "email", "phone"
# A log file of its own is trimmed once this many requests have gone by: each trim
# syncs the file to disk and holds its write lock, which the ingest server waits on.
TRIM_EVERY = 16_384
# SQLite copies its write-ahead log into the database (a checkpoint, with a sync)
# after the commit that takes it past this many pages. At SQLite's 1,000 nearly every
# batch's commit did one; most of a batch's pages are the index and counter pages the
# previous batches wrote too, so checkpointing every dozen batches copies each once
# (8 % more events a second). Commits are as durable either way: they are in the log.
CHECKPOINT_PAGES = 16_000


@dataclass
class Report:
    requests: int = 0
    events: int = 0
    stored: int = 0
    duplicates: int = 0
    bots: int = 0
    quarantined: int = 0
    position: int = 0


@dataclass(frozen=True)
class _SourceInfo:
    trusted: bool
    kind: str
    keep_ip: bool


@dataclass(slots=True)
class _Incoming:
    """An event on its way through a batch (one record for every stage: thousands
    are made a second)."""

    record: InboundRecord
    source: _SourceInfo
    event: Event
    user_agent: str
    ip: str
    claims: Sequence[Claim] = ()


def _cut(rows: list[tuple[int, InboundRecord]]) -> list[tuple[int, InboundRecord]]:
    """The first rows that fit in ``BYTES_PER_BATCH`` (always at least one)."""
    size = 0
    for n, (_, record) in enumerate(rows):
        size += len(record.body)
        if size > BYTES_PER_BATCH and n:
            return rows[:n]
    return rows


def _parse_time(value: Any) -> datetime | None:
    try:
        return parse_time(value)
    except InvalidEvent:
        return None


def _items(record: InboundRecord) -> tuple[list[Any], datetime | None]:
    """The events of a request, with a batch's shared sentAt and context applied."""
    payload = orjson.loads(record.body)
    if record.call:
        return [payload], None
    shared = payload.get("context")
    items = payload.get("batch") or []
    if isinstance(shared, dict):
        for item in items:
            if isinstance(item, dict):
                own = item.get("context")
                item["context"] = {**shared, **own} if isinstance(own, dict) else dict(shared)
    return items, _parse_time(payload.get("sentAt"))


def _quarantine(
    inbound_id: int, record: InboundRecord, received: datetime, item: Any, reason: str
) -> QuarantinedEvent:
    if isinstance(item, dict):
        item.pop("writeKey", None)  # a server key is a secret; the quarantine is read widely
    text = orjson.dumps(item, default=str).decode(errors="replace")
    return QuarantinedEvent(
        workspace_id=record.workspace_id,
        source_id=record.source_id,
        inbound_id=inbound_id,
        received_at=received,
        reason=reason[:300],
        payload=text[:32_768],
    )


def _claims(event: Event, region: str, user_ids: set[str]) -> list[Claim]:
    """The identities an event names. An alias's previousId is the anonymous id it
    replaces, unless it is a user id Rapport already knows."""
    raw: list[tuple[str, str]] = []  # (kind, value) as sent; one Claim each once normalised
    if event.user_id:
        raw.append((USER_ID, event.user_id))
    if event.anonymous_id:
        raw.append((ANONYMOUS, event.anonymous_id))
    if event.previous_id and event.type == "alias":
        kind = USER_ID if event.previous_id in user_ids else ANONYMOUS
        raw.append((kind, event.previous_id))
    traits = event.traits if event.type == "identify" else event.context.get("traits")
    if isinstance(traits, dict):
        for kind in (EMAIL, PHONE):
            value = traits.get(kind)
            if isinstance(value, str) and value.strip():
                raw.append((kind, value))
    claims: list[Claim] = []
    for kind, value in raw:
        try:
            claims.append(Claim(kind, normalise(kind, value, region)))
        except InvalidIdentity:
            continue  # a malformed email in traits: the event still counts
    return claims


def _visitor(event: Event) -> str:
    return event.anonymous_id or f"user:{event.user_id}"


def _holder(claims: Sequence[Claim], owner: Owner) -> tuple[int | None, int | None]:
    """(contact, identity) an event resolved to. The browser's identity first: after
    an unmerge the event follows it."""
    for claim in claims:
        if claim.kind == ANONYMOUS and (hit := owner.get((claim.kind, claim.value))):
            return hit[1], hit[0]
    for claim in claims:
        if claim.kind != ANONYMOUS and (hit := owner.get((claim.kind, claim.value))):
            return hit[1], hit[0]
    return None, None


def _commit_without_waiting() -> None:
    """PostgreSQL: this transaction's commit does not wait for its WAL to reach the
    disk (``synchronous_commit = off``, for this transaction only). A batch's writes,
    the cursor's move and the trim of the log rows it processed commit together, as
    one transaction; a server crash can lose only the last such transactions (under a
    second of them), and then loses them whole: the cursor is back where it was and
    the log rows are still there, so those events are processed again, from the log,
    exactly once. The log itself keeps synchronous commits (an accepted event is on
    disk before the 2xx), and any later synchronous commit, an ingest append among
    them, flushes this one too (the WAL is one sequence). A log in a file of its own
    is trimmed only after such a commit (``_flush_commits``). What a lost batch told
    the outside world after its commit (``on_commit`` work) is told again when it is
    redone."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def _flush_commits() -> None:
    """PostgreSQL: every batch committed so far on disk, before a log file of its own
    forgets their requests: a synchronous commit that writes something (the cursor's
    time) waits for the WAL up to it, which holds the earlier commits."""
    if connection.vendor == "postgresql":
        with transaction.atomic():
            IngestCursor.objects.filter(name=CURSOR).update(updated_at=timezone.now())


def _checkpoint_less() -> None:
    """Set on the worker's connection at each batch (one cheap statement), so a new
    connection after an error gets it too."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {CHECKPOINT_PAGES}")


class Pipeline:
    def __init__(self, log: InboundLog | None = None) -> None:
        self.log = log or open_log()
        self._shared_log = log_setting() == "database"
        self._sources: dict[int, _SourceInfo] = {}
        self._regions: dict[int, str] = {}
        self._cached_until = 0.0

    def close(self) -> None:
        self.log.close()

    def process_batch(self, rows_per_batch: int | None = None) -> Report:
        report = Report()
        if time.monotonic() > self._cached_until:
            # A workspace's settings (keep the IP? its phone region) reach a running
            # worker within a minute.
            self._sources.clear()
            self._regions.clear()
            self._cached_until = time.monotonic() + SETTINGS_TTL
        _checkpoint_less()
        # No cyclic collection while a batch makes its hundreds of thousands of
        # short-lived records: it found nothing to free and cost a tenth of the time.
        with gc_paused(), server_binding(), transaction.atomic():
            _commit_without_waiting()
            cursor, _ = IngestCursor.objects.select_for_update().get_or_create(name=CURSOR)
            limit = rows_per_batch or settings.RAPPORT_INGEST.get("PIPELINE_ROWS", ROWS_PER_BATCH)
            rows = _cut(self.log.read(cursor.position, limit))
            report.position = start = cursor.position
            if not rows:
                return report
            self._process(rows, report)
            cursor.position = report.position = rows[-1][0]
            cursor.save(update_fields=["position", "updated_at"])
            if self._shared_log:
                self.log.trim(cursor.position)
        if not self._shared_log and cursor.position // TRIM_EVERY != start // TRIM_EVERY:
            _flush_commits()
            self.log.trim(cursor.position)  # its own file: trimmed now and then, after commit
        return report

    def _source(self, source_id: int) -> _SourceInfo:
        info = self._sources.get(source_id)
        if info is None:
            source = Source.unscoped.get(pk=source_id)
            prefs = Prefs.objects.for_workspace(source.workspace_id).first()
            info = _SourceInfo(source.trusted, source.kind, bool(prefs and prefs.store_ip))
            self._sources[source_id] = info
        return info

    def _region(self, workspace_id: int) -> str:
        if workspace_id not in self._regions:
            ws = Workspace.objects.filter(pk=workspace_id).values_list("phone_region", flat=True)
            self._regions[workspace_id] = ws.first() or ""
        return self._regions[workspace_id]

    def _process(self, rows: list[tuple[int, InboundRecord]], report: Report) -> None:
        incoming: list[_Incoming] = []
        quarantined: list[QuarantinedEvent] = []
        for inbound_id, record in rows:
            report.requests += 1
            received = datetime.fromtimestamp(record.received_at, UTC)
            source = self._source(record.source_id)
            items, sent_at = _items(record)
            for item in items:
                report.events += 1
                try:
                    event = parse_event(
                        item, received_at=received, call=record.call or None, batch_sent_at=sent_at
                    )
                except InvalidEvent as exc:
                    quarantined.append(_quarantine(inbound_id, record, received, item, str(exc)))
                    continue
                ua, ip = signals(
                    event.context,
                    request_ua=record.user_agent,
                    request_ip=record.ip,
                    from_browser=source.kind == SourceKind.WEBSITE,
                )
                if is_bot(ua):
                    report.bots += 1
                    continue
                incoming.append(_Incoming(record, source, event, ua, ip))
        QuarantinedEvent.unscoped.bulk_create(quarantined)
        report.quarantined = len(quarantined)
        by_workspace: dict[int, list[_Incoming]] = defaultdict(list)
        for item in incoming:
            by_workspace[item.record.workspace_id].append(item)
        done: list[Processed] = []
        for workspace_id, items in by_workspace.items():
            fresh = self._dedupe(workspace_id, items, report)
            done += self._store(workspace_id, fresh)
        report.stored = len(done)
        for processor in processors():
            processor(done)

    def _dedupe(self, workspace_id: int, items: list[_Incoming], report: Report) -> list[_Incoming]:
        first: dict[str, _Incoming] = {}
        for item in items:
            first.setdefault(item.event.message_id, item)
        ids = list(first)
        seen: set[str] = set()
        for n in range(0, len(ids), 5000):
            match, values = among("message_id", ids[n : n + 5000])
            # By hand: the ORM's query cost more to build than to run.
            sql = (
                f"SELECT message_id FROM {table_of(TrackedEvent)} "  # noqa: S608
                f"WHERE workspace_id = %s AND {match}"
            )
            seen.update(mid for (mid,) in fetch(sql, [workspace_id, values]))
        fresh = [item for mid, item in first.items() if mid not in seen]
        report.duplicates += len(items) - len(fresh)
        return fresh

    def _store(self, workspace_id: int, items: list[_Incoming]) -> list[Processed]:
        if not items:
            return []
        region = self._region(workspace_id)
        previous = {i.event.previous_id for i in items if i.event.type == "alias"} - {None}
        user_ids: set[str] = set()
        if previous:
            # A user id named in this batch, or one already stored.
            user_ids = {i.event.user_id for i in items if i.event.user_id} & previous
            user_ids |= existing_identities(workspace_id, USER_ID, {p for p in previous if p})
        for item in items:
            item.claims = _claims(item.event, region, user_ids)
        observations = [(item.claims, item.source.trusted) for item in items]
        result = resolve_stream(workspace_id, observations, source="tracking")
        if result.merged:
            activity.fold_merges(workspace_id, result.merged)
        resolved = [_holder(item.claims, result.owner) for item in items]
        identified = {
            contact_id
            for item, (contact_id, _) in zip(items, resolved, strict=True)
            if contact_id is not None and any(c.kind != ANONYMOUS for c in item.claims)
        }
        promote_identified(workspace_id, identified)
        self._join_companies(workspace_id, items, resolved)
        visits = [
            Visit(_visitor(item.event), item.event.timestamp, item.record.source_id, contact_id,
                  item.event.type in ("page", "screen"), item.event, item.user_agent)
            for item, (contact_id, _) in zip(items, resolved, strict=True)
        ]  # fmt: skip
        assigned = assign(workspace_id, visits)
        rows = [
            self._row(workspace_id, item, pk, who, session.pk)
            for item, who, session, pk in zip(
                items, resolved, assigned.sessions, reserve_ids(TrackedEvent, len(items)),
                strict=True,
            )
        ]  # fmt: skip
        insert_rows(TrackedEvent, _EVENT_FIELDS, list(map(_event_values, rows)), binary=True)
        self._activity(workspace_id, items, rows, assigned.started)
        return rows

    def _join_companies(
        self,
        workspace_id: int,
        items: list[_Incoming],
        resolved: list[tuple[int | None, int | None]],
    ) -> None:
        """A group call names the account a person belongs to. Linked by the company's
        name in traits (groupIds are often opaque, so a call without a name is stored
        but links nothing)."""
        groups: dict[int, tuple[str, str]] = {}
        for item, (contact_id, _) in zip(items, resolved, strict=True):
            if item.event.type != "group" or contact_id is None:
                continue
            traits = item.event.traits
            name = traits.get("name")
            if isinstance(name, str):
                website = traits.get("website")
                groups[contact_id] = (name, website if isinstance(website, str) else "")
        if groups:
            join_companies(workspace_id, groups)

    def _row(
        self,
        workspace_id: int,
        item: _Incoming,
        pk: int,
        who: tuple[int | None, int | None],
        session_id: int | None,
    ) -> Processed:
        """The TrackedEvent row to insert, as processors will see it; ``who`` is the
        contact and the identity it came through."""
        event, (contact_id, identity_id) = item.event, who
        keep_ip = item.source.keep_ip
        return Processed(
            workspace_id=workspace_id,
            source_id=item.record.source_id,
            event_id=pk,
            contact_id=contact_id,
            identity_id=identity_id,
            session_id=session_id,
            type=event.type,
            name=(event.event or event.name or "")[:200],
            user_id=event.user_id or "",
            anonymous_id=event.anonymous_id or "",
            properties=event.properties,
            traits=event.traits,
            context=enrich_context(
                event.context, user_agent=item.user_agent, ip=item.ip, keep_ip=keep_ip
            ),
            timestamp=event.timestamp,
            message_id=event.message_id,
            received_at=event.received_at,
        )

    def _activity(
        self,
        workspace_id: int,
        items: list[_Incoming],
        rows: list[Processed],
        started: list[Any],
    ) -> None:
        deltas: dict[int, activity.Delta] = {}
        for item, row in zip(items, rows, strict=True):
            if row.contact_id is None:
                continue
            at = row.timestamp
            delta = deltas.get(row.contact_id)
            if delta is None:
                delta = deltas[row.contact_id] = activity.Delta(at, at)
            else:
                delta.see(at)
            delta.events += 1
            delta.page_views += row.type in ("page", "screen")
            login = (row.type == "identify" and row.user_id) or row.name in activity.LOGIN_EVENTS
            if login and (delta.logged_in_at is None or at < delta.logged_in_at):
                delta.logged_in_at = at
            if row.type == "track" and item.source.kind == "app":
                delta.use(row.name)
        for session in started:
            if session.contact_id is not None and session.contact_id in deltas:
                deltas[session.contact_id].start_session(activity.week_of(session.started_at))
        activity.apply(workspace_id, deltas)
        self._touch_contacts(workspace_id, deltas)

    def _touch_contacts(self, workspace_id: int, deltas: dict[int, activity.Delta]) -> None:
        mark_active(workspace_id, {cid: d.last_seen for cid, d in deltas.items()})


def process_pending(max_batches: int = 10_000) -> Report:
    """Everything in the log now, processed (tests, the demo, a catch-up run)."""
    pipeline = Pipeline()
    total = Report()
    try:
        for _ in range(max_batches):
            report = pipeline.process_batch()
            for name in ("requests", "events", "stored", "duplicates", "bots", "quarantined"):
                setattr(total, name, getattr(total, name) + getattr(report, name))
            total.position = report.position
            if not report.requests:
                break
    finally:
        pipeline.close()
    return total
