"""Listening end to end on a stream the size of Bluesky's Jetstream: 2,000 events a
second, about 1 % of the posts about one brand, 10,000 topics of other workspaces in
the same matcher.

The main figure runs ``rapport listen`` itself (its runner, the Bluesky provider and
its WebSocket client) against a Jetstream server on 127.0.0.1 in a process of its own,
which sends the events as text frames at 2,000 a second: every event is received,
decoded, parsed, deduplicated against the rewind window, normalised and matched; the
matching ones are classified (language, sentiment, intent: the fast heads for all, the
embedding model for the least sure within the listener's embedding budget) and stored
with their authors and mentions, and the cursor moves. Reported: CPU seconds the
listener's process spent per second of stream (the issue's target: under a quarter of
one core), and whether it kept up (how long after the last event was sent the cursor
reached it).

Beside it: the store fed directly (no WebSocket, no runner) with the embedding model on
every match, and the obvious alternative, which classifies every post and matches
afterwards, measured on a sample and scaled to the same stream. BENCH_LISTEN_SECONDS
(default 40) sets the stream's length.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import random
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from rapport.channels.connectors.bluesky.parse import parse_message
from rapport.channels.connectors.social import load_cursor
from rapport.channels.registry import Fetched
from rapport.core.models import Workspace
from rapport.listening.models import ListeningSource, Mention, Post, Topic
from rapport.listening.nlp import EmbeddingBudget, ModelNlp
from rapport.listening.query import PostText
from rapport.listening.runner import Runner, Selection
from rapport.listening.store import store
from rapport.listening.topics_index import TopicIndex

from .bench_matcher import LANGS, VOCAB, _brands, make_topic
from .jetstream_feed import serve_file
from .timing import machine_speed

RATE = 2_000  # Jetstream's order of magnitude for posts and other commits
SECONDS = int(os.environ.get("BENCH_LISTEN_SECONDS", "40"))
WARM_UP = 5.0  # seconds of stream before the CPU is counted: the first steps load models
MATCHING = 0.01
OTHER_TOPICS = 10_000
STEP = 1_000  # events a step hands to the store, as the Bluesky provider batches them
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


def _stream(source: ListeningSource, index: TopicIndex, nlp: ModelNlp,
            messages: list[bytes]) -> tuple[float, float]:  # fmt: skip
    """CPU and wall seconds to take ``messages`` through parse and store, as fast as
    they go."""
    cpu, wall = time.process_time(), time.perf_counter()
    for start in range(0, len(messages), STEP):
        events = [parse_message(m) for m in messages[start : start + STEP]]
        posts = [e.post for e in events if e.post is not None]
        store(source, Fetched(posts, str(events[-1].time_us)), index, nlp)
    return time.process_time() - cpu, time.perf_counter() - wall


def _through_listen(brand: Workspace, messages: list[bytes]) -> dict[str, Any]:
    """``rapport listen``'s runner on one Bluesky source whose endpoint is a Jetstream
    server in another process; CPU of this process per second of stream."""
    allowed = os.environ.get("RAPPORT_EGRESS_ALLOW")
    os.environ["RAPPORT_EGRESS_ALLOW"] = "127.0.0.1/32"  # the fake Jetstream is local
    last_us = orjson.loads(messages[-1])["time_us"]
    with tempfile.TemporaryDirectory() as folder:
        events = Path(folder) / "events.jsonl"
        events.write_bytes(b"\n".join(messages) + b"\n")
        spawn = multiprocessing.get_context("spawn")
        ours, theirs = spawn.Pipe()
        server = spawn.Process(target=serve_file, args=(str(events), RATE, theirs), daemon=True)
        server.start()
        try:
            (port,) = ours.recv()
            source = ListeningSource.objects.create(
                workspace=brand, name="Jetstream through rapport listen", network="bluesky",
                keep_unmatched=False,
                config={"endpoints": [f"ws://127.0.0.1:{port}/subscribe"], "rewind_seconds": 5},
            )  # fmt: skip
            nlp = ModelNlp(budget=EmbeddingBudget())
            nlp.classify(["warm up the model"], brand.pk)  # loading is not the stream's cost
            nlp.language("warm up the language model", ["de", "en", "nl", "pl", "ru"])
            stop = threading.Event()
            runner = Runner(nlp, Selection(source_ids=frozenset({source.pk})))
            listener = threading.Thread(target=lambda: asyncio.run(runner.run(until=stop.is_set)))
            listener.start()
            _event, started = ours.recv()
            time.sleep(max(0.0, started + WARM_UP - time.time()))
            cpu, wall = time.process_time(), time.time()
            _event, sent = ours.recv()
            cpu, wall = time.process_time() - cpu, sent - wall
            caught_up = None
            while caught_up is None and time.time() < sent + 60:
                source.refresh_from_db()
                if source.cursor and load_cursor(source.cursor, "bluesky")["time_us"] >= last_us:
                    caught_up = time.time() - sent
                time.sleep(0.1)
            stop.set()
            listener.join()
        finally:
            server.kill()
            # The benches after this one run under the deployment's egress policy again.
            if allowed is None:
                os.environ.pop("RAPPORT_EGRESS_ALLOW", None)
            else:
                os.environ["RAPPORT_EGRESS_ALLOW"] = allowed
    posts = Post.objects.for_workspace(brand).filter(source=source)
    return {
        "python_loop_ns": machine_speed(),  # this machine's speed at the time of the run
        "mode": "Jetstream-sized stream through rapport listen (WebSocket, runner, provider), "
        "NLP on matches within the embedding budget",
        "events": len(messages),
        "stream_seconds": round(len(messages) / RATE),
        "counted_seconds": round(wall, 1),
        "matched_posts": posts.count(),
        "mentions": Mention.objects.for_workspace(brand).filter(post__in=posts).count(),
        "cpu_s": round(cpu, 2),
        "core_share_at_2000_per_s": round(cpu / wall, 3),
        "target_core_share": 0.25,
        "caught_up_s_after_last_event": None if caught_up is None else round(caught_up, 1),
        "embedding_ms_per_post": round(1000 * nlp.budget.cost_per_post, 1) if nlp.budget else None,
    }


def run() -> Iterator[dict[str, Any]]:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    rng = random.Random(5)
    brand, mine = _topics(rng)
    index = TopicIndex()
    index.refresh()
    yield _through_listen(brand, _events(rng, mine, RATE * SECONDS))

    source = ListeningSource.objects.create(
        workspace=brand, name="Jetstream, store fed directly", network="bluesky",
        keep_unmatched=False,
    )  # fmt: skip
    nlp = ModelNlp()
    nlp.classify(["warm up the model"], brand.pk)
    messages = _events(rng, mine, RATE * max(5, SECONDS // 4))
    cpu, wall = _stream(source, index, nlp, messages)
    posts = Post.objects.for_workspace(brand).filter(source=source)
    yield {
        "mode": "Jetstream-sized stream, store fed directly, the embedding model on every match",
        "events": len(messages),
        "matched_posts": posts.count(),
        "cpu_s": round(cpu, 2),
        "wall_s": round(wall, 2),
        "core_share_at_2000_per_s": round(cpu / (len(messages) / RATE), 3),
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
