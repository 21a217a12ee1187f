"""The committed model, loaded once: embedding and scoring is what the tests exercise."""

from __future__ import annotations

import pytest

from rapport.nlp.classify import MODEL_PATH, Classifier


@pytest.fixture(scope="session")
def model_bytes() -> bytes:
    return MODEL_PATH.read_bytes()


@pytest.fixture(scope="session")
def classifier(model_bytes: bytes) -> Classifier:
    return Classifier.from_bytes(model_bytes)
