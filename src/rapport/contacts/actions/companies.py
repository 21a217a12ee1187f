"""Companies the contacts work for: create and edit. A contact's company is set by
``do_update_contact``."""

from __future__ import annotations

import re

from django.db import transaction

from rapport.core.actor import Actor
from rapport.core.audit import record, snapshot
from rapport.core.errors import Conflict, DomainError
from rapport.core.permissions import Perm

from ..models import Company

COMPANY_FIELDS = ["name", "domain"]
DOMAIN = re.compile(r"^(?=.{1,200}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise DomainError("A company needs a name.", field="name")
    if len(name) > 200:
        raise DomainError("Company names are at most 200 characters.", field="name")
    return name


def clean_domain(raw: str) -> str:
    """``https://www.Example.com/about`` -> ``example.com``; blank stays blank."""
    domain = raw.strip().lower()
    if not domain:
        return ""
    domain = re.sub(r"^[a-z][a-z0-9+.-]*://", "", domain)
    domain = domain.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rstrip(".")
    domain = domain.removeprefix("www.")
    if not DOMAIN.match(domain):
        raise DomainError("Give a web domain such as example.com.", field="domain")
    return domain


def _check_unique(actor: Actor, name: str, exclude: int | None = None) -> None:
    same = Company.objects.for_workspace(actor.workspace).filter(name__iexact=name)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        raise Conflict(f"A company called '{name}' exists.", field="name")


def do_create_company(actor: Actor, *, name: str, domain: str = "") -> Company:
    actor.require(Perm.CONTACTS_MANAGE)
    name = _clean_name(name)
    domain = clean_domain(domain)
    _check_unique(actor, name)
    with transaction.atomic():
        company = Company.objects.create(workspace=actor.workspace, name=name, domain=domain)
        record(actor, "company.create", company, after=snapshot(company, COMPANY_FIELDS))
    return company


def do_update_company(
    actor: Actor, company: Company, *, name: str | None = None, domain: str | None = None
) -> Company:
    actor.require(Perm.CONTACTS_MANAGE)
    before = snapshot(company, COMPANY_FIELDS)
    if name is not None:
        company.name = _clean_name(name)
        _check_unique(actor, company.name, exclude=company.pk)
    if domain is not None:
        company.domain = clean_domain(domain)
    with transaction.atomic():
        company.save(update_fields=COMPANY_FIELDS)
        after = snapshot(company, COMPANY_FIELDS)
        if after != before:
            record(actor, "company.update", company, before=before, after=after)
    return company
