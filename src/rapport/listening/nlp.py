"""Listening's seam to ``rapport.nlp``: language restricted to the workspace's
languages, sentiment and intent from the shipped model. The model loads once per
process, on first use (the web app never pays for it)."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from rapport.nlp.classify import Classifier, Prediction
from rapport.nlp.language import detect

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

    @property
    def classifier(self) -> Classifier:
        if self._classifier is None:
            self._classifier = shared_classifier()
        return self._classifier

    def language(self, text: str, allowed: list[str]) -> str:
        lang, _confidence = detect(text, allowed)
        return "" if lang in ("", "und") else lang

    def classify(self, texts: list[str]) -> Sequence[Prediction]:
        return self.classifier.classify(texts)
