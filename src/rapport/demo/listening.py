"""The demo's listening: the brand and its two competitors as topics, a category
topic, alert rules, two weeks of history so the dashboards have a shape, and a replay
source that plays a recorded multilingual stream so mentions arrive while a visitor
watches (``rapport serve --with-worker`` runs it)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from rapport.core.actor import Actor
from rapport.listening.actions import do_create_listening_source, do_create_topic
from rapport.listening.models import AlertRule, Author, Mention, Post, Topic
from rapport.listening.query import Matcher, PostText
from rapport.listening.store import mention_of

from .brand import BRANDS, Brand
from .texts import generate_posts

HISTORY_DAYS = 14
HISTORY_POSTS = 1_400
_INTENT = {"negative": "complaint", "positive": "praise", "neutral": "question"}


def _query(brand: Brand) -> str:
    words = [f'"{brand.name.lower()}"', brand.name.split()[0].lower()]
    words += list(brand.hashtags) + [h for h in brand.handles if h.startswith("@")]
    return " OR ".join(dict.fromkeys(words))


def load_listening(actor: Actor) -> list[Topic]:
    topics = [do_create_topic(actor, name=b.name, query=_query(b), kind=b.kind) for b in BRANDS]
    topics.append(do_create_topic(
        actor, name="Coffee gear", kind="category",
        query="(grinder OR espresso* OR moka OR kaffeemühle OR młynek OR кофемолка) "
              "AND NOT (job OR hiring)",
    ))  # fmt: skip
    for topic in topics[:1]:
        AlertRule.objects.create(workspace=actor.workspace, topic=topic,
                                 emails=["care@nordlicht.example"], min_mentions=8)  # fmt: skip
    _history(actor, topics)
    do_create_listening_source(actor, name="Recorded stream (demo)", network="replay",
                               config={"speed": 30})  # fmt: skip
    return topics


def _history(actor: Actor, topics: list[Topic]) -> None:
    """Past mentions with the sentiment their template was written with (demo data
    labelled by construction), spread over two weeks with a daily rhythm."""
    ws = actor.workspace
    rng = random.Random(7)
    now = timezone.now()
    matcher = Matcher()
    matcher.load([(t.pk, t.query, t.match_diacritics) for t in topics])
    authors: dict[str, Author] = {}
    rows: list[Post] = []
    for n, p in enumerate(generate_posts(HISTORY_POSTS, seed=23)):
        day = rng.randrange(HISTORY_DAYS)
        hour = min(23, max(0, int(rng.gauss(14, 4))))
        at = now - timedelta(days=day, hours=now.hour - hour, minutes=rng.randrange(60))
        at = min(at, now - timedelta(minutes=5))
        author = authors.get(p.author)
        if author is None:
            author = authors[p.author] = Author(
                workspace=ws, network="mastodon", handle=f"@{p.author}@social.example",
                name=p.author.title(), followers=int(rng.paretovariate(1.2) * 50),
                first_seen=at, last_seen=at,
            )  # fmt: skip
        rows.append(Post(
            workspace=ws, network="mastodon", external_id=f"demo-history-{n}",
            url=f"https://social.example/@{p.author}/{n}", text=p.text, author=author,
            posted_at=at, received_at=at, fingerprint=f"h{n}", lang=p.language,
            sentiment=p.sentiment, sentiment_score=0.9, intent=_INTENT[p.sentiment],
            intent_score=0.8, likes=int(rng.expovariate(0.3)), reposts=int(rng.expovariate(1)),
        ))  # fmt: skip
    Author.unscoped.bulk_create(authors.values())
    for row in rows:
        row.author_id = row.author.pk
    Post.unscoped.bulk_create(rows)
    Mention.unscoped.bulk_create(
        mention_of(row, t)
        for row in rows
        for t in sorted(matcher.match(PostText(row.text, row.lang, row.network, "")))
    )
