"""Retraining a workspace's model from its agents' corrections: every corrected post
(its sentiment and intent as they stand after the agents' changes) fine-tunes the
shipped model, which keeps what the public data taught it (see rapport.nlp.train)."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.utils import timezone

from rapport.nlp.train import train

from .models import Correction, Post, WorkspaceModel

MAX_CORRECTIONS = 5_000  # the newest; older ones are already in the model's habits
# A workspace's model is always the shipped one fine-tuned: the public data set is a
# development resource, not part of a deployment, even where it happens to be on disk.
NO_PUBLIC_DATA = Path("/nonexistent/rapport-public-data")


def retrain(workspace_id: int) -> int:
    """How many corrected posts the new model learnt from (0: nothing to learn)."""
    corrected = (
        Post.objects.for_workspace(workspace_id)
        .filter(corrected=True)
        .exclude(sentiment="")
        .exclude(intent="")
        .order_by("-pk")
        .values_list("text", "sentiment", "intent")[:MAX_CORRECTIONS]
    )
    examples = [(text, sentiment, intent) for text, sentiment, intent in corrected]
    if not examples:
        return 0
    weights = train(examples, public_dir=NO_PUBLIC_DATA)
    with transaction.atomic():
        WorkspaceModel.objects.for_workspace(workspace_id).update_or_create(
            workspace_id=workspace_id,
            defaults={"weights": weights, "corrections": len(examples),
                      "trained_at": timezone.now()},
        )  # fmt: skip
        Correction.objects.for_workspace(workspace_id).update(used_in_model=True)
    return len(examples)
