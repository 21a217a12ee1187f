"""Periodic jobs. Time is cut into slots of the job's interval; the first worker
to insert the slot's row enqueues the job, every other worker's insert fails on
the unique key. So each slot fires once, however many workers run, and a slot
missed while no worker ran is not replayed (only the current slot fires)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django_tasks.base import Task

from .backend import build_job
from .models import ScheduleSlot

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)

TaskT = TypeVar("TaskT", bound=Task[Any, Any])


@dataclass(frozen=True)
class Periodic:
    name: str
    task: Task[Any, Any]
    every: timedelta
    kwargs: dict[str, Any] = field(default_factory=dict)

    def slot_start(self, now: datetime) -> datetime:
        slots = (now - EPOCH) // self.every
        return EPOCH + slots * self.every


_registry: dict[str, Periodic] = {}


def periodic(
    every: timedelta, *, name: str | None = None, **kwargs: Any
) -> Callable[[TaskT], TaskT]:
    """Run the decorated task once every ``every`` (put it above ``@task()``)."""
    if every < timedelta(seconds=1):
        raise ValueError("periodic jobs run at most once a second")

    def register(task: TaskT) -> TaskT:
        key = name or task.module_path
        _registry[key] = Periodic(name=key, task=task, every=every, kwargs=kwargs)
        return task

    return register


def registered() -> list[Periodic]:
    return sorted(_registry.values(), key=lambda p: p.name)


def unregister(name: str) -> None:
    _registry.pop(name, None)


def fire_due(worker_id: str, now: datetime) -> list[str]:
    """Claim and enqueue the current slot of every periodic job; return the names fired."""
    fired: list[str] = []
    for entry in registered():
        slot = entry.slot_start(now)
        job = build_job(
            task_path=entry.task.module_path,
            queue_name=entry.task.queue_name,
            priority=entry.task.priority,
            args=[],
            kwargs=dict(entry.kwargs),
            run_after=now,
        )
        try:
            with transaction.atomic():
                ScheduleSlot.objects.create(
                    name=entry.name, slot_start=slot, job_id=job.id, claimed_by=worker_id
                )
                job.save(force_insert=True)
        except IntegrityError:
            continue
        fired.append(entry.name)
    return fired


def prune_slots(older_than: timedelta, now: datetime) -> int:
    deleted, _ = ScheduleSlot.objects.filter(slot_start__lt=now - older_than).delete()
    return deleted
