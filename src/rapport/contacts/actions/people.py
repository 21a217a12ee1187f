"""Writes on contacts made by people or integrations: create, edit, identities,
notes and tasks. Every one is audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from rapport.core.actor import Actor
from rapport.core.audit import record, snapshot
from rapport.core.errors import DomainError
from rapport.core.events import Event, publish
from rapport.core.permissions import Perm

from .. import custom_fields, lifecycle
from ..models import Company, Contact, Identity, Note, Task
from ..resolution import Claim, Resolution, normalise_claims, resolve

EDITABLE = ("full_name", "locale", "timezone", "city", "country", "avatar_url", "tags")
# Besides the profile, an update may set the company (an id, None to unset) and custom
# field values (merged into the stored ones; None clears one).
UPDATABLE = (*EDITABLE, "company_id", "custom")
AUDITED = [*EDITABLE, "company_id", "custom"]


def _clean_tags(tags: list[str]) -> list[str]:
    cleaned = [t.strip().lower()[:40] for t in tags if t and t.strip()]
    if len(cleaned) > 50:
        raise DomainError("At most 50 tags per contact.", field="tags")
    return list(dict.fromkeys(cleaned))


def do_create_contact(
    actor: Actor, *, identities: list[Claim] | None = None, region: str = "", **fields: Any
) -> Resolution:
    """Create a contact from what an agent or an integration knows. Identities that
    exist already resolve to their person (an agent is a trusted source)."""
    actor.require(Perm.CONTACTS_MANAGE)
    # A phone without a country code is read in the workspace's default region.
    claims = normalise_claims(identities or [], region or actor.workspace.phone_region)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise DomainError(f"Unknown field(s): {', '.join(sorted(unknown))}")
    with transaction.atomic():
        if claims:
            result = resolve(
                actor.workspace, claims, trusted=True, source="agent", actor_label=actor.label
            )
        else:
            contact = Contact.objects.create(workspace=actor.workspace)
            result = Resolution(contact=contact, created=True)
        contact = result.contact
        if fields:
            _apply(contact, fields)
        record(actor, "contact.create" if result.created else "contact.resolve", contact,
               after=snapshot(contact, list(EDITABLE)))  # fmt: skip
        if result.created:
            publish(Event.CONTACT_CREATED, actor.workspace.pk, contact_id=contact.pk)
        for merge in result.merges:
            publish(Event.CONTACTS_MERGED, actor.workspace.pk, merge_id=merge.pk)
        lifecycle.recompute(contact)
    return result


def _apply(contact: Contact, fields: dict[str, Any]) -> None:
    for name, raw in fields.items():
        value = raw
        if name == "tags":
            value = _clean_tags(list(raw))
        elif name == "country":
            value = str(raw).upper()[:2]
        setattr(contact, name, value)
    contact.save()


def _company_id(actor: Actor, company_id: Any) -> int | None:
    if company_id is None:
        return None
    if isinstance(company_id, bool) or not isinstance(company_id, int):
        raise DomainError("The company is given by its id.", field="company_id")
    if not Company.objects.for_workspace(actor.workspace).filter(pk=company_id).exists():
        raise DomainError("There is no such company in this workspace.", field="company_id")
    return company_id


def do_update_contact(actor: Actor, contact: Contact, **fields: Any) -> Contact:
    """Edit the profile, the company and custom field values. Custom values are
    checked against the workspace's field definitions before anything is saved."""
    actor.require(Perm.CONTACTS_MANAGE)
    unknown = set(fields) - set(UPDATABLE)
    if unknown:
        raise DomainError(f"Unknown field(s): {', '.join(sorted(unknown))}")
    custom = fields.pop("custom", None)
    cleaned: dict[str, Any] = {}
    if custom is not None:
        if not isinstance(custom, dict):
            raise DomainError("Custom fields are an object of key: value.", field="custom")
        cleaned = custom_fields.clean_values(actor.workspace, custom)
    if "company_id" in fields:
        fields["company_id"] = _company_id(actor, fields["company_id"])
    with transaction.atomic():
        before = snapshot(contact, AUDITED)
        if custom is not None:
            contact.custom = custom_fields.merged(contact.custom, cleaned)
        _apply(contact, fields)
        after = snapshot(contact, AUDITED)
        if before != after:
            record(actor, "contact.update", contact, before=before, after=after)
            publish(Event.CONTACT_UPDATED, actor.workspace.pk, contact_id=contact.pk)
            lifecycle.recompute(contact)
    return contact


def do_add_identity(
    actor: Actor, contact: Contact, *, kind: str, value: str, region: str = ""
) -> Resolution:
    """An agent says this identity is this person's: a trusted observation, so a
    contact that already holds the identity is merged into this one's person."""
    actor.require(Perm.CONTACTS_MANAGE)
    (claim,) = normalise_claims([Claim(kind, value)], region or actor.workspace.phone_region)
    with transaction.atomic():
        result = resolve(
            actor.workspace, [claim], trusted=True, source="agent", actor_label=actor.label,
            hint=contact,
        )  # fmt: skip
        record(actor, "contact.identity_add", result.contact,
               after={"identity": f"{claim.kind}:{claim.value}"})  # fmt: skip
        publish(Event.IDENTITY_ADDED, actor.workspace.pk, contact_id=result.contact.pk)
        for merge in result.merges:
            record(actor, "contact.merge", merge.winner,
                   after={"merged": merge.loser_id, "merge": merge.pk})  # fmt: skip
            publish(Event.CONTACTS_MERGED, actor.workspace.pk, merge_id=merge.pk)
        lifecycle.recompute(result.contact)
    return result


def do_remove_identity(actor: Actor, identity: Identity) -> None:
    actor.require(Perm.CONTACTS_MANAGE)
    with transaction.atomic():
        contact = Contact.objects.for_workspace(actor.workspace).get(pk=identity.contact_id)
        record(actor, "contact.identity_remove", contact,
               before={"identity": f"{identity.kind}:{identity.value}"})  # fmt: skip
        identity.delete()
        lifecycle.recompute(contact)


def do_add_note(actor: Actor, contact: Contact, *, body: str) -> Note:
    actor.require(Perm.CONTACTS_MANAGE)
    body = body.strip()
    if not body:
        raise DomainError("A note needs some text.", field="body")
    with transaction.atomic():
        note = Note.objects.create(
            workspace=actor.workspace, contact=contact, body=body[:10_000], author=actor.membership
        )
        record(actor, "contact.note_add", contact, after={"note": note.pk})
    return note


def do_add_task(
    actor: Actor,
    contact: Contact,
    *,
    title: str,
    due_at: datetime | None = None,
    assignee_id: int | None = None,
) -> Task:
    actor.require(Perm.CONTACTS_MANAGE)
    title = title.strip()
    if not title:
        raise DomainError("A task needs a title.", field="title")
    from rapport.core.models import Membership

    if assignee_id is not None and not (
        Membership.objects.for_workspace(actor.workspace).filter(pk=assignee_id).exists()
    ):
        raise DomainError("The assignee is not a member of this workspace.", field="assignee")
    with transaction.atomic():
        task = Task.objects.create(
            workspace=actor.workspace, contact=contact, title=title[:200], due_at=due_at,
            assignee_id=assignee_id,
        )  # fmt: skip
        record(actor, "contact.task_add", contact, after={"task": task.title})
    return task


def do_complete_task(actor: Actor, task: Task, *, done: bool = True) -> Task:
    actor.require(Perm.CONTACTS_MANAGE)
    with transaction.atomic():
        if task.done != done:
            task.done = done
            task.save(update_fields=["done"])
            record(actor, "contact.task_done" if done else "contact.task_reopen", task,
                   object_type="task")  # fmt: skip
    return task
