"""A workspace retrains from its agents' corrections and the model learns them."""

from __future__ import annotations

from pathlib import Path

import pytest

from rapport.nlp.classify import Classifier
from rapport.nlp.train import train

# Read as neutral chatter by a general model; in this workspace it is a complaint.
POST = "the new app update moved the transfer button to the settings menu"


def test_corrections_change_the_prediction_they_correct(
    classifier: Classifier, model_bytes: bytes, tmp_path: Path
) -> None:
    before = classifier.classify([POST])[0]
    assert (before.sentiment, before.intent) != ("negative", "complaint")
    corrections = [
        (POST, "negative", "complaint"),
        ("they hid the transfer button in the settings menu again", "negative", "complaint"),
    ]
    # No public data under tmp_path, no labelled posts: a quick fine-tune of the given model.
    retrained = Classifier.from_bytes(
        train(corrections, public_dir=tmp_path, base=model_bytes, include_labelled=False)
    )
    after = retrained.classify([POST])[0]
    assert (after.sentiment, after.intent) == ("negative", "complaint")
    # What it was not told about stays as it was.
    unrelated = ["I love this coffee so much, best barista in town ❤️", "What time do you open?"]
    assert [p.sentiment for p in retrained.classify(unrelated)] == [
        p.sentiment for p in classifier.classify(unrelated)
    ]


def test_labels_of_corrections_are_checked(model_bytes: bytes, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="sentiment must be one of"):
        train([("meh", "angry", "other")], public_dir=tmp_path, base=model_bytes)
    with pytest.raises(ValueError, match="intent must be one of"):
        train([("meh", "neutral", "rant")], public_dir=tmp_path, base=model_bytes)
