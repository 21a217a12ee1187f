"""Reads of contacts, with access checks: another workspace's ids are not found."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from rapport.core.actor import Actor
from rapport.core.errors import DomainError
from rapport.core.permissions import Perm
from rapport.core.queries import one_or_404

from . import lifecycle
from .custom_fields import clean_values
from .models import (
    Channel,
    Company,
    Consent,
    Contact,
    ContactImport,
    ContactStatus,
    CustomField,
    DuplicateSuggestion,
    FieldType,
    Identity,
    IdentityKind,
    LifecyclePolicy,
    MergeRecord,
    Note,
    Purpose,
    RetentionPolicy,
    SuggestionStatus,
    Task,
    TimelineEntry,
)

PHONE_LIKE = re.compile(r"[\d\s+()./-]+")


def list_contacts(
    actor: Actor,
    *,
    search: str | None = None,
    lifecycle: str | None = None,
    tag: str | None = None,
    field: str | None = None,
    value: str | None = None,
    company_id: int | None = None,
    consent: str | None = None,
) -> QuerySet[Contact]:
    """Active contacts; ``field``/``value`` filter on a custom field (a blank value:
    contacts that have one); ``consent`` is ``channel:purpose`` (those whose newest
    decision for it is yes) or ``!channel:purpose`` (everyone else). Raises
    ``DomainError`` for an unknown field or consent, or a value its type cannot hold."""
    actor.require(Perm.CONTACTS_VIEW)
    qs = Contact.objects.for_workspace(actor.workspace).filter(status=ContactStatus.ACTIVE)
    if consent:
        qs = _filter_consent(actor, qs, consent)
    if field:
        qs = _filter_custom(actor, qs, field, value)
    if company_id is not None:
        qs = qs.filter(company_id=company_id)
    if lifecycle:
        qs = qs.filter(lifecycle=lifecycle)
    if tag:
        # Tags are a JSON list; matching the quoted tag works on SQLite and PostgreSQL.
        qs = qs.filter(tags__icontains=f'"{tag.strip().lower()}"')
    if search and search.strip():
        term = search.strip().lower().lstrip("@")
        match = Q(value__icontains=term)
        # "+48 600 100-200" or "0600 100 200" finds +48600100200: phones are stored in
        # E.164, so compare digits (a national trunk 0 dropped).
        digits = re.sub(r"\D", "", term).lstrip("0")
        if PHONE_LIKE.fullmatch(term) and len(digits) >= 5:
            match |= Q(kind=IdentityKind.PHONE, value__contains=digits)
        holders = Identity.objects.for_workspace(actor.workspace).filter(match).values("contact_id")
        qs = qs.filter(Q(full_name__icontains=search.strip()) | Q(pk__in=holders))
    return qs.select_related("company")


def _filter_consent(actor: Actor, qs: QuerySet[Contact], spec: str) -> QuerySet[Contact]:
    negate = spec.startswith("!")
    channel, _, purpose = spec.lstrip("!").partition(":")
    if channel not in Channel.values or purpose not in Purpose.values:
        raise DomainError(
            "Consent filters are channel:purpose, e.g. email:marketing.", field="consent"
        )
    newest = (
        Consent.objects.for_workspace(actor.workspace)
        .filter(contact=OuterRef("pk"), channel=channel, purpose=purpose)
        .order_by("-recorded_at", "-id")
        .values("granted")[:1]
    )
    qs = qs.annotate(_consent=Subquery(newest))
    if negate:  # refused, withdrawn, or never asked (no decision: NULL)
        return qs.filter(Q(_consent=False) | Q(_consent__isnull=True))
    return qs.filter(_consent=True)


def _filter_custom(
    actor: Actor, qs: QuerySet[Contact], key: str, value: str | None
) -> QuerySet[Contact]:
    definition = CustomField.objects.for_workspace(actor.workspace).filter(key=key).first()
    if definition is None:
        raise DomainError(f"There is no contact field '{key[:40]}'.", field="field")
    if value is None or not value.strip():
        return qs.filter(custom__has_key=definition.key)
    # Keys are letters, digits and single underscores, and the explicit final lookup
    # makes every name before it a key of the JSON (even one called "contains").
    if definition.type == FieldType.TEXT:
        return qs.filter(**{f"custom__{definition.key}__icontains": value.strip()})
    wanted: Any = clean_values(actor.workspace, {definition.key: value}, [definition])[
        definition.key
    ]
    return qs.filter(**{f"custom__{definition.key}__exact": wanted})


def list_field_definitions(actor: Actor) -> QuerySet[CustomField]:
    actor.require(Perm.CONTACTS_VIEW)
    return CustomField.objects.for_workspace(actor.workspace)


def access_field(actor: Actor, field_id: int) -> CustomField:
    actor.require(Perm.CONTACTS_VIEW)
    return one_or_404(CustomField.objects.for_workspace(actor.workspace), field_id, "contact field")


def list_companies(actor: Actor, *, search: str | None = None) -> QuerySet[Company]:
    """Companies with ``contact_count``: how many active contacts work there."""
    actor.require(Perm.CONTACTS_VIEW)
    qs = Company.objects.for_workspace(actor.workspace)
    if search and search.strip():
        term = search.strip()
        qs = qs.filter(Q(name__icontains=term) | Q(domain__icontains=term.lower()))
    return qs.annotate(
        contact_count=Count("contact", filter=Q(contact__status=ContactStatus.ACTIVE))
    )


def company_choices(actor: Actor, limit: int = 500) -> list[tuple[int, str]]:
    """(id, name) of the workspace's companies, by name, for a picker."""
    actor.require(Perm.CONTACTS_VIEW)
    return list(
        Company.objects.for_workspace(actor.workspace)
        .order_by("name", "id")
        .values_list("pk", "name")[:limit]
    )


def access_company(actor: Actor, company_id: int) -> Company:
    actor.require(Perm.CONTACTS_VIEW)
    return one_or_404(list_companies(actor), company_id, "company")


def access_contact(actor: Actor, contact_id: int) -> Contact:
    actor.require(Perm.CONTACTS_VIEW)
    return one_or_404(
        Contact.objects.for_workspace(actor.workspace).select_related("company", "merged_into"),
        contact_id,
        "contact",
    )


def identities_of(actor: Actor, contact: Contact) -> QuerySet[Identity]:
    actor.require(Perm.CONTACTS_VIEW)
    return Identity.objects.for_workspace(actor.workspace).filter(contact=contact)


def access_identity(actor: Actor, identity_id: int) -> Identity:
    actor.require(Perm.CONTACTS_VIEW)
    return one_or_404(Identity.objects.for_workspace(actor.workspace), identity_id, "identity")


def notes_of(actor: Actor, contact: Contact) -> QuerySet[Note]:
    actor.require(Perm.CONTACTS_VIEW)
    return Note.objects.for_workspace(actor.workspace).filter(contact=contact)


def tasks_of(actor: Actor, contact: Contact) -> QuerySet[Task]:
    actor.require(Perm.CONTACTS_VIEW)
    return (
        Task.objects.for_workspace(actor.workspace)
        .filter(contact=contact)
        .select_related("assignee__user")
    )


def assignable_members(actor: Actor) -> list[tuple[int, str]]:
    """(membership id, name) of the people a task can be given to."""
    from rapport.core.models import Membership

    actor.require(Perm.CONTACTS_MANAGE)
    return [
        (m.pk, m.user.full_name or m.user.email)
        for m in Membership.objects.for_workspace(actor.workspace)
        .select_related("user")
        .order_by("user__full_name", "pk")
    ]


def access_task(actor: Actor, task_id: int) -> Task:
    actor.require(Perm.CONTACTS_VIEW)
    return one_or_404(Task.objects.for_workspace(actor.workspace), task_id, "task")


def merges_of(actor: Actor, contact: Contact) -> QuerySet[MergeRecord]:
    actor.require(Perm.CONTACTS_VIEW)
    return MergeRecord.objects.for_workspace(actor.workspace).filter(
        Q(winner=contact) | Q(loser=contact)
    )


def access_merge(actor: Actor, merge_id: int) -> MergeRecord:
    actor.require(Perm.CONTACTS_VIEW)
    return one_or_404(MergeRecord.objects.for_workspace(actor.workspace), merge_id, "merge")


def open_suggestions(actor: Actor) -> QuerySet[DuplicateSuggestion]:
    actor.require(Perm.CONTACTS_VIEW)
    return (
        DuplicateSuggestion.objects.for_workspace(actor.workspace)
        .filter(
            status=SuggestionStatus.OPEN,
            first__status=ContactStatus.ACTIVE,
            second__status=ContactStatus.ACTIVE,
        )
        .select_related("first", "second")
    )


def access_suggestion(actor: Actor, suggestion_id: int) -> DuplicateSuggestion:
    actor.require(Perm.CONTACTS_VIEW)
    return one_or_404(
        DuplicateSuggestion.objects.for_workspace(actor.workspace).select_related(
            "first", "second"
        ),
        suggestion_id,
        "suggestion",
    )


def timeline_kinds(actor: Actor, contact: Contact) -> list[str]:
    actor.require(Perm.CONTACTS_VIEW)
    kinds = (
        TimelineEntry.objects.for_workspace(actor.workspace)
        .filter(contact=contact)
        .values_list("kind", flat=True)
        .distinct()
    )
    return sorted(set(kinds))


def list_imports(actor: Actor) -> QuerySet[ContactImport]:
    actor.require(Perm.CONTACTS_VIEW)
    return ContactImport.objects.for_workspace(actor.workspace).defer("raw")


def access_import(actor: Actor, import_id: int) -> ContactImport:
    actor.require(Perm.CONTACTS_VIEW)
    return one_or_404(ContactImport.objects.for_workspace(actor.workspace), import_id, "import")


def lifecycle_policy(actor: Actor) -> LifecyclePolicy:
    actor.require(Perm.CONTACTS_VIEW)
    return lifecycle.policy_for(actor.workspace.pk)


def retention_months(actor: Actor) -> int:
    actor.require(Perm.CONTACTS_VIEW)
    policy = RetentionPolicy.objects.for_workspace(actor.workspace).first()
    return policy.inactive_months if policy else 0
