"""Reads of listening: topics, sources, the mention stream with its filters, one
post, alerts. Each checks its permission and reads only the actor's workspace;
another workspace's row is not found (404). Topic analytics live in ``analytics``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from rapport.core.actor import Actor
from rapport.core.permissions import Perm
from rapport.core.queries import one_or_404

from .models import Alert, Intent, ListeningSource, Mention, Post, Sentiment, Topic

STREAM_PAGE = 50


def topics(actor: Actor) -> QuerySet[Topic]:
    actor.require(Perm.LISTEN_VIEW)
    return Topic.objects.for_workspace(actor.workspace)


def access_topic(actor: Actor, pk: object) -> Topic:
    return one_or_404(topics(actor), pk, "topic")


def sources(actor: Actor) -> QuerySet[ListeningSource]:
    actor.require(Perm.LISTEN_VIEW)
    return ListeningSource.objects.for_workspace(actor.workspace)


def access_listening_source(actor: Actor, pk: object) -> ListeningSource:
    return one_or_404(sources(actor), pk, "source")


def access_post(actor: Actor, pk: object) -> Post:
    actor.require(Perm.LISTEN_VIEW)
    return one_or_404(
        Post.objects.for_workspace(actor.workspace).select_related("author"), pk, "post"
    )


def alerts(actor: Actor) -> QuerySet[Alert]:
    actor.require(Perm.LISTEN_VIEW)
    return Alert.objects.for_workspace(actor.workspace).select_related("topic")


@dataclass(frozen=True)
class StreamFilter:
    """The mention stream's filters; every field optional. Values come from the query
    string and are checked here, so a bad one narrows to nothing instead of erroring."""

    topic: int | None = None
    sentiment: str = ""
    intent: str = ""
    lang: str = ""
    network: str = ""
    min_reach: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    handled: bool | None = None
    after_id: int | None = None  # live arrival: only posts newer than this one
    before_id: int | None = None  # "load more": only posts older than this one


def stream(actor: Actor, f: StreamFilter, *, limit: int = STREAM_PAGE) -> list[Post]:
    """Posts that mention at least one of the workspace's topics, newest first."""
    actor.require(Perm.LISTEN_VIEW)
    qs = (
        Post.objects.for_workspace(actor.workspace)
        .filter(duplicate_of__isnull=True)
        .exclude(sentiment="")
        .select_related("author", "contact", "suggested_contact")
    )
    if f.topic is not None:
        qs = qs.filter(pk__in=_mentioned(actor, f.topic))
    if f.sentiment:
        qs = qs.filter(sentiment=f.sentiment if f.sentiment in Sentiment.values else "-")
    if f.intent:
        qs = qs.filter(intent=f.intent if f.intent in Intent.values else "-")
    if f.lang:
        qs = qs.filter(lang=f.lang[:8])
    if f.network:
        qs = qs.filter(network=f.network[:20])
    if f.min_reach is not None:
        qs = qs.filter(author__followers__gte=f.min_reach)
    if f.since is not None:
        qs = qs.filter(posted_at__gte=f.since)
    if f.until is not None:
        qs = qs.filter(posted_at__lt=f.until)
    if f.handled is not None:
        qs = qs.filter(handled=f.handled)
    if f.after_id is not None:
        qs = qs.filter(pk__gt=f.after_id)
    if f.before_id is not None:
        qs = qs.filter(pk__lt=f.before_id)
    return list(qs.order_by("-pk")[: max(1, min(limit, 200))])


def _mentioned(actor: Actor, topic_id: int) -> QuerySet[Mention, int]:
    return (
        Mention.objects.for_workspace(actor.workspace)
        .filter(topic_id=topic_id)
        .values_list("post_id", flat=True)
    )


def topics_of(actor: Actor, posts: list[Post]) -> dict[int, list[Topic]]:
    """Which topics each post mentions (one query for a page of posts)."""
    by_post: dict[int, list[Topic]] = {p.pk: [] for p in posts}
    rows = (
        Mention.objects.for_workspace(actor.workspace)
        .filter(post_id__in=list(by_post))
        .select_related("topic")
        .order_by("topic__name")
    )
    for m in rows:
        by_post[m.post_id].append(m.topic)
    return by_post
