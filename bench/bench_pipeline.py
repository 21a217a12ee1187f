"""The tracking pipeline: events processed per second (contacts resolved, sessions,
events stored, activity and commerce updated) for a shop's mix and for the single
track events the lag run sends, beside the obvious way (each event on its own:
``contacts.facade.observe`` and an ORM insert); and the worker's memory over a long
run (``BENCH_PIPELINE_EVENTS``, 10 million by default, 0 to skip it), sampled from
/proc while a feeder keeps the log ahead of it.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from django.db import connection, transaction

from rapport.contacts.facade import observe
from rapport.contacts.resolution import Claim
from rapport.core.models import Workspace
from rapport.tracking.actions import new_write_key
from rapport.tracking.ingest.log import InboundLog, InboundRecord
from rapport.tracking.models import IngestCursor, Source, TrackedEvent
from rapport.tracking.pipeline import Pipeline

from .ingest.servers import open_bench_log, pipeline, reset_log, rss_mb

EVENTS = 200_000
NAIVE_EVENTS = 2_000
LONG_EVENTS = int(os.environ.get("BENCH_PIPELINE_EVENTS", "10000000"))
PER_REQUEST = 100
UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


class Shop:
    """A shop's traffic: visitors with a dozen events each, one in 20 signs in with an
    email, one in 100 events is an order."""

    def __init__(self, seed: int, visitors: int) -> None:
        self.random = random.Random(seed)
        self.visitors = visitors
        self.n = 0

    def event(self) -> dict[str, Any]:
        self.n += 1
        visitor = self.random.randrange(self.visitors)
        base: dict[str, Any] = {
            "anonymousId": f"anon-{visitor}",
            "messageId": f"m-{self.n}",
            "context": {
                "page": {"url": f"https://shop.example/p/{self.n % 80}"},
                "userAgent": UA,
                "ip": "81.2.69.160",
            },
        }
        roll = self.random.random()
        if roll < 0.05:
            return {
                **base,
                "type": "identify",
                "userId": f"cust-{visitor}",
                "traits": {"email": f"person{visitor}@example.com"},
            }
        if roll < 0.06:
            return {
                **base,
                "type": "track",
                "userId": f"cust-{visitor}",
                "event": "Order Completed",
                "properties": {
                    "order_id": f"o-{self.n}",
                    "revenue": 25.0,
                    "currency": "EUR",
                    "products": [{"product_id": "p-1", "price": 12.5, "quantity": 2}],
                },
            }
        if roll < 0.5:
            return {
                **base,
                "type": "track",
                "event": "Product Viewed",
                "properties": {"product_id": f"p-{self.n % 80}", "price": 12.5},
            }
        return {**base, "type": "page", "name": "Product"}

    def requests(self, source: Source, count: int) -> list[InboundRecord]:
        return [
            InboundRecord(
                source.workspace_id,
                source.pk,
                time.time(),
                "",
                "81.2.69.160",
                UA,
                orjson.dumps({"batch": [self.event() for _ in range(PER_REQUEST)]}),
            )
            for _ in range(count)
        ]


def _source(name: str) -> Source:
    ws = Workspace.objects.create(name=name, slug=f"{name.lower()}-{time.time_ns()}")
    return Source.unscoped.create(
        workspace=ws, name="Web", kind="website", write_key=new_write_key("website")
    )


def _fill(log: InboundLog, source: Source, shop: Shop, events: int) -> None:
    for _ in range(0, events // PER_REQUEST, 100):
        log.append(shop.requests(source, 100))


def _throughput() -> dict[str, Any]:
    source = _source("Pipeline")
    reset_log()
    IngestCursor.objects.update_or_create(name="pipeline", defaults={"position": 0})
    log = open_bench_log()
    _fill(log, source, Shop(1, visitors=EVENTS // 12), EVENTS)
    worker = Pipeline(log)
    start = time.perf_counter()
    stored = 0
    while (report := worker.process_batch()).requests:
        stored += report.stored
    seconds = time.perf_counter() - start
    return {
        "mode": "pipeline, batches from the log",
        "events": stored,
        "events_per_s": round(stored / seconds),
        "seconds": round(seconds, 1),
    }


def _single_track(n: int, prefix: str) -> bytes:
    """One /v1/track body as the lag run's wrk script writes it (bench/ingest/load.py)."""
    return orjson.dumps({
        "type": "track", "userId": f"u{n % 5000}", "event": "Product Viewed",
        "messageId": f"{prefix}-{n}",
        "properties": {"product_id": f"p{n % 50}", "price": 12.5, "currency": "EUR"},
        "context": {"page": {"path": f"/p/{n % 50}"}, "userAgent": WRK_UA, "ip": "81.2.69.160"},
    })  # fmt: skip


WRK_UA = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/131.0 Safari/537.36")  # fmt: skip


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process on this machine, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _singles() -> dict[str, Any]:
    """Single track events of 5,000 customers, one request each, as the lag run sends
    them, processed from the log; with the CPU time the worker and (on PostgreSQL on
    this machine) its database server process spent per event: on a shared machine
    those move less than the rate does."""
    source = _source("Singles")
    reset_log()
    IngestCursor.objects.update_or_create(name="pipeline", defaults={"position": 0})
    log = open_bench_log()
    for first in range(0, EVENTS, 5000):
        log.append([
            InboundRecord(source.workspace_id, source.pk, time.time(), "track", "81.2.69.160",
                          "wrk", _single_track(n, "s"))
            for n in range(first, min(EVENTS, first + 5000))
        ])  # fmt: skip
    worker = Pipeline(log)
    server_pid = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            server_pid = int(cursor.fetchone()[0])
        if not Path(f"/proc/{server_pid}/stat").exists():
            server_pid = None  # a server elsewhere
    server_before = _cpu_seconds(server_pid) if server_pid else 0.0
    cpu_before, start = time.process_time(), time.perf_counter()
    stored = 0
    while (report := worker.process_batch()).requests:
        stored += report.stored
    seconds = time.perf_counter() - start
    result: dict[str, Any] = {
        "mode": "pipeline, single track events (the lag run's), from the log",
        "events": stored,
        "events_per_s": round(stored / seconds),
        "seconds": round(seconds, 1),
        "worker_cpu_us_per_event": round(1e6 * (time.process_time() - cpu_before) / stored, 1),
    }
    if server_pid:
        server = _cpu_seconds(server_pid) - server_before
        result["server_cpu_us_per_event"] = round(1e6 * server / stored, 1)
    return result


def _naive() -> dict[str, Any]:
    """Each event on its own: resolve, insert, commit."""
    source = _source("Naive")
    shop = Shop(2, visitors=NAIVE_EVENTS // 12)
    workspace = source.workspace
    start = time.perf_counter()
    for _ in range(NAIVE_EVENTS):
        event = shop.event()
        with transaction.atomic():
            claims = [Claim("anonymous", event["anonymousId"])]
            if "userId" in event:
                claims.append(Claim("user_id", event["userId"]))
            contact = observe(workspace, claims, trusted=False, source="tracking").contact
            now = datetime.now(UTC)
            TrackedEvent.unscoped.create(
                workspace=workspace,
                source=source,
                contact=contact,
                message_id=event["messageId"],
                type=event["type"],
                name=event.get("event", event.get("name", "")),
                anonymous_id=event["anonymousId"],
                properties=event.get("properties", {}),
                context=event["context"],
                timestamp=now,
                received_at=now,
            )
    seconds = time.perf_counter() - start
    return {
        "mode": "one event at a time (baseline)",
        "events": NAIVE_EVENTS,
        "events_per_s": round(NAIVE_EVENTS / seconds),
        "seconds": round(seconds, 1),
    }


def _memory() -> dict[str, Any]:
    """The worker as a process of its own over LONG_EVENTS events; the feeder stays
    at most ~200,000 events ahead so the log never grows without bound."""
    source = _source("Memory")
    reset_log()
    shop = Shop(3, visitors=200_000)
    log = open_bench_log()
    requests = LONG_EVENTS // PER_REQUEST
    first = min(500, requests)
    log.append(shop.requests(source, first))
    base = log.read(0, 1)[0][0] - 1  # log ids go on across runs; count from here
    IngestCursor.objects.update_or_create(name="pipeline", defaults={"position": base})
    samples: list[tuple[int, float]] = []
    start = time.perf_counter()
    with pipeline() as proc:
        written = first
        while True:
            position = (
                IngestCursor.objects.filter(name="pipeline")
                .values_list("position", flat=True)
                .first()
            )
            done = (position or base) - base
            samples.append((done * PER_REQUEST, rss_mb(proc.pid)))
            if done >= requests:
                break
            if written < requests and written - done < 2_000:
                chunk = min(500, requests - written)
                log.append(shop.requests(source, chunk))
                written += chunk
            else:
                time.sleep(1.0)
    seconds = time.perf_counter() - start
    log.close()
    # Flat means: after warm-up (the first 10 %), the largest RSS is within 10 % of the
    # RSS at 10 %.
    warm = [rss for events, rss in samples if events >= LONG_EVENTS // 10]
    baseline = warm[0] if warm else samples[-1][1]
    return {
        "mode": "worker memory over a long run",
        "events": LONG_EVENTS,
        "events_per_s": round(LONG_EVENTS / seconds),
        "rss_mb_at_10pct": round(baseline, 1),
        "rss_mb_max": round(max(warm or [0]), 1),
        "rss_mb_end": round(samples[-1][1], 1),
        "growth_pct": round(100 * (max(warm or [baseline]) - baseline) / baseline, 1),
    }


def run() -> Iterator[dict[str, Any]]:
    yield _throughput()
    yield _singles()
    yield _naive()
    if LONG_EVENTS > 0:  # BENCH_PIPELINE_EVENTS=0 skips the long run
        yield _memory()
