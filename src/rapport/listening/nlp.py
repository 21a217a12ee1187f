"""Listening's seam to ``rapport.nlp``: language restricted to the workspace's
languages; sentiment and intent from the workspace's own model when its agents'
corrections made one, else from the shipped model. Models load once per process, on
first use (the web app never pays for them), and a retrained one is picked up within
a minute."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import datetime

from rapport.nlp.classify import Classifier, Prediction
from rapport.nlp.language import detect

from .models import WorkspaceModel

RECHECK = 60.0  # seconds between looks for a retrained workspace model
CONFIDENT = 0.6  # fast heads at least this sure of both: no embedding (docs/nlp.md, cascade)

_lock = threading.Lock()
_shared: Classifier | None = None


def shared_classifier() -> Classifier:
    global _shared  # noqa: PLW0603 - one model per process, loaded lazily
    with _lock:
        if _shared is None:
            _shared = Classifier.load()
        return _shared


class EmbeddingBudget:
    """How much of a core the embedding model may use, as a token bucket of CPU
    seconds: ``share`` of a second accrues each second, up to ``burst`` seconds.

    The fast heads (n-grams and lexicons, a fifth of a millisecond a post) classify
    every matched post; the embedding model (tens of milliseconds a post on a CPU)
    re-classifies the posts the fast heads are unsure of (below ``CONFIDENT`` on
    sentiment or intent; where both are surer the embedding changed no macro-F1), least
    sure first, as many as the budget allows. A demo's or a brand's own stream gets the
    embedding for every unsure post; a firehose whose matches outrun the budget degrades
    to the fast heads for the surplus instead of falling behind (docs/nlp.md has both
    stages' macro-F1). 8 % of a core keeps the whole Bluesky firehose under a quarter
    of a core (bench_listening) and embeds two posts a second."""

    def __init__(self, share: float = 0.08, burst: float = 2.0) -> None:
        self.share, self.burst = share, burst
        self._tokens = burst
        self._at = time.monotonic()
        self.cost_per_post = 0.04  # seconds; learnt from each embedding call

    def affordable(self) -> int:
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.share)
        self._at = now
        return max(0, int(self._tokens / self.cost_per_post))

    def spend(self, seconds: float, posts: int) -> None:
        self._tokens -= seconds
        if posts:
            self.cost_per_post = 0.8 * self.cost_per_post + 0.2 * seconds / posts


class ModelNlp:
    def __init__(
        self, classifier: Classifier | None = None, budget: EmbeddingBudget | None = None
    ) -> None:
        self._classifier = classifier
        self.budget = budget
        # workspace id -> (its model's training time or None, classifier, next check)
        self._own: dict[int, tuple[datetime | None, Classifier | None, float]] = {}

    @property
    def classifier(self) -> Classifier:
        if self._classifier is None:
            self._classifier = shared_classifier()
        return self._classifier

    def language(self, text: str, allowed: list[str]) -> str:
        lang, _confidence = detect(text, allowed)
        return "" if lang in ("", "und") else lang

    def classify(self, texts: list[str], workspace_id: int) -> Sequence[Prediction]:
        model = self._workspace_classifier(workspace_id) or self.classifier
        if self.budget is None:
            return model.classify(texts)
        out = model.classify(texts, fast=True)
        affordable = self.budget.affordable()
        if not affordable:
            return out
        # The least sure first: that is where the embedding changes answers.
        sureness = [min(p.sentiment_score, p.intent_score) for p in out]
        unsure = sorted(
            (n for n, s in enumerate(sureness) if s < CONFIDENT), key=sureness.__getitem__
        )
        chosen = unsure[:affordable]
        if not chosen:
            return out
        # This thread's CPU only: the listener's other threads (its event loop, other
        # sources' steps) run meanwhile and are not the embedding's cost.
        started = time.thread_time()
        better = model.classify([texts[n] for n in chosen])
        self.budget.spend(time.thread_time() - started, len(chosen))
        for n, prediction in zip(chosen, better, strict=True):
            out[n] = prediction
        return out

    def _workspace_classifier(self, workspace_id: int) -> Classifier | None:
        trained, classifier, check_at = self._own.get(workspace_id, (None, None, 0.0))
        if time.monotonic() < check_at:
            return classifier
        stamp = (
            WorkspaceModel.objects.for_workspace(workspace_id)
            .values_list("trained_at", flat=True)
            .first()
        )
        if stamp is not None and stamp != trained:
            weights = WorkspaceModel.objects.for_workspace(workspace_id).values_list(
                "weights", flat=True
            )[0]
            classifier = Classifier.from_bytes(bytes(weights))
        elif stamp is None:
            classifier = None
        self._own[workspace_id] = (stamp, classifier, time.monotonic() + RECHECK)
        return classifier
