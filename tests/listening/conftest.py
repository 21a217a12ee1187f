"""Listening fixtures: a fixed language and sentiment model (the real one is tested in
tests/nlp; here the pipeline's plumbing is under test), and posts to feed it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest

from rapport.channels.posts import Author, RawPost
from rapport.listening.models import ListeningSource

_ids = count(1)


@dataclass(frozen=True)
class Verdict:
    sentiment: str
    sentiment_score: float
    intent: str
    intent_score: float


class RuleNlp:
    """Negative when the text says "broken" or "awful", a question when it asks;
    language "pl" when it has a Polish letter. Counts its calls, so tests can check
    that only matched posts are classified."""

    def __init__(self) -> None:
        self.classified: list[str] = []

    def language(self, text: str, allowed: list[str]) -> str:
        return "pl" if any(c in text for c in "ąęłńśźż") else "en"

    def classify(self, texts: list[str], workspace_id: int) -> list[Verdict]:
        self.classified += texts
        out = []
        for t in texts:
            low = t.lower()
            bad = "broken" in low or "awful" in low
            sentiment = "negative" if bad else "positive" if "love" in low else "neutral"
            intent = "question" if "?" in t else "complaint" if bad else "other"
            out.append(Verdict(sentiment, 0.9, intent, 0.8))
        return out


@pytest.fixture
def nlp() -> RuleNlp:
    return RuleNlp()


def post(text: str, *, handle: str = "alice.bsky.social", name: str = "Alice Example",
         external_id: str | None = None, network: str = "bluesky", ago: float = 0,
         **extra: Any) -> RawPost:  # fmt: skip
    return RawPost(
        network=network,
        external_id=external_id or f"at://post/{next(_ids)}",
        text=text,
        created_at=datetime.now(UTC) - timedelta(minutes=ago),
        author=Author(handle=handle, name=name, followers=extra.pop("followers", 120)),
        **extra,
    )


def make_source(
    workspace: Any, network: str = "bluesky", name: str = "Firehose"
) -> ListeningSource:
    return ListeningSource.objects.create(workspace=workspace, name=name, network=network)
