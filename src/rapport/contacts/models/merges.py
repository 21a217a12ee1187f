"""The resolution log: every observation of identities that belong together, every
merge it caused, and every duplicate suggestion. Unmerge replays this log."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from rapport.core.models.tenancy import WorkspaceOwned


class Observation(WorkspaceOwned):
    """Identities seen together, from one source, trusted or not. The resolution
    rules are a pure function of the sequence of observations."""

    identity_ids = models.JSONField()
    trusted = models.BooleanField()
    source = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(WorkspaceOwned.Meta):
        ordering = ["id"]

    def __str__(self) -> str:
        return f"observation {self.pk} ({'trusted' if self.trusted else 'untrusted'})"


class MergeRecord(WorkspaceOwned):
    winner = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    loser = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    observation = models.ForeignKey(
        Observation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=200)
    actor_label = models.CharField(max_length=200)
    # What moved from the loser to the winner, per table, and the winner's profile
    # fields before the merge filled them: exactly what an unmerge must put back.
    moved = models.JSONField(default=dict)
    winner_before = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta(WorkspaceOwned.Meta):
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"merge {self.loser_id} → {self.winner_id}"


class SuggestionStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    DISMISSED = "dismissed", "Dismissed"


class DuplicateSuggestion(WorkspaceOwned):
    first = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    evidence = models.JSONField(default=list)
    status = models.CharField(
        max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(WorkspaceOwned.Meta):
        ordering = ["-score", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["workspace", "first", "second"], name="uniq_duplicate_pair"
            )
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id} ({self.score:.2f})"
