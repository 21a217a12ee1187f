"""Members of the token's workspace: list, read, add, change role, remove."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from rapport.core import queries
from rapport.core.actions.members import do_add_member, do_change_role, do_remove_member
from rapport.core.models import Membership, Role
from rapport.core.pagination import MAX_LIMIT, paginate
from rapport.core.permissions import Perm

from .auth import actor_of
from .guard import guarded
from .schemas import ERRORS, CursorPage, QueryIn, StrictIn

router = Router(tags=["members"])


class MemberOut(Schema):
    id: int
    email: str
    full_name: str
    role: Role
    created_at: datetime

    @staticmethod
    def of(m: Membership) -> MemberOut:
        return MemberOut(
            id=m.pk,
            email=m.user.email,
            full_name=m.user.full_name,
            role=Role(m.role),
            created_at=m.created_at,
        )


class MemberFilters(QueryIn):
    role: Role | None = None
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT)


class MemberIn(StrictIn):
    email: str = Field(min_length=3, max_length=254)
    role: Role
    full_name: str = Field(default="", max_length=150)


class MemberPatch(StrictIn):
    role: Role


@router.get("", response={200: CursorPage[MemberOut], **ERRORS}, **guarded(Perm.MEMBERS_VIEW))
def list_members(request: HttpRequest, filters: Query[MemberFilters]) -> CursorPage[MemberOut]:
    qs = queries.list_members(actor_of(request))
    if filters.role:
        qs = qs.filter(role=filters.role)
    page = paginate(qs, key="id", descending=False, cursor=filters.cursor, limit=filters.limit)
    return CursorPage[MemberOut](
        items=[MemberOut.of(m) for m in page.items], next_cursor=page.next_cursor
    )


@router.get("/{member_id}", response={200: MemberOut, **ERRORS}, **guarded(Perm.MEMBERS_VIEW))
def get_member(request: HttpRequest, member_id: int) -> MemberOut:
    return MemberOut.of(queries.access_member(actor_of(request), member_id))


@router.post("", response={201: MemberOut, **ERRORS}, **guarded(Perm.MEMBERS_MANAGE))
def add_member(request: HttpRequest, body: MemberIn) -> Status[MemberOut]:
    membership = do_add_member(
        actor_of(request), email=body.email, role=body.role.value, full_name=body.full_name
    )
    return Status(201, MemberOut.of(membership))


@router.patch("/{member_id}", response={200: MemberOut, **ERRORS}, **guarded(Perm.MEMBERS_MANAGE))
def change_role(request: HttpRequest, member_id: int, body: MemberPatch) -> MemberOut:
    actor = actor_of(request)
    membership = queries.access_member(actor, member_id)
    return MemberOut.of(do_change_role(actor, membership, role=body.role.value))


@router.delete("/{member_id}", response={204: None, **ERRORS}, **guarded(Perm.MEMBERS_MANAGE))
def remove_member(request: HttpRequest, member_id: int) -> Status[None]:
    actor = actor_of(request)
    do_remove_member(actor, queries.access_member(actor, member_id))
    return Status(204, None)
