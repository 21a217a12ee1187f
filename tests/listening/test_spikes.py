"""Spike detection on recorded streams (precision and recall), on a normal rhythm (no
alerts), and on the edges: no history, nothing but zeros, a single bucket."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from rapport.listening.spikes import (
    Alert,
    Bucket,
    Spike,
    SpikeConfig,
    detect_spikes,
    expected_counts,
    group_alerts,
)
from rapport.listening.tails import (
    log_beta_binomial_tail,
    log_binomial_tail,
    log_negative_binomial_tail,
    wilson_lower_bound,
)
from tests.listening.fixtures.streams import (
    Stream,
    generate,
    normal_rate,
    recorded_streams,
)

HOUR = timedelta(hours=1)
T0 = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday


def score_alerts(
    streams: Sequence[Stream], kind: str, *, warm_up_days: int = 7
) -> tuple[float, float, int, int]:
    """Alert-level precision and recall: an alert is right when it overlaps an injected
    event of its kind; an event is found when an alert overlaps it."""
    right = alerts = found = events = 0
    for stream in streams:
        since = stream.at(warm_up_days * 24 * (HOUR // stream.bucket))
        spikes = detect_spikes(stream.rows(), bucket=stream.bucket, since=since)
        raised = [a for a in group_alerts(spikes, bucket=stream.bucket) if a.kind == kind]
        injected = [e for e in stream.events if e.kind == kind]

        def overlaps(alert: Alert, start: int, duration: int, s: Stream = stream) -> bool:
            return alert.start < s.at(start + duration) and s.at(start) < alert.end

        right += sum(any(overlaps(a, e.start, e.duration) for e in injected) for a in raised)
        found += sum(any(overlaps(a, e.start, e.duration) for a in raised) for e in injected)
        alerts += len(raised)
        events += len(injected)
    return right / max(alerts, 1), found / max(events, 1), alerts, events


@pytest.mark.parametrize("kind", ["volume", "negative_share"])
def test_recorded_streams_are_found_with_high_precision_and_recall(kind: str) -> None:
    streams = recorded_streams()
    precision, recall, alerts, events = score_alerts(streams, kind)
    figures = f"{kind}: precision {precision:.3f} ({alerts} alerts), "
    figures += f"recall {recall:.3f} ({events} events)"
    assert events >= 30, figures
    assert precision >= 0.9, figures
    assert recall >= 0.9, figures


@pytest.mark.parametrize("kind", ["volume", "negative_share"])
def test_fifteen_minute_buckets_work_too(kind: str) -> None:
    streams = [
        generate(
            f"quarter {seed}",
            seed=seed,
            peak=(120.0, 600.0)[seed % 2],
            negative_share=0.15,
            weeks=5,
            per_hour=4,
            volume_events=6,
            share_events=4,
        )
        for seed in range(3, 9)
    ]
    precision, recall, alerts, events = score_alerts(streams, kind)
    figures = f"{kind}: precision {precision:.3f} ({alerts} alerts), "
    figures += f"recall {recall:.3f} ({events} events)"
    assert events >= 20, figures
    assert precision >= 0.85, figures
    assert recall >= 0.85, figures


@pytest.mark.parametrize(("seed", "peak"), [(1, 30.0), (2, 300.0), (3, 3000.0)])
def test_a_normal_rhythm_raises_nothing(seed: int, peak: float) -> None:
    stream = generate("calm", seed=seed, peak=peak, negative_share=0.15, weeks=6,
                      volume_events=0, share_events=0)  # fmt: skip
    assert detect_spikes(stream.rows()) == []


def test_the_morning_rise_and_monday_are_not_spikes() -> None:
    """Exactly the rhythm, no noise: a detector without a time-of-day baseline would
    alert every morning (9 am is ten times 3 am) and every Monday."""
    counts = [round(x) for x in normal_rate(200.0, weeks=4)]
    monday_9am, monday_3am, sunday_9am = 21 * 24 + 9, 21 * 24 + 3, 20 * 24 + 9
    assert counts[monday_9am] > 10 * counts[monday_3am]
    assert counts[monday_9am] > 1.5 * counts[sunday_9am]
    rows = [(T0 + i * HOUR, c, c // 7) for i, c in enumerate(counts)]
    assert detect_spikes(rows) == []
    expected, _, baselines = expected_counts(counts)
    assert baselines[monday_9am] == 0  # the week's own rhythm
    assert expected[monday_9am] == pytest.approx(counts[monday_9am], rel=0.1)


@pytest.mark.parametrize("first_day", range(7))
def test_a_new_topic_raises_nothing_in_its_first_weeks(first_day: int) -> None:
    """Whatever day a topic starts on: one that starts on a Friday has seen only a
    Friday and a weekend when Monday morning comes."""
    counts = [round(x) for x in normal_rate(300.0, weeks=3)][first_day * 24 :]
    start = T0 + timedelta(days=first_day)
    rows = [(start + i * HOUR, c, c // 7) for i, c in enumerate(counts)]
    assert detect_spikes(rows) == []


def clean(weeks: int = 4, peak: float = 200.0) -> Stream:
    return generate("clean", seed=5, peak=peak, negative_share=0.15, weeks=weeks,
                    volume_events=0, share_events=0)  # fmt: skip


def test_a_burst_alerts_once_with_its_peak() -> None:
    stream = clean()
    posts = list(stream.posts)
    burst = 3 * 168 + 24 * 2 + 14  # a Wednesday afternoon in week 4
    for k, extra in enumerate((800, 1200, 700, 300)):
        posts[burst + k] += extra
    rows = [(stream.at(i), p, 0) for i, p in enumerate(posts)]
    alerts = group_alerts(detect_spikes(rows))
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert.kind == "volume"
    assert alert.start == stream.at(burst)
    assert alert.peak.bucket_start == stream.at(burst + 1)
    assert alert.peak.observed > 3 * alert.peak.expected
    assert alert.peak.baseline == "week"
    assert alert.peak.score >= 4
    assert alert.peak.p_value == pytest.approx(10**-alert.peak.score)


def test_a_negative_burst_without_more_posts_is_a_share_spike_only() -> None:
    stream = clean()
    negatives = list(stream.negatives)
    burst = 3 * 168 + 24 + 11  # a Tuesday late morning in week 4
    for k in range(4):
        negatives[burst + k] = round(0.45 * stream.posts[burst + k])
    rows = [
        (stream.at(i), p, n) for i, (p, n) in enumerate(zip(stream.posts, negatives, strict=True))
    ]
    spikes = detect_spikes(rows)
    assert {s.kind for s in spikes} == {"negative_share"}
    [alert] = group_alerts(spikes)
    assert alert.start == stream.at(burst)
    assert alert.end <= stream.at(burst + 4)
    peak = alert.peak
    assert peak.observed == pytest.approx(0.45, abs=0.01)
    assert peak.expected == pytest.approx(0.15, abs=0.03)
    assert peak.share_lower_bound is not None
    assert peak.expected < peak.share_lower_bound < peak.observed


def test_a_small_topic_bad_afternoon_is_found_by_pooling_buckets() -> None:
    """Twelve posts an hour are too few to prove a bad hour, not a bad three hours."""
    counts = [round(x) for x in normal_rate(14.0, weeks=3, trend=1.0)]
    negatives = [round(0.1 * c) for c in counts]
    burst = 2 * 168 + 24 + 13
    for k in range(3):
        negatives[burst + k] = round(0.5 * counts[burst + k])
    rows = [(T0 + i * HOUR, c, n) for i, (c, n) in enumerate(zip(counts, negatives, strict=True))]
    single = SpikeConfig(share_pool=1)
    assert detect_spikes(rows, config=single, kinds=["negative_share"]) == []
    spikes = detect_spikes(rows, kinds=["negative_share"])
    assert spikes
    assert all(s.buckets == 3 for s in spikes)
    assert spikes[0].bucket_start == T0 + (burst + 2) * HOUR


def test_few_posts_never_alert_however_improbable() -> None:
    """A silent topic that gets 9 posts in an hour is improbable, not news."""
    rows = [(T0 + i * HOUR, 0, 0) for i in range(3 * 168)]
    quiet, loud = T0 + 3 * 168 * HOUR, T0 + (3 * 168 + 5) * HOUR
    assert detect_spikes([*rows, (quiet, 9, 9)], kinds=["volume"]) == []
    [spike] = detect_spikes([*rows, (loud, 10, 0)], kinds=["volume"])
    assert spike.bucket_start == loud
    assert spike.expected == pytest.approx(0.5)


def test_a_new_level_alerts_at_the_step_and_then_stops() -> None:
    """A campaign that triples the volume for good: the recent level follows within a
    day or two, long before the weekly medians do."""
    stream = clean(weeks=6)
    step = 4 * 168 + 9
    rows = [(stream.at(i), p * 3 if i >= step else p, 0) for i, p in enumerate(stream.posts)]
    alerts = group_alerts(detect_spikes(rows))
    assert alerts
    assert all(stream.at(step) <= a.start < stream.at(step + 24) for a in alerts)


def test_verdicts_depend_only_on_the_past() -> None:
    stream = recorded_streams()[1]
    rows = stream.rows()
    since = stream.at(9 * 168)
    everything = detect_spikes(rows)
    assert detect_spikes(rows, since=since) == [s for s in everything if s.bucket_start >= since]
    # Buckets after a verdict do not change it.
    cut = 8 * 168
    truncated = detect_spikes(rows[:cut])
    assert truncated == [s for s in everything if s.bucket_start < stream.at(cut)]


def test_missing_buckets_count_as_zero() -> None:
    stream = clean(weeks=3, peak=20.0)
    rows = stream.rows()
    sparse = [r for r in rows if r[1] > 0]
    assert len(sparse) < len(rows)
    assert detect_spikes(sparse) == detect_spikes(rows)
    # ... and the order they arrive in does not matter.
    assert detect_spikes(list(reversed(rows))) == detect_spikes(rows)


def test_history_can_begin_before_the_first_row() -> None:
    """Three silent weeks, then 12 posts: news when the silence was history, nothing to
    go on when the stream seems to begin with those 12."""
    burst = T0 + 3 * 168 * HOUR + 14 * HOUR
    rows = [(burst, 12, 0)]
    assert detect_spikes(rows) == []
    [spike] = detect_spikes(rows, history_from=T0)
    assert spike.bucket_start == burst
    assert spike.baseline == "week"
    with pytest.raises(ValueError, match="before history_from"):
        detect_spikes(rows, history_from=burst + HOUR)
    with pytest.raises(ValueError, match="grid"):
        detect_spikes(rows, history_from=T0 + timedelta(minutes=30))


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [(T0, 0, 0)],
        [(T0, 5000, 4000)],
        [(T0 + i * HOUR, 0, 0) for i in range(5 * 168)],
        # Less history than the minimum: no verdict, even on a jump.
        [(T0, 0, 0), (T0 + HOUR, 0, 0), (T0 + 2 * HOUR, 1000, 900)],
    ],
    ids=["empty", "one zero bucket", "one big bucket", "all zeros", "almost no history"],
)
def test_edges_raise_nothing(rows: list[tuple[datetime, int, int]]) -> None:
    assert detect_spikes(rows) == []
    assert group_alerts([]) == []


def test_a_short_history_falls_back_to_the_day_and_then_the_recent_level() -> None:
    counts = [round(x) for x in normal_rate(100.0, weeks=3)]
    _, _, baselines = expected_counts(counts)
    assert baselines[0] == baselines[23] == -1  # less than a day: nothing to go on
    assert baselines[30] == 2  # recent level
    assert baselines[4 * 24] == 2  # still the recent level: a few days may be a weekend
    assert baselines[8 * 24] == 1  # same hour on the last 7 days
    assert baselines[15 * 24] == 0  # same hour of the week


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([(T0, 1, 0), (T0, 2, 0)], "twice"),
        ([(T0, 1, 0), (T0 + timedelta(minutes=30), 2, 0)], "grid"),
        ([(T0, 1, 2)], "negatives"),
        ([(T0, -1, 0)], "negatives"),
    ],
)
def test_malformed_input_is_refused(rows: list[tuple[datetime, int, int]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        detect_spikes(rows)


def test_the_bucket_width_must_divide_a_day() -> None:
    with pytest.raises(ValueError, match="divide a day"):
        detect_spikes([Bucket(T0, 1, 0)], bucket=timedelta(minutes=7))


def spike(hour: int, kind: str = "volume", score: float = 5.0) -> Spike:
    return Spike(kind, T0 + hour * HOUR, 50.0, 10.0, score, 50, 0, "week")  # type: ignore[arg-type]


def test_consecutive_spikes_make_one_alert() -> None:
    spikes = [spike(0), spike(1, score=9.0), spike(3), spike(6), spike(1, "negative_share")]
    alerts = group_alerts(spikes, max_gap=1)
    assert [(a.kind, a.start, a.end) for a in alerts] == [
        ("volume", T0, T0 + 4 * HOUR),
        ("negative_share", T0 + HOUR, T0 + 2 * HOUR),
        ("volume", T0 + 6 * HOUR, T0 + 7 * HOUR),
    ]
    assert alerts[0].peak.score == 9.0
    assert len(alerts[0].spikes) == 3
    assert len(group_alerts(spikes, max_gap=0)) == 4


# Reference values from scipy.stats (nbinom, poisson, binom, betabinom .sf(k - 1)).
@pytest.mark.parametrize(
    ("k", "mean", "overdispersion", "reference"),
    [
        (28, 9.3, 0.116, 0.000944690304449016),
        (17, 3.5, 0.1, 2.7289640404048516e-05),
        (2533, 630.0, 0.15, 9.97467867800449e-07),
        (5, 2.0, 0.0, 0.052653017343711125),
    ],
)
def test_negative_binomial_tail(
    k: int, mean: float, overdispersion: float, reference: float
) -> None:
    assert math.exp(log_negative_binomial_tail(k, mean, overdispersion)) == pytest.approx(
        reference, rel=1e-9
    )


def test_tails_keep_their_size_far_out() -> None:
    # exp() of this underflows; the log does not.
    assert log_negative_binomial_tail(5000, 10.0, 0.0) / math.log(10) < -300
    assert log_binomial_tail(900, 1000, 0.1) / math.log(10) < -300


@pytest.mark.parametrize(
    ("k", "n", "p", "concentration", "reference"),
    [
        (34, 109, 0.17, 300.0, 0.0014359445608188581),
        (5, 20, 0.1, 50.0, 0.07228504977267891),
        (400, 1000, 0.3, 300.0, 0.000762633813073732),
        (34, 109, 0.17, math.inf, 0.00020063799430876034),
    ],
)
def test_beta_binomial_tail(
    k: int, n: int, p: float, concentration: float, reference: float
) -> None:
    assert math.exp(log_beta_binomial_tail(k, n, p, concentration)) == pytest.approx(
        reference, rel=1e-9
    )


def test_wilson_lower_bound() -> None:
    assert wilson_lower_bound(0, 0, 1.96) == 0.0
    assert wilson_lower_bound(0, 10, 1.96) == 0.0
    # The textbook example: 8 of 10 at 95 %, two-sided, lower bound 0.490.
    assert wilson_lower_bound(8, 10, 1.96) == pytest.approx(0.490, abs=0.001)
