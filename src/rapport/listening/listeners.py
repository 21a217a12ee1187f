"""Listening reacts to contacts and to its own topics: posts and authors linked to a
contact move with it on a merge and back on an unmerge; a new or changed topic is
backfilled over stored posts."""

from __future__ import annotations

from rapport.contacts.ownership import register
from rapport.core.events import DomainEvent, Event, subscribe
from rapport.jobs.facade import enqueue_once

from .models import Author, Post

register(Author)
register(Post)
register(Post, contact_field="suggested_contact")


@subscribe(Event.TOPIC_CHANGED)
def backfill_changed_topic(event: DomainEvent) -> None:
    if event.workspace_id is None or not event.payload.get("backfill"):
        return
    from .tasks import backfill_topic

    topic_id = int(event.payload["topic_id"])
    # Several edits in a row: one backfill waits, and it reads the topic as saved last.
    enqueue_once(backfill_topic, f"listening.backfill:{topic_id}",
                 workspace_id=event.workspace_id, topic_id=topic_id)  # fmt: skip


@subscribe(Event.MENTION_CORRECTED)
def retrain_after_corrections(event: DomainEvent) -> None:
    if event.workspace_id is None:
        return
    from .tasks import retrain_model

    # A burst of corrections: one retraining waits, and it reads them all.
    enqueue_once(retrain_model, f"listening.retrain:{event.workspace_id}",
                 workspace_id=event.workspace_id)  # fmt: skip
