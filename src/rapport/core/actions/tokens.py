"""API tokens: made by a member, shown once, stored as a hash, revocable."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from ..actor import Actor
from ..audit import record
from ..errors import DomainError
from ..events import Event, publish
from ..models import ApiToken, Scope
from ..permissions import Forbidden, Perm

TOKEN_PREFIX = "rpt_"  # noqa: S105 - the public marker of our tokens, not a secret


def digest(secret: str) -> str:
    # Tokens carry 256 bits of randomness, so a plain hash is enough (no slow KDF
    # needed) and lets us look a token up by its digest in one indexed query.
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str


def do_create_token(
    actor: Actor, *, name: str, scopes: list[str], expires_at: datetime | None = None
) -> IssuedToken:
    actor.require(Perm.TOKENS_MANAGE)
    if actor.membership is None:
        raise DomainError("Tokens belong to a member; the system cannot make one.")
    name = name.strip()
    if not name:
        raise DomainError("A token needs a name.", field="name")
    valid = {s.value for s in Scope}
    unknown = [s for s in scopes if s not in valid]
    if unknown:
        raise DomainError(f"Unknown scope(s): {', '.join(unknown)}", field="scopes")
    if not scopes:
        raise DomainError("Choose at least one scope.", field="scopes")
    if actor.token is not None:
        # A token may mint tokens, but never one that can do more than itself.
        beyond = sorted(set(scopes) - set(actor.token.scopes))
        if beyond:
            raise Forbidden(
                Perm.TOKENS_MANAGE,
                f"This token cannot grant scopes it lacks: {', '.join(beyond)}.",
            )
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError("The expiry must be in the future.", field="expires_at")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            workspace=actor.workspace,
            name=name[:80],
            prefix=secret[:12],
            digest=digest(secret),
            scopes=sorted(set(scopes)),
            created_by=actor.membership,
            expires_at=expires_at,
        )
        record(actor, "token.create", token, after={"name": token.name, "scopes": token.scopes})
        publish(Event.TOKEN_CREATED, actor.workspace.pk, token_id=token.pk)
    return IssuedToken(token=token, secret=secret)


def do_revoke_token(actor: Actor, token: ApiToken) -> ApiToken:
    actor.require(Perm.TOKENS_MANAGE)
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record(actor, "token.revoke", token, after={"revoked_at": token.revoked_at.isoformat()})
            publish(Event.TOKEN_REVOKED, actor.workspace.pk, token_id=token.pk)
    return token


def authenticate_token(secret: str) -> ApiToken | None:
    """The active token for ``secret``, touching its last-used time (at most once a minute)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.unscoped.select_related("workspace", "created_by__user")
        .filter(digest=digest(secret), revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if token is None or (token.expires_at is not None and token.expires_at <= now):
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.unscoped.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
