"""Identity resolution: which identities are one person.

The rules (docs/contacts.md has the long form):

1. Every time identities are seen together — an agent adds one, a form is sent, the
   shop calls ``identify`` — that is an *observation*, recorded in order, marked
   trusted (server-side sources, authenticated agents, verified logins) or not
   (public browser write keys, unauthenticated forms).
2. Identities already known belong to contacts. A contact is *known* when it has an
   identity other than an anonymous web id.
3. A trusted observation makes all its identities one person: the contacts they
   belong to are merged into the oldest (lowest id) and new identities join it.
4. An untrusted observation merges the same way only while at most one of the
   contacts involved is known (so an anonymous visitor is stitched to the person
   who logs in). When it touches two or more known contacts, none of those is
   merged: the anonymous ones and the new identities join the *anchor* (the first
   known contact in the observation's order) and each other known contact is
   recorded as a duplicate suggestion of the anchor.
5. An unmerge replays the observations of the merged person's identities without
   the undone merge's link (its observation is replayed without the loser's
   identities). If later observations still link the two sides, they stay one
   person and the unmerge is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from rapport.core.errors import Conflict
from rapport.core.models import Workspace

from .models import (
    PROFILE_FIELDS,
    Contact,
    ContactStatus,
    DuplicateSuggestion,
    Identity,
    IdentityKind,
    MergeRecord,
    Observation,
)
from .normalize import normalise
from .ownership import owned_tables
from .tombstones import ErasedPerson, erased_claims

ANONYMOUS = IdentityKind.ANONYMOUS.value


@dataclass(frozen=True)
class Claim:
    kind: str
    value: str
    verified: bool = False


@dataclass
class Resolution:
    contact: Contact
    created: bool
    merges: list[MergeRecord] = field(default_factory=list)
    suggestions: list[DuplicateSuggestion] = field(default_factory=list)
    new_identities: list[Identity] = field(default_factory=list)


# -- the pure rule, shared by online resolution and by unmerge replay -------------


class Groups:
    """Union-find over identity ids, knowing which groups are "known"."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}
        self.known: dict[int, bool] = {}

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def add(self, x: int, kind: str) -> None:
        self.parent[x] = x
        self.known[x] = kind != ANONYMOUS

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra
            self.known[ra] = self.known[ra] or self.known[rb]

    def observe(self, ids: Sequence[int], kinds: dict[int, str], trusted: bool) -> None:
        """Apply one observation (rule 3 and 4) to the partition."""
        new = [i for i in ids if i not in self.parent]
        roots = list(dict.fromkeys(self.find(i) for i in ids if i in self.parent))
        for i in new:
            self.add(i, kinds[i])
        known = [r for r in roots if self.known[r]]
        if trusted or len(known) <= 1:
            targets = roots + new
        else:
            targets = [known[0]] + [r for r in roots if not self.known[r]] + new
        for other in targets[1:]:
            self.union(targets[0], other)

    def partition(self) -> dict[int, set[int]]:
        out: dict[int, set[int]] = {}
        for x in self.parent:
            out.setdefault(self.find(x), set()).add(x)
        return out


# -- online resolution ------------------------------------------------------------


def normalise_claims(claims: Iterable[Claim], region: str = "") -> list[Claim]:
    seen: dict[tuple[str, str], Claim] = {}
    for c in claims:
        value = normalise(c.kind, c.value, region)
        seen.setdefault((c.kind, value), Claim(c.kind, value, c.verified))
    return list(seen.values())


def _is_known(contact_id: int, workspace: Workspace) -> bool:
    return (
        Identity.objects.for_workspace(workspace)
        .filter(contact_id=contact_id)
        .exclude(kind=ANONYMOUS)
        .exists()
    )


def resolve(
    workspace: Workspace,
    claims: Sequence[Claim],
    *,
    trusted: bool,
    source: str,
    actor_label: str,
    hint: Contact | None = None,
) -> Resolution:
    """Record an observation of ``claims`` (already normalised) and apply the rules.

    ``hint`` is the contact the claims are made about (an agent adding an identity
    on a contact's page); it anchors the observation.
    """
    erased = erased_claims(workspace, claims)
    if erased:
        claims = [c for c in claims if (c.kind, c.value) not in erased]
        if not claims and hint is None:
            raise ErasedPerson(
                "This person was erased on request; they are not re-created without new consent."
            )
    with transaction.atomic():
        keys = [(c.kind, c.value) for c in claims]
        existing = {
            (i.kind, i.value): i
            for i in Identity.objects.for_workspace(workspace)
            .select_for_update()
            .filter(kind__in={k for k, _ in keys}, value__in={v for _, v in keys})
        }
        order: list[int] = [hint.pk] if hint is not None else []
        for key in keys:
            if key in existing:
                order.append(existing[key].contact_id)
        contact_ids = list(dict.fromkeys(order))
        known = [cid for cid in contact_ids if _is_known(cid, workspace)]
        to_merge: list[int]
        suggest: list[int]
        if not contact_ids:
            target = Contact.objects.create(workspace=workspace)
            created, to_merge, suggest = True, [], []
        elif trusted or len(known) <= 1:
            target_id = min(contact_ids)
            target = Contact.objects.for_workspace(workspace).get(pk=target_id)
            created, to_merge, suggest = False, [c for c in contact_ids if c != target_id], []
        else:
            anchor = known[0]
            target = Contact.objects.for_workspace(workspace).get(pk=anchor)
            created = False
            to_merge = [c for c in contact_ids if c not in known]
            suggest = [c for c in known if c != anchor]

        new_identities = [
            Identity(workspace=workspace, contact=target, kind=c.kind, value=c.value,
                     verified=c.verified, source=source[:80])
            for c in claims
            if (c.kind, c.value) not in existing
        ]  # fmt: skip
        Identity.objects.for_workspace(workspace).bulk_create(new_identities)
        saved = {
            (i.kind, i.value): i
            for i in Identity.objects.for_workspace(workspace).filter(
                kind__in={k for k, _ in keys}, value__in={v for _, v in keys}
            )
        }
        # The hint's own first identity goes in front, so a replay links the new
        # identities to the person they were added to.
        anchor_ids = (
            list(
                Identity.objects.for_workspace(workspace)
                .filter(contact=hint)
                .order_by("pk")
                .values_list("pk", flat=True)[:1]
            )
            if hint is not None
            else []
        )
        observation = Observation.objects.create(
            workspace=workspace,
            identity_ids=list(dict.fromkeys([*anchor_ids, *(saved[k].pk for k in keys)])),
            trusted=trusted,
            source=source[:80],
        )
        result = Resolution(contact=target, created=created, new_identities=new_identities)
        for loser_id in sorted(to_merge):
            loser = Contact.objects.for_workspace(workspace).get(pk=loser_id)
            result.merges.append(
                merge(target, loser, observation=observation, reason=f"same person ({source})",
                      actor_label=actor_label)
            )  # fmt: skip
        for other_id in suggest:
            result.suggestions.append(
                suggest_duplicate(
                    workspace, target.pk, other_id, 1.0,
                    [{"rule": "claimed together by an untrusted source", "source": source}],
                )
            )  # fmt: skip
        if target.status != ContactStatus.ACTIVE:
            raise Conflict("The observation resolved to a merged contact.")
        return result


def suggest_duplicate(
    workspace: Workspace, a: int, b: int, score: float, evidence: list[dict[str, object]]
) -> DuplicateSuggestion:
    first, second = sorted((a, b))
    suggestion, _ = DuplicateSuggestion.objects.for_workspace(workspace).get_or_create(
        workspace=workspace,
        first_id=first,
        second_id=second,
        defaults={"score": score, "evidence": evidence},
    )
    return suggestion


# -- merge and unmerge ------------------------------------------------------------


def merge(
    winner: Contact,
    loser: Contact,
    *,
    observation: Observation | None,
    reason: str,
    actor_label: str,
) -> MergeRecord:
    """Move everything of ``loser`` to ``winner`` and remember exactly what moved."""
    if winner.pk == loser.pk:
        raise Conflict("A contact cannot be merged into itself.")
    if loser.status != ContactStatus.ACTIVE or winner.status != ContactStatus.ACTIVE:
        raise Conflict("Only active contacts can be merged.")
    ws = winner.workspace
    moved: dict[str, list[int]] = {}
    identities = Identity.objects.for_workspace(ws)
    ids = list(identities.filter(contact=loser).values_list("pk", flat=True))
    moved["contacts.identity"] = ids
    kept = Identity.objects.for_workspace(ws).filter(contact=winner).values_list("pk", flat=True)
    moved["winner_identities"] = list(kept)
    Identity.objects.for_workspace(ws).filter(pk__in=ids).update(contact=winner)
    for owned in owned_tables():
        manager = owned.model.objects.for_workspace(ws)  # type: ignore[attr-defined]
        rows = list(manager.filter(**{owned.contact_field: loser}).values_list("pk", flat=True))
        if rows:
            moved[owned.label] = rows
            manager.filter(pk__in=rows).update(**{owned.contact_field: winner})

    filled: dict[str, object] = {}
    for name in PROFILE_FIELDS:
        if not getattr(winner, name) and getattr(loser, name):
            filled[name] = getattr(winner, name)
            setattr(winner, name, getattr(loser, name))
    custom_filled = [k for k in loser.custom if k not in winner.custom]
    winner.custom = {**winner.custom, **{k: loser.custom[k] for k in custom_filled}}
    tags_added = [t for t in loser.tags if t not in winner.tags]
    winner.tags = [*winner.tags, *tags_added]
    if winner.company_id is None and loser.company_id is not None:
        filled["company_id"] = None
        winner.company_id = loser.company_id
    winner.save()
    loser.status = ContactStatus.MERGED
    loser.merged_into = winner
    loser.save(update_fields=["status", "merged_into", "updated_at"])
    return MergeRecord.objects.create(
        workspace=ws,
        winner=winner,
        loser=loser,
        observation=observation,
        reason=reason[:200],
        actor_label=actor_label[:200],
        moved=moved,
        winner_before={
            "fields": filled,
            "filled_from_loser": {k: getattr(winner, k) for k in filled},
            "custom_filled": custom_filled,
            "tags_added": tags_added,
        },
    )


def _observations_touching(workspace_id: int, identity_ids: set[int]) -> list[Observation]:
    """The log's observations that mention any of ``identity_ids``, in order. The
    database looks inside the JSON lists (C, not Python), so an unmerge stays quick
    when the workspace has logged millions of observations."""
    table = connection.ops.quote_name(str(Observation._meta.db_table))
    # Each JSON list as rows: jsonb_array_elements_text on PostgreSQL, json_each on SQLite.
    elements = (
        "SELECT j.value::bigint AS v FROM jsonb_array_elements_text(o.identity_ids) j"
        if connection.vendor == "postgresql"
        else "SELECT j.value AS v FROM json_each(o.identity_ids) j"
    )
    found: set[int] = set()
    ids = sorted(identity_ids)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ", ".join(["%s"] * len(part))
            # Only placeholders and fixed SQL are formatted in; the ids are parameters.
            sql = (
                f"SELECT o.id FROM {table} o WHERE o.workspace_id = %s "  # noqa: S608
                f"AND EXISTS (SELECT 1 FROM ({elements}) e WHERE e.v IN ({marks}))"
            )
            cursor.execute(sql, [workspace_id, *part])
            found.update(row[0] for row in cursor.fetchall())
    return list(Observation.objects.for_workspace(workspace_id).filter(pk__in=found).order_by("id"))


def _replayed_partition(record: MergeRecord, identity_ids: set[int]) -> dict[int, set[int]]:
    ws = record.workspace
    kinds = dict(
        Identity.objects.for_workspace(ws).filter(pk__in=identity_ids).values_list("pk", "kind")
    )
    undone: dict[int, set[int]] = {}
    for m in MergeRecord.objects.for_workspace(ws).filter(undone_at__isnull=False):
        if m.observation_id is not None:
            undone.setdefault(m.observation_id, set()).update(m.moved.get("contacts.identity", []))
    if record.observation_id is not None:
        undone.setdefault(record.observation_id, set()).update(
            record.moved.get("contacts.identity", [])
        )
    groups = Groups()
    for obs in _observations_touching(ws.pk, identity_ids):
        ids = [i for i in obs.identity_ids if i in identity_ids]
        if obs.pk in undone:
            ids = [i for i in ids if i not in undone[obs.pk]]
        if ids:
            groups.observe(ids, kinds, obs.trusted)
    for i in identity_ids:  # identities no replayed observation mentions stay alone
        if i not in groups.parent:
            groups.add(i, kinds[i])
    return groups.partition()


def unmerge(record: MergeRecord, *, actor_label: str) -> Contact:
    """Undo ``record``: the loser comes back with what it had; what was added to the
    merged person since follows the identity it came through."""
    ws = record.workspace
    if record.undone_at is not None:
        raise Conflict("This merge was undone already.")
    winner = Contact.objects.for_workspace(ws).select_for_update().get(pk=record.winner_id)
    loser = Contact.objects.for_workspace(ws).select_for_update().get(pk=record.loser_id)
    if winner.status != ContactStatus.ACTIVE:
        raise Conflict("The merged contact was merged again since; undo that later merge first.")
    current = set(
        Identity.objects.for_workspace(ws).filter(contact=winner).values_list("pk", flat=True)
    )
    loser_ids = set(record.moved.get("contacts.identity", [])) & current
    winner_ids = set(record.moved.get("winner_identities", [])) & current
    parts = sorted(_replayed_partition(record, current).values(), key=min)
    loser_part = next((p for p in parts if loser_ids and min(loser_ids) in p), set())
    winner_part = next((p for p in parts if winner_ids and min(winner_ids) in p), set())
    if loser_part and loser_part is winner_part:
        raise Conflict("Later observations link these identities again, so they stay one person.")
    owners: list[tuple[Contact, set[int]]] = [(loser, loser_part)]
    for part in parts:
        if part is not loser_part and part is not winner_part:
            # Neither side's: the replay says this is a person of its own.
            owners.append((Contact.objects.create(workspace=ws), part))
    for owner, part in owners:
        Identity.objects.for_workspace(ws).filter(pk__in=part).update(contact=owner)
    for owned in owned_tables():
        manager = owned.model.objects.for_workspace(ws)  # type: ignore[attr-defined]
        rows = record.moved.get(owned.label, [])
        manager.filter(pk__in=rows, **{owned.contact_field: winner}).update(
            **{owned.contact_field: loser}
        )
        if owned.identity_field:
            for owner, part in owners:
                manager.filter(
                    **{owned.contact_field: winner, f"{owned.identity_field}__in": part}
                ).update(**{owned.contact_field: owner})

    before = record.winner_before
    for name, old in before.get("fields", {}).items():
        if getattr(winner, name) == before.get("filled_from_loser", {}).get(name):
            setattr(winner, name, old)
    winner.custom = {
        k: v for k, v in winner.custom.items() if k not in before.get("custom_filled", [])
    }
    winner.tags = [t for t in winner.tags if t not in before.get("tags_added", [])]
    winner.save()
    loser.status = ContactStatus.ACTIVE
    loser.merged_into = None
    loser.save(update_fields=["status", "merged_into", "updated_at"])
    record.undone_at = timezone.now()
    record.save(update_fields=["undone_at"])
    return loser
