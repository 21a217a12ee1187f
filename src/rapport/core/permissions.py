"""Who may do what: the one place roles meet permissions.

Views, API endpoints and actions ask ``require(actor, Perm.X)``; nothing else
looks at a role. Tokens act with the role of the member who made them, narrowed
to the token's scopes.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied

from .models import Role, Scope


class Perm(StrEnum):
    WORKSPACE_VIEW = "workspace.view"
    WORKSPACE_MANAGE = "workspace.manage"
    MEMBERS_VIEW = "members.view"
    MEMBERS_MANAGE = "members.manage"
    TEAMS_VIEW = "teams.view"
    TEAMS_MANAGE = "teams.manage"
    TOKENS_VIEW = "tokens.view"
    TOKENS_MANAGE = "tokens.manage"
    AUDIT_VIEW = "audit.view"
    JOBS_VIEW = "jobs.view"
    JOBS_MANAGE = "jobs.manage"
    LISTEN_VIEW = "listen.view"
    LISTEN_MANAGE = "listen.manage"  # topics, listening sources, alert rules
    MENTIONS_MANAGE = "mentions.manage"  # correct, tag, mark handled, link to a contact
    INBOX_VIEW = "inbox.view"
    CONTACTS_VIEW = "contacts.view"
    CONTACTS_MANAGE = "contacts.manage"
    CONTACTS_ERASE = "contacts.erase"
    SEGMENTS_VIEW = "segments.view"
    JOURNEYS_VIEW = "journeys.view"
    COMMUNITY_VIEW = "community.view"
    ANALYTICS_VIEW = "analytics.view"
    SOURCES_VIEW = "sources.view"
    SOURCES_MANAGE = "sources.manage"


_ALL = frozenset(Role)
_ADMINS = frozenset({Role.OWNER, Role.ADMIN})

MATRIX: dict[Perm, frozenset[Role]] = {
    Perm.WORKSPACE_VIEW: _ALL,
    Perm.WORKSPACE_MANAGE: _ADMINS,
    Perm.MEMBERS_VIEW: _ALL,
    Perm.MEMBERS_MANAGE: _ADMINS,
    Perm.TEAMS_VIEW: _ALL,
    Perm.TEAMS_MANAGE: _ADMINS | {Role.MANAGER},
    Perm.TOKENS_VIEW: _ADMINS,
    Perm.TOKENS_MANAGE: _ADMINS,
    Perm.AUDIT_VIEW: _ADMINS | {Role.MANAGER, Role.ANALYST},
    Perm.JOBS_VIEW: _ADMINS,
    Perm.JOBS_MANAGE: _ADMINS,
    Perm.LISTEN_VIEW: _ALL,
    Perm.LISTEN_MANAGE: _ADMINS | {Role.MANAGER, Role.MARKETER},
    Perm.MENTIONS_MANAGE: _ADMINS | {Role.MANAGER, Role.MARKETER, Role.AGENT},
    Perm.INBOX_VIEW: _ADMINS | {Role.MANAGER, Role.AGENT},
    Perm.CONTACTS_VIEW: _ALL,
    Perm.CONTACTS_MANAGE: _ADMINS | {Role.MANAGER, Role.AGENT, Role.MARKETER},
    Perm.CONTACTS_ERASE: _ADMINS,
    Perm.SEGMENTS_VIEW: _ADMINS | {Role.MANAGER, Role.MARKETER, Role.ANALYST},
    Perm.JOURNEYS_VIEW: _ADMINS | {Role.MANAGER, Role.MARKETER},
    Perm.COMMUNITY_VIEW: _ADMINS | {Role.MANAGER, Role.MARKETER, Role.AGENT},
    Perm.ANALYTICS_VIEW: _ADMINS | {Role.MANAGER, Role.MARKETER, Role.ANALYST},
    Perm.SOURCES_VIEW: _ADMINS | {Role.MANAGER, Role.MARKETER},
    Perm.SOURCES_MANAGE: _ADMINS,
}

# The API scope a token needs for each permission (UI sessions need none).
SCOPE_FOR: dict[Perm, Scope] = {
    Perm.WORKSPACE_VIEW: Scope.WORKSPACE_READ,
    Perm.WORKSPACE_MANAGE: Scope.WORKSPACE_WRITE,
    Perm.MEMBERS_VIEW: Scope.MEMBERS_READ,
    Perm.MEMBERS_MANAGE: Scope.MEMBERS_WRITE,
    Perm.TEAMS_VIEW: Scope.TEAMS_READ,
    Perm.TEAMS_MANAGE: Scope.TEAMS_WRITE,
    Perm.TOKENS_VIEW: Scope.TOKENS_READ,
    Perm.TOKENS_MANAGE: Scope.TOKENS_WRITE,
    Perm.AUDIT_VIEW: Scope.AUDIT_READ,
    Perm.CONTACTS_VIEW: Scope.CONTACTS_READ,
    Perm.CONTACTS_MANAGE: Scope.CONTACTS_WRITE,
    Perm.CONTACTS_ERASE: Scope.CONTACTS_WRITE,
    Perm.SOURCES_VIEW: Scope.SOURCES_READ,
    Perm.SOURCES_MANAGE: Scope.SOURCES_WRITE,
    Perm.LISTEN_VIEW: Scope.LISTENING_READ,
    Perm.LISTEN_MANAGE: Scope.LISTENING_WRITE,
    Perm.MENTIONS_MANAGE: Scope.LISTENING_WRITE,
}

# Only an owner may hand out or take away the owner role.
ROLE_GRANTABLE_BY: dict[Role, frozenset[Role]] = {
    Role.OWNER: frozenset(Role),
    Role.ADMIN: frozenset(Role) - {Role.OWNER},
}


def role_allows(role: str, perm: Perm) -> bool:
    return Role(role) in MATRIX[perm]


def can_grant(granter_role: str, role: str) -> bool:
    return Role(role) in ROLE_GRANTABLE_BY.get(Role(granter_role), frozenset())


class Forbidden(PermissionDenied):
    """Raised by ``require``; the web and the API turn it into a 403."""

    def __init__(self, perm: Perm | str, reason: str = "") -> None:
        self.perm = str(perm)
        super().__init__(reason or f"You need the '{perm}' permission for this.")
