"""Tasks for the job benches: the work itself is trivial, so what is measured is
the cost of the job machinery (enqueue, claim, lease, finish) per item."""

from __future__ import annotations

from django_tasks import task

PROCESSED: list[int] = []


@task()
def handle_one(item: int) -> None:
    PROCESSED.append(item)


@task()
def handle_batch(first: int, count: int) -> None:
    PROCESSED.extend(range(first, first + count))
