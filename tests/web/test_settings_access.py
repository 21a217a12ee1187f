"""Settings → API tokens, Workspace and Background jobs: forms and buttons through
the real actions; errors on the page, foreign ids 404, missing permissions 403."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from rapport.core.models import ApiToken
from rapport.jobs.models import JobStatus
from tests.factories import World
from tests.web.helpers import client_for, failed_job, settings_url

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
