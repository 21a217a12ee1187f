"""``@workspace_view(Perm.X)``: resolve the workspace from the URL slug for the
logged-in user (404 if they are not a member), check the permission (403), and
hand the view an ``Actor``. Every workspace page goes through it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from rapport.core.actor import Actor
from rapport.core.models import User
from rapport.core.permissions import Perm
from rapport.core.queries import access_workspace

P = ParamSpec("P")
View = Callable[Concatenate[HttpRequest, Actor, P], HttpResponseBase]


def workspace_view(perm: Perm) -> Callable[[View[P]], Callable[..., HttpResponseBase]]:
    def decorate(view: View[P]) -> Callable[..., HttpResponseBase]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            assert isinstance(user, User)  # login_required guarantees it
            actor = access_workspace(user, slug)
            request.actor = actor  # type: ignore[attr-defined]
            request.session["last_workspace"] = slug
            actor.require(perm)
            return view(request, actor, *args, **kwargs)

        # Recorded so the role x permission test can find every guarded page.
        wrapper.required_perm = perm  # type: ignore[attr-defined]
        return wrapper

    return decorate
