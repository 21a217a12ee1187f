"""Per-operation permission: ``**guarded(Perm.X)`` on a route.

The permission is checked during authentication, before ninja parses the body,
so a caller without it gets a 403 however malformed its request is, and the
OpenAPI document states the permission of every operation as ``x-permission``
(the role x permission test reads it from there).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from rapport.core.actor import Actor
from rapport.core.permissions import Perm

from .auth import TokenAuth


class PermissionAuth(TokenAuth):
    def __init__(self, perm: Perm) -> None:
        super().__init__()
        self.perm = perm

    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        actor = super().authenticate(request, token)
        if actor is not None:
            actor.require(self.perm)
        return actor


def guarded(perm: Perm) -> dict[str, Any]:
    return {"auth": PermissionAuth(perm), "openapi_extra": {"x-permission": perm.value}}
