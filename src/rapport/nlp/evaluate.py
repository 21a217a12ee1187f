"""Macro-F1 per language: ``python -m rapport.nlp.evaluate`` (= ``train_nlp.py --evaluate``).

Sentiment on UMSAB's val split (eight languages, never trained on) and on the repo's
held-out labelled posts (``"split": "test"``: en, pl, ru, nl, de); intent on the held-out
posts. Every figure is given for the full model and for the fast first stage.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.metrics import f1_score

from rapport.nlp import data
from rapport.nlp.classify import INTENTS, SENTIMENTS, Classifier

if TYPE_CHECKING:
    from rapport.nlp.train import EmbeddingCache


def macro_f1(truth: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> float:
    return float(f1_score(truth, predicted, labels=list(labels), average="macro", zero_division=0))


def _predict(
    classifier: Classifier, posts: Sequence[data.Post], cache: EmbeddingCache, fast: bool
) -> tuple[list[str], list[str]]:
    texts = [p.text for p in posts]
    vectors = None if fast else cache.embeddings(texts)
    sentiment, intent = classifier.probabilities(texts, fast=fast, embeddings=vectors)
    prefix = "fast_" if fast else ""
    s_labels = classifier.weights.heads[prefix + "sentiment"].labels
    i_labels = classifier.weights.heads[prefix + "intent"].labels
    return (
        [s_labels[i] for i in np.argmax(sentiment, axis=1)],
        [i_labels[i] for i in np.argmax(intent, axis=1)],
    )


def scores(
    classifier: Classifier, cache: EmbeddingCache, public_dir: Path | None = None
) -> list[dict[str, Any]]:
    """One row per (set, language, task, stage) with macro-F1, accuracy and the count."""
    sets: dict[tuple[str, str], list[data.Post]] = defaultdict(list)
    for post in data.umsab("val", public_dir):
        sets["umsab-val", post.lang].append(post)
    for post in data.labelled():
        if post.split == "test":
            sets["held-out", post.lang].append(post)
    rows = []
    for (name, lang), posts in sets.items():
        for fast in (False, True):
            sentiment, intent = _predict(classifier, posts, cache, fast)
            tasks: list[tuple[str, list[str], list[str], Sequence[str]]]
            tasks = [("sentiment", [p.sentiment for p in posts], sentiment, SENTIMENTS)]
            if name == "held-out":
                tasks.append(("intent", [str(p.intent) for p in posts], intent, INTENTS))
            for task, truth, predicted, labels in tasks:
                hits = sum(t == p for t, p in zip(truth, predicted, strict=True))
                rows.append(
                    {
                        "set": name,
                        "lang": lang,
                        "task": task,
                        "stage": "fast" if fast else "full",
                        "n": len(posts),
                        "macro_f1": round(macro_f1(truth, predicted, labels), 3),
                        "accuracy": round(hits / len(posts), 3),
                    }
                )
    return rows


def report(classifier: Classifier, cache: EmbeddingCache, public_dir: Path | None = None) -> None:
    rows = scores(classifier, cache, public_dir)
    out = sys.stdout
    out.write(f"{'set':<10} {'lang':<4} {'task':<9} {'n':>4} {'full F1':>8} {'fast F1':>8}\n")
    full = {(r["set"], r["lang"], r["task"]): r for r in rows if r["stage"] == "full"}
    fast = {(r["set"], r["lang"], r["task"]): r for r in rows if r["stage"] == "fast"}
    for key in sorted(full):
        name, lang, task = key
        out.write(
            f"{name:<10} {lang:<4} {task:<9} {full[key]['n']:>4} "
            f"{full[key]['macro_f1']:>8.3f} {fast[key]['macro_f1']:>8.3f}\n"
        )


def main(argv: Sequence[str] | None = None) -> int:
    from rapport.nlp.train import main as train_main

    return train_main(["--evaluate", *(argv if argv is not None else sys.argv[1:])])


if __name__ == "__main__":
    sys.exit(main())
