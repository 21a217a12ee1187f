"""Contact fields: the typed custom fields of the workspace's contacts. Anyone who
reads contacts can read them; defining them takes the workspace admin permission.
Values are set with PATCH /contacts/{id} {"custom": {key: value}}."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from rapport.contacts import queries
from rapport.contacts.actions.fields import (
    MAX_POSITION,
    do_create_field,
    do_delete_field,
    do_update_field,
)
from rapport.contacts.models import CustomField, FieldType
from rapport.core.permissions import Perm

from .auth import actor_of
from .guard import guarded
from .schemas import ERRORS, StrictIn

router = Router(tags=["contact fields"])


class FieldOut(Schema):
    id: int
    key: str
    label: str
    type: FieldType
    choices: list[str]
    required: bool
    position: int
    created_at: datetime

    @staticmethod
    def of(field: CustomField) -> FieldOut:
        return FieldOut(
            id=field.pk,
            key=field.key,
            label=field.label,
            type=FieldType(field.type),
            choices=list(field.choices),
            required=field.required,
            position=field.position,
            created_at=field.created_at,
        )


class FieldList(Schema):
    items: list[FieldOut]


Choices = list[str]


class FieldIn(StrictIn):
    key: str = Field(
        min_length=1, max_length=40, description="lowercase letters, digits, underscores"
    )
    label: str = Field(min_length=1, max_length=80)
    type: FieldType
    choices: Choices = Field(default_factory=list, max_length=100, description="for choice")
    required: bool = False
    position: int | None = Field(default=None, ge=0, le=MAX_POSITION)


class FieldPatch(StrictIn):
    """The key and the type cannot change: values are stored under them."""

    label: str | None = Field(default=None, min_length=1, max_length=80)
    choices: Choices | None = Field(default=None, max_length=100)
    required: bool | None = None
    position: int | None = Field(default=None, ge=0, le=MAX_POSITION)


@router.get("", response={200: FieldList, **ERRORS}, **guarded(Perm.CONTACTS_VIEW))
def list_fields(request: HttpRequest) -> FieldList:
    return FieldList(
        items=[FieldOut.of(f) for f in queries.list_field_definitions(actor_of(request))]
    )


@router.post("", response={201: FieldOut, **ERRORS}, **guarded(Perm.WORKSPACE_MANAGE))
def create_field(request: HttpRequest, body: FieldIn) -> Status[FieldOut]:
    field = do_create_field(
        actor_of(request),
        key=body.key,
        label=body.label,
        type=body.type.value,
        choices=body.choices,
        required=body.required,
        position=body.position,
    )
    return Status(201, FieldOut.of(field))


@router.get("/{field_id}", response={200: FieldOut, **ERRORS}, **guarded(Perm.CONTACTS_VIEW))
def get_field(request: HttpRequest, field_id: int) -> FieldOut:
    return FieldOut.of(queries.access_field(actor_of(request), field_id))


@router.patch("/{field_id}", response={200: FieldOut, **ERRORS}, **guarded(Perm.WORKSPACE_MANAGE))
def update_field(request: HttpRequest, field_id: int, body: FieldPatch) -> FieldOut:
    actor = actor_of(request)
    field = queries.access_field(actor, field_id)
    return FieldOut.of(do_update_field(actor, field, **body.model_dump(exclude_unset=True)))


@router.delete(
    "/{field_id}",
    response={204: None, **ERRORS},
    summary="Delete a field and every contact's value for it",
    **guarded(Perm.WORKSPACE_MANAGE),
)
def delete_field(request: HttpRequest, field_id: int) -> Status[None]:
    actor = actor_of(request)
    do_delete_field(actor, queries.access_field(actor, field_id))
    return Status(204, None)
