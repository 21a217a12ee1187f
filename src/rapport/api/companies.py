"""Companies: list (with how many contacts work there), create, read, edit. A
contact's company is set with PATCH /contacts/{id} {"company_id": …}."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from rapport.contacts import queries
from rapport.contacts.actions.companies import do_create_company, do_update_company
from rapport.contacts.models import Company
from rapport.core.pagination import MAX_LIMIT, paginate
from rapport.core.permissions import Perm

from .auth import actor_of
from .guard import guarded
from .schemas import ERRORS, CursorPage, QueryIn, StrictIn

router = Router(tags=["companies"])


class CompanyOut(Schema):
    id: int
    name: str
    domain: str
    contact_count: int
    created_at: datetime

    @staticmethod
    def of(company: Company) -> CompanyOut:
        """``company`` comes from ``queries.list_companies``/``access_company``,
        which count its contacts."""
        return CompanyOut(
            id=company.pk,
            name=company.name,
            domain=company.domain,
            contact_count=getattr(company, "contact_count", 0),
            created_at=company.created_at,
        )


class CompanyIn(StrictIn):
    name: str = Field(min_length=1, max_length=200)
    domain: str = Field(default="", max_length=200, description="e.g. example.com")


class CompanyPatch(StrictIn):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    domain: str | None = Field(default=None, max_length=200)


class CompanyQuery(QueryIn):
    search: str | None = Field(default=None, max_length=200)
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT)


@router.get("", response={200: CursorPage[CompanyOut], **ERRORS}, **guarded(Perm.CONTACTS_VIEW))
def list_companies(request: HttpRequest, q: Query[CompanyQuery]) -> CursorPage[CompanyOut]:
    page = paginate(
        queries.list_companies(actor_of(request), search=q.search),
        key="id",
        descending=False,
        cursor=q.cursor,
        limit=q.limit,
    )
    return CursorPage[CompanyOut](
        items=[CompanyOut.of(c) for c in page.items], next_cursor=page.next_cursor
    )


@router.post("", response={201: CompanyOut, **ERRORS}, **guarded(Perm.CONTACTS_MANAGE))
def create_company(request: HttpRequest, body: CompanyIn) -> Status[CompanyOut]:
    actor = actor_of(request)
    company = do_create_company(actor, name=body.name, domain=body.domain)
    return Status(201, CompanyOut.of(queries.access_company(actor, company.pk)))


@router.get("/{company_id}", response={200: CompanyOut, **ERRORS}, **guarded(Perm.CONTACTS_VIEW))
def get_company(request: HttpRequest, company_id: int) -> CompanyOut:
    return CompanyOut.of(queries.access_company(actor_of(request), company_id))


@router.patch(
    "/{company_id}", response={200: CompanyOut, **ERRORS}, **guarded(Perm.CONTACTS_MANAGE)
)
def update_company(request: HttpRequest, company_id: int, body: CompanyPatch) -> CompanyOut:
    actor = actor_of(request)
    company = queries.access_company(actor, company_id)
    do_update_company(actor, company, **body.model_dump(exclude_unset=True))
    return CompanyOut.of(queries.access_company(actor, company_id))
