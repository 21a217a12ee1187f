"""What a merge of two contacts would do, shown before anyone confirms it: who
survives, which profile fields each side brings, identities, and how many rows of
every contact-owned table move. Read-only; the merge itself is ``merge()``."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count

from rapport.core.actor import Actor
from rapport.core.errors import Conflict
from rapport.core.permissions import Perm

from .models import PROFILE_FIELDS, Contact, ContactStatus, Identity
from .ownership import owned_tables

LABELS = {
    "full_name": "Name",
    "locale": "Locale",
    "timezone": "Time zone",
    "city": "City",
    "country": "Country",
    "avatar_url": "Photo",
}


@dataclass(frozen=True)
class FieldOutcome:
    label: str
    survivor: str
    absorbed: str
    result: str

    @property
    def filled(self) -> bool:
        """The survivor had nothing here and takes the other's value."""
        return not self.survivor and bool(self.absorbed)

    @property
    def dropped(self) -> bool:
        """Both had a value and they differ: the survivor's stays, the other's is kept
        in the merge record so an undo gives it back."""
        return bool(self.survivor and self.absorbed and self.survivor != self.absorbed)


@dataclass
class MergePreview:
    survivor: Contact
    absorbed: Contact
    fields: list[FieldOutcome]
    identities: dict[int, list[Identity]]
    moved: list[tuple[str, int]] = field(default_factory=list)  # (what, rows) of absorbed
    tags_added: list[str] = field(default_factory=list)
    custom_filled: list[str] = field(default_factory=list)


def preview_merge(actor: Actor, a: Contact, b: Contact) -> MergePreview:
    actor.require(Perm.CONTACTS_MANAGE)
    if a.pk == b.pk:
        raise Conflict("Pick two different contacts.")
    if ContactStatus.MERGED in (a.status, b.status):
        raise Conflict("One of these contacts was merged already.")
    survivor, absorbed = sorted((a, b), key=lambda c: c.pk)  # the older one survives
    fields = []
    for name in PROFILE_FIELDS:
        mine, theirs = str(getattr(survivor, name) or ""), str(getattr(absorbed, name) or "")
        fields.append(FieldOutcome(LABELS.get(name, name), mine, theirs, mine or theirs))
    identities: dict[int, list[Identity]] = {survivor.pk: [], absorbed.pk: []}
    for identity in Identity.objects.for_workspace(actor.workspace).filter(
        contact_id__in=identities
    ):
        identities[identity.contact_id].append(identity)
    moved = []
    for owned in owned_tables():
        rows = owned.model._base_manager.filter(
            workspace_id=actor.workspace.pk, **{f"{owned.contact_field}_id": absorbed.pk}
        ).aggregate(n=Count("pk"))["n"]
        if rows:
            meta = owned.model._meta
            moved.append((str(meta.verbose_name if rows == 1 else meta.verbose_name_plural), rows))
    return MergePreview(
        survivor=survivor,
        absorbed=absorbed,
        fields=fields,
        identities=identities,
        moved=moved,
        tags_added=[t for t in absorbed.tags if t not in survivor.tags],
        custom_filled=[k for k in absorbed.custom if k not in survivor.custom],
    )
