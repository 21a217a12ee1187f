"""Reads the listening pages and API need beyond ``queries`` and ``analytics``: the
query editor's preview, topic list figures, the providers a source can use, source
settings with their credentials masked, and the posts an alert names."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from rapport.channels.registry import Provider, providers
from rapport.core.actor import Actor
from rapport.core.permissions import Perm

from .models import Alert, AlertRule, Mention, Post, Topic
from .query import Matcher, PostText, QuerySyntaxError, parse

PREVIEW_SCAN = 2_000  # newest stored posts the editor's preview reads
PREVIEW_SHOW = 20
PREVIEW_DAYS = 30
SECRET_WORDS = ("token", "secret", "password", "key")
MASK = "••••••"


@dataclass(frozen=True)
class Preview:
    """What the query editor shows: an error with where it is, or the matching posts."""

    query: str
    error: str = ""
    position: int | None = None
    posts: tuple[Post, ...] = ()
    count: int = 0
    scanned: int = 0

    @property
    def before(self) -> str:
        return self.query[: self.position or 0]

    @property
    def at(self) -> str:
        if self.position is None:
            return ""
        return self.query[self.position : self.position + 1] or " "

    @property
    def after(self) -> str:
        return "" if self.position is None else self.query[self.position + 1 :]


def preview(actor: Actor, query: str, *, diacritics: bool = False) -> Preview:
    """Validate ``query`` and match it against the workspace's newest stored posts of
    the last 30 days (at most 2,000): up to 20 of them and how many matched."""
    actor.require(Perm.LISTEN_VIEW)
    query = query.strip()[:4000]
    if not query:
        return Preview(query, 'Write a query: a word, a "phrase", a #hashtag or an @handle.', 0)
    try:
        tree = parse(query)
    except QuerySyntaxError as exc:
        return Preview(query, exc.message, max(0, min(exc.position, len(query))))
    matcher = Matcher()
    try:
        matcher.load([(1, tree, diacritics)])  # compiled here: no builder thread
        since = timezone.now() - timedelta(days=PREVIEW_DAYS)
        rows = list(
            Post.objects.for_workspace(actor.workspace)
            .filter(posted_at__gte=since, duplicate_of__isnull=True)
            .select_related("author", "source")
            .order_by("-posted_at", "-pk")[:PREVIEW_SCAN]
        )
        hits: list[Post] = []
        for p in rows:
            source = p.source.network if p.source else p.network
            if matcher.match(PostText(p.text, p.lang, source, p.author.handle)):
                hits.append(p)
    finally:
        matcher.close()
    return Preview(query, posts=tuple(hits[:PREVIEW_SHOW]), count=len(hits), scanned=len(rows))


@dataclass(frozen=True)
class TopicStats:
    mentions: int
    negative: int
    neutral: int
    positive: int

    def pct(self, n: int) -> int:
        return round(100 * n / self.mentions) if self.mentions else 0

    @property
    def negative_pct(self) -> int:
        return self.pct(self.negative)

    @property
    def neutral_pct(self) -> int:
        return self.pct(self.neutral)

    @property
    def positive_pct(self) -> int:
        return self.pct(self.positive)


def topic_stats(actor: Actor, days: int = 7) -> dict[int, TopicStats]:
    """Mentions per topic over the last ``days``, by sentiment (one query)."""
    actor.require(Perm.LISTEN_VIEW)
    since = timezone.now() - timedelta(days=days)
    rows = (
        Mention.objects.for_workspace(actor.workspace)
        .filter(posted_at__gte=since)
        .values("topic_id")
        .annotate(
            n=Count("id"),
            neg=Count("id", filter=Q(sentiment="negative")),
            neu=Count("id", filter=Q(sentiment="neutral")),
            pos=Count("id", filter=Q(sentiment="positive")),
        )
    )
    return {
        int(r["topic_id"]): TopicStats(int(r["n"]), int(r["neg"]), int(r["neu"]), int(r["pos"]))
        for r in rows
    }


_loaded: list[bool] = []


def all_providers() -> dict[str, Provider]:
    """Every provider: they register when their package is imported, so import them
    all once (a connector that fails to import is left out, not fatal)."""
    if not _loaded:
        from rapport.channels import connectors

        for info in pkgutil.iter_modules(connectors.__path__):
            if info.ispkg:
                try:
                    importlib.import_module(f"{connectors.__name__}.{info.name}")
                except Exception:  # noqa: S112 - one broken connector hides only itself
                    continue
        _loaded.append(True)
    return dict(sorted(providers().items()))


def is_secret(key: str) -> bool:
    low = key.lower()
    return any(word in low for word in SECRET_WORDS)


def masked(config: Mapping[str, Any]) -> dict[str, Any]:
    """A source's settings as they may be shown: any credential replaced by a mask,
    nested ones too."""
    out: dict[str, Any] = {}
    for key, value in config.items():
        if is_secret(str(key)):
            out[str(key)] = MASK if value not in ("", None) else ""
        elif isinstance(value, Mapping):
            out[str(key)] = masked(value)
        elif isinstance(value, list):
            out[str(key)] = [masked(v) if isinstance(v, Mapping) else v for v in value]
        else:
            out[str(key)] = value
    return out


def alert_posts(actor: Actor, alerts: list[Alert], *, per_alert: int = 5) -> dict[int, list[Post]]:
    """The posts behind each alert (the first few it names), in one query."""
    actor.require(Perm.LISTEN_VIEW)
    wanted: dict[int, list[int]] = {}
    for a in alerts:
        ids = [int(i) for i in (a.post_ids or []) if isinstance(i, int) and not isinstance(i, bool)]
        wanted[a.pk] = ids[:per_alert]
    every = {i for ids in wanted.values() for i in ids}
    found = (
        Post.objects.for_workspace(actor.workspace).select_related("author").in_bulk(list(every))
    )
    return {pk: [found[i] for i in ids if i in found] for pk, ids in wanted.items()}


def alert_rules(actor: Actor) -> dict[int, AlertRule]:
    actor.require(Perm.LISTEN_VIEW)
    return {r.topic_id: r for r in AlertRule.objects.for_workspace(actor.workspace)}


def since_for(period: str) -> tuple[datetime, bool]:
    """A dashboard period: "24h" hourly, "7d" and "30d" daily."""
    now = timezone.now()
    if period == "24h":
        return now - timedelta(hours=23), True
    days = 30 if period == "30d" else 7
    return now - timedelta(days=days - 1), False


def topic_names(actor: Actor) -> list[Topic]:
    actor.require(Perm.LISTEN_VIEW)
    return list(Topic.objects.for_workspace(actor.workspace).order_by("name"))


INFLUENCE_SAMPLE = 2_000


def topic_influence(actor: Actor, topic: Topic, since: datetime) -> dict[int, float]:
    """Influence (0-100, see ``influence``) of the authors in a topic's window, by
    author id: posts and engagement of every author, and the reply/mention graph of
    the newest posts."""
    from .influence import AuthorActivity, Interaction, influence_scores

    actor.require(Perm.LISTEN_VIEW)
    rows = list(
        Mention.objects.for_workspace(actor.workspace)
        .filter(topic=topic, posted_at__gte=since)
        .values("post__author_id", "post__author__handle", "post__author__followers")
        .annotate(
            n=Count("id"),
            likes=Sum("post__likes"),
            reposts=Sum("post__reposts"),
            replies=Sum("post__replies"),
        )
    )
    if not rows:
        return {}
    ids = {str(r["post__author__handle"]).lower(): int(r["post__author_id"]) for r in rows}
    activity = [
        AuthorActivity(
            author=str(r["post__author__handle"]).lower(),
            posts=int(r["n"]),
            followers=r["post__author__followers"],
            likes=int(r["likes"] or 0),
            reposts=int(r["reposts"] or 0),
            replies=int(r["replies"] or 0),
        )
        for r in rows
    ]
    sample = (
        Mention.objects.for_workspace(actor.workspace)
        .filter(topic=topic, posted_at__gte=since)
        .order_by("-posted_at")
        .values_list("post__author__handle", "post__mentions")[:INFLUENCE_SAMPLE]
    )
    edges = [
        Interaction(str(handle).lower(), str(m).lstrip("@").lower())
        for handle, mentioned in sample
        for m in (mentioned or [])
        if isinstance(m, str) and m
    ]
    return {
        ids[s.author]: round(s.score, 1)
        for s in influence_scores(activity, edges)
        if s.author in ids
    }
