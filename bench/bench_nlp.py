"""Sentiment + intent of tweet-length posts on one core: the embedding model against the
cheap first stage (hashed n-grams + lexicon, no embedding), each with its macro-F1 on the
same UMSAB val posts so the price of the speed is visible.

The posts are UMSAB's val tweets (BENCH_NLP_PER_LANGUAGE per language, 40 by default);
without the public data on disk the repo's held-out posts are used and no UMSAB F1 is given.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from typing import Any

from rapport.nlp import data
from rapport.nlp.classify import SENTIMENTS, Classifier
from rapport.nlp.evaluate import macro_f1

PER_LANGUAGE = int(os.environ.get("BENCH_NLP_PER_LANGUAGE", "40"))


def _posts() -> tuple[str, list[data.Post]]:
    if data.has_umsab():
        by_language: dict[str, list[data.Post]] = {}
        for post in data.umsab("val"):
            by_language.setdefault(post.lang, []).append(post)
        rng = random.Random(5)
        sample = [p for posts in by_language.values() for p in rng.sample(posts, PER_LANGUAGE)]
        return "UMSAB val", sample
    return "labelled held-out", [p for p in data.labelled() if p.split == "test"]


# The cascade: the fast heads answer where both are at least this sure (about a fifth of
# tweets); measured on UMSAB val + held-out, it cost no sentiment macro-F1.
CONFIDENT = 0.6


def _measure(
    classifier: Classifier, posts: list[data.Post], fast: bool, confident: float | None = None
) -> dict[str, Any]:
    texts = [p.text for p in posts]
    classifier.classify(texts[:8], fast=fast)  # maps the model, warms caches
    start = time.perf_counter()
    predictions = classifier.classify(texts, fast=fast, confident=confident)
    seconds = time.perf_counter() - start
    truth = [p.sentiment for p in posts]
    return {
        "posts_per_s": round(len(texts) / seconds, 1),
        "sentiment_macro_f1": round(
            macro_f1(truth, [p.sentiment for p in predictions], SENTIMENTS), 3
        ),
        "seconds": round(seconds, 2),
    }


def run() -> Iterator[dict[str, Any]]:
    threads = os.environ.get("OMP_NUM_THREADS", "unset")
    classifier = Classifier.load()
    source, posts = _posts()
    mean_chars = round(sum(len(p.text) for p in posts) / len(posts))
    full = _measure(classifier, posts, fast=False)
    fast = _measure(classifier, posts, fast=True)
    cascade = _measure(classifier, posts, fast=False, confident=CONFIDENT)
    yield {
        "case": f"sentiment + intent of {len(posts)} {source} posts ({mean_chars} chars avg), "
        f"OMP_NUM_THREADS={threads}",
        "embedding_posts_per_s": full["posts_per_s"],
        "embedding_macro_f1": full["sentiment_macro_f1"],
        "fast_posts_per_s": fast["posts_per_s"],
        "fast_macro_f1": fast["sentiment_macro_f1"],
        "speedup": round(fast["posts_per_s"] / full["posts_per_s"], 1),
        "cascade_posts_per_s": cascade["posts_per_s"],
        "cascade_macro_f1": cascade["sentiment_macro_f1"],
    }
