"""Keyed hashes of erased identities, so an erased person is not silently
re-created by a later import or event (unless they consent again)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils.crypto import salted_hmac

from rapport.core.errors import DomainError
from rapport.core.models import Workspace

from .models import ErasedIdentity

if TYPE_CHECKING:
    from .resolution import Claim


class ErasedPerson(DomainError):
    code = "erased"


def identity_digest(workspace_id: int, kind: str, value: str) -> str:
    # Keyed with the deployment's secret: the table alone cannot be brute-forced
    # back into emails. Rotating SECRET_KEY forgets the tombstones (documented).
    key = f"rapport.erasure.{workspace_id}"
    return salted_hmac(key, f"{kind}:{value}", algorithm="sha256").hexdigest()


def erased_claims(workspace: Workspace | int, claims: Iterable[Claim]) -> set[tuple[str, str]]:
    """The claims that name an erased identity."""
    ws_id = workspace if isinstance(workspace, int) else workspace.pk
    # Most workspaces have erased nobody: skip a keyed hash per claim (the import's
    # and the tracking pipeline's hot path) when there is nothing to compare with.
    if not ErasedIdentity.objects.for_workspace(ws_id).exists():
        return set()
    by_digest = {identity_digest(ws_id, c.kind, c.value): (c.kind, c.value) for c in claims}
    if not by_digest:
        return set()
    hits = ErasedIdentity.objects.for_workspace(ws_id).filter(digest__in=list(by_digest))
    return {by_digest[d] for d in hits.values_list("digest", flat=True)}


def forget_tombstones(workspace: Workspace, claims: Iterable[Claim]) -> int:
    """The person came back and consented again: their identities may be stored."""
    digests = [identity_digest(workspace.pk, c.kind, c.value) for c in claims]
    deleted, _ = ErasedIdentity.objects.for_workspace(workspace).filter(digest__in=digests).delete()
    return deleted
