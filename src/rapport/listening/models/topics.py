"""Topics: what a workspace listens for, as a query in the listening query language."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from rapport.core.models.tenancy import WorkspaceOwned


class TopicKind(models.TextChoices):
    BRAND = "brand", "Brand"
    COMPETITOR = "competitor", "Competitor"
    CATEGORY = "category", "Category"
    CAMPAIGN = "campaign", "Campaign"


class Topic(WorkspaceOwned):
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=12, choices=TopicKind.choices, default=TopicKind.BRAND)
    query = models.TextField()
    # Off by default: "lodz" finds "Łódź". On, accents must match as written.
    match_diacritics = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When the last backfill over stored posts finished (None: running or never).
    backfilled_at = models.DateTimeField(null=True, blank=True)

    class Meta(WorkspaceOwned.Meta):
        ordering = ["name", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["workspace", "name"], name="uniq_topic_name")
        ]

    def __str__(self) -> str:
        return self.name
