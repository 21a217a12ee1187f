"""Tracking ingest over real HTTP on 127.0.0.1, wrk as the load generator on the same
2-core machine: single events and batches of 100 accepted into the durable log, p99
latency at 70 % of the peak, and the processing lag at 70 % of the peak single rate
with the pipeline running. Beside it, in the same run, a plain Django view that
saves each event with the ORM.

BENCH_SECONDS (default 10) sets each throughput run, BENCH_LAG_SECONDS (default 300)
the lag run.
"""

from __future__ import annotations

import base64
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

from rapport.core.models import Workspace
from rapport.tracking.actions import new_write_key
from rapport.tracking.models import IngestCursor, Source

from .ingest.load import Run, wrk
from .ingest.servers import open_bench_log, orm_baseline, pipeline, rapport_host, reset_log

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
LAG_SECONDS = int(os.environ.get("BENCH_LAG_SECONDS", "300"))
SINGLE_CONNECTIONS = 64


def _source() -> Source:
    ws = Workspace.objects.create(name="Ingest bench", slug=f"ingest-{time.time_ns()}")
    return Source.unscoped.create(workspace=ws, name="Backend", kind="server",
                                  write_key=new_write_key("server"))  # fmt: skip


def _result(mode: str, run: Run, per_request: int, **extra: Any) -> dict[str, Any]:
    return {
        "mode": mode,
        "events_per_s": round(run.requests_per_s * per_request),
        "requests_per_s": round(run.requests_per_s),
        "p50_ms": run.p50_ms,
        "p90_ms": run.p90_ms,
        "p99_ms": run.p99_ms,
        "non_2xx": run.non_2xx,
        "socket_errors": run.errors,
        **extra,
    }


def _throughput(
    url: str, auth: str, tag: str, connections: tuple[int, int] = (64, 16)
) -> tuple[Run, Run]:
    single = wrk(
        f"{url}/v1/track",
        auth=auth,
        path="/v1/track",
        per_request=1,
        seconds=SECONDS,
        connections=connections[0],
        prefix=f"{tag}-s",
    )
    batch = wrk(
        f"{url}/v1/batch",
        auth=auth,
        path="/v1/batch",
        per_request=100,
        seconds=SECONDS,
        connections=connections[1],
        prefix=f"{tag}-b",
    )
    return single, batch


def run() -> Iterator[dict[str, Any]]:
    source = _source()
    auth = base64.b64encode(f"{source.write_key}:".encode()).decode()
    reset_log()
    best_single = 0.0
    for processes in (1, 2):
        with rapport_host(processes) as url:
            wrk(f"{url}/v1/track", auth=auth, path="/v1/track", per_request=1, seconds=2,
                connections=8, prefix=f"warm{processes}")  # fmt: skip
            single, batch = _throughput(url, auth, f"p{processes}")
            yield _result("rapport single events", single, 1, processes=processes)
            yield _result("rapport batches of 100", batch, 100, processes=processes)
            if single.requests_per_s > best_single:
                best_single, best = single.requests_per_s, (processes, single)
        reset_log()
    processes, peak = best
    with rapport_host(processes) as url:
        target = 0.7 * peak.requests_per_s
        at70 = wrk(f"{url}/v1/track", auth=auth, path="/v1/track", per_request=1,
                   seconds=SECONDS, connections=SINGLE_CONNECTIONS, prefix="r70",
                   rate=target)  # fmt: skip
        yield _result("rapport single events at 70% of peak", at70, 1, processes=processes,
                      target_per_s=round(target))  # fmt: skip
    reset_log()
    with orm_baseline() as url:
        # As many connections as the server has threads: more would only queue.
        single, batch = _throughput(url, auth, "orm", connections=(8, 8))
        yield _result("ORM view single events (baseline)", single, 1)
        yield _result("ORM view batches of 100 (baseline)", batch, 100)
    if LAG_SECONDS > 0:  # BENCH_LAG_SECONDS=0 skips the five-minute run
        yield from _lag(auth, processes, 0.7 * peak.requests_per_s)


def _backlog_age(stop: threading.Event, ages: list[float]) -> None:
    """Every 0.5 s: how long the oldest accepted, unprocessed event has waited — the
    largest lag any event has at that moment."""
    from django.db import close_old_connections

    log = open_bench_log()
    try:
        while not stop.wait(0.5):
            cursor = IngestCursor.objects.filter(name="pipeline").first()
            rows = log.read(cursor.position if cursor else 0, 1)
            ages.append(time.time() - rows[0][1].received_at if rows else 0.0)
    finally:
        log.close()
        close_old_connections()


def _lag(auth: str, processes: int, rate: float) -> Iterator[dict[str, Any]]:
    reset_log()
    IngestCursor.objects.update_or_create(name="pipeline", defaults={"position": 0})
    ages: list[float] = []
    stop = threading.Event()
    with rapport_host(processes) as url, pipeline():
        sampler = threading.Thread(target=_backlog_age, args=(stop, ages))
        sampler.start()
        run = wrk(f"{url}/v1/track", auth=auth, path="/v1/track", per_request=1,
                  seconds=LAG_SECONDS, connections=SINGLE_CONNECTIONS, prefix="lag",
                  rate=rate)  # fmt: skip
        drained_at = time.monotonic()
        while ages and ages[-1] > 0 and time.monotonic() - drained_at < 600:
            time.sleep(0.5)
        stop.set()
        sampler.join()
    ordered = sorted(ages) or [0.0]
    yield {
        "mode": "processing lag at 70% of peak single rate",
        "seconds": LAG_SECONDS,
        "events_per_s": round(run.requests_per_s),
        "target_per_s": round(rate),
        "lag_p50_s": round(ordered[len(ordered) // 2], 2),
        "lag_p99_s": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 2),
        "lag_max_s": round(ordered[-1], 2),
        "drain_after_load_s": round(time.monotonic() - drained_at, 1),
        "request_p99_ms": run.p99_ms,
    }
