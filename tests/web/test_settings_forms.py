"""The settings forms do what they say through the real actions, show a domain
error on the page (4xx, never a 500), and refuse what a role may not do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from rapport.core.actions.teams import do_create_team
from rapport.core.models import ApiToken, AuditEntry, Membership, Team, TeamMembership
from rapport.jobs.models import Job, JobStatus
from tests.factories import World
from tests.test_isolation import routes


def client_for(membership: Membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


@pytest.fixture
def owner(world: World) -> Client:
    return client_for(world.owner)


def settings_url(world: World, rest: str) -> str:
    return f"/w/{world.workspace.slug}/settings/{rest}"


def failed_job(world: World, job_id: str = "failed-job") -> Job:
    now = timezone.now()
    return Job.objects.create(
        id=job_id,
        task_path="tests.jobs.jobtasks.always_fails",
        args=["x"],
        kwargs={},
        workspace=world.workspace,
        status=JobStatus.FAILED,
        attempts=3,
        max_attempts=3,
        errors=[{"message": "RuntimeError: the shop API timed out", "attempt": 3}],
        run_after=now,
        enqueued_at=now,
    )


# Members


def test_owner_adds_a_member_by_email(world: World, owner: Client) -> None:
    response = owner.post(
        settings_url(world, "members/add/"),
        {"email": "new.person@example.com", "full_name": "New Person", "role": "marketer"},
        follow=True,
    )
    assert response.status_code == 200
    assert "new.person@example.com added as marketer" in response.content.decode()
    added = Membership.objects.for_workspace(world.workspace).get(
        user__email="new.person@example.com"
    )
    assert added.role == "marketer"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-email", "role": "agent"}, "Enter a valid email address."),
        ({"email": "", "role": "agent"}, "This field is required."),
        ({"email": "x@example.com", "role": "emperor"}, "Select a valid choice."),
    ],
)
def test_member_add_shows_field_errors(
    world: World, owner: Client, data: dict[str, str], message: str
) -> None:
    response = owner.post(settings_url(world, "members/add/"), data)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_adding_an_existing_member_is_a_form_error_not_a_crash(world: World, owner: Client) -> None:
    email = world.members["agent"].user.email
    response = owner.post(settings_url(world, "members/add/"), {"email": email, "role": "agent"})
    assert response.status_code == 400
    assert f"{email} is already a member." in response.content.decode()


def test_owner_changes_a_role_and_the_last_owner_cannot_step_down(
    world: World, owner: Client
) -> None:
    analyst = world.members["analyst"]
    response = owner.post(settings_url(world, f"members/{analyst.pk}/role/"), {"role": "manager"})
    assert response.status_code == 302
    analyst.refresh_from_db()
    assert analyst.role == "manager"

    last = owner.post(settings_url(world, f"members/{world.owner.pk}/role/"), {"role": "agent"})
    assert last.status_code == 409
    assert "at least one owner" in last.content.decode()
    world.owner.refresh_from_db()
    assert world.owner.role == "owner"

    unknown = owner.post(settings_url(world, f"members/{analyst.pk}/role/"), {"role": "king"})
    assert unknown.status_code == 400


def test_owner_removes_a_member(world: World, owner: Client) -> None:
    agent = world.members["agent"]
    response = owner.post(settings_url(world, f"members/{agent.pk}/remove/"), follow=True)
    assert response.status_code == 200
    assert "removed" in response.content.decode()
    assert not Membership.objects.for_workspace(world.workspace).filter(pk=agent.pk).exists()


def test_an_admin_cannot_grant_ownership(world: World) -> None:
    admin = client_for(world.members["admin"])
    response = admin.post(
        settings_url(world, "members/add/"), {"email": "boss@example.com", "role": "owner"}
    )
    assert response.status_code == 403
    assert not Membership.unscoped.filter(user__email="boss@example.com").exists()


def test_roles_without_members_manage_cannot_change_members(world: World) -> None:
    agent = client_for(world.members["agent"])
    analyst = world.members["analyst"]
    assert (
        agent.post(settings_url(world, "members/add/"), {"email": "a@b.co", "role": "agent"})
    ).status_code == 403
    assert (
        agent.post(settings_url(world, f"members/{analyst.pk}/role/"), {"role": "owner"})
    ).status_code == 403
    assert agent.post(settings_url(world, f"members/{analyst.pk}/remove/")).status_code == 403
    analyst.refresh_from_db()
    assert analyst.role == "analyst"


def test_another_workspaces_member_is_not_found(
    world: World, other_world: World, owner: Client
) -> None:
    stranger = other_world.members["agent"]
    response = owner.post(settings_url(world, f"members/{stranger.pk}/remove/"))
    assert response.status_code == 404
    assert Membership.unscoped.filter(pk=stranger.pk).exists()


# Teams


def test_team_lifecycle_create_rename_staff_and_delete(world: World, owner: Client) -> None:
    created = owner.post(settings_url(world, "teams/create/"), {"name": "Night shift"})
    assert created.status_code == 302
    team = Team.objects.for_workspace(world.workspace).get(name="Night shift")
    assert created["Location"] == settings_url(world, f"teams/{team.pk}/")

    renamed = owner.post(
        settings_url(world, f"teams/{team.pk}/edit/"),
        {"name": "Night care", "description": "Answers between 22:00 and 06:00"},
    )
    assert renamed.status_code == 302
    team.refresh_from_db()
    assert (team.name, team.description) == ("Night care", "Answers between 22:00 and 06:00")

    agent = world.members["agent"]
    added = owner.post(settings_url(world, f"teams/{team.pk}/members/add/"), {"member": agent.pk})
    assert added.status_code == 302
    page = owner.get(settings_url(world, f"teams/{team.pk}/")).content.decode()
    assert agent.user.email in page
    assert TeamMembership.objects.for_workspace(world.workspace).filter(team=team).count() == 1

    removed = owner.post(settings_url(world, f"teams/{team.pk}/members/{agent.pk}/remove/"))
    assert removed.status_code == 302
    assert not TeamMembership.objects.for_workspace(world.workspace).filter(team=team).exists()

    deleted = owner.post(settings_url(world, f"teams/{team.pk}/delete/"), follow=True)
    assert "Team Night care deleted." in deleted.content.decode()
    assert not Team.objects.for_workspace(world.workspace).filter(pk=team.pk).exists()


def test_team_name_errors_are_shown_on_the_form(world: World, owner: Client) -> None:
    taken = owner.post(settings_url(world, "teams/create/"), {"name": world.team.name})
    assert taken.status_code == 400
    assert "exists" in taken.content.decode()

    blank = owner.post(settings_url(world, "teams/create/"), {"name": ""})
    assert blank.status_code == 400
    assert "This field is required." in blank.content.decode()

    other = do_create_team(world.actor(), name="Escalations")
    clash = owner.post(settings_url(world, f"teams/{other.pk}/edit/"), {"name": world.team.name})
    assert clash.status_code == 400
    assert "exists" in clash.content.decode()
    other.refresh_from_db()
    assert other.name == "Escalations"

    no_member = owner.post(settings_url(world, f"teams/{other.pk}/members/add/"), {"member": ""})
    assert no_member.status_code == 400
    assert "Choose a member" in no_member.content.decode()


def test_teams_of_another_workspace_and_their_members_are_not_found(
    world: World, other_world: World, owner: Client
) -> None:
    assert owner.get(settings_url(world, f"teams/{other_world.team.pk}/")).status_code == 404
    stranger = other_world.members["agent"]
    response = owner.post(
        settings_url(world, f"teams/{world.team.pk}/members/add/"), {"member": stranger.pk}
    )
    assert response.status_code == 404
    assert not TeamMembership.unscoped.filter(membership=stranger).exists()


def test_an_agent_sees_teams_but_cannot_change_them(world: World) -> None:
    agent = client_for(world.members["agent"])
    page = agent.get(settings_url(world, f"teams/{world.team.pk}/"))
    assert page.status_code == 200
    assert "/delete/" not in page.content.decode()
    assert agent.post(settings_url(world, f"teams/{world.team.pk}/delete/")).status_code == 403
    assert Team.unscoped.filter(pk=world.team.pk).exists()


# API tokens


def test_a_new_token_secret_is_shown_once_and_works(world: World, owner: Client) -> None:
    response = owner.post(
        settings_url(world, "tokens/create/"),
        {"name": "shop sync", "scopes": ["workspace:read", "audit:read"], "expires_in_days": "30"},
    )
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    token = ApiToken.objects.for_workspace(world.workspace).get(name="shop sync")
    start = html.index('id="token-secret">') + len('id="token-secret">')
    secret = html[start : html.index("</code>", start)]
    assert secret.startswith(token.prefix)
    assert sorted(token.scopes) == ["audit:read", "workspace:read"]
    assert token.expires_at is not None
    assert token.expires_at - timezone.now() > timedelta(days=29)

    listing = owner.get(settings_url(world, "tokens/")).content.decode()
    assert "shop sync" in listing
    assert secret not in listing

    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/workspace").status_code == 200


def test_token_form_errors(world: World, owner: Client) -> None:
    no_scope = owner.post(settings_url(world, "tokens/create/"), {"name": "x"})
    assert no_scope.status_code == 400
    assert "This field is required." in no_scope.content.decode()
    assert 'id="token-secret"' not in no_scope.content.decode()
    bad_scope = owner.post(settings_url(world, "tokens/create/"), {"name": "x", "scopes": ["root"]})
    assert bad_scope.status_code == 400
    assert not ApiToken.objects.for_workspace(world.workspace).filter(name="x").exists()


def test_a_revoked_token_stops_working(world: World, owner: Client) -> None:
    token = ApiToken.objects.for_workspace(world.workspace).get()
    api = Client(HTTP_AUTHORIZATION=f"Bearer {world.token_secret}")
    assert api.get("/api/v1/workspace").status_code == 200
    response = owner.post(settings_url(world, f"tokens/{token.pk}/revoke/"), follow=True)
    assert "revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api.get("/api/v1/workspace").status_code == 401
    # Revoking twice is harmless.
    again = owner.post(settings_url(world, f"tokens/{token.pk}/revoke/"))
    assert again.status_code == 302


def test_another_workspaces_token_cannot_be_revoked(
    world: World, other_world: World, owner: Client
) -> None:
    theirs = ApiToken.objects.for_workspace(other_world.workspace).get()
    assert owner.post(settings_url(world, f"tokens/{theirs.pk}/revoke/")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


# Workspace


def test_owner_edits_the_workspace(world: World, owner: Client) -> None:
    response = owner.post(
        settings_url(world, "workspace/edit/"),
        {
            "name": "Acme Coffee",
            "timezone": "Europe/Warsaw",
            "default_language": "pl",
            "languages": ["pl", "en"],
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "Workspace saved." in response.content.decode()
    world.workspace.refresh_from_db()
    assert world.workspace.name == "Acme Coffee"
    assert world.workspace.timezone == "Europe/Warsaw"
    assert set(world.workspace.languages) == {"pl", "en"}


def test_workspace_edit_errors_and_read_only_roles(world: World, owner: Client) -> None:
    bad = owner.post(
        settings_url(world, "workspace/edit/"),
        {"name": "", "timezone": "Mars/Olympus", "default_language": "en", "languages": ["en"]},
    )
    assert bad.status_code == 400
    assert "This field is required." in bad.content.decode()
    assert "Select a valid choice." in bad.content.decode()

    analyst = client_for(world.members["analyst"])
    page = analyst.get(settings_url(world, ""))
    assert page.status_code == 200
    assert "/workspace/edit/" not in page.content.decode()
    refused = analyst.post(
        settings_url(world, "workspace/edit/"),
        {"name": "Hijacked", "timezone": "UTC", "default_language": "en", "languages": ["en"]},
    )
    assert refused.status_code == 403
    world.workspace.refresh_from_db()
    assert world.workspace.name == "Acme"


# Background jobs


def test_a_failed_job_shows_its_error_and_can_be_retried_once(world: World, owner: Client) -> None:
    job = failed_job(world)
    page = owner.get(settings_url(world, "jobs/?status=FAILED")).content.decode()
    assert "the shop API timed out" in page
    assert f"jobs/{job.pk}/retry/" in page

    retried = owner.post(settings_url(world, f"jobs/{job.pk}/retry/"), follow=True)
    assert "queued again" in retried.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.READY
    assert job.max_attempts > job.attempts

    again = owner.post(settings_url(world, f"jobs/{job.pk}/retry/"), follow=True)
    assert again.status_code == 200
    assert "Only a failed job can be retried." in again.content.decode()


def test_jobs_filter_by_status(world: World, owner: Client) -> None:
    failed_job(world, "job-a")
    done = failed_job(world, "job-b")
    done.status = JobStatus.SUCCESSFUL
    done.save()
    failed_page = owner.get(settings_url(world, "jobs/?status=FAILED")).content.decode()
    assert "job-a" in failed_page
    assert "job-b" not in failed_page
    # An unknown status is ignored, not an error.
    assert owner.get(settings_url(world, "jobs/?status=BOGUS")).status_code == 200


def test_jobs_of_another_workspace_cannot_be_retried(
    world: World, other_world: World, owner: Client
) -> None:
    theirs = failed_job(other_world, "their-job")
    assert owner.post(settings_url(world, f"jobs/{theirs.pk}/retry/")).status_code == 404
    analyst = client_for(world.members["analyst"])
    mine = failed_job(world, "my-job")
    assert analyst.post(settings_url(world, f"jobs/{mine.pk}/retry/")).status_code == 403
    mine.refresh_from_db()
    assert mine.status == JobStatus.FAILED


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
