"""Background jobs: items per second through the worker, one job per item (the
obvious way) vs one job per batch of items (what high-volume pipelines do).

Both run through the real backend: rows inserted on commit, claimed by a worker
with a lease, finished with a status write.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from django.db import transaction

from bench import benchtasks
from rapport.jobs.models import Job
from rapport.jobs.worker import Worker

ITEMS = 2_000
BATCH = 500


def _drain() -> float:
    worker = Worker(run_scheduler=False)
    start = time.perf_counter()
    while worker.run_one() is not None:
        pass
    return time.perf_counter() - start


def _measure(label: str, enqueue: Any) -> dict[str, Any]:
    Job.objects.all().delete()
    benchtasks.PROCESSED.clear()
    start = time.perf_counter()
    with transaction.atomic():
        enqueue()
    enqueue_s = time.perf_counter() - start
    run_s = _drain()
    assert sorted(benchtasks.PROCESSED) == list(range(ITEMS)), "every item exactly once"
    total = enqueue_s + run_s
    return {
        "mode": label,
        "jobs": Job.objects.count(),
        "enqueue_s": round(enqueue_s, 3),
        "run_s": round(run_s, 3),
        "items_per_s": round(ITEMS / total),
    }


def run() -> Iterator[dict[str, Any]]:
    def per_item() -> None:
        for i in range(ITEMS):
            benchtasks.handle_one.enqueue(i)

    def batched() -> None:
        for first in range(0, ITEMS, BATCH):
            benchtasks.handle_batch.enqueue(first, min(BATCH, ITEMS - first))

    slow = _measure("one job per item", per_item)
    fast = _measure(f"one job per {BATCH} items", batched)
    yield {
        "case": f"{ITEMS:,} items through the worker",
        "items": ITEMS,
        "per_item": slow,
        "batched": fast,
        "speedup": round(fast["items_per_s"] / max(slow["items_per_s"], 1), 1),
    }
