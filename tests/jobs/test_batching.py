"""High-volume producers ask for "a batch run soon" many times; one job waits."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import transaction

from rapport.jobs.facade import enqueue_once, worker_health
from rapport.jobs.models import Job, JobStatus
from rapport.jobs.worker import Worker
from tests.jobs import jobtasks


@pytest.mark.django_db(transaction=True)
def test_enqueue_once_keeps_one_open_job_per_key(tmp_path: Path) -> None:
    path = str(tmp_path / "batches.txt")
    for _ in range(3):
        with transaction.atomic():
            for _ in range(50):
                enqueue_once(jobtasks.mark, "drain:events", path=path, key="batch")
    assert Job.objects.filter(dedupe_key="drain:events").count() == 1
    Worker(run_scheduler=False).run_one()
    assert Job.objects.get(dedupe_key="drain:events").status == JobStatus.SUCCESSFUL
    enqueue_once(jobtasks.mark, "drain:events", path=path, key="batch")
    assert Job.objects.filter(dedupe_key="drain:events", status=JobStatus.READY).count() == 1
    assert Path(path).read_text().splitlines() == ["batch"]


@pytest.mark.django_db(transaction=True)
def test_worker_health_reports_heartbeats_and_counts(tmp_path: Path) -> None:
    assert worker_health()["ok"] is False
    jobtasks.mark.enqueue(str(tmp_path / "x"), "k")
    before = worker_health()
    assert before["queued"] == 1
    worker = Worker(run_scheduler=False)
    worker.tick()
    worker.run_one()
    after = worker_health()
    assert after["ok"] is True
    assert after["workers"] == 1
    assert after["queued"] == 0
