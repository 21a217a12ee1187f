"""Spikes in a topic's mention stream: more mentions than the hour usually brings, or a
larger share of negative ones than the topic usually has.

Pure functions over plain ``(bucket_start, count, negatives)`` rows (the pipeline feeds
them from SQL aggregates), so the method can be tested on recorded streams and explained
in ``docs/listening-alerts.md``, which gives the formulas and why each default is what it
is.

Volume: the expected count of a bucket is the median of the same hour of the week over
the previous weeks (the same hour of the day over the previous days while history is
short, the recent mean when there is almost none), scaled by how busy the topic has been
lately compared with that seasonal expectation. A bucket is a spike when its count is
improbable under a negative binomial with that mean and exceeds a minimum count.

Negative share: the baseline is the pooled share of the trailing week; a bucket (alone,
or pooled with the two before it) is a spike when a beta-binomial test says its share is
improbably high, the share is clearly higher, and there are enough posts to say so.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt

from .tails import (
    log_beta_binomial_tail,
    log_negative_binomial_tail,
    wilson_lower_bound,
)

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
WEEK = timedelta(days=7)

SpikeKind = Literal["volume", "negative_share"]
Baseline = Literal["week", "day", "recent"]
FloatArray = npt.NDArray[np.float64]


class Bucket(NamedTuple):
    """One bucket of a topic's stream; any ``(start, posts, negatives)`` tuple will do."""

    start: datetime
    posts: int
    negatives: int = 0


@dataclass(frozen=True, slots=True)
class SpikeConfig:
    """Sensitivity and guards. The defaults were tuned on generated streams and
    measured on others, the recording in ``tests/listening/fixtures``; the doc says
    what each one protects against."""

    # Volume baseline.
    history_weeks: int = 4
    min_weeks: int = 2
    history_days: int = 7
    min_days: int = 7
    min_history: timedelta = DAY
    recent_window: timedelta = DAY
    level_window: timedelta = timedelta(days=3)
    level_bounds: tuple[float, float] = (0.25, 4.0)
    min_expected: float = 0.5
    # Volume test.
    p_value: float = 1e-4
    overdispersion: float = 0.1
    fallback_overdispersion: float = 0.1
    recent_overdispersion: float = 1.0
    min_count: int = 10
    # Negative share.
    share_p_value: float = 1e-4
    share_window: timedelta = WEEK
    min_posts: int = 20
    min_negatives: int = 5
    min_baseline_posts: int = 100
    min_share_lift: float = 0.1
    share_pool: int = 3
    share_concentration: float = 150.0


DEFAULT_CONFIG = SpikeConfig()


@dataclass(frozen=True, slots=True)
class Spike:
    """One bucket that stands out. For ``volume`` spikes ``observed`` and ``expected``
    are counts; for ``negative_share`` spikes they are shares (0 to 1), and
    ``share_lower_bound`` is the Wilson lower bound of the observed share at the
    configured confidence ("at least this share is negative"); ``buckets`` is how many
    buckets, ending with this one, the share was measured over. ``score`` is
    ``-log10(p_value)``: 4 means a one-in-ten-thousand bucket."""

    kind: SpikeKind
    bucket_start: datetime
    observed: float
    expected: float
    score: float
    posts: int
    negatives: int
    baseline: Baseline
    share_lower_bound: float | None = None
    buckets: int = 1

    @property
    def p_value(self) -> float:
        return float(10.0**-self.score)


@dataclass(frozen=True, slots=True)
class Alert:
    """Consecutive spike buckets of one kind, reported once. ``end`` is the end of the
    last spike bucket; ``peak`` the bucket with the highest score."""

    kind: SpikeKind
    start: datetime
    end: datetime
    peak: Spike
    spikes: tuple[Spike, ...] = field(repr=False)


class _Stream(NamedTuple):
    origin: datetime
    width: timedelta
    counts: FloatArray
    negatives: FloatArray


# --- public API -----------------------------------------------------------------------


def detect_spikes(
    buckets: Iterable[tuple[datetime, int, int]],
    *,
    bucket: timedelta = HOUR,
    since: datetime | None = None,
    config: SpikeConfig = DEFAULT_CONFIG,
    kinds: Collection[SpikeKind] = ("volume", "negative_share"),
    history_from: datetime | None = None,
) -> list[Spike]:
    """Spikes of the given kinds, ordered by bucket then kind. Buckets may come in any
    order and missing ones count as zero (SQL aggregates leave out empty hours);
    buckets before ``since`` serve only as history. ``history_from`` is where the
    history begins when its first buckets may be empty: without it the stream starts
    at the first row, and a quiet topic's silent days before that are not history."""
    stream = _densify(buckets, bucket, history_from)
    found = []
    if "volume" in kinds:
        found += _volume_spikes(stream, since, config)
    if "negative_share" in kinds:
        found += _share_spikes(stream, since, config)
    return sorted(found, key=lambda s: (s.bucket_start, s.kind))


def group_alerts(
    spikes: Iterable[Spike], *, bucket: timedelta = HOUR, max_gap: int = 1
) -> list[Alert]:
    """One alert per run of spike buckets of the same kind. Up to ``max_gap`` quiet
    buckets inside a run do not split it: a burst that dips for an hour is still one
    burst, and the people on call should hear about it once."""
    by_kind: dict[SpikeKind, list[Spike]] = {}
    for spike in sorted(spikes, key=lambda s: s.bucket_start):
        by_kind.setdefault(spike.kind, []).append(spike)
    alerts: list[Alert] = []
    for kind, run in by_kind.items():
        current: list[Spike] = []
        for spike in run:
            if current and spike.bucket_start - current[-1].bucket_start > bucket * (max_gap + 1):
                alerts.append(_alert(kind, current, bucket))
                current = []
            current.append(spike)
        if current:
            alerts.append(_alert(kind, current, bucket))
    return sorted(alerts, key=lambda a: (a.start, a.kind))


def _alert(kind: SpikeKind, run: list[Spike], bucket: timedelta) -> Alert:
    peak = max(run, key=lambda s: s.score)
    return Alert(kind, run[0].bucket_start, run[-1].bucket_start + bucket, peak, tuple(run))


# --- input ------------------------------------------------------------------------------


def _densify(
    rows: Iterable[tuple[datetime, int, int]], width: timedelta, origin: datetime | None
) -> _Stream:
    """A gapless array from ``origin`` (or the first row) on; SQL aggregates leave out
    empty buckets."""
    if width <= timedelta(0) or DAY % width:
        raise ValueError(f"bucket width must divide a day, not {width}")
    items = sorted(((start, int(count), int(neg)) for start, count, neg in rows), key=_first)
    if not items:
        return _Stream(datetime.min, width, np.zeros(0), np.zeros(0))
    if origin is None:
        origin = items[0][0]
    elif items[0][0] < origin:
        raise ValueError(f"bucket {items[0][0]} is before history_from {origin}")
    size = (items[-1][0] - origin) // width + 1
    counts, negatives = np.zeros(size), np.zeros(size)
    seen: set[int] = set()
    for start, count, neg in items:
        offset = start - origin
        if offset % width:
            raise ValueError(f"bucket {start} is not on the {width} grid of {origin}")
        if count < 0 or not 0 <= neg <= count:
            raise ValueError(f"bucket {start}: need 0 <= negatives <= count, got {neg}/{count}")
        index = offset // width
        if index in seen:
            raise ValueError(f"bucket {start} appears twice")
        seen.add(index)
        counts[index], negatives[index] = count, neg
    return _Stream(origin, width, counts, negatives)


def _first(item: tuple[datetime, int, int]) -> datetime:
    return item[0]


def _first_index(stream: _Stream, since: datetime | None) -> int:
    if since is None or since <= stream.origin:
        return 0
    return -(-(since - stream.origin) // stream.width)  # ceiling: whole buckets only


# --- volume -----------------------------------------------------------------------------


def _volume_spikes(stream: _Stream, since: datetime | None, config: SpikeConfig) -> list[Spike]:
    counts = stream.counts
    if counts.size == 0:
        return []
    expected, dispersion, kinds = expected_counts(stream.counts, stream.width, config)
    threshold = -math.log10(config.p_value)
    # A cheap screen before the exact tail: the negative binomial's right tail is
    # heavier than the normal's, so a count 1.5 standard deviations short of the
    # normal threshold is never improbable enough.
    screen = max(0.0, statistics.NormalDist().inv_cdf(1.0 - config.p_value) - 1.5)
    spikes: list[Spike] = []
    for i in range(_first_index(stream, since), counts.size):
        observed, mean = counts[i], expected[i]
        if math.isnan(mean) or observed < config.min_count or observed <= mean:
            continue
        if observed < mean + screen * math.sqrt(mean + dispersion[i] * mean * mean):
            continue
        log_p = log_negative_binomial_tail(int(observed), mean, dispersion[i])
        score = -log_p / math.log(10.0)
        if score >= threshold:
            spikes.append(
                Spike(
                    kind="volume",
                    bucket_start=stream.origin + i * stream.width,
                    observed=float(observed),
                    expected=float(mean),
                    score=score,
                    posts=int(observed),
                    negatives=int(stream.negatives[i]),
                    baseline=_BASELINES[kinds[i]],
                )
            )
    return spikes


_BASELINES: tuple[Baseline, ...] = ("week", "day", "recent")


def expected_counts(
    counts: Sequence[float] | FloatArray,
    width: timedelta = HOUR,
    config: SpikeConfig = DEFAULT_CONFIG,
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.int64]]:
    """Per bucket: the expected count (NaN where history is too short to say), the
    overdispersion to test it with, and which baseline produced it (0 week, 1 day,
    2 recent, -1 none). Bucket ``i`` only ever looks at buckets before ``i``, so a
    verdict on a past bucket does not change as more data arrives."""
    values = np.asarray(counts, dtype=np.float64)
    size = values.size
    per_day, per_week = DAY // width, WEEK // width

    weekly, weeks_known = _lagged_median(values, per_week, config.history_weeks)
    daily, days_known = _lagged_median(values, per_day, config.history_days)
    recent = _trailing_mean(values, max(1, config.recent_window // width))

    kinds = np.full(size, -1, dtype=np.int64)
    seasonal = np.full(size, np.nan)
    use_week = weeks_known >= config.min_weeks
    use_day = ~use_week & (days_known >= config.min_days)
    use_recent = ~use_week & ~use_day & (np.arange(size) >= config.min_history // width)
    seasonal[use_week], kinds[use_week] = weekly[use_week], 0
    seasonal[use_day], kinds[use_day] = daily[use_day], 1
    seasonal[use_recent], kinds[use_recent] = recent[use_recent], 2

    level = _recent_level(values, seasonal, kinds, max(1, config.level_window // width), config)
    expected = np.maximum(seasonal * level, config.min_expected)
    expected[kinds < 0] = np.nan
    dispersion = np.choose(
        np.clip(kinds, 0, 2),
        [config.overdispersion, config.fallback_overdispersion, config.recent_overdispersion],
    ).astype(np.float64)
    # The baseline is itself estimated from a few counts: a median of n Poisson counts
    # varies about pi/2 times as much as their mean (variance ~ pi/2 * mean / n), and the
    # 1:2:1 smoothing divides that by 16/6. Added to the model's variance it is an extra
    # overdispersion of that variance over mean squared, large on quiet buckets.
    periods = np.where(kinds == 0, weeks_known, days_known).clip(min=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        estimate_noise = (math.pi / 2) / (periods * 16 / 6 * expected)
    dispersion = np.where(kinds < 2, dispersion + np.nan_to_num(estimate_noise), dispersion)
    return expected, dispersion, kinds


def _lagged_median(
    values: FloatArray, lag: int, depth: int
) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """The median of ``values[i - lag]``, ``values[i - 2 lag]`` … (up to ``depth`` of
    them), smoothed 1:2:1 with the same median for the neighbouring buckets, and how many
    past periods there were. The median shrugs off one past burst; the smoothing triples
    the counts behind a quiet night bucket without bending a steady morning rise."""
    size = values.size
    lagged = np.full((depth, size), np.nan)
    for k in range(1, depth + 1):
        if k * lag < size:
            lagged[k - 1, k * lag :] = values[: size - k * lag]
    known = np.sum(~np.isnan(lagged), axis=0).astype(np.int64)
    median = np.full(size, np.nan)
    has = known > 0
    if has.any():
        median[has] = np.nanmedian(lagged[:, has], axis=0)
    before = np.concatenate(([np.nan], median[:-1]))
    after = np.concatenate((median[1:], [np.nan]))
    smoothed = (np.nan_to_num(before) + 2 * median + np.nan_to_num(after)) / (
        2 + ~np.isnan(before) + ~np.isnan(after)
    )
    return np.where(np.isnan(smoothed), median, smoothed), known


def _trailing_mean(values: FloatArray, window: int) -> FloatArray:
    """Mean of up to ``window`` buckets before each bucket (NaN for the first)."""
    sums = np.concatenate(([0.0], np.cumsum(values)))
    idx = np.arange(values.size)
    lo = np.maximum(0, idx - window)
    n = idx - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, (sums[idx] - sums[lo]) / n, np.nan)


def _recent_level(
    values: FloatArray,
    seasonal: FloatArray,
    kinds: npt.NDArray[np.int64],
    window: int,
    config: SpikeConfig,
) -> FloatArray:
    """How much busier (or quieter) the topic has been over the last ``window`` buckets
    than its seasonal expectation: a slow trend or a new campaign moves the whole week,
    and the medians of past weeks lag behind it. Counts are first capped near their
    expectation so an ongoing burst does not raise the bar it is measured against."""
    seasonal_only = (kinds == 0) | (kinds == 1)
    s = np.where(seasonal_only, seasonal, 0.0)
    capped = np.where(
        seasonal_only, np.minimum(values, np.maximum(3 * s, s + config.min_count)), 0.0
    )
    cs = np.concatenate(([0.0], np.cumsum(s)))
    cc = np.concatenate(([0.0], np.cumsum(capped)))
    idx = np.arange(values.size)
    lo = np.maximum(0, idx - window)
    prior = 5.0  # pseudo-counts: a near-silent topic keeps a level close to 1
    level = (cc[idx] - cc[lo] + prior) / (cs[idx] - cs[lo] + prior)
    low, high = config.level_bounds
    return np.where(kinds == 2, 1.0, np.clip(level, low, high))


# --- negative share ---------------------------------------------------------------------


def _share_spikes(stream: _Stream, since: datetime | None, config: SpikeConfig) -> list[Spike]:
    counts, negatives = stream.counts, stream.negatives
    if counts.size == 0:
        return []
    window = max(1, config.share_window // stream.width)
    threshold = -math.log10(config.share_p_value)
    z = statistics.NormalDist().inv_cdf(1.0 - config.share_p_value)
    # Each bucket is tested alone and pooled with the buckets just before it: a small
    # topic's bad afternoon is too thin to prove in any one hour, but not over three.
    tests = []
    for pool in sorted({1, max(1, config.share_pool)}):
        posts = _trailing_sum(counts, pool, lag=0)
        negs = _trailing_sum(negatives, pool, lag=0)
        # The baseline ends where the pooled buckets begin, so a burst is never part
        # of what it is compared with.
        posts_before = _trailing_sum(counts, window, lag=pool)
        negs_before = _trailing_sum(negatives, window, lag=pool)
        tests.append((pool, posts, negs, posts_before, negs_before))
    spikes: list[Spike] = []
    for i in range(_first_index(stream, since), counts.size):
        best: Spike | None = None
        for pool, posts, negs, posts_before, negs_before in tests:
            n, m = int(posts[i]), int(negs[i])
            if n < config.min_posts or m < config.min_negatives or i + 1 < pool:
                continue
            if posts_before[i] < config.min_baseline_posts or counts[i] == 0:
                continue
            # Beta(1, 1) prior: a topic that never had a negative post still has a
            # nonzero baseline, so its first few are not infinitely surprising.
            baseline = (negs_before[i] + 1.0) / (posts_before[i] + 2.0)
            share = m / n
            # A pooled test also needs this bucket itself to be worse than usual, so
            # an alert ends with the burst instead of a pool's width after it.
            own_share = negatives[i] / counts[i]
            if min(share, own_share) < baseline + config.min_share_lift:
                continue
            score = -log_beta_binomial_tail(m, n, baseline, config.share_concentration)
            score /= math.log(10.0)
            if score >= threshold and (best is None or score > best.score):
                best = Spike(
                    kind="negative_share",
                    bucket_start=stream.origin + i * stream.width,
                    observed=share,
                    expected=float(baseline),
                    score=score,
                    posts=n,
                    negatives=m,
                    baseline="week",
                    share_lower_bound=wilson_lower_bound(m, n, z),
                    buckets=pool,
                )
        if best is not None:
            spikes.append(best)
    return spikes


def _trailing_sum(values: FloatArray, window: int, *, lag: int) -> FloatArray:
    """Sum of ``values[i - lag - window + 1 .. i - lag]`` (what exists of it)."""
    sums = np.concatenate(([0.0], np.cumsum(values)))
    idx = np.arange(values.size) + 1 - lag
    result: FloatArray = sums[idx.clip(min=0)] - sums[(idx - window).clip(min=0)]
    return result
