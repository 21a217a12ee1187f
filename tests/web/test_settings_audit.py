"""Settings → Audit log filters and htmx load-more, and the rule that every
settings action is POST-only."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from rapport.core.actions.teams import do_create_team
from rapport.core.models import ApiToken, AuditEntry
from tests.factories import World
from tests.test_isolation import routes
from tests.web.helpers import client_for, failed_job, settings_url

# Audit log


def audit_rows(html: str) -> str:
    """The table body only: the filter dropdowns list every action and object type."""
    start = html.index('<tbody id="audit-rows">')
    return html[start : html.index("</tbody>", start)]


def test_audit_filters(world: World, owner: Client) -> None:
    do_create_team(world.actor("admin"), name="Audit me")
    url = settings_url(world, "audit/")

    teams = audit_rows(owner.get(url, {"action": "team.create"}).content.decode())
    assert "Audit me" in teams
    assert "member.add" not in teams

    by_admin = audit_rows(
        owner.get(url, {"actor": world.members["admin"].user.email}).content.decode()
    )
    assert "Audit me" in by_admin
    assert "Acme Care" not in by_admin  # created by the owner

    tokens = audit_rows(owner.get(url, {"object_type": "apitoken"}).content.decode())
    assert "token.create" in tokens
    assert "audit:read, " in tokens  # a list of scopes reads as a list, not a Python repr
    assert "team.create" not in tokens

    today = timezone.localdate().isoformat()
    assert "Audit me" in audit_rows(
        owner.get(url, {"since": today, "until": today}).content.decode()
    )
    future = (timezone.localdate() + timedelta(days=2)).isoformat()
    empty = owner.get(url, {"since": future}).content.decode()
    assert audit_rows(empty).count("<tr") == 0
    assert "Nothing matches" in empty


def test_audit_bad_filters_are_a_400_not_a_500(world: World, owner: Client) -> None:
    url = settings_url(world, "audit/")
    assert owner.get(url, {"since": "yesterday"}).status_code == 400
    assert owner.get(url, {"cursor": "not-a-cursor"}).status_code == 400


def test_audit_load_more_appends_the_next_page_as_a_partial(world: World, owner: Client) -> None:
    for n in range(30):
        do_create_team(world.actor(), name=f"Team {n:02d}")
    url = settings_url(world, "audit/")
    first = owner.get(url, {"action": "team.create"}).content.decode()
    assert audit_rows(first).count("<tr>") == 25
    assert 'id="audit-more"' in first
    start = first.index('hx-get="') + len('hx-get="')
    more_url = first[start : first.index('"', start)].replace("&amp;", "&")
    assert "cursor=" in more_url
    assert "action=team.create" in more_url

    partial = owner.get(more_url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial
    assert "<body" not in partial
    assert partial.count("<tr>") == 31 - 25  # the rest of 30 new teams + the world's own
    assert 'id="audit-more"' not in partial  # no page after the last


def test_audit_is_refused_to_roles_without_audit_view(world: World) -> None:
    agent = client_for(world.members["agent"])
    assert agent.get(settings_url(world, "audit/")).status_code == 403
    assert agent.get(settings_url(world, "audit/"), HTTP_HX_REQUEST="true").status_code == 403
    assert AuditEntry.objects.for_workspace(world.workspace).exists()


# POST-only routes


def test_every_action_route_refuses_get_with_405(world: World, owner: Client) -> None:
    ids = {
        "slug": world.workspace.slug,
        "member_id": str(world.members["analyst"].pk),
        "team_id": str(world.team.pk),
        "token_id": str(ApiToken.objects.for_workspace(world.workspace).get().pk),
        "job_id": failed_job(world).pk,
        "field_id": "1",  # POST-only routes answer 405 before looking the id up
        "source_id": "1",
    }
    action_routes = [
        route
        for route, pattern in routes()
        if route.startswith("w/<slug:slug>/settings/")
        and getattr(pattern.callback, "required_perm", None) is not None
        and any(
            route.endswith(f"/{verb}/")
            for verb in ("add", "role", "remove", "create", "edit", "delete", "revoke", "retry")
        )
    ]
    assert len(action_routes) >= 11, action_routes
    for route in action_routes:
        url = "/" + route
        for name, value in ids.items():
            for converter in ("slug", "int", "str"):
                url = url.replace(f"<{converter}:{name}>", value)
        assert owner.get(url).status_code == 405, url
