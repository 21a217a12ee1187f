"""Every API router, mounted in one place."""

from __future__ import annotations

from ninja import NinjaAPI

from . import (
    audit,
    commerce,
    companies,
    contact_activity,
    contact_fields,
    contact_policies,
    contacts,
    contacts_data,
    enrichment,
    events,
    listening,
    members,
    sources,
    teams,
    tokens,
    workspace,
)


def register_routers(api: NinjaAPI) -> None:
    api.add_router("/workspace", workspace.router)
    api.add_router("/members", members.router)
    api.add_router("/teams", teams.router)
    api.add_router("/tokens", tokens.router)
    api.add_router("/sources", sources.router)
    api.add_router("/tracking-settings", sources.settings_router)
    api.add_router("/audit", audit.router)
    api.add_router("/listening", listening.router)
    api.add_router("/companies", companies.router)
    api.add_router("/contact-fields", contact_fields.router)
    # Before contacts: its /contacts/{contact_id} would otherwise take /contacts/imports.
    api.add_router("", contact_policies.router)
    api.add_router("", contact_activity.router)
    api.add_router("", events.router)
    api.add_router("", contacts_data.router)
    api.add_router("", enrichment.router)
    api.add_router("", commerce.router)
    api.add_router("", contacts.router)
