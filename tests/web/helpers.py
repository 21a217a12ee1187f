"""Shared helpers of the settings page tests."""

from __future__ import annotations

from django.test import Client
from django.utils import timezone

from rapport.core.models import Membership
from rapport.jobs.models import Job, JobStatus
from tests.factories import World


def client_for(membership: Membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


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
