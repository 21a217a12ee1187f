"""Agents' corrections retrain the workspace's model in the background, and the
listener uses the workspace's model once it exists (the model's own learning is
tested in tests/nlp; here the plumbing: which examples, stored where, picked up)."""

from __future__ import annotations

from typing import Any

import pytest

from rapport.channels.registry import Fetched
from rapport.jobs.models import Job
from rapport.listening import learning
from rapport.listening import nlp as nlp_module
from rapport.listening.actions import do_correct_post, do_create_topic
from rapport.listening.models import Correction, Post, WorkspaceModel
from rapport.listening.store import store
from rapport.listening.tasks import retrain_model
from rapport.listening.topics_index import TopicIndex
from rapport.nlp.classify import Classifier
from tests.factories import World

from .conftest import RuleNlp, Verdict, make_source, post

pytestmark = pytest.mark.django_db(transaction=True)


def test_corrections_retrain_the_workspace_model_which_the_listener_then_uses(
    world: World, nlp: RuleNlp, monkeypatch: pytest.MonkeyPatch
) -> None:
    do_create_topic(world.actor(), name="Nordlicht", query="nordlicht")
    index = TopicIndex()
    index.refresh()
    store(make_source(world.workspace),
          Fetched([post("nordlicht, great, just great. broke on day two"),
                   post("nordlicht is fine I guess")], "c"), index, nlp)  # fmt: skip
    sarcastic = Post.objects.for_workspace(world.workspace).get(text__contains="great, just")
    agent = world.actor("agent")
    do_correct_post(agent, sarcastic, field="sentiment", value="negative")
    do_correct_post(agent, sarcastic, field="intent", value="complaint")

    assert Correction.objects.for_workspace(world.workspace).count() == 2
    # Two corrections, one retraining waiting.
    assert Job.objects.filter(task_path__endswith="retrain_model").count() == 1

    seen: list[Any] = []

    def fake_train(examples: list[tuple[str, str, str]], **kwargs: Any) -> bytes:
        seen.extend(examples)
        return b"weights of the workspace"

    monkeypatch.setattr(learning, "train", fake_train)
    assert retrain_model.call(workspace_id=world.workspace.pk) == 1
    assert seen == [(sarcastic.text, "negative", "complaint")]
    own = WorkspaceModel.objects.for_workspace(world.workspace).get()
    assert (bytes(own.weights), own.corrections) == (b"weights of the workspace", 1)
    assert set(Correction.objects.for_workspace(world.workspace)
               .values_list("used_in_model", flat=True)) == {True}  # fmt: skip

    class Loaded:
        def __init__(self, data: bytes) -> None:
            self.data = data

        def classify(self, texts: list[str]) -> list[Verdict]:
            return [Verdict("negative", 0.99, "complaint", 0.9) for _ in texts]

    monkeypatch.setattr(Classifier, "from_bytes", classmethod(lambda cls, d: Loaded(d)))

    class Shipped:
        def classify(self, texts: list[str]) -> list[Verdict]:
            return [Verdict("neutral", 0.6, "other", 0.5) for _ in texts]

    listener = nlp_module.ModelNlp(classifier=Shipped())  # type: ignore[arg-type]
    mine = listener.classify(["whatever"], world.workspace.pk)
    assert mine[0].sentiment == "negative"  # the workspace's model answered
    other = listener.classify(["whatever"], world.workspace.pk + 1000)
    assert other[0].sentiment == "neutral"  # another workspace: the shipped model


def test_nothing_corrected_trains_nothing(world: World) -> None:
    assert learning.retrain(world.workspace.pk) == 0
    assert not WorkspaceModel.objects.for_workspace(world.workspace).exists()
