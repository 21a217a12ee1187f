"""Consent with its evidence, erasure tombstones and the retention policy."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from rapport.core.models.tenancy import WorkspaceOwned


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"
    MESSENGER = "messenger", "Messenger"
    SOCIAL = "social", "Social networks"
    WEB = "web", "Website"


class Purpose(models.TextChoices):
    MARKETING = "marketing", "Marketing"
    NEWSLETTER = "newsletter", "Newsletter"
    PROFILING = "profiling", "Profiling and personalisation"
    SERVICE = "service", "Customer service"


class Consent(WorkspaceOwned):
    """One decision of one person for one channel and purpose; the newest wins, the
    older ones stay as history."""

    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=12, choices=Channel.choices)
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    granted = models.BooleanField()
    source = models.CharField(max_length=120)
    wording = models.TextField(max_length=2000, help_text="what the person was shown")
    recorded_at = models.DateTimeField()

    class Meta(WorkspaceOwned.Meta):
        ordering = ["-recorded_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["workspace", "contact", "channel", "purpose"])]

    def __str__(self) -> str:
        return f"{self.channel}/{self.purpose}: {'yes' if self.granted else 'no'}"


class ErasedIdentity(WorkspaceOwned):
    """A keyed hash of an erased identity: enough to recognise it if a later import
    or event brings it back, useless to anyone who reads the table."""

    digest = models.CharField(max_length=64)
    erased_at = models.DateTimeField(auto_now_add=True)

    class Meta(WorkspaceOwned.Meta):
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["workspace", "digest"], name="uniq_erased_digest")
        ]

    def __str__(self) -> str:
        return self.digest[:12]


class RetentionPolicy(WorkspaceOwned):
    """Erase contacts with no activity for this many months (0 = keep)."""

    inactive_months = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(WorkspaceOwned.Meta):
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["workspace"], name="uniq_retention_policy")
        ]

    def __str__(self) -> str:
        return f"{self.inactive_months} months"
