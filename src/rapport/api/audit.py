"""The audit log, newest first, filterable, cursor-paginated."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from rapport.core import queries
from rapport.core.models import AuditEntry
from rapport.core.pagination import MAX_LIMIT
from rapport.core.permissions import Perm

from .auth import actor_of
from .guard import guarded
from .schemas import ERRORS, CursorPage, QueryIn, UtcDatetime

router = Router(tags=["audit"])


class AuditOut(Schema):
    id: int
    created_at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @staticmethod
    def of(entry: AuditEntry) -> AuditOut:
        return AuditOut(
            id=entry.pk,
            created_at=entry.created_at,
            actor=entry.actor_label,
            action=entry.action,
            object_type=entry.object_type,
            object_id=entry.object_id,
            object_repr=entry.object_repr,
            before=entry.before,
            after=entry.after,
        )


class AuditQuery(QueryIn):
    action: str | None = Field(default=None, max_length=80, description="prefix, e.g. `member.`")
    actor: str | None = Field(default=None, max_length=200, description="part of the actor")
    object_type: str | None = Field(default=None, max_length=60)
    since: UtcDatetime | None = None
    until: UtcDatetime | None = None
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT)


@router.get("", response={200: CursorPage[AuditOut], **ERRORS}, **guarded(Perm.AUDIT_VIEW))
def list_audit(request: HttpRequest, q: Query[AuditQuery]) -> CursorPage[AuditOut]:
    page = queries.audit_page(
        actor_of(request),
        action=q.action,
        actor_query=q.actor,
        object_type=q.object_type,
        since=q.since,
        until=q.until,
        cursor=q.cursor,
        limit=q.limit,
    )
    return CursorPage[AuditOut](
        items=[AuditOut.of(e) for e in page.items], next_cursor=page.next_cursor
    )
