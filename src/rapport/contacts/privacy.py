"""Privacy: everything about one person as JSON, erasure that really erases, and
tombstones so an erased person is not silently re-created.

Erasure deletes the contact and every row that belongs to it (the ownership
registry), then *redacts* the person's identities and name wherever else they
were copied — audit before/after values, job arguments, import files and their
reports, suggestion evidence — by walking every model Django knows and every
text, JSON and binary column of it, within the workspace. A table added later is
covered without anyone remembering to add it here.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils import timezone

from .models import Consent, Contact, ErasedIdentity, Identity, MergeRecord
from .ownership import owned_tables
from .tombstones import identity_digest

REDACTED = "[erased]"
BINARY_ENCODINGS = ("utf-8", "cp1250", "cp1251")


# -- export -----------------------------------------------------------------------


def _rows(model: type[models.Model], **filters: Any) -> list[dict[str, Any]]:
    return [
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
        for row in model._base_manager.filter(**filters).values()
    ]


def export_contact(contact: Contact) -> dict[str, Any]:
    """Everything Rapport holds about one person (the right of access)."""
    ws = contact.workspace_id
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "contact": _rows(Contact, pk=contact.pk)[0],
        "identities": _rows(Identity, workspace_id=ws, contact_id=contact.pk),
    }
    for owned in owned_tables():
        data[owned.label] = _rows(
            owned.model, workspace_id=ws, **{f"{owned.contact_field}_id": contact.pk}
        )
    data["merges"] = _rows(MergeRecord, workspace_id=ws, winner_id=contact.pk) + _rows(
        MergeRecord, workspace_id=ws, loser_id=contact.pk
    )
    return data


# -- erasure ----------------------------------------------------------------------


def markers_of(contact: Contact, contact_ids: list[int]) -> list[str]:
    """What to scrub elsewhere: the person's identities and name, and the free text
    of their own rows (a note or a task title copied into the audit log).

    Free text means long text columns (not codes like ``kind`` or ``source``), and
    only text no other contact's rows hold: "Lifecycle: Prospect → Lead" is on
    everyone's timeline and must not be scrubbed from everyone else's data."""
    ws = contact.workspace_id
    values = list(
        Identity.objects.for_workspace(ws)
        .filter(contact_id__in=contact_ids)
        .values_list("value", flat=True)
    )
    values.append(contact.full_name.strip())
    for owned in owned_tables():
        texts = [
            f.attname
            for f in owned.model._meta.concrete_fields
            if isinstance(f, models.TextField)
            or (isinstance(f, models.CharField) and not f.choices and (f.max_length or 0) >= 200)
        ]
        if not texts:
            continue
        manager = owned.model._base_manager.filter(workspace_id=ws)
        mine = manager.filter(**{f"{owned.contact_field}_id__in": contact_ids})
        others = manager.exclude(**{f"{owned.contact_field}_id__in": contact_ids})
        for column in texts:
            candidates = {
                str(v).strip()
                for v in mine.values_list(column, flat=True).distinct()
                if v and len(str(v).strip()) >= 8
            }
            shared = set(
                others.filter(**{f"{column}__in": candidates}).values_list(column, flat=True)
            ) if candidates else set()  # fmt: skip
            values.extend(candidates - shared)
    values = [v for v in values if len(v) >= 4]
    # Longest first, so "ann.smith@example.com" goes before "ann.smith".
    return sorted({v for v in values if v}, key=len, reverse=True)


def _replace_text(text: str, markers: list[str]) -> str:
    for marker in markers:
        text = re.sub(re.escape(marker), REDACTED, text, flags=re.IGNORECASE)
    return text


def _replace_json(value: Any, markers: list[str]) -> Any:
    if isinstance(value, str):
        return _replace_text(value, markers)
    if isinstance(value, list):
        return [_replace_json(v, markers) for v in value]
    if isinstance(value, dict):
        return {_replace_text(k, markers): _replace_json(v, markers) for k, v in value.items()}
    return value


def _replace_bytes(raw: bytes, markers: list[str]) -> bytes:
    for encoding in BINARY_ENCODINGS:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return _replace_text(text, markers).encode(encoding)
    return raw


def _scoped(model: type[models.Model], workspace_id: int) -> models.QuerySet[Any] | None:
    names = {f.name for f in model._meta.concrete_fields}
    if "workspace" not in names:
        return None  # not a workspace's data (users, sessions, heartbeats)
    return model._base_manager.filter(workspace_id=workspace_id)


def redact_everywhere(workspace_id: int, markers: list[str]) -> dict[str, int]:
    """Replace ``markers`` in every text, JSON and binary column of every model."""
    changed: dict[str, int] = {}
    if not markers:
        return changed
    for model in apps.get_models():
        rows = _scoped(model, workspace_id)
        if rows is None:
            continue
        for field in model._meta.concrete_fields:
            count = _redact_field(rows, field, markers)
            if count:
                label = f"{model._meta.label_lower}.{field.name}"
                changed[label] = changed.get(label, 0) + count
    return changed


def _redact_field(
    rows: models.QuerySet[Any], field: models.Field[Any, Any], markers: list[str]
) -> int:
    name = field.attname
    if isinstance(field, models.BinaryField):
        candidates = rows.only("pk", name)
    elif isinstance(field, models.JSONField):
        # JSON text may hold the marker escaped (\u0141 for Ł) on SQLite.
        needles = {m for marker in markers for m in (marker, json.dumps(marker)[1:-1])}
        as_text = Q()
        for needle in needles:
            as_text |= Q(_as_text__icontains=needle)
        candidates = rows.annotate(_as_text=Cast(name, models.TextField())).filter(as_text)
    elif isinstance(field, models.CharField | models.TextField) and not field.choices:
        match = Q()
        for marker in markers:
            match |= Q(**{f"{name}__icontains": marker})
        candidates = rows.filter(match)
    else:
        return 0
    count = 0
    for obj in candidates:
        value = getattr(obj, name)
        if value is None:
            continue
        if isinstance(field, models.BinaryField):
            new: Any = _replace_bytes(bytes(value), markers)
        elif isinstance(field, models.JSONField):
            new = _replace_json(value, markers)
        else:
            new = _replace_text(value, markers)
        if new != (bytes(value) if isinstance(field, models.BinaryField) else value):
            type(obj)._base_manager.filter(pk=obj.pk).update(**{name: new})
            count += 1
    return count


def erase_contact(contact: Contact) -> dict[str, int]:
    """Erase the person: delete them and what is theirs, redact copies elsewhere,
    keep only keyed hashes of their identities. Returns what was redacted where."""
    ws_id = contact.workspace_id
    merged_away = list(
        Contact.objects.for_workspace(ws_id)
        .filter(merged_into=contact)
        .values_list("pk", flat=True)
    )
    markers = markers_of(contact, [contact.pk, *merged_away])
    identities = list(
        Identity.objects.for_workspace(ws_id)
        .filter(contact_id__in=[contact.pk, *merged_away])
        .values_list("kind", "value")
    )
    for owned in owned_tables():
        owned.model._base_manager.filter(
            workspace_id=ws_id, **{f"{owned.contact_field}_id__in": [contact.pk, *merged_away]}
        ).delete()
    Identity.objects.for_workspace(ws_id).filter(contact_id__in=[contact.pk, *merged_away]).delete()
    Consent.objects.for_workspace(ws_id).filter(contact_id__in=[contact.pk, *merged_away]).delete()
    Contact.objects.for_workspace(ws_id).filter(pk__in=[contact.pk, *merged_away]).delete()
    ErasedIdentity.objects.for_workspace(ws_id).bulk_create(
        [
            ErasedIdentity(workspace_id=ws_id, digest=identity_digest(ws_id, k, v))
            for k, v in identities
        ],
        ignore_conflicts=True,
    )
    return redact_everywhere(ws_id, markers)
