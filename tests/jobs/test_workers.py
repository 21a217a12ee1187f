"""Real worker processes: SIGKILL mid-task, and a scheduler shared by two workers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from rapport.jobs.models import Job, JobStatus, ScheduleSlot
from rapport.jobs.schedule import fire_due
from tests.conftest import database_url_for_subprocess
from tests.jobs import jobtasks

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _wait_for(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def start_worker() -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(*extra: str) -> subprocess.Popen[bytes]:
        env = dict(os.environ)
        env["DJANGO_SETTINGS_MODULE"] = "rapport.settings.test"
        env["DATABASE_URL"] = database_url_for_subprocess()
        proc = subprocess.Popen(
            [sys.executable, "-m", "rapport.cli", "worker", "--poll", "0.1", *extra],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.mark.django_db(transaction=True)
def test_sigkilled_worker_job_runs_once_elsewhere(
    tmp_path: Path, start_worker: Callable[..., subprocess.Popen[bytes]]
) -> None:
    marks = tmp_path / "marks.txt"
    started = Path(str(marks) + ".started")
    result = jobtasks.slow_on_first_attempt.enqueue(str(marks), "only-once")

    doomed = start_worker("--lease", "2", "--no-scheduler", "--import", "tests.jobs.jobtasks")
    _wait_for(started.exists, 30, "the first worker to start the job")
    job = Job.objects.get(pk=result.id)
    assert job.status == JobStatus.RUNNING
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)
    assert not marks.exists()  # killed mid-task: nothing finished

    start_worker("--lease", "2", "--no-scheduler", "--import", "tests.jobs.jobtasks")
    _wait_for(
        lambda: Job.objects.get(pk=result.id).status == JobStatus.SUCCESSFUL,
        40,
        "the second worker to finish the job",
    )
    job.refresh_from_db()
    assert marks.read_text().splitlines() == ["only-once"]
    assert job.attempts == 2
    assert len(set(job.worker_ids)) == 2
    assert job.errors[-1]["type"] == "rapport.jobs.LeaseExpired"
    assert job.return_value == "only-once"


@pytest.mark.django_db(transaction=True)
def test_periodic_job_fires_once_per_slot_with_two_workers(
    start_worker: Callable[..., subprocess.Popen[bytes]],
) -> None:
    ticks = ROOT / jobtasks.TICK_FILE
    ticks.unlink(missing_ok=True)
    workers = [start_worker("--import", "tests.jobs.jobtasks") for _ in range(2)]
    _wait_for(lambda: ScheduleSlot.objects.filter(name="tests.tick").count() >= 4, 40, "four slots")
    for proc in workers:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    slots = list(ScheduleSlot.objects.filter(name="tests.tick").order_by("slot_start"))
    starts = [s.slot_start for s in slots]
    assert len(starts) == len(set(starts))
    tick_jobs = Job.objects.filter(task_path="tests.jobs.jobtasks.tick")
    assert tick_jobs.count() == len(slots)
    done = tick_jobs.filter(status=JobStatus.SUCCESSFUL).count()
    runs = ticks.read_text().splitlines() if ticks.exists() else []
    # Every finished job ran exactly once; nothing ran twice for one slot.
    assert len(runs) == done
    assert done >= len(slots) - 2  # the last slots may still be queued at shutdown
    ticks.unlink(missing_ok=True)


@pytest.mark.django_db(transaction=True)
def test_a_slot_is_claimed_by_one_worker_only() -> None:
    now = timezone.now()
    first = fire_due("worker-a", now)
    second = fire_due("worker-b", now)
    assert "tests.tick" in first
    assert "tests.tick" not in second
    later = fire_due("worker-b", now + timedelta(seconds=1))
    assert "tests.tick" in later
