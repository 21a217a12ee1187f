"""Tail probabilities for spike detection (``spikes.py``): how improbable a count is
under a negative binomial, a binomial or a beta-binomial, summed in log space from the
observed count upwards so that very small probabilities keep their size, and the Wilson
lower bound of a share. Plain math, no NumPy: each call is one bucket."""

from __future__ import annotations

import math
from collections.abc import Callable

_Ratio = Callable[[int], float]


def log_negative_binomial_tail(k: int, mean: float, overdispersion: float) -> float:
    """``log P(X >= k)`` for a negative binomial with this mean and variance
    ``mean + overdispersion * mean²`` (Poisson when overdispersion is 0), summed from
    ``k`` up in log space so that very small probabilities keep their size."""
    if k <= 0:
        return 0.0
    if mean <= 0:
        return -math.inf
    if overdispersion <= 0:
        log_term = k * math.log(mean) - mean - math.lgamma(k + 1)

        def ratio(x: int) -> float:
            return mean / (x + 1)

    else:
        r = 1.0 / overdispersion
        q = mean / (r + mean)  # failure probability
        log_term = (
            math.lgamma(k + r)
            - math.lgamma(r)
            - math.lgamma(k + 1)
            + r * math.log1p(-q)
            + k * math.log(q)
        )

        def ratio(x: int) -> float:
            return (x + r) / (x + 1) * q

    return log_term + math.log(_geometric_like_sum(k, ratio))


def _geometric_like_sum(start: int, ratio: _Ratio) -> float:
    """``1 + r(k) + r(k) r(k+1) + ...``, r the ratio of successive terms, until the
    terms no longer matter."""
    total, term, x = 1.0, 1.0, start
    for _ in range(1_000_000):
        step = ratio(x)
        term *= step
        total += term
        x += 1
        if term < total * 1e-13 and step < 1.0:
            break
    return total


def _trivial_tail(k: int, n: int, p: float) -> float | None:
    """The log tail where no sum is needed: certain (k <= 0, or every trial succeeds),
    impossible (more successes than trials, or none can succeed); None otherwise."""
    if k <= 0 or (p >= 1.0 and k <= n):
        return 0.0
    if k > n or p <= 0.0:
        return -math.inf
    return None


def log_binomial_tail(k: int, n: int, p: float) -> float:
    """``log P(X >= k)`` for X ~ Binomial(n, p)."""
    if (edge := _trivial_tail(k, n, p)) is not None:
        return edge
    log_term = (
        math.lgamma(n + 1)
        - math.lgamma(k + 1)
        - math.lgamma(n - k + 1)
        + k * math.log(p)
        + (n - k) * math.log1p(-p)
    )
    odds = p / (1.0 - p)

    def ratio(x: int) -> float:
        return (n - x) / (x + 1) * odds

    return log_term + math.log(_geometric_like_sum(k, ratio))


def log_beta_binomial_tail(k: int, n: int, p: float, concentration: float) -> float:
    """``log P(X >= k)`` when X counts successes in n trials whose probability is itself
    drawn from Beta(p c, (1 - p) c): the share of negative posts wanders from hour to
    hour more than coin flips would, and the more posts a bucket holds the more that
    matters (variance n p (1 - p) (1 + (n - 1) / (c + 1))). ``concentration`` = inf is
    the plain binomial."""
    if math.isinf(concentration):
        return log_binomial_tail(k, n, p)
    if (edge := _trivial_tail(k, n, p)) is not None:
        return edge
    a, b = p * concentration, (1.0 - p) * concentration
    log_term = (
        math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
        + math.lgamma(k + a) + math.lgamma(n - k + b) - math.lgamma(n + a + b)
        + math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    )  # fmt: skip

    def ratio(x: int) -> float:
        return (n - x) / (x + 1) * (x + a) / (n - x - 1 + b)

    return log_term + math.log(_geometric_like_sum(k, ratio))


def wilson_lower_bound(successes: int, trials: int, z: float) -> float:
    """The lower end of the Wilson score interval: unlike ``share - z·se`` it stays
    sensible for small samples and shares near 0 or 1."""
    if trials == 0:
        return 0.0
    share = successes / trials
    z2 = z * z
    centre = share + z2 / (2 * trials)
    spread = z * math.sqrt(share * (1 - share) / trials + z2 / (4 * trials * trials))
    return max(0.0, (centre - spread) / (1 + z2 / trials))
