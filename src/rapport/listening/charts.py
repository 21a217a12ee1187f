"""Server-side SVG charts for the listening pages: mention volume stacked by sentiment,
share-of-voice bars and a sparkline. Plain markup, no script, no style attributes
(the CSP forbids inline styles: colours come from classes in listening.css), and every
piece of text escaped, since topic names are user input."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

from .analytics import Bucket, Share

SENTIMENTS = ("negative", "neutral", "positive")


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def volume_chart(
    buckets: Sequence[Bucket], *, hourly: bool, width: int = 720, height: int = 220
) -> SafeString:
    """Bars per bucket, negative at the bottom, then neutral, then positive; bucket
    labels along the bottom and the peak on the left."""
    pad_left, pad_bottom, pad_top = 36, 22, 8
    plot_w, plot_h = width - pad_left - 4, height - pad_bottom - pad_top
    peak = max((b.total for b in buckets), default=0) or 1
    n = max(1, len(buckets))
    slot = plot_w / n
    bar = max(1.0, slot * 0.8)
    parts = [
        f'<svg class="chart chart-volume" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Mentions over time by sentiment, peak {peak}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<line class="axis" x1="{pad_left}" y1="{pad_top + plot_h}" x2="{width - 4}" '
        f'y2="{pad_top + plot_h}"/>',
        f'<text class="tick" x="{pad_left - 4}" y="{pad_top + 10}" text-anchor="end">{peak}</text>',
        f'<text class="tick" x="{pad_left - 4}" y="{pad_top + plot_h}" text-anchor="end">0</text>',
    ]
    every = max(1, n // 8)
    for i, b in enumerate(buckets):
        x = pad_left + i * slot + (slot - bar) / 2
        y = float(pad_top + plot_h)
        label = b.start.strftime("%H:%M" if hourly else "%d %b")
        title = escape(
            f"{b.start:%Y-%m-%d %H:%M}: {b.total} mentions "
            f"({b.negative} negative, {b.neutral} neutral, {b.positive} positive)"
        )
        parts.append(f"<g><title>{title}</title>")
        for name in SENTIMENTS:
            count = int(getattr(b, name))
            if not count:
                continue
            h = plot_h * count / peak
            y -= h
            parts.append(
                f'<rect class="s-{name}" x="{_num(x)}" y="{_num(y)}" width="{_num(bar)}" '
                f'height="{_num(h)}"/>'
            )
        parts.append("</g>")
        if i % every == 0:
            parts.append(
                f'<text class="tick" x="{_num(x + bar / 2)}" y="{height - 6}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built above, every text escaped


def share_chart(shares: Sequence[Share], *, width: int = 480) -> SafeString:
    """One horizontal bar per brand or competitor topic, its share of their mentions."""
    row = 26
    height = max(1, len(shares)) * row + 4
    label_w = 150
    plot_w = width - label_w - 60
    parts = [
        f'<svg class="chart chart-share" viewBox="0 0 {width} {height}" role="img" '
        'aria-label="Share of voice" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, s in enumerate(shares):
        y = i * row + 4
        w = plot_w * s.share
        name = escape(s.topic.name[:24])
        kind = "brand" if s.topic.kind == "brand" else "competitor"
        parts.append(
            f"<g><title>{escape(s.topic.name)}: {s.mentions} mentions, "
            f"{round(100 * s.share)} %</title>"
            f'<text class="label" x="{label_w - 6}" y="{y + 15}" text-anchor="end">{name}</text>'
            f'<rect class="sov-{kind}" x="{label_w}" y="{y + 2}" width="{_num(max(w, 1))}" '
            f'height="{row - 8}"/>'
            f'<text class="tick" x="{_num(label_w + max(w, 1) + 4)}" y="{y + 15}">'
            f"{round(100 * s.share)} %</text></g>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - built above, every text escaped


def sparkline(values: Sequence[int], *, width: int = 100, height: int = 24) -> SafeString:
    """A small line of counts, for lists."""
    peak = max(values, default=0) or 1
    n = len(values)
    if n < 2:
        points = f"0,{height - 1} {width},{height - 1}"
    else:
        step = width / (n - 1)
        points = " ".join(
            f"{_num(i * step)},{_num(height - 1 - (height - 2) * v / peak)}"
            for i, v in enumerate(values)
        )
    return mark_safe(  # noqa: S308 - numbers only
        f'<svg class="sparkline" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" aria-hidden="true" xmlns="http://www.w3.org/2000/svg">'
        f'<polyline points="{points}"/></svg>'
    )


def sentiment_bar(negative: int, neutral: int, positive: int, *, width: int = 120) -> SafeString:
    """A thin bar split by sentiment, for the topic list."""
    total = negative + neutral + positive
    parts = [
        f'<svg class="sentiment-bar" viewBox="0 0 {width} 10" width="{width}" height="10" '
        f'role="img" aria-label="{negative} negative, {neutral} neutral, {positive} positive" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<rect class="s-empty" x="0" y="0" width="{width}" height="10"/>',
    ]
    x = 0.0
    for name, n in zip(SENTIMENTS, (negative, neutral, positive), strict=True):
        if not total or not n:
            continue
        w = width * n / total
        parts.append(f'<rect class="s-{name}" x="{_num(x)}" y="0" width="{_num(w)}" height="10"/>')
        x += w
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers only
