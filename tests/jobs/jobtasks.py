"""Tasks used by the job tests. They record each run as a line in a file, so a
test can count runs across worker processes without any shared memory."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from django_tasks import task
from django_tasks.base import TaskContext

from rapport.jobs.schedule import periodic


def _mark(path: str, line: str) -> None:
    with Path(path).open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")


@task()
def always_fails(reason: str, workspace_id: int | None = None) -> None:
    # Tasks done for a workspace take ``workspace_id``: the backend files the job
    # under that workspace so its Settings page lists it.
    raise RuntimeError(reason)


@task()
def mark(path: str, key: str) -> str:
    _mark(path, key)
    return key


@task(takes_context=True)
def slow_on_first_attempt(context: TaskContext, path: str, key: str) -> str:
    """Hangs on its first attempt (the test kills that worker), quick afterwards."""
    if context.attempt <= 1:
        _mark(path + ".started", key)
        time.sleep(60)
    _mark(path, key)
    return key


TICK_FILE = Path("var") / "test-periodic-ticks.txt"


@periodic(every=timedelta(seconds=1), name="tests.tick")
@task()
def tick() -> None:
    _mark(str(TICK_FILE), str(time.time()))
