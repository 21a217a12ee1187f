"""Sentiment and intent of social posts, with the committed weights or a workspace's own.

``Classifier.load()`` reads the model shipped in ``data/model.npz``; a workspace that
retrained from its agents' corrections passes its bytes to ``Classifier.from_bytes``.
``classify`` embeds the posts (the cost) and scores both heads on the same features;
``classify(..., fast=True)`` skips the embedding and uses the n-gram and lexicon heads,
a first stage about two orders of magnitude cheaper and somewhat less accurate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rapport.nlp import features
from rapport.nlp.embed import embed
from rapport.nlp.model import ModelError, Weights, load_bytes

MODEL_PATH = Path(__file__).with_name("data") / "model.npz"
SENTIMENTS = ("negative", "neutral", "positive")
INTENTS = ("complaint", "question", "praise", "purchase_intent", "lead", "other")


@dataclass(frozen=True)
class Prediction:
    sentiment: str
    sentiment_score: float  # probability of ``sentiment``
    intent: str
    intent_score: float  # probability of ``intent``
    polarity: float  # P(positive) - P(negative), in [-1, 1]: sortable, averageable


def feature_blocks(
    texts: Sequence[str],
    weights: Weights,
    *,
    with_embedding: bool,
    embeddings: np.ndarray | None = None,
) -> dict[str, Any]:
    """The scaled feature blocks the heads read (training builds them the same way)."""
    clean = [features.normalise(t) for t in texts]
    signal = (features.signals(texts) - weights.signal_mean) / weights.signal_scale
    blocks: dict[str, Any] = {
        "ngram": features.ngrams(clean, weights.ngram_features) * weights.scales["ngram"],
        "signal": signal * weights.scales["signal"],
    }
    if with_embedding:
        vectors = embed(clean) if embeddings is None else embeddings
        blocks["embed"] = vectors * weights.scales["embed"]
    return blocks


class Classifier:
    def __init__(self, weights: Weights) -> None:
        for prefix in ("", "fast_"):
            if set(weights.heads[prefix + "sentiment"].labels) != set(SENTIMENTS):
                raise ModelError(f"{prefix}sentiment head must label {SENTIMENTS}")
            if set(weights.heads[prefix + "intent"].labels) != set(INTENTS):
                raise ModelError(f"{prefix}intent head must label {INTENTS}")
        for task in ("sentiment", "intent"):
            if weights.heads[task].labels != weights.heads["fast_" + task].labels:
                raise ModelError(f"fast_{task} must order its labels as {task} does")
        self.weights = weights

    @classmethod
    def load(cls, path: Path | None = None) -> Classifier:
        path = path or MODEL_PATH
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ModelError(f"cannot read NLP model {path}: {exc}") from exc
        return cls.from_bytes(data)

    @classmethod
    def from_bytes(cls, data: bytes) -> Classifier:
        return cls(load_bytes(data))

    def probabilities(
        self, texts: Sequence[str], *, fast: bool = False, embeddings: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Sentiment and intent probabilities, columns in the heads' label order."""
        blocks = feature_blocks(texts, self.weights, with_embedding=not fast, embeddings=embeddings)
        prefix = "fast_" if fast else ""
        heads = self.weights.heads
        return (
            heads[prefix + "sentiment"].probabilities(blocks),
            heads[prefix + "intent"].probabilities(blocks),
        )

    def cascade(self, texts: Sequence[str], confident: float) -> tuple[np.ndarray, np.ndarray]:
        """The fast heads' answer where both are at least ``confident``, the full one elsewhere."""
        sentiment, intent = self.probabilities(texts, fast=True)
        unsure = np.flatnonzero(
            (sentiment.max(axis=1) < confident) | (intent.max(axis=1) < confident)
        )
        if unsure.size:
            full_sentiment, full_intent = self.probabilities([texts[int(i)] for i in unsure])
            sentiment[unsure], intent[unsure] = full_sentiment, full_intent
        return sentiment, intent

    def classify(
        self, texts: Sequence[str], *, fast: bool = False, confident: float | None = None
    ) -> list[Prediction]:
        """Predictions with the embedding (default), without (``fast``), or with it only for
        the posts the fast heads are less than ``confident`` about."""
        if not texts:
            return []
        if confident is not None and not fast:
            sentiment, intent = self.cascade(texts, confident)
        else:
            sentiment, intent = self.probabilities(texts, fast=fast)
        s_labels = self.weights.heads["sentiment"].labels
        i_labels = self.weights.heads["intent"].labels
        pos, neg = s_labels.index("positive"), s_labels.index("negative")
        out = []
        for s_row, i_row in zip(sentiment, intent, strict=True):
            s, i = int(s_row.argmax()), int(i_row.argmax())
            out.append(
                Prediction(
                    sentiment=s_labels[s],
                    sentiment_score=round(float(s_row[s]), 4),
                    intent=i_labels[i],
                    intent_score=round(float(i_row[i]), 4),
                    polarity=round(float(s_row[pos] - s_row[neg]), 4),
                )
            )
        return out
