"""Contacts and companies: the people a brand knows, however many identities they use."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from rapport.core.models.tenancy import WorkspaceOwned


class Lifecycle(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    LEAD = "lead", "Lead"
    CUSTOMER = "customer", "Customer"
    REPEAT = "repeat", "Repeat customer"
    ADVOCATE = "advocate", "Advocate"
    LAPSED = "lapsed", "Lapsed"


class ContactStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    MERGED = "merged", "Merged into another contact"


class Company(WorkspaceOwned):
    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(WorkspaceOwned.Meta):
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contact(WorkspaceOwned):
    # Contacts are written in bulk (imports, event streams), so each index costs:
    # the workspace is the first column of both composite indexes below, and the
    # optional links are indexed only where they are set (see Meta).
    workspace = models.ForeignKey(
        "core.Workspace", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    full_name = models.CharField(max_length=200, blank=True)
    locale = models.CharField(max_length=16, blank=True)
    timezone = models.CharField(max_length=64, blank=True)
    city = models.CharField(max_length=120, blank=True)
    country = models.CharField(max_length=2, blank=True)
    avatar_url = models.URLField(max_length=500, blank=True)
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, db_index=False
    )
    owner = models.ForeignKey(
        "core.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False,
    )  # fmt: skip
    tags = models.JSONField(default=list, blank=True)
    custom = models.JSONField(default=dict, blank=True)
    # Computed from behaviour by ``lifecycle.recompute``; never edited by hand.
    lifecycle = models.CharField(
        max_length=16, choices=Lifecycle.choices, default=Lifecycle.PROSPECT
    )
    lifecycle_changed_at = models.DateTimeField(null=True, blank=True)
    order_count = models.PositiveIntegerField(default=0)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=8, choices=ContactStatus.choices, default=ContactStatus.ACTIVE
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_index=False,
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(WorkspaceOwned.Meta):
        ordering = ["-id"]
        indexes: ClassVar = [
            models.Index(fields=["workspace", "status", "-id"]),
            models.Index(fields=["workspace", "lifecycle"]),
            models.Index(
                fields=["company"],
                name="contact_company_set",
                condition=models.Q(company__isnull=False),
            ),
            models.Index(
                fields=["owner"], name="contact_owner_set", condition=models.Q(owner__isnull=False)
            ),
            models.Index(
                fields=["merged_into"],
                name="contact_merged_into_set",
                condition=models.Q(merged_into__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or f"Contact {self.pk}"

    @property
    def display_name(self) -> str:
        return self.full_name or f"Contact #{self.pk}"

    @property
    def initials(self) -> str:
        parts = self.full_name.split()
        return "".join(p[0] for p in parts[:2]).upper() or "?"


class LifecyclePolicy(WorkspaceOwned):
    """When a contact counts as lapsed: no activity for ``lapsed_after_days``, or (for
    repeat customers) no order for ``cadence_factor`` times their usual gap between
    orders. A factor of 0 turns the cadence rule off."""

    lapsed_after_days = models.PositiveIntegerField(default=180)
    cadence_factor = models.FloatField(default=3.0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(WorkspaceOwned.Meta):
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["workspace"], name="uniq_lifecycle_policy")
        ]

    def __str__(self) -> str:
        return f"lapsed after {self.lapsed_after_days} days"


# The profile fields a merge fills on the surviving contact when it has none; the
# merge record keeps what they were, so an unmerge puts them back.
PROFILE_FIELDS = ("full_name", "locale", "timezone", "city", "country", "avatar_url")
