"""Running a CSV import: rows are validated, resolved against the workspace's
identities and written in chunks (one transaction each, so progress shows and a
crash loses at most a chunk, which the idempotent re-run redoes).

Identity resolution in bulk: the identities of a whole chunk are looked up in one
query. A row whose identities belong to no contact creates one, a row whose
identities belong to one contact updates it under the conflict policy, and the
rare row that names identities of two different contacts goes through the full
``resolve`` (an upload by a signed-in member is a trusted source, so it merges).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Any

from django.db import transaction
from django.utils import timezone

from rapport.core.models import Workspace

from .. import lifecycle
from ..lifecycle import IDENTIFYING
from ..models import (
    ConflictPolicy,
    Contact,
    ContactImport,
    Identity,
    ImportStatus,
    Lifecycle,
    Observation,
)
from ..normalize import InvalidIdentity, normalise
from ..resolution import Claim, resolve
from ..tombstones import erased_claims
from .fast import gc_paused, insert_rows, refresh_statistics, reserve_ids, sqlite_cache
from .sniff import Sniffed, rows

CHUNK = 5_000
FIELDS = ("full_name", "first_name", "last_name", "email", "phone", "city", "country",
          "tags", "locale")  # fmt: skip
PROFILE = ("full_name", "city", "country", "locale")
IDENTITY_FIELDS = {"email": "email", "phone": "phone"}
# Columns written for a new contact: id, workspace, then attributes, then times.
CONTACT_COLUMNS = ("id", "workspace", "full_name", "locale", "timezone", "city", "country",
                   "avatar_url", "tags", "custom", "lifecycle", "order_count", "status",
                   "created_at", "updated_at")  # fmt: skip


class NewContact:
    """A contact this chunk creates, before it has a row: a plain object, because
    building a Django model instance per row costs more than inserting it."""

    __slots__ = ("city", "country", "custom", "full_name", "lifecycle", "locale", "pk",
                 "tags", "timezone")  # fmt: skip
    avatar_url = ""
    order_count = 0
    status = "active"

    def __init__(self, lifecycle: str) -> None:
        self.pk: int | None = None
        self.full_name = self.locale = self.timezone = self.city = self.country = ""
        self.tags: list[str] = []
        self.custom: dict[str, Any] = {}
        self.lifecycle = lifecycle


@dataclass
class Row:
    line: int
    profile: dict[str, str]
    tags: list[str]
    claims: list[Claim]


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    errors: list[list[Any]] = field(default_factory=list)


def parse_row(
    line: int, cells: list[str], headers: list[str], mapping: dict[str, str], region: str
) -> Row | list[list[Any]]:
    """A valid ``Row``, or the errors of this line as [line, column, reason]."""
    values: dict[str, tuple[str, str]] = {}
    for index, header in enumerate(headers):
        target = mapping.get(header)
        if target and index < len(cells) and cells[index].strip():
            values[target] = (header, cells[index].strip())
    errors: list[list[Any]] = []
    claims: list[Claim] = []
    for name, kind in IDENTITY_FIELDS.items():
        if name in values:
            column, raw = values[name]
            try:
                claims.append(Claim(kind, normalise(kind, raw, region)))
            except InvalidIdentity as exc:
                errors.append([line, column, exc.message])
    profile: dict[str, str] = {}
    name = values.get("full_name", ("", ""))[1]
    if not name:
        name = " ".join(values[k][1] for k in ("first_name", "last_name") if k in values)
    if len(name) > 200:
        errors.append([line, values.get("full_name", ("name", ""))[0], "name is too long"])
    elif name:
        profile["full_name"] = name
    if "country" in values:
        column, raw = values["country"]
        if len(raw) != 2 or not raw.isalpha():
            errors.append([line, column, f"'{raw}' is not a two-letter country code"])
        else:
            profile["country"] = raw.upper()
    for key, limit in (("city", 120), ("locale", 16)):
        if key in values:
            column, raw = values[key]
            if len(raw) > limit:
                errors.append([line, column, f"longer than {limit} characters"])
            else:
                profile[key] = raw
    tags = []
    if "tags" in values:
        tags = [t.strip().lower()[:40] for t in values["tags"][1].replace(";", ",").split(",")]
        tags = list(dict.fromkeys(t for t in tags if t))
    if errors:
        return errors
    if not claims and not profile.get("full_name"):
        return [[line, "", "the row has no name, email or phone"]]
    return Row(line=line, profile=profile, tags=tags, claims=claims)


def _apply(contact: Contact | NewContact, row: Row, policy: dict[str, str]) -> bool:
    changed = False
    for key, value in row.profile.items():
        rule = policy.get(key, ConflictPolicy.FILL)
        current = getattr(contact, key)
        if (rule == ConflictPolicy.OVERWRITE and current != value) or (
            rule == ConflictPolicy.FILL and not current
        ):
            setattr(contact, key, value)
            changed = True
    new_tags = [t for t in row.tags if t not in contact.tags]
    if new_tags and policy.get("tags", ConflictPolicy.FILL) != ConflictPolicy.KEEP:
        contact.tags = [*contact.tags, *new_tags]
        changed = True
    return changed


class ChunkWriter:
    """Resolves and writes one chunk of rows with a handful of queries."""

    def __init__(self, job: ContactImport, actor_label: str) -> None:
        self.job = job
        self.ws: Workspace = job.workspace
        self.actor_label = actor_label
        self.policy: dict[str, str] = dict(job.policy)

    def write(self, chunk: list[Row]) -> Outcome:
        out = Outcome()
        chunk = self._drop_erased(chunk, out)
        owner_of, existing = self._owners(chunk)
        # identities claimed by contacts of this chunk
        pending: dict[tuple[str, str], Contact | NewContact] = {}
        new_contacts: list[NewContact] = []
        new_identities: list[tuple[Contact | NewContact, Claim]] = []
        touched: dict[int, Contact] = {}
        identified: dict[int, Contact] = {}
        slow: list[Row] = []
        for row in chunk:
            holders: dict[int, Contact | NewContact] = {}
            for claim in row.claims:
                key = (claim.kind, claim.value)
                holder: Contact | NewContact
                if key in owner_of:
                    holder = existing[owner_of[key]]
                elif key in pending:
                    holder = pending[key]
                else:
                    continue
                holders[id(holder)] = holder
            if len(holders) > 1:
                slow.append(row)
                continue
            contact: Contact | NewContact
            if holders:
                contact = next(iter(holders.values()))
                if _apply(contact, row, self.policy) and isinstance(contact, Contact):
                    touched[contact.pk] = contact
                out.updated += 1
            else:
                contact = NewContact(
                    Lifecycle.LEAD
                    if any(c.kind in IDENTIFYING for c in row.claims) else Lifecycle.PROSPECT
                )  # fmt: skip
                _apply(contact, row, dict.fromkeys(PROFILE, ConflictPolicy.OVERWRITE))
                new_contacts.append(contact)
                out.created += 1
            for claim in row.claims:
                key = (claim.kind, claim.value)
                if key not in owner_of and key not in pending:
                    pending[key] = contact
                    new_identities.append((contact, claim))
                    if isinstance(contact, Contact):
                        touched[contact.pk] = contact
                        if claim.kind in IDENTIFYING:
                            identified[contact.pk] = contact
        self._flush(new_contacts, touched, new_identities)
        # Only a new email, phone or login can move a stage (a prospect becomes a lead);
        # a changed name or city cannot, so those contacts cost no queries here.
        policy = lifecycle.policy_for(self.ws.pk) if identified else None
        for contact in identified.values():
            lifecycle.recompute(contact, policy, identified=True)
        with transaction.atomic():
            for row in slow:
                result = resolve(self.ws, row.claims, trusted=True, source="import",
                                 actor_label=self.actor_label)  # fmt: skip
                if _apply(result.contact, row, self.policy):
                    result.contact.save()
                out.created += int(result.created)
                out.updated += int(not result.created)
        return out

    def _owners(self, chunk: list[Row]) -> tuple[dict[tuple[str, str], int], dict[int, Contact]]:
        """Who already holds the chunk's identities: two queries for the whole chunk."""
        keys = {(c.kind, c.value) for r in chunk for c in r.claims}
        owner_of = {
            (kind, value): contact_id
            for kind, value, contact_id in Identity.objects.for_workspace(self.ws)
            .filter(kind__in={k for k, _ in keys}, value__in={v for _, v in keys})
            .values_list("kind", "value", "contact_id")
        }
        existing = {
            c.pk: c
            for c in Contact.objects.for_workspace(self.ws).filter(pk__in=set(owner_of.values()))
        }
        return owner_of, existing

    def _drop_erased(self, chunk: list[Row], out: Outcome) -> list[Row]:
        erased = erased_claims(self.ws, [c for r in chunk for c in r.claims])
        if not erased:
            return chunk
        kept = []
        for row in chunk:
            if any((c.kind, c.value) in erased for c in row.claims):
                out.errors.append([row.line, "", "erased on request: not re-created"])
            else:
                kept.append(row)
        return kept

    def _flush(
        self,
        new_contacts: list[NewContact],
        touched: dict[int, Contact],
        new_identities: list[tuple[Contact | NewContact, Claim]],
    ) -> None:
        now = timezone.now()
        with transaction.atomic():
            for contact, pk in zip(
                new_contacts, reserve_ids(Contact, len(new_contacts)), strict=True
            ):
                contact.pk = pk
            insert_rows(
                Contact,
                CONTACT_COLUMNS,
                [[c.pk, self.ws.pk, *(getattr(c, f) for f in CONTACT_COLUMNS[2:-2]), now, now]
                 for c in new_contacts],
            )  # fmt: skip
            if touched:
                Contact.objects.for_workspace(self.ws).bulk_update(
                    list(touched.values()), [*PROFILE, "tags"], batch_size=500
                )
            insert_rows(
                Identity,
                ("workspace", "contact", "kind", "value", "verified", "source", "created_at"),
                [[self.ws.pk, contact.pk, claim.kind, claim.value, False, "import", now]
                 for contact, claim in new_identities],
            )  # fmt: skip
            # The observation log is what unmerge replays: one per contact whose
            # identities the file linked (a single identity links nothing).
            keys = {(c.kind, c.value) for _, c in new_identities}
            by_contact: dict[int, list[int]] = {}
            for pk, contact_id in (
                Identity.objects.for_workspace(self.ws)
                .filter(kind__in={k for k, _ in keys}, value__in={v for _, v in keys})
                .order_by("pk")
                .values_list("pk", "contact_id")
            ):
                by_contact.setdefault(contact_id, []).append(pk)
            insert_rows(
                Observation,
                ("workspace", "identity_ids", "trusted", "source", "created_at"),
                [[self.ws.pk, ids, True, "import", now]
                 for ids in by_contact.values() if len(ids) > 1],
            )  # fmt: skip


# Below this many rows a parsing process costs more to start than it saves.
PARALLEL_FROM = 5_000
RawRow = tuple[int, list[str] | str]


def parse_batch(
    batch: list[RawRow], headers: list[str], mapping: dict[str, str], region: str
) -> tuple[list[Row], list[list[Any]]]:
    """Parse and validate a batch of CSV rows: the good rows and every error."""
    good: list[Row] = []
    errors: list[list[Any]] = []
    for line, cells in batch:
        if isinstance(cells, str):
            errors.append([line, "", cells])
            continue
        parsed = parse_row(line, cells, headers, mapping, region)
        if isinstance(parsed, Row):
            good.append(parsed)
        else:
            errors.extend(parsed)
    return good, errors


def _batches(raw: bytes, sniffed: Sniffed) -> Iterator[list[RawRow]]:
    batch: list[RawRow] = []
    for item in rows(raw, sniffed):
        batch.append(item)
        if len(batch) >= CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _parsed(
    job: ContactImport, raw: bytes, sniffed: Sniffed
) -> Iterator[tuple[int, list[Row], list[list[Any]]]]:
    """(rows read, good rows, errors) per batch. Big files are parsed in a second
    process, one batch ahead, while this one writes: phone numbers and e-mail
    validation cost about as much as the writes, so the two cores share the work."""
    args = (sniffed.headers, job.mapping, job.region)
    if job.total_rows < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        for batch in _batches(raw, sniffed):
            yield (len(batch), *parse_batch(batch, *args))
        return
    # fork: the child only parses (no database), and starts in milliseconds.
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("fork")) as pool:
        ahead: deque[tuple[int, Future[tuple[list[Row], list[list[Any]]]]]] = deque()
        for batch in _batches(raw, sniffed):
            ahead.append((len(batch), pool.submit(parse_batch, batch, *args)))
            if len(ahead) > 2:
                size, future = ahead.popleft()
                yield (size, *future.result())
        while ahead:
            size, future = ahead.popleft()
            yield (size, *future.result())


def run_import(job: ContactImport, *, actor_label: str) -> ContactImport:
    """Import every row of ``job``. Running it again is safe for rows with an email
    or phone (they resolve to the contacts the first run made); a row with only a
    name has nothing to be recognised by and makes a new contact each time."""
    sniffed = Sniffed(job.encoding, job.delimiter, list(job.headers))
    raw = bytes(job.raw)
    ContactImport.objects.for_workspace(job.workspace_id).filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, processed_rows=0, created_count=0, updated_count=0,
        error_count=0, errors=[],
    )  # fmt: skip
    writer = ChunkWriter(job, actor_label)
    errors: list[list[Any]] = []
    created = updated = processed = 0
    with gc_paused(), sqlite_cache(mb=128):
        for batch, (size, good, bad) in enumerate(_parsed(job, raw, sniffed), start=1):
            processed += size
            if batch in (2, 5, 10):  # the tables grew: let the planner know
                refresh_statistics(Identity, Contact)
            errors.extend(bad)
            outcome = writer.write(good)
            created += outcome.created
            updated += outcome.updated
            errors.extend(outcome.errors)
            ContactImport.objects.for_workspace(job.workspace_id).filter(pk=job.pk).update(
                processed_rows=processed, created_count=created, updated_count=updated,
                error_count=len(errors),
            )  # fmt: skip
    job.refresh_from_db()
    job.status = ImportStatus.DONE
    job.errors = sorted(errors, key=lambda e: (e[0], str(e[1])))
    job.error_count = len(errors)
    job.processed_rows = processed
    job.total_rows = max(job.total_rows, processed)
    job.finished_at = timezone.now()
    job.save()
    return job
