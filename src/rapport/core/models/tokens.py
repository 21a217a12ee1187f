"""API tokens: per workspace, hashed at rest, scoped, revocable."""

from __future__ import annotations

from django.db import models

from .tenancy import WorkspaceOwned


class Scope(models.TextChoices):
    WORKSPACE_READ = "workspace:read", "Read workspace"
    WORKSPACE_WRITE = "workspace:write", "Change workspace"
    MEMBERS_READ = "members:read", "Read members"
    MEMBERS_WRITE = "members:write", "Manage members"
    TEAMS_READ = "teams:read", "Read teams"
    TEAMS_WRITE = "teams:write", "Manage teams"
    TOKENS_READ = "tokens:read", "Read tokens"
    TOKENS_WRITE = "tokens:write", "Manage tokens"
    AUDIT_READ = "audit:read", "Read the audit log"
    CONTACTS_READ = "contacts:read", "Read contacts"
    CONTACTS_WRITE = "contacts:write", "Manage contacts"
    SOURCES_READ = "sources:read", "Read event sources"
    SOURCES_WRITE = "sources:write", "Manage event sources and their write keys"
    LISTENING_READ = "listening:read", "Read topics, mentions and alerts"
    LISTENING_WRITE = "listening:write", "Manage topics and listening sources; act on mentions"


class ApiToken(WorkspaceOwned):
    name = models.CharField(max_length=80)
    # The first characters, shown in lists so people can tell tokens apart.
    prefix = models.CharField(max_length=16, db_index=True)
    # sha256 of the whole secret; the secret itself is shown once and never stored.
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        "core.Membership", on_delete=models.CASCADE, related_name="tokens"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta(WorkspaceOwned.Meta):
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
