"""Settings → API tokens: create (the secret is shown once), list, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from rapport.core.actions.tokens import IssuedToken, do_create_token, do_revoke_token
from rapport.core.actor import Actor
from rapport.core.errors import DomainError
from rapport.core.permissions import Perm
from rapport.core.queries import access_token, list_tokens
from rapport.web.decorators import workspace_view
from rapport.web.forms import TokenForm, show_error


def _page(
    request: HttpRequest,
    actor: Actor,
    form: TokenForm | None = None,
    issued: IssuedToken | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "section": "settings",
        "page": "settings_tokens",
        "tokens": list_tokens(actor),
        "form": form or TokenForm(initial={"scopes": ["workspace:read"]}),
        "issued": issued,
        "can_manage": actor.can(Perm.TOKENS_MANAGE),
    }
    return render(request, "web/settings/tokens.html", context, status=status)


@workspace_view(Perm.TOKENS_VIEW)
def tokens(request: HttpRequest, actor: Actor) -> HttpResponse:
    return _page(request, actor)


# The response carries the secret: never let a cache or the back button keep it.
@never_cache
@require_POST
@workspace_view(Perm.TOKENS_MANAGE)
def token_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            issued = do_create_token(
                actor,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_at=form.expires_at(),
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            return _page(request, actor, issued=issued, status=201)
    return _page(request, actor, form, status=400)


@require_POST
@workspace_view(Perm.TOKENS_MANAGE)
def token_revoke(request: HttpRequest, actor: Actor, token_id: int) -> HttpResponse:
    token = do_revoke_token(actor, access_token(actor, token_id))
    messages.success(request, f"Token {token.name} revoked; it stops working at once.")
    return redirect("settings_tokens", slug=actor.workspace.slug)
