"""Rate limits per write key and per client address: token buckets counted in events.

A bucket refills at ``rate`` events per second up to a burst of two seconds' worth.
A request that would overdraw it is refused whole, with the seconds until it would
fit, so a client (analytics libraries do) backs off and retries the same batch.
"""

from __future__ import annotations

import math
import time

_MAX_BUCKETS = 100_000


class TokenBuckets:
    def __init__(self, rate: float) -> None:
        self.rate = float(rate)
        self.capacity = 2.0 * self.rate
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    def take(self, key: str, amount: int, now: float | None = None) -> float:
        """0 when allowed (and taken), else the seconds to wait before retrying."""
        now = time.monotonic() if now is None else now
        tokens, at = self._buckets.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - at) * self.rate)
        if amount > tokens:
            self._buckets[key] = (tokens, now)
            if amount > self.capacity:  # never fits: say so plainly rather than loop
                return math.inf
            return (amount - tokens) / self.rate
        if len(self._buckets) >= _MAX_BUCKETS and key not in self._buckets:
            # Many distinct addresses: forget the full (idle) buckets first.
            self._buckets = {k: v for k, v in self._buckets.items() if v[0] < self.capacity}
        self._buckets[key] = (tokens - amount, now)
        return 0.0
