"""Enriched values with their provenance, the queue of provider requests, and the
state the rate limiter and the status page need."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from rapport.core.models.tenancy import WorkspaceOwned


class LawfulBasis(models.TextChoices):
    LEGITIMATE_INTEREST = "legitimate_interest", "Legitimate interest"
    CONSENT = "consent", "Consent"
    CONTRACT = "contract", "Contract"


class EnrichedValue(WorkspaceOwned):
    """One fact about a contact from one provider. ``identity`` is the identity it was
    derived from (an email for Gravatar, a handle for a social profile): after an
    unmerge the value follows that identity."""

    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    identity = models.ForeignKey(
        "contacts.Identity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    provider = models.CharField(max_length=40)
    field = models.CharField(max_length=60)
    value = models.JSONField()
    fetched_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    lawful_basis = models.CharField(max_length=24, choices=LawfulBasis.choices)
    source_ref = models.CharField(max_length=300, blank=True)

    class Meta(WorkspaceOwned.Meta):
        ordering = ["provider", "field", "-fetched_at"]
        indexes: ClassVar = [
            models.Index(fields=["workspace", "contact", "provider", "field"]),
            models.Index(fields=["expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.provider}.{self.field}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "Done"
    SKIPPED = "skipped", "Nothing to look up"
    FAILED = "failed", "Failed"


class EnrichmentRequest(WorkspaceOwned):
    """A provider to ask about a contact; the queue the rate-limited runner drains."""

    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    provider = models.CharField(max_length=40)
    status = models.CharField(
        max_length=8, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    not_before = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta(WorkspaceOwned.Meta):
        ordering = ["id"]
        indexes: ClassVar = [models.Index(fields=["status", "not_before", "id"])]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["contact", "provider"],
                condition=models.Q(status="pending"),
                name="one_pending_request_per_provider",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} for contact {self.contact_id}: {self.status}"


class RateWindow(models.Model):
    """Requests a provider has used in its current window. Limits belong to the
    deployment's API key, not to a workspace, so this table is global."""

    provider = models.CharField(max_length=40, unique=True)
    window_start = models.DateTimeField()
    used = models.PositiveIntegerField(default=0)
    # Set from a 429's Retry-After: the provider told us to wait until then.
    blocked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.provider}: {self.used} since {self.window_start:%H:%M}"


class ProviderHealth(models.Model):
    """The last success and the last failure of each provider, for the status page."""

    provider = models.CharField(max_length=40, unique=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.provider
