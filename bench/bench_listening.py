"""Listening end to end on a stream the size of Bluesky's Jetstream: 2,000 events a
second, about 1 % of the posts about one brand, 10,000 topics of other workspaces in
the same matcher. Each event goes the whole way: Jetstream JSON decoded and parsed,
normalised, matched; the matching ones deduplicated, classified (language, sentiment,
intent with the shipped embedding model), stored with their authors and mentions.

Reported: CPU seconds this process spent per second of stream (the issue's target:
under a quarter of one core) with the listener's embedding budget (the stream handed
over in real time, so the budget accrues as it would), and without it (the embedding
model on every match); and in the same run the obvious alternative, which classifies
every post and matches afterwards, measured on a sample and scaled to the same stream.
BENCH_LISTEN_SECONDS (default 30) sets the stream's length.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import orjson

from rapport.channels.connectors.bluesky.parse import parse_message
from rapport.channels.registry import Fetched
from rapport.core.models import Workspace
from rapport.listening.models import ListeningSource, Mention, Post, Topic
from rapport.listening.nlp import EmbeddingBudget, ModelNlp
from rapport.listening.query import PostText
from rapport.listening.store import store
from rapport.listening.topics_index import TopicIndex

from .bench_matcher import LANGS, VOCAB, _brands, make_topic

RATE = 2_000  # Jetstream's order of magnitude for posts and other commits
SECONDS = int(os.environ.get("BENCH_LISTEN_SECONDS", "30"))
MATCHING = 0.01
OTHER_TOPICS = 10_000
STEP = 200  # events a step hands to the store: the Bluesky provider's batch (200 posts or 1 s)
SAMPLE = 300  # posts the alternative classifies


def _workspace(name: str) -> Workspace:
    return Workspace.objects.create(name=name, slug=f"{name.lower()}-{time.time_ns()}")


def _topics(rng: random.Random) -> tuple[Workspace, list[str]]:
    brands = _brands(rng, 2_000)
    others = [_workspace(f"Other{n}") for n in range(20)]
    Topic.unscoped.bulk_create(
        Topic(workspace=others[n % len(others)], name=f"t{n}", query=make_topic(rng, brands))
        for n in range(OTHER_TOPICS)
    )
    brand = _workspace("Brand")
    mine = ["nordlicht", "kaffeewerk", "beanbarrel"]
    for word in mine:
        Topic.objects.create(workspace=brand, name=word, query=f"{word} OR #{word}")
    return brand, mine


def _events(rng: random.Random, mine: list[str], n: int) -> list[bytes]:
    start_us = int(time.time() * 1_000_000)
    out = []
    for i in range(n):
        lang = rng.choice(LANGS)
        words = rng.choices(VOCAB[lang], k=rng.randint(6, 18))
        if rng.random() < MATCHING:
            words.insert(rng.randrange(len(words) + 1), rng.choice(mine).capitalize())
        record = {"$type": "app.bsky.feed.post", "text": " ".join(words),
                  "createdAt": datetime.now(UTC).isoformat(), "langs": [lang]}  # fmt: skip
        event = {"did": f"did:plc:user{rng.randrange(50_000)}", "time_us": start_us + i * 500,
                 "kind": "commit", "commit": {"rev": f"r{i}", "operation": "create",
                 "collection": "app.bsky.feed.post", "rkey": f"k{i}", "record": record,
                 "cid": f"bafy{i}"}}  # fmt: skip
        out.append(orjson.dumps(event))
    return out


def _stream(source: ListeningSource, index: TopicIndex, nlp: ModelNlp, messages: list[bytes],
            *, paced: bool) -> tuple[float, float]:  # fmt: skip
    """CPU and wall seconds to take ``messages`` through the pipeline; ``paced`` hands
    them over at the stream's own rate (the embedding budget accrues in real time)."""
    cpu, wall = time.process_time(), time.perf_counter()
    for start in range(0, len(messages), STEP):
        if paced:
            due = wall + start / RATE
            time.sleep(max(0.0, due - time.perf_counter()))
        events = [parse_message(m) for m in messages[start : start + STEP]]
        posts = [e.post for e in events if e.post is not None]
        store(source, Fetched(posts, str(events[-1].time_us)), index, nlp)
    return time.process_time() - cpu, time.perf_counter() - wall


def run() -> Iterator[dict[str, Any]]:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    rng = random.Random(5)
    brand, mine = _topics(rng)
    index = TopicIndex()
    index.refresh()
    for mode, budget, seconds in (
        ("match first, NLP on matches within an embedding budget", EmbeddingBudget(), SECONDS),
        ("match first, the embedding model on every match", None, max(5, SECONDS // 3)),
    ):
        source = ListeningSource.objects.create(
            workspace=brand, name=mode[:80], network="bluesky", keep_unmatched=False
        )
        nlp = ModelNlp(budget=budget)
        # Loading the models is not the stream's cost.
        nlp.classify(["warm up the model"], brand.pk)
        nlp.language("warm up the language model", ["de", "en", "nl", "pl", "ru"])
        messages = _events(rng, mine, RATE * seconds)
        cpu, wall = _stream(source, index, nlp, messages, paced=budget is not None)
        posts = Post.objects.for_workspace(brand).filter(source=source)
        yield {
            "mode": f"Jetstream-sized stream, {mode}",
            "events": len(messages),
            "stream_seconds": seconds,
            "matched_posts": posts.count(),
            "mentions": Mention.objects.for_workspace(brand).filter(post__in=posts).count(),
            "cpu_s": round(cpu, 2),
            "wall_s": round(wall, 2),
            "core_share_at_2000_per_s": round(cpu / seconds, 3),
            "target_core_share": 0.25,
            "embedding_ms_per_post": round(1000 * budget.cost_per_post, 1) if budget else None,
        }

    # The obvious way: every post classified, then matched.
    nlp = ModelNlp()
    sample = [parse_message(m).post for m in _events(rng, mine, SAMPLE)]
    texts = [p.text for p in sample if p is not None]
    cpu = time.process_time()
    for p in sample:
        if p is not None:
            nlp.language(p.text, ["en", "de", "pl", "ru", "nl"])
    nlp.classify(texts, brand.pk)
    for p in sample:
        if p is not None:
            index.match(brand.pk, PostText(p.text, p.lang, "bluesky", p.author.handle))
    per_post = (time.process_time() - cpu) / len(texts)
    yield {
        "mode": "classify every post, then match (baseline)",
        "sample_posts": len(texts),
        "cpu_ms_per_post": round(per_post * 1000, 2),
        "core_share_at_2000_per_s": round(per_post * RATE, 2),
    }
