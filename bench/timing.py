"""Small timing helpers shared by the benches."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)

    return {
        "p50_ms": at(0.50),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "mean_ms": round(statistics.fmean(ordered), 3),
    }


def sample(fn: Callable[[], object], repeat: int) -> list[float]:
    """Wall time of ``repeat`` calls of ``fn``, in milliseconds."""
    out: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def machine_speed() -> float:
    """Nanoseconds of CPU a plain Python loop step takes here and now (best of three).

    This shared machine's speed drifts with what its host runs (the same loop has taken
    from 45 to 185 ns): a figure measured in CPU seconds is read beside this one."""
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        total = 0
        for i in range(2_000_000):
            total += i
        best = min(best, time.process_time() - start)
    return round(best / 2_000_000 * 1e9, 1)
