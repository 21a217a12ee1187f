"""What the tracking pipeline tells contacts, a batch at a time: these contacts were
active at these times, these now hold an identifying identity, these identities
exist. Set-based, because the pipeline calls it for thousands of events a second.
Part of the contacts facade (re-exported there)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from django.db.models.functions import Lower

from rapport.core.errors import DomainError

from . import lifecycle
from .models import Company, Contact, Identity, Lifecycle
from .transfer.fast import advance_rows


def existing_identities(workspace_id: int, kind: str, values: Iterable[str]) -> set[str]:
    """Which of ``values`` are identities of ``kind`` in the workspace."""
    return set(
        Identity.objects.for_workspace(workspace_id)
        .filter(kind=kind, value__any=list(set(values)))
        .values_list("value", flat=True)
    )


def promote_identified(workspace_id: int, contact_ids: Iterable[int]) -> int:
    """Prospects that now hold an email, phone or login become leads (through
    ``lifecycle.recompute``, so the change is on the timeline and published)."""
    ids = set(contact_ids)
    if not ids:
        return 0
    prospects = Contact.objects.for_workspace(workspace_id).filter(
        pk__any=list(ids), lifecycle=Lifecycle.PROSPECT
    )
    return lifecycle.recompute_many(workspace_id, list(prospects), identified=True)


def mark_active(workspace_id: int, last_seen: Mapping[int, datetime]) -> None:
    """Move ``last_activity_at`` forward (never back: events arrive late). The
    statement itself keeps to the workspace, so the ids need no query of their own."""
    advance_rows(
        Contact,
        "last_activity_at",
        [[pk, at] for pk, at in last_seen.items()],
        workspace_id=workspace_id,
    )


def join_companies(workspace_id: int, groups: Mapping[int, tuple[str, str]]) -> int:
    """Group calls, as ``{contact id: (company name, website)}``: the company is found
    by name (case-insensitive) or made, and set on contacts that have none yet (a
    company an agent chose is not overwritten by a tracking call). Returns how many
    contacts got one."""
    from .actions.companies import clean_domain

    linked = 0
    companies: dict[str, Company] = {}
    for contact_id, (raw_name, website) in groups.items():
        name = " ".join(raw_name.split())[:200]
        if not name:
            continue
        company = companies.get(name.lower())
        if company is None:
            company = Company.objects.for_workspace(workspace_id).filter(name__iexact=name).first()
            if company is None:
                try:
                    domain = clean_domain(website)
                except DomainError:
                    domain = ""  # a malformed website in traits does not stop the link
                company = Company.objects.create(
                    workspace_id=workspace_id, name=name, domain=domain
                )
            companies[name.lower()] = company
        linked += (
            Contact.objects.for_workspace(workspace_id)
            .filter(pk=contact_id, company__isnull=True)
            .update(company=company)
        )
    return linked


def contacts_by_identity(workspace_id: int, kind: str, values: Iterable[str]) -> dict[str, int]:
    """Which contact holds each of these identities (values as normalised for
    ``kind``; absent when nobody does)."""
    return dict(
        Identity.objects.for_workspace(workspace_id)
        .filter(kind=kind, value__any=list(set(values)))
        .values_list("value", "contact_id")
    )


def contacts_by_name(workspace_id: int, names: Iterable[str]) -> dict[str, int]:
    """Contacts whose full name is exactly one of ``names`` (case-insensitive; first
    and last name at least), for suggestions: a name two contacts share suggests
    nobody. Keys are lower-case."""
    wanted = {" ".join(n.split()).lower() for n in names}
    wanted = {n for n in wanted if " " in n and len(n) >= 5}
    if not wanted:
        return {}
    found: dict[str, list[int]] = {}
    rows = (
        Contact.objects.for_workspace(workspace_id)
        .filter(merged_into__isnull=True)
        .annotate(lower_name=Lower("full_name"))
        .filter(lower_name__any=sorted(wanted))
        .values_list("pk", "lower_name")
    )
    for pk, name in rows:
        found.setdefault(name, []).append(pk)
    return {name: ids[0] for name, ids in found.items() if len(ids) == 1}
