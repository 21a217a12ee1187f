"""Identity resolution in bulk: a large batch of observations (a backfill, a replay,
the tracking pipeline's batches) resolved in memory with the same rules as
``resolution.resolve`` and written with a few set-based statements.

The workspace's identity map is read once; contacts are groups in a union-find;
new contacts and identities get reserved ids so everything is inserted with plain
``executemany``. Every merge is recorded as a ``MergeRecord`` (with the identities
that moved) and every observation in the log, so an unmerge works exactly as for
merges made one at a time. Profile fields are not copied between contacts here:
bulk sources carry identities, not profiles.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from rapport.core.events import Event, publish
from rapport.core.models import Workspace

from .models import Contact, ContactStatus, Identity, MergeRecord, Observation
from .ownership import owned_tables
from .resolution import ANONYMOUS, Claim
from .tombstones import erased_claims
from .transfer.fast import (
    EMPTY_LIST,
    EMPTY_OBJECT,
    among,
    fetch,
    gc_paused,
    id_list,
    insert_rows,
    refresh_statistics,
    reserve_ids,
    sqlite_cache,
    table_of,
)


@dataclass
class BulkStats:
    observations: int = 0
    new_contacts: int = 0
    new_identities: int = 0
    merges: int = 0
    suggestions: int = 0
    erased_claims: int = 0


class _Contacts:
    """Union-find over contact ids (existing ones and those made in this batch)."""

    def __init__(self, known: set[int]) -> None:
        self.parent: dict[int, int] = {}
        self.known = known

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, winner: int, loser: int) -> None:
        self.parent[loser] = winner
        if loser in self.known:
            self.known.add(winner)


def resolve_bulk(
    workspace: Workspace,
    observations: Sequence[tuple[Sequence[Claim], bool]],
    *,
    source: str,
) -> BulkStats:
    """Resolve already-normalised ``observations`` ((claims, trusted) pairs)."""
    # One transaction from reading the identity map to the last write: the ids are
    # reserved under its lock, and nobody sees half a batch.
    # Erased people's identities are not stored again (the same rule as resolve()).
    erased = erased_claims(workspace, [c for claims, _ in observations for c in claims])
    dropped = 0
    if erased:
        kept = []
        for claims, trusted in observations:
            left = [c for c in claims if (c.kind, c.value) not in erased]
            dropped += len(claims) - len(left)
            if left:
                kept.append((left, trusted))
        observations = kept
    with transaction.atomic(), gc_paused(), sqlite_cache(mb=256):
        batch = _Batch(
            workspace.pk, source, len(observations), sum(len(c) for c, _ in observations)
        )
        for claims, trusted in observations:
            batch.observe(claims, trusted)
        batch.persist()
    batch.stats.erased_claims = dropped
    refresh_statistics(Identity, Contact, Observation)
    return batch.stats


def _by_key(row: tuple[int, int, str, str]) -> tuple[str, str]:
    return row[2], row[3]


Owner = dict[tuple[str, str], tuple[int, int]]  # (kind, value) -> (identity id, contact id)


@dataclass
class StreamResult:
    """Where each claim of a stream batch landed, and which contacts merged away."""

    owner: Owner
    merged: dict[int, int]  # loser contact -> the contact it now is
    new_contacts: set[int]
    stats: BulkStats


def resolve_stream(
    workspace_id: int,
    observations: Sequence[tuple[Sequence[Claim], bool]],
    *,
    source: str,
) -> StreamResult:
    """``resolve_bulk`` for a stream's small batches (the tracking pipeline): reads
    only the identities the batch names, and the known-ness of their contacts,
    instead of the workspace's whole identity map. Call inside a transaction."""
    workspace = Workspace(pk=workspace_id)
    erased = erased_claims(workspace, [c for claims, _ in observations for c in claims])
    if erased:
        observations = [
            (left, trusted)
            for claims, trusted in observations
            if (left := [c for c in claims if (c.kind, c.value) not in erased])
        ]
    by_kind: dict[str, set[str]] = defaultdict(set)
    for claims, _ in observations:
        for c in claims:
            by_kind[c.kind].add(c.value)
    owner: Owner = {}
    # Statements by hand: building the ORM's queries cost more than running them.
    identities, contacts_table = table_of(Identity), table_of(Contact)
    for kind, values in by_kind.items():
        match, param = among("i.value", list(values))
        rows = fetch(
            f"SELECT i.id, i.value, i.contact_id FROM {identities} i "  # noqa: S608
            f"JOIN {contacts_table} c ON c.id = i.contact_id WHERE i.workspace_id = %s "
            f"AND c.status = %s AND i.kind = %s AND {match}",
            [workspace_id, ContactStatus.ACTIVE.value, kind, param],
        )
        owner.update({(kind, value): (pk, contact_id) for pk, value, contact_id in rows})
    contacts = {contact_id for _, contact_id in owner.values()}
    known: set[int] = set()
    if contacts:
        match, param = among("contact_id", list(contacts))
        sql = (
            f"SELECT contact_id FROM {identities} WHERE workspace_id = %s "  # noqa: S608
            f"AND {match} AND NOT (kind = %s)"
        )
        known = {cid for (cid,) in fetch(sql, [workspace_id, param, ANONYMOUS])}
    batch = _Batch(
        workspace_id,
        source,
        len(observations),
        sum(len(c) for c, _ in observations),
        owner=owner,
        known=known,
    )
    for claims, trusted in observations:
        batch.observe(claims, trusted)
    batch.persist()
    if batch.merges:
        # Other apps recount what a merge changes (orders, activity): tell them, as
        # merges made one at a time do. Delivered on commit.
        for merge_id in (
            MergeRecord.objects.for_workspace(workspace_id)
            .filter(observation_id__any=batch.merge_observations)
            .values_list("pk", flat=True)
        ):
            publish(Event.CONTACTS_MERGED, workspace_id, merge_id=merge_id)
    find = batch.groups.find
    if batch.groups.parent:
        final = {key: (pk, find(contact_id)) for key, (pk, contact_id) in batch.owner.items()}
    else:
        final = batch.owner  # nothing merged: every contact is its own root
    merged = {loser: find(loser) for _, loser, _ in batch.merges}
    return StreamResult(final, merged, set(batch.new_contacts), batch.stats)


class _Batch:
    def __init__(
        self,
        ws: int,
        source: str,
        observations: int,
        claims: int,
        *,
        owner: Owner | None = None,
        known: set[int] | None = None,
    ) -> None:
        self.ws = ws
        self.source = source
        self.stats = BulkStats(observations=observations)
        if owner is None:
            owner = {
                (kind, value): (pk, contact_id)
                for pk, kind, value, contact_id in Identity.objects.for_workspace(ws)
                .filter(contact__status=ContactStatus.ACTIVE)
                .values_list("pk", "kind", "value", "contact_id")
                .iterator(chunk_size=20_000)
            }
        self.owner = owner
        if known is None:
            known = {cid for (kind, _), (_, cid) in owner.items() if kind != ANONYMOUS}
        self.groups = _Contacts(known)
        self.contact_ids = iter(reserve_ids(Contact, observations))
        self.identity_ids = iter(reserve_ids(Identity, claims))
        self.new_contacts: list[int] = []
        self.new_identities: list[tuple[int, int, str, str]] = []  # id, contact, kind, value
        self.merges: list[tuple[int, int, int]] = []  # winner, loser, observation index
        self.logged: list[list[int]] = []
        self.trusted: list[bool] = []
        self.merge_observations: list[int] = []

    def _target(self, claims: Sequence[Claim], trusted: bool) -> int:
        groups, index = self.groups, len(self.logged)
        roots: list[int] = []
        for claim in claims:
            hit = self.owner.get((claim.kind, claim.value))
            if hit is not None and (root := groups.find(hit[1])) not in roots:
                roots.append(root)
        knowns = [r for r in roots if r in groups.known]
        if not roots:
            target = next(self.contact_ids)
            self.new_contacts.append(target)
            return target
        if trusted or len(knowns) <= 1:
            target, losers = min(roots), [r for r in roots if r != min(roots)]
        else:
            target, losers = knowns[0], [r for r in roots if r not in groups.known]
            self.stats.suggestions += len(knowns) - 1
        for other in losers:
            groups.union(target, other)
            self.merges.append((target, other, index))
        return target

    def observe(self, claims: Sequence[Claim], trusted: bool) -> None:
        if len(claims) == 1 and (claims[0].kind, claims[0].value) in self.owner:
            return  # one identity already held: nothing to link, make or log
        target = self._target(claims, trusted)
        ids: list[int] = []
        for claim in claims:
            key = (claim.kind, claim.value)
            hit = self.owner.get(key)
            if hit is None:
                hit = (next(self.identity_ids), target)
                self.owner[key] = hit
                self.new_identities.append((hit[0], target, claim.kind, claim.value))
                if claim.kind != ANONYMOUS:
                    self.groups.known.add(target)
            ids.append(hit[0])
        # One identity links nothing, so unmerge never needs it (as in the importer);
        # a merge always comes from two or more and is logged at the index it took.
        if len(ids) > 1:
            self.logged.append(ids)
            self.trusted.append(trusted)

    def persist(self) -> None:
        ws, now = self.ws, timezone.now()
        self.stats.new_contacts = len(self.new_contacts)
        self.stats.new_identities = len(self.new_identities)
        self.stats.merges = len(self.merges)
        with transaction.atomic():
            insert_rows(
                Contact,
                ("id", "workspace", "full_name", "locale", "timezone", "city", "country",
                 "avatar_url", "tags", "custom", "lifecycle", "order_count", "status",
                 "created_at", "updated_at"),
                [[pk, ws, "", "", "", "", "", "", EMPTY_LIST, EMPTY_OBJECT, "prospect", 0,
                  "active", now, now] for pk in self.new_contacts],
            )  # fmt: skip
            insert_rows(
                Identity,
                ("id", "workspace", "contact", "kind", "value", "verified", "source",
                 "created_at"),
                # In (kind, value) order: the unique index then grows at a few places
                # instead of touching a random page for every row.
                [[pk, ws, contact, kind, value, False, self.source, now]
                 for pk, contact, kind, value in sorted(self.new_identities, key=_by_key)],
            )  # fmt: skip
            observation_ids = reserve_ids(Observation, len(self.logged))
            insert_rows(
                Observation,
                ("id", "workspace", "identity_ids", "trusted", "source", "created_at"),
                [[pk, ws, id_list(ids), trusted, self.source, now] for pk, ids, trusted
                 in zip(observation_ids, self.logged, self.trusted, strict=True)],
            )  # fmt: skip
            if self.merges:
                self._persist_merges(observation_ids)

    def _persist_merges(self, observation_ids: list[int]) -> None:
        ws, now, merges = self.ws, timezone.now(), self.merges
        self.merge_observations = [observation_ids[index] for _, _, index in merges]
        losers = {loser for _, loser, _ in merges}
        final = [(loser, self.groups.find(loser)) for loser in losers]
        quote = connection.ops.quote_name
        tables = [("contacts.identity", quote(str(Identity._meta.db_table)), quote("contact_id"))]
        tables += [
            (o.label, quote(str(o.model._meta.db_table)), quote(f"{o.contact_field}_id"))
            for o in owned_tables()
        ]
        with connection.cursor() as cursor:
            # Losers and their final winners in a scratch table: the rows they hold are
            # read with a join and moved with one UPDATE per table, instead of IN lists
            # of tens of thousands of ids or a statement per loser and table.
            cursor.execute(
                "CREATE TEMPORARY TABLE bulk_moves (loser bigint PRIMARY KEY, winner bigint)"
            )
            try:
                cursor.executemany("INSERT INTO bulk_moves VALUES (%s, %s)", final)
                # What each loser held when it was merged (in merge order).
                held: dict[str, dict[int, list[int]]] = {}
                for label, table, column in tables:
                    cursor.execute(
                        f"SELECT t.id, t.{column} FROM {table} t JOIN bulk_moves m "  # noqa: S608
                        f"ON m.loser = t.{column} WHERE t.workspace_id = %s ORDER BY t.id",
                        [ws],
                    )
                    by_contact: dict[int, list[int]] = defaultdict(list)
                    for pk, contact_id in cursor.fetchall():
                        by_contact[contact_id].append(pk)
                    held[label] = by_contact
                records = []
                for winner, loser, index in merges:
                    moved: dict[str, list[int]] = {"contacts.identity": []}
                    for label, by_contact in held.items():
                        rows = by_contact.pop(loser, [])
                        by_contact[winner].extend(rows)
                        if rows:
                            moved[label] = rows
                    records.append([ws, winner, loser, observation_ids[index],
                                    f"same person ({self.source})", f"source:{self.source}",
                                    moved, {}, now])  # fmt: skip
                insert_rows(
                    MergeRecord,
                    ("workspace", "winner", "loser", "observation", "reason", "actor_label",
                     "moved", "winner_before", "created_at"),
                    records,
                )  # fmt: skip
                for _, table, column in tables:
                    cursor.execute(
                        f"UPDATE {table} SET {column} = (SELECT winner FROM bulk_moves "  # noqa: S608
                        f"WHERE loser = {table}.{column}) WHERE workspace_id = %s "
                        f"AND {column} IN (SELECT loser FROM bulk_moves)",
                        [ws],
                    )
                contacts = quote(str(Contact._meta.db_table))
                cursor.execute(
                    f"UPDATE {contacts} SET status = 'merged', merged_into_id = "  # noqa: S608
                    f"(SELECT winner FROM bulk_moves WHERE loser = {contacts}.id) "
                    "WHERE workspace_id = %s AND id IN (SELECT loser FROM bulk_moves)",
                    [ws],
                )
            finally:
                cursor.execute("DROP TABLE bulk_moves")
