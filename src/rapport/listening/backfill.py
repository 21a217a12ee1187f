"""A new or changed topic, run over the posts of the last 30 days: the posts it
matches become mentions (classified first if no topic had matched them before)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import Mention, Post, Topic
from .query import Matcher, PostText
from .store import Nlp, classify_rows, mention_of

WINDOW = timedelta(days=30)
CHUNK = 2_000


def backfill(topic: Topic, nlp: Nlp) -> int:
    """Mentions added. Idempotent: a post already mentioning the topic is skipped."""
    matcher = Matcher()
    matcher.load([(topic.pk, topic.query, topic.match_diacritics)])  # compiled now: no thread
    since = timezone.now() - WINDOW
    posts = Post.objects.for_workspace(topic.workspace_id).filter(
        posted_at__gte=since, duplicate_of__isnull=True
    )
    done = set(
        Mention.objects.for_workspace(topic.workspace_id)
        .filter(topic=topic)
        .values_list("post_id", flat=True)
    )
    added = 0
    last = 0
    while True:
        chunk = list(
            posts.filter(pk__gt=last).select_related("author", "source").order_by("pk")[:CHUNK]
        )
        if not chunk:
            break
        last = chunk[-1].pk
        hits = [
            p
            for p in chunk
            if p.pk not in done
            and matcher.match(PostText(p.text, p.lang, p.network, p.author.handle))
        ]
        added += _mention(topic, hits, nlp)
    Topic.objects.for_workspace(topic.workspace_id).filter(pk=topic.pk).update(
        backfilled_at=timezone.now()
    )
    return added


def _mention(topic: Topic, posts: list[Post], nlp: Nlp) -> int:
    if not posts:
        return 0
    with transaction.atomic():
        fresh = [p for p in posts if not p.sentiment]
        classify_rows(topic.workspace_id, fresh, nlp)
        Post.unscoped.bulk_update(
            fresh, ["lang", "sentiment", "sentiment_score", "intent", "intent_score"]
        )
        # A live mention made meanwhile wins: conflicts on (topic, post) are skipped.
        Mention.unscoped.bulk_create([mention_of(p, topic.pk) for p in posts],
                                     ignore_conflicts=True)  # fmt: skip
    return len(posts)
