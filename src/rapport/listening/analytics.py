"""A topic's numbers: volume and sentiment over time, share of voice, top authors,
terms, hashtags, languages and networks. Aggregates run in the database over the
mention rows (denormalised for this); term counts read a bounded sample of the
newest posts, since counting words needs the text."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDay, TruncHour

from rapport.core.actor import Actor
from rapport.core.permissions import Perm

from .models import Author, Mention, Post, Topic, TopicKind

TERM_SAMPLE = 2_000  # newest posts read for top terms
_WORD = re.compile(r"[^\W\d_][\w'’-]{2,}", re.UNICODE)
# Words that say nothing about a topic, in the workspace languages the demo uses.
STOPWORDS = frozenset(
    re.findall(
        r"\S+",
        """the and for that this with you are was have not but from they your all just what
    about out has get can its our will when how more like one would there their been them
    than then some into only very also who why which were had did does got too now here
    und der die das ist nicht ich sie mit ein eine den dem des auf für von wir auch aber
    noch nur wie bei oder war sind zum zur hat als
    het een van dat niet ook maar voor met zijn wat nog naar bij heb deze die dan
    nie się jest to na że jak ale tak już czy mnie jego tylko jeszcze przez dla może są
    это что как не на по но все так уже или мне его только еще вот для был где есть""",
    )
)


@dataclass(frozen=True)
class Bucket:
    start: datetime
    total: int
    negative: int
    neutral: int
    positive: int


def _mentions(actor: Actor, topic: Topic, since: datetime) -> object:
    actor.require(Perm.LISTEN_VIEW)
    return Mention.objects.for_workspace(actor.workspace).filter(topic=topic, posted_at__gte=since)


def volume(actor: Actor, topic: Topic, since: datetime, *, hourly: bool = False) -> list[Bucket]:
    actor.require(Perm.LISTEN_VIEW)
    trunc = TruncHour("posted_at") if hourly else TruncDay("posted_at")
    rows = (
        Mention.objects.for_workspace(actor.workspace)
        .filter(topic=topic, posted_at__gte=since)
        .annotate(bucket=trunc)
        .values("bucket")
        .annotate(
            total=Count("id"),
            negative=Count("id", filter=Q(sentiment="negative")),
            neutral=Count("id", filter=Q(sentiment="neutral")),
            positive=Count("id", filter=Q(sentiment="positive")),
        )
        .order_by("bucket")
    )
    found = {r["bucket"]: r for r in rows}
    step = timedelta(hours=1) if hourly else timedelta(days=1)
    start = since.replace(minute=0, second=0, microsecond=0)
    if not hourly:
        start = start.replace(hour=0)
    out: list[Bucket] = []
    # Every bucket of the range, empty ones too: a chart with gaps would lie.
    at = start
    now = datetime.now(tz=since.tzinfo)
    while at <= now:
        r = found.get(at)
        out.append(Bucket(at, *(int(r[k]) if r else 0 for k in
                                ("total", "negative", "neutral", "positive"))))  # fmt: skip
        at += step
    return out


@dataclass(frozen=True)
class Share:
    topic: Topic
    mentions: int
    share: float  # of all brand and competitor mentions in the period
    negative_share: float


def share_of_voice(actor: Actor, since: datetime) -> list[Share]:
    """The brand against its competitors: each brand or competitor topic's part of
    their mentions together."""
    actor.require(Perm.LISTEN_VIEW)
    rivals = list(
        Topic.objects.for_workspace(actor.workspace).filter(
            kind__in=[TopicKind.BRAND, TopicKind.COMPETITOR], active=True
        )
    )
    counts = {
        r["topic_id"]: r
        for r in Mention.objects.for_workspace(actor.workspace)
        .filter(topic__in=rivals, posted_at__gte=since)
        .values("topic_id")
        .annotate(n=Count("id"), neg=Count("id", filter=Q(sentiment="negative")))
    }
    total = sum(int(r["n"]) for r in counts.values()) or 1
    shares = []
    for t in rivals:
        n = int(counts[t.pk]["n"]) if t.pk in counts else 0
        negative = int(counts[t.pk]["neg"]) if t.pk in counts else 0
        shares.append(Share(t, n, n / total, negative / max(1, n)))
    return sorted(shares, key=lambda s: (-s.mentions, s.topic.name))


@dataclass(frozen=True)
class TopAuthor:
    author: Author
    mentions: int
    engagement: int


def top_authors(actor: Actor, topic: Topic, since: datetime, *, limit: int = 10) -> list[TopAuthor]:
    actor.require(Perm.LISTEN_VIEW)
    rows = (
        Mention.objects.for_workspace(actor.workspace)
        .filter(topic=topic, posted_at__gte=since)
        .values("post__author_id")
        .annotate(
            n=Count("id"),
            engagement=Sum("post__likes") + Sum("post__reposts") + Sum("post__replies"),
        )
        .order_by("-n", "-engagement")[:limit]
    )
    ids = [r["post__author_id"] for r in rows]
    authors = Author.objects.for_workspace(actor.workspace).in_bulk(ids)
    return [
        TopAuthor(authors[r["post__author_id"]], int(r["n"]), int(r["engagement"] or 0))
        for r in rows
        if r["post__author_id"] in authors
    ]


def breakdown(actor: Actor, topic: Topic, since: datetime, field: str) -> list[tuple[str, int]]:
    """Mentions per language or per network."""
    actor.require(Perm.LISTEN_VIEW)
    if field not in ("lang", "network", "intent", "sentiment"):
        raise ValueError(field)
    rows = (
        Mention.objects.for_workspace(actor.workspace)
        .filter(topic=topic, posted_at__gte=since)
        .values(field)
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    return [(str(r[field] or "unknown"), int(r["n"])) for r in rows]


def top_terms(
    actor: Actor, topic: Topic, since: datetime, *, limit: int = 15
) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """The most frequent words (not stopwords, not the query's own) and hashtags."""
    actor.require(Perm.LISTEN_VIEW)
    post_ids = (
        Mention.objects.for_workspace(actor.workspace)
        .filter(topic=topic, posted_at__gte=since)
        .order_by("-posted_at")
        .values_list("post_id", flat=True)[:TERM_SAMPLE]
    )
    own = {w.casefold() for w in _WORD.findall(topic.query)}
    words: Counter[str] = Counter()
    tags: Counter[str] = Counter()
    posts = Post.objects.for_workspace(actor.workspace).filter(pk__in=list(post_ids))
    for text, hashtags in posts.values_list("text", "hashtags"):
        seen = {w.casefold() for w in _WORD.findall(text)}
        words.update(w for w in seen if w not in STOPWORDS and w not in own)
        tags.update({f"#{str(h).casefold()}" for h in hashtags or []})
    return words.most_common(limit), tags.most_common(limit)
