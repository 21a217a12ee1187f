"""The listener's embedding budget: every matched post gets the fast heads; the
embedding model re-classifies the least sure ones, as many as the budget affords."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from rapport.listening.nlp import EmbeddingBudget, ModelNlp

pytestmark = pytest.mark.django_db  # the workspace's own model is looked up first


@dataclass(frozen=True)
class P:
    sentiment: str
    sentiment_score: float
    intent: str
    intent_score: float


class Model:
    """Fast answers are "neutral", sure in proportion to the text's length; the full
    model says "positive" and records what it was asked."""

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def classify(self, texts: list[str], *, fast: bool = False) -> list[P]:
        if fast:
            return [P("neutral", min(0.99, len(t) / 10), "other", 0.9) for t in texts]
        self.embedded += texts
        return [P("positive", 0.95, "praise", 0.95) for _ in texts]


def test_the_budget_embeds_the_least_sure_posts_first() -> None:
    model = Model()
    budget = EmbeddingBudget(share=0.0, burst=0.1)  # no refill: 0.1 s in all
    budget.cost_per_post = 0.05  # two posts' worth
    nlp = ModelNlp(classifier=model, budget=budget)  # type: ignore[arg-type]
    texts = ["a long sure text here", "hm", "okay-ish", "x"]
    out = nlp.classify(texts, workspace_id=1)
    assert model.embedded == ["x", "hm"]  # the two least sure
    assert [p.sentiment for p in out] == ["neutral", "positive", "neutral", "positive"]


def test_posts_the_fast_heads_are_sure_of_keep_their_answer_whatever_the_budget() -> None:
    model = Model()
    nlp = ModelNlp(classifier=model, budget=EmbeddingBudget(share=1.0, burst=10.0))  # type: ignore[arg-type]
    out = nlp.classify(["a long sure text here", "sure, six", "hm"], workspace_id=1)
    assert model.embedded == ["hm"]  # 0.2 sure; the others 0.9 and above 0.6
    assert [p.sentiment for p in out] == ["neutral", "neutral", "positive"]


def test_without_a_budget_every_post_gets_the_embedding_model() -> None:
    model = Model()
    out = ModelNlp(classifier=model).classify(["a", "b"], workspace_id=1)  # type: ignore[arg-type]
    assert model.embedded == ["a", "b"]
    assert {p.sentiment for p in out} == {"positive"}


@pytest.mark.django_db(False)
def test_the_budget_refills_with_time_and_learns_the_cost() -> None:
    budget = EmbeddingBudget(share=1.0, burst=1.0)
    budget.spend(1.0, 20)  # 50 ms a post, all tokens gone
    assert budget.cost_per_post < 0.04 + 0.01 + 1e-9  # moved towards 50 ms from 40
    assert budget.affordable() == 0
