"""API tokens of the token's workspace. The secret is in the create response only."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from rapport.core import queries
from rapport.core.actions.tokens import do_create_token, do_revoke_token
from rapport.core.models import ApiToken, Scope
from rapport.core.pagination import MAX_LIMIT, paginate
from rapport.core.permissions import Perm

from .auth import actor_of
from .guard import guarded
from .schemas import ERRORS, CursorPage, QueryIn, StrictIn, UtcDatetime

router = Router(tags=["tokens"])


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None

    @staticmethod
    def of(token: ApiToken) -> TokenOut:
        return TokenOut(
            id=token.pk,
            name=token.name,
            prefix=token.prefix,
            scopes=list(token.scopes),
            created_by=token.created_by.user.email,
            created_at=token.created_at,
            last_used_at=token.last_used_at,
            expires_at=token.expires_at,
            revoked_at=token.revoked_at,
        )


class IssuedTokenOut(TokenOut):
    secret: str = Field(description="Shown this once; Rapport keeps only its hash.")


class TokenIn(StrictIn):
    name: str = Field(min_length=1, max_length=80)
    scopes: list[Scope] = Field(min_length=1, max_length=len(Scope))
    expires_at: UtcDatetime | None = None


class TokenQuery(QueryIn):
    active: bool | None = None
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT)


@router.get("", response={200: CursorPage[TokenOut], **ERRORS}, **guarded(Perm.TOKENS_VIEW))
def list_tokens(request: HttpRequest, q: Query[TokenQuery]) -> CursorPage[TokenOut]:
    qs = queries.list_tokens(actor_of(request))
    if q.active is not None:
        qs = qs.filter(revoked_at__isnull=q.active)
    page = paginate(qs, key="id", descending=True, cursor=q.cursor, limit=q.limit)
    return CursorPage[TokenOut](
        items=[TokenOut.of(t) for t in page.items], next_cursor=page.next_cursor
    )


@router.post("", response={201: IssuedTokenOut, **ERRORS}, **guarded(Perm.TOKENS_MANAGE))
def create_token(request: HttpRequest, body: TokenIn) -> Status[IssuedTokenOut]:
    issued = do_create_token(
        actor_of(request),
        name=body.name,
        scopes=[s.value for s in body.scopes],
        expires_at=body.expires_at,
    )
    out = TokenOut.of(issued.token).model_dump()
    return Status(201, IssuedTokenOut(**out, secret=issued.secret))


@router.get("/{token_id}", response={200: TokenOut, **ERRORS}, **guarded(Perm.TOKENS_VIEW))
def get_token(request: HttpRequest, token_id: int) -> TokenOut:
    return TokenOut.of(queries.access_token(actor_of(request), token_id))


@router.delete(
    "/{token_id}",
    response={200: TokenOut, **ERRORS},
    summary="Revoke a token (it stays listed, revoked)",
    **guarded(Perm.TOKENS_MANAGE),
)
def revoke_token(request: HttpRequest, token_id: int) -> TokenOut:
    actor = actor_of(request)
    return TokenOut.of(do_revoke_token(actor, queries.access_token(actor, token_id)))
