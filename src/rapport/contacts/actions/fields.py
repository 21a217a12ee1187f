"""Custom field definitions: what typed attributes a workspace keeps on its
contacts. Defining them is an admin's job, like the rest of the workspace set-up."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from rapport.core.actor import Actor
from rapport.core.audit import record, snapshot
from rapport.core.errors import Conflict, DomainError
from rapport.core.permissions import Perm

from ..custom_fields import MAX_FIELDS, clean_choices, clean_key, clean_label
from ..models import Contact, CustomField, FieldType

FIELD_FIELDS = ["key", "label", "type", "choices", "required", "position"]
MAX_POSITION = 10_000


def _clean_position(position: int | None, default: int) -> int:
    if position is None:
        return default
    if not 0 <= position <= MAX_POSITION:
        raise DomainError(f"The position is between 0 and {MAX_POSITION}.", field="position")
    return position


def do_create_field(
    actor: Actor,
    *,
    key: str,
    label: str,
    type: str,
    choices: list[str] | None = None,
    required: bool = False,
    position: int | None = None,
) -> CustomField:
    actor.require(Perm.WORKSPACE_MANAGE)
    if type not in FieldType.values:
        raise DomainError(f"The type is one of: {', '.join(FieldType.values)}.", field="type")
    existing = CustomField.objects.for_workspace(actor.workspace)
    if existing.count() >= MAX_FIELDS:
        raise DomainError(f"A workspace has at most {MAX_FIELDS} contact fields.")
    key = clean_key(key)
    if existing.filter(key=key).exists():
        raise Conflict(f"A field with the key '{key}' exists.", field="key")
    last = existing.order_by("-position").values_list("position", flat=True).first()
    try:
        with transaction.atomic():
            field = CustomField.objects.create(
                workspace=actor.workspace,
                key=key,
                label=clean_label(label),
                type=type,
                choices=clean_choices(type, choices or []),
                required=required,
                position=_clean_position(
                    position, 0 if last is None else min(last + 10, MAX_POSITION)
                ),
            )
            record(actor, "contact_field.create", field, after=snapshot(field, FIELD_FIELDS))
    except IntegrityError as exc:
        raise Conflict(f"A field with the key '{key}' exists.", field="key") from exc
    return field


def do_update_field(
    actor: Actor,
    field: CustomField,
    *,
    label: str | None = None,
    choices: list[str] | None = None,
    required: bool | None = None,
    position: int | None = None,
) -> CustomField:
    """The key and the type stay: values are stored under them."""
    actor.require(Perm.WORKSPACE_MANAGE)
    before = snapshot(field, FIELD_FIELDS)
    if label is not None:
        field.label = clean_label(label)
    if choices is not None:
        field.choices = clean_choices(field.type, choices)
    if required is not None:
        field.required = required
    field.position = _clean_position(position, field.position)
    with transaction.atomic():
        field.save(update_fields=["label", "choices", "required", "position"])
        after = snapshot(field, FIELD_FIELDS)
        if after != before:
            record(actor, "contact_field.update", field, before=before, after=after)
    return field


def do_delete_field(actor: Actor, field: CustomField) -> int:
    """Delete the definition and every contact's value for it; returns how many
    contacts had one."""
    actor.require(Perm.WORKSPACE_MANAGE)
    with transaction.atomic():
        holders = list(
            Contact.objects.for_workspace(actor.workspace)
            .filter(custom__has_key=field.key)
            .only("pk", "custom")
        )
        for contact in holders:
            contact.custom = {k: v for k, v in contact.custom.items() if k != field.key}
        Contact.unscoped.bulk_update(holders, ["custom"], batch_size=500)
        record(actor, "contact_field.delete", field, before={**snapshot(field, FIELD_FIELDS),
               "values_removed": len(holders)})  # fmt: skip
        field.delete()
    return len(holders)
