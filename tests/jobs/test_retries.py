"""A task that raises is retried with backoff and then shown as failed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from rapport.core.events import DomainEvent, Event, subscribe, unsubscribe
from rapport.jobs.actions import do_retry_job
from rapport.jobs.models import Job, JobStatus
from rapport.jobs.worker import Worker, backoff_seconds
from tests.factories import World
from tests.jobs import jobtasks


def _fast_forward(job: Job) -> None:
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())


@pytest.mark.django_db(transaction=True)
def test_failing_task_retries_with_backoff_then_fails(world: World) -> None:
    failed: list[DomainEvent] = []

    def on_failed(event: DomainEvent) -> None:
        failed.append(event)

    subscribe(Event.JOB_FAILED)(on_failed)
    try:
        result = jobtasks.always_fails.enqueue("boom", workspace_id=world.workspace.pk)
        worker = Worker(backoff_base_seconds=10, run_scheduler=False)
        job = Job.objects.get(pk=result.id)
        delays = []
        for attempt in range(1, job.max_attempts + 1):
            ran = worker.run_one()
            assert ran is not None
            assert ran.pk == job.pk
            job.refresh_from_db()
            assert job.attempts == attempt
            assert len(job.errors) == attempt
            assert job.errors[-1]["message"] == "boom"
            assert job.errors[-1]["type"] == "builtins.RuntimeError"
            if attempt < job.max_attempts:
                assert job.status == JobStatus.READY
                assert job.last_attempted_at is not None
                delay = (job.run_after - job.last_attempted_at).total_seconds()
                delays.append(delay)
                # Not runnable before its backoff has passed.
                assert worker.run_one() is None
                _fast_forward(job)
        assert job.status == JobStatus.FAILED
        assert job.finished_at is not None
        # Exponential: each wait roughly doubles (10, 20, 40, 80 s, up to 25 % jitter).
        for n, delay in enumerate(delays, start=1):
            assert 10 * 2 ** (n - 1) <= delay <= 10 * 2 ** (n - 1) * 1.25 + 1
        assert [e.payload["job_id"] for e in failed] == [job.pk]
    finally:
        unsubscribe(Event.JOB_FAILED, on_failed)


@pytest.mark.django_db(transaction=True)
def test_failed_job_can_be_retried_by_an_admin(world: World, tmp_path: Any) -> None:
    result = jobtasks.always_fails.enqueue("nope", workspace_id=world.workspace.pk)
    Job.objects.filter(pk=result.id).update(max_attempts=1)
    Worker(run_scheduler=False).run_one()
    job = Job.objects.get(pk=result.id)
    assert job.status == JobStatus.FAILED
    retried = do_retry_job(world.actor("admin"), job)
    assert retried.status == JobStatus.READY
    assert retried.max_attempts > retried.attempts
    assert len(retried.errors) == 1  # the history stays


def test_backoff_grows_and_is_capped() -> None:
    assert 2 <= backoff_seconds(1, 2) <= 2.5
    assert 16 <= backoff_seconds(4, 2) <= 20
    assert backoff_seconds(40, 2) <= 3600 * 1.25


@pytest.mark.django_db(transaction=True)
def test_enqueue_waits_for_commit_and_rollback_drops_it(world: World, tmp_path: Any) -> None:
    from django.db import transaction

    path = str(tmp_path / "marks.txt")

    class Rollback(Exception):
        pass

    with pytest.raises(Rollback), transaction.atomic():
        dropped = jobtasks.mark.enqueue(path, "never")
        raise Rollback
    assert not Job.objects.filter(pk=dropped.id).exists()

    with transaction.atomic():
        kept = jobtasks.mark.enqueue(path, "kept")
        assert not Job.objects.filter(pk=kept.id).exists()  # not before commit
    assert Job.objects.filter(pk=kept.id, status=JobStatus.READY).exists()
    Worker(run_scheduler=False).run_one()
    assert (tmp_path / "marks.txt").read_text() == "kept\n"
    fetched = jobtasks.mark.get_result(kept.id)
    assert fetched.return_value == "kept"


@pytest.mark.django_db(transaction=True)
def test_expired_lease_is_requeued_and_late_finish_ignored(world: World, tmp_path: Any) -> None:
    path = str(tmp_path / "m.txt")
    result = jobtasks.mark.enqueue(path, "x")
    first = Worker(run_scheduler=False, lease_seconds=30)
    job = first.claim()
    assert job is not None
    Job.objects.filter(pk=job.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    second = Worker(run_scheduler=False)
    assert second.requeue_expired(timezone.now()) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.READY
    assert job.errors[-1]["type"] == "rapport.jobs.LeaseExpired"
    # The first worker finishing late must not overwrite the new holder's state.
    first._finish_ok(job, "late")
    job.refresh_from_db()
    assert job.status == JobStatus.READY
    assert second.run_one() is not None
    assert Job.objects.get(pk=result.id).status == JobStatus.SUCCESSFUL
