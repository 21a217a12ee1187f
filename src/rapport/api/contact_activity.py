"""A contact's tasks: read them, add them, tick them off."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from rapport.contacts import queries
from rapport.contacts.actions.people import do_add_task, do_complete_task
from rapport.contacts.models import Task
from rapport.core.permissions import Perm

from .auth import actor_of
from .guard import guarded
from .schemas import ERRORS, StrictIn

router = Router(tags=["contacts"])


class TaskIn(StrictIn):
    title: str = Field(min_length=1, max_length=200)
    due_at: datetime | None = None
    assignee_id: int | None = Field(default=None, ge=1, description="a member's id")


class TaskPatch(StrictIn):
    done: bool


class TaskOut(Schema):
    id: int
    contact_id: int
    title: str
    due_at: datetime | None
    assignee_id: int | None
    done: bool
    created_at: datetime

    @staticmethod
    def of(task: Task) -> TaskOut:
        return TaskOut(
            id=task.pk,
            contact_id=task.contact_id,
            title=task.title,
            due_at=task.due_at,
            assignee_id=task.assignee_id,
            done=task.done,
            created_at=task.created_at,
        )


@router.get(
    "/contacts/{contact_id}/tasks",
    response={200: list[TaskOut], **ERRORS},
    summary="The contact's tasks, open ones first by due date (at most 200)",
    **guarded(Perm.CONTACTS_VIEW),
)
def list_tasks(request: HttpRequest, contact_id: int) -> list[TaskOut]:
    actor = actor_of(request)
    contact = queries.access_contact(actor, contact_id)
    return [TaskOut.of(t) for t in queries.tasks_of(actor, contact)[:200]]


@router.post(
    "/contacts/{contact_id}/tasks",
    response={201: TaskOut, **ERRORS},
    **guarded(Perm.CONTACTS_MANAGE),
)
def add_task(request: HttpRequest, contact_id: int, body: TaskIn) -> Status[TaskOut]:
    actor = actor_of(request)
    contact = queries.access_contact(actor, contact_id)
    task = do_add_task(
        actor, contact, title=body.title, due_at=body.due_at, assignee_id=body.assignee_id
    )
    return Status(201, TaskOut.of(task))


@router.patch(
    "/tasks/{task_id}",
    response={200: TaskOut, **ERRORS},
    summary="Mark a task done or open again",
    **guarded(Perm.CONTACTS_MANAGE),
)
def patch_task(request: HttpRequest, task_id: int, body: TaskPatch) -> TaskOut:
    actor = actor_of(request)
    return TaskOut.of(do_complete_task(actor, queries.access_task(actor, task_id), done=body.done))
