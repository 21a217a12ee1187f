"""A contact's timeline, 100k entries deep: ``facade.timeline_page`` (keyset cursor
over (occurred_at, id)) vs OFFSET on the same queryset.

Cases: the first page, a deep page reached by following ``next_cursor`` from the
start, and pages filtered by kind (first and deep). Entries come in pairs with the
same ``occurred_at``, so the cursor's tie-break on id is exercised; every cursor
page is checked to hold the same rows as the OFFSET page. Target: a page in
< 50 ms at p95.

RAPPORT_BENCH_SCALE=0.1 seeds 10k entries for a quicker run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from bench.seed import bench_actor
from bench.timing import percentiles, sample
from rapport.contacts.actions.people import do_create_contact
from rapport.contacts.facade import timeline_page
from rapport.contacts.models import Contact, TimelineEntry
from rapport.core.actor import Actor

SCALE = float(os.environ.get("RAPPORT_BENCH_SCALE", "1"))
ROWS = max(1_000, int(100_000 * SCALE))
PAGE = 50
REPEAT = 50
BATCH = 10_000
TARGET_P95_MS = 50.0
# One entry in ten is an order: a filter that skips most of the timeline.
KINDS = ("visit", "visit", "email", "visit", "mention", "visit", "email", "visit", "visit",
         "order")  # fmt: skip
FILTERED_KIND = "order"


def _seed() -> tuple[Actor, Contact]:
    actor = bench_actor("Timeline bench")
    contact = do_create_contact(actor, full_name="Tilda Timeline").contact
    start = timezone.now() - timedelta(days=400)
    ws = actor.workspace
    entries = TimelineEntry.objects.for_workspace(ws)
    for first in range(0, ROWS, BATCH):
        entries.bulk_create(
            [
                TimelineEntry(
                    workspace=ws,
                    contact=contact,
                    kind=KINDS[i % len(KINDS)],
                    # Two entries per minute: equal times, ordered by id.
                    occurred_at=start + timedelta(minutes=i // 2),
                    summary=f"{KINDS[i % len(KINDS)]} #{i}",
                    data={"n": i},
                    source="bench",
                )
                for i in range(first, min(first + BATCH, ROWS))
            ],
            batch_size=BATCH,
        )
    if connection.vendor == "postgresql":
        # What autovacuum would do soon after a bulk load: fresh planner statistics.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE contacts_timelineentry")
    return actor, contact


def _walk(actor: Actor, contact: Contact, kind: str | None, pages: int) -> tuple[str, float]:
    """Follow ``next_cursor`` ``pages`` times from the start: the cursor of the page
    after them, and the mean time per page on the way."""
    cursor: str | None = None
    start = time.perf_counter()
    for _ in range(pages):
        page = timeline_page(actor, contact, kind=kind, cursor=cursor, limit=PAGE)
        if page.next_cursor is None:
            raise RuntimeError("the timeline ended before the requested depth")
        cursor = page.next_cursor
    elapsed_ms = (time.perf_counter() - start) * 1000
    if cursor is None:
        raise RuntimeError("walked no pages")
    return cursor, elapsed_ms / pages


def _case(
    name: str,
    *,
    depth: int,
    total: int,
    by_cursor: Callable[[], list[int]],
    by_offset: Callable[[], list[int]],
    **extra: Any,
) -> dict[str, Any]:
    same = by_cursor() == by_offset()
    fast = percentiles(sample(by_cursor, REPEAT))
    slow = percentiles(sample(by_offset, REPEAT))
    return {
        "case": name,
        "rows": ROWS,
        "matching_rows": total,
        "depth": depth,
        "page": PAGE,
        "cursor": fast,
        "offset": slow,
        "same_rows": same,
        "speedup_p50": round(slow["p50_ms"] / max(fast["p50_ms"], 1e-6), 1),
        "target_p95_ms": TARGET_P95_MS,
        "meets_target": fast["p95_ms"] < TARGET_P95_MS,
        **extra,
    }


def _cases(
    actor: Actor, contact: Contact, kind: str | None, total: int
) -> Iterator[dict[str, Any]]:
    qs: QuerySet[TimelineEntry] = TimelineEntry.objects.for_workspace(actor.workspace).filter(
        contact=contact
    )
    if kind:
        qs = qs.filter(kind=kind)
    ordered = qs.order_by("-occurred_at", "-id")
    label = f"kind={kind}" if kind else "all kinds"

    def first_by_cursor() -> list[int]:
        return [e.pk for e in timeline_page(actor, contact, kind=kind, limit=PAGE).items]

    def first_by_offset() -> list[int]:
        return [e.pk for e in ordered[:PAGE]]

    yield _case(
        f"timeline first page, {label}, of {ROWS:,} entries",
        depth=0,
        total=total,
        by_cursor=first_by_cursor,
        by_offset=first_by_offset,
    )

    # 90 % of the way down, reached the way a client gets there: page by page.
    pages = (total * 9 // 10) // PAGE
    depth = pages * PAGE
    cursor, walk_ms = _walk(actor, contact, kind, pages)

    def deep_by_cursor() -> list[int]:
        page = timeline_page(actor, contact, kind=kind, cursor=cursor, limit=PAGE)
        return [e.pk for e in page.items]

    def deep_by_offset() -> list[int]:
        return [e.pk for e in ordered[depth : depth + PAGE]]

    yield _case(
        f"timeline page at row {depth:,}, {label}, of {ROWS:,} entries",
        depth=depth,
        total=total,
        by_cursor=deep_by_cursor,
        by_offset=deep_by_offset,
        walked_pages=pages,
        walk_mean_ms_per_page=round(walk_ms, 3),
    )


def run() -> Iterator[dict[str, Any]]:
    start = time.perf_counter()
    actor, contact = _seed()
    seed_s = time.perf_counter() - start
    entries = TimelineEntry.objects.for_workspace(actor.workspace).filter(contact=contact)
    total = entries.count()
    filtered = entries.filter(kind=FILTERED_KIND).count()
    first = True
    for kind, count in ((None, total), (FILTERED_KIND, filtered)):
        for result in _cases(actor, contact, kind, count):
            if first:
                result["seed_s"] = round(seed_s, 2)
                result["seed_rows_per_s"] = round(ROWS / seed_s)
                first = False
            yield result
