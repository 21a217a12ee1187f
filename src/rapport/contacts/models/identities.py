"""Identities: the ways a person shows up (an email, a phone, a browser, a handle on a
network). Unique per workspace, so one identity always points at one contact."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from rapport.core.models.tenancy import WorkspaceOwned


class IdentityKind(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    ANONYMOUS = "anonymous", "Anonymous web id"
    USER_ID = "user_id", "Shop user id"
    BLUESKY_DID = "bluesky_did", "Bluesky DID"
    BLUESKY = "bluesky", "Bluesky handle"
    MASTODON = "mastodon", "Mastodon"
    REDDIT = "reddit", "Reddit"
    X = "x", "X"
    TELEGRAM = "telegram", "Telegram id"
    FACEBOOK = "facebook", "Facebook (page-scoped id)"
    INSTAGRAM = "instagram", "Instagram (scoped id)"
    WHATSAPP = "whatsapp", "WhatsApp id"


class Identity(WorkspaceOwned):
    # The unique (workspace, kind, value) index starts with the workspace, and the
    # contact id is unique across workspaces: two indexes fewer on the hottest insert.
    workspace = models.ForeignKey(
        "core.Workspace", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=IdentityKind.choices)
    value = models.CharField(max_length=320)
    verified = models.BooleanField(default=False)
    source = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(WorkspaceOwned.Meta):
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["workspace", "kind", "value"], name="uniq_identity_per_workspace"
            )
        ]
        ordering = ["kind", "value"]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"
