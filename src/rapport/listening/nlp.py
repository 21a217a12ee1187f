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

_lock = threading.Lock()
_shared: Classifier | None = None


def shared_classifier() -> Classifier:
    global _shared  # noqa: PLW0603 - one model per process, loaded lazily
    with _lock:
        if _shared is None:
            _shared = Classifier.load()
        return _shared


class ModelNlp:
    def __init__(self, classifier: Classifier | None = None) -> None:
        self._classifier = classifier
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
        return (self._workspace_classifier(workspace_id) or self.classifier).classify(texts)

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
