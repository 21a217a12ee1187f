"""Bearer-token auth: ``Authorization: Bearer rpt_…``; the token fixes the workspace."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from rapport.core.actions.tokens import authenticate_token
from rapport.core.actor import Actor


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Actor | None:
        api_token = authenticate_token(token)
        if api_token is None:
            return None
        return Actor(
            workspace=api_token.workspace, membership=api_token.created_by, token=api_token
        )


def actor_of(request: HttpRequest) -> Actor:
    auth: Any = getattr(request, "auth", None)
    if not isinstance(auth, Actor):  # ninja only calls the view once auth succeeded
        raise RuntimeError("endpoint reached without an authenticated actor")
    return auth
