"""Template context for the shell: the current workspace, the user's workspaces,
and the navigation of every module of the product map."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from rapport.core.actor import Actor
from rapport.core.models import User
from rapport.core.permissions import Perm
from rapport.core.queries import memberships_of


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    perm: Perm
    icon: str
    hotkey: str


MODULES: tuple[NavItem, ...] = (
    NavItem("listen", "Listen", "listen", Perm.LISTEN_VIEW, "radar", "l"),
    NavItem("inbox", "Inbox", "inbox", Perm.INBOX_VIEW, "inbox", "i"),
    NavItem("contacts", "Contacts", "contacts", Perm.CONTACTS_VIEW, "users", "c"),
    NavItem("segments", "Segments", "segments", Perm.SEGMENTS_VIEW, "filter", "s"),
    NavItem("journeys", "Journeys", "journeys", Perm.JOURNEYS_VIEW, "route", "j"),
    NavItem("community", "Community", "community", Perm.COMMUNITY_VIEW, "sparkles", "m"),
    NavItem("analytics", "Analytics", "analytics", Perm.ANALYTICS_VIEW, "chart", "a"),
)


@dataclass(frozen=True)
class SettingsItem:
    url_name: str
    label: str
    perm: Perm


SETTINGS_PAGES: tuple[SettingsItem, ...] = (
    SettingsItem("settings_workspace", "Workspace", Perm.WORKSPACE_VIEW),
    SettingsItem("settings_members", "Members", Perm.MEMBERS_VIEW),
    SettingsItem("settings_teams", "Teams", Perm.TEAMS_VIEW),
    SettingsItem("settings_contact_fields", "Contact fields", Perm.CONTACTS_VIEW),
    SettingsItem("settings_sources", "Sources", Perm.SOURCES_VIEW),
    SettingsItem("settings_tokens", "API tokens", Perm.TOKENS_VIEW),
    SettingsItem("settings_audit", "Audit log", Perm.AUDIT_VIEW),
    SettingsItem("settings_jobs", "Background jobs", Perm.JOBS_VIEW),
)


def shell(request: HttpRequest) -> dict[str, Any]:
    actor = getattr(request, "actor", None)
    user = getattr(request, "user", None)
    if not isinstance(actor, Actor) or not isinstance(user, User):
        return {}
    return {
        "actor": actor,
        "workspace": actor.workspace,
        "nav_modules": [m for m in MODULES if actor.can(m.perm)],
        "settings_pages": [s for s in SETTINGS_PAGES if actor.can(s.perm)],
        "my_workspaces": memberships_of(user),
    }
