"""Merging by hand (from a suggestion or the merge dialog) and undoing merges."""

from __future__ import annotations

from django.db import transaction

from rapport.core.actor import Actor
from rapport.core.audit import record
from rapport.core.errors import Conflict
from rapport.core.events import Event, publish
from rapport.core.permissions import Perm

from .. import lifecycle
from ..models import (
    Contact,
    ContactStatus,
    DuplicateSuggestion,
    Identity,
    MergeRecord,
    Observation,
    SuggestionStatus,
)
from ..resolution import merge, unmerge


def do_merge_contacts(actor: Actor, keep: Contact, other: Contact) -> MergeRecord:
    """An agent decides two contacts are one person. The older one survives (the
    same rule as automatic merges), whichever way round they were picked."""
    actor.require(Perm.CONTACTS_MANAGE)
    if keep.pk == other.pk:
        raise Conflict("Pick two different contacts.")
    with transaction.atomic():
        winner, loser = sorted(
            Contact.objects.for_workspace(actor.workspace)
            .select_for_update()
            .filter(pk__in=[keep.pk, other.pk]),
            key=lambda c: c.pk,
        )
        if ContactStatus.MERGED in (winner.status, loser.status):
            raise Conflict("One of these contacts was merged already.")
        firsts = [
            Identity.objects.for_workspace(actor.workspace)
            .filter(contact=c)
            .order_by("pk")
            .values_list("pk", flat=True)
            .first()
            for c in (winner, loser)
        ]
        observation = None
        if all(firsts):
            # Recorded like any trusted observation, so a later unmerge replays it.
            observation = Observation.objects.create(
                workspace=actor.workspace, identity_ids=firsts, trusted=True, source="agent"
            )
        result = merge(
            winner, loser, observation=observation, reason="merged by hand",
            actor_label=actor.label,
        )  # fmt: skip
        DuplicateSuggestion.objects.for_workspace(actor.workspace).filter(
            first_id=winner.pk, second_id=loser.pk
        ).update(status=SuggestionStatus.ACCEPTED)
        record(actor, "contact.merge", winner, after={"merged": loser.pk, "merge": result.pk})
        publish(Event.CONTACTS_MERGED, actor.workspace.pk, merge_id=result.pk)
        lifecycle.recompute(winner)
    return result


def do_unmerge(actor: Actor, merge_record: MergeRecord) -> Contact:
    actor.require(Perm.CONTACTS_MANAGE)
    with transaction.atomic():
        restored = unmerge(merge_record, actor_label=actor.label)
        winner = Contact.objects.for_workspace(actor.workspace).get(pk=merge_record.winner_id)
        record(actor, "contact.unmerge", winner,
               after={"restored": restored.pk, "merge": merge_record.pk})  # fmt: skip
        publish(Event.CONTACT_UNMERGED, actor.workspace.pk, merge_id=merge_record.pk)
        lifecycle.recompute(winner)
        lifecycle.recompute(restored)
    return restored


def do_dismiss_suggestion(actor: Actor, suggestion: DuplicateSuggestion) -> None:
    actor.require(Perm.CONTACTS_MANAGE)
    with transaction.atomic():
        suggestion.status = SuggestionStatus.DISMISSED
        suggestion.save(update_fields=["status"])
        record(actor, "contact.suggestion_dismiss", suggestion, object_type="suggestion")
