"""Starting and configuring CSV imports; the import itself runs in the background."""

from __future__ import annotations

from django.db import transaction

from rapport.core.actor import Actor
from rapport.core.audit import record
from rapport.core.errors import DomainError
from rapport.core.permissions import Perm

from ..models import ConflictPolicy, ContactImport, ImportStatus
from ..transfer.importer import FIELDS
from ..transfer.sniff import rows, sniff, suggest_mapping

MAX_UPLOAD = 50 * 1024 * 1024


def do_upload_import(actor: Actor, *, file_name: str, raw: bytes) -> ContactImport:
    actor.require(Perm.CONTACTS_MANAGE)
    if not raw.strip():
        raise DomainError("The file is empty.", field="file")
    if len(raw) > MAX_UPLOAD:
        raise DomainError("The file is larger than 50 MB; split it.", field="file")
    if b"\x00" in raw[:4096]:
        raise DomainError("This does not look like a CSV text file.", field="file")
    sniffed = sniff(raw)
    if len(sniffed.headers) < 1:
        raise DomainError("The file has no header row.", field="file")
    total = sum(1 for _ in rows(raw, sniffed))
    with transaction.atomic():
        job = ContactImport.objects.create(
            workspace=actor.workspace,
            file_name=file_name[:200] or "upload.csv",
            raw=raw,
            encoding=sniffed.encoding,
            delimiter=sniffed.delimiter,
            headers=sniffed.headers,
            mapping=suggest_mapping(sniffed.headers),
            region=actor.workspace.phone_region,
            total_rows=total,
            created_by=actor.membership,
        )
        record(actor, "contact.import_upload", job, object_type="import",
               after={"file": job.file_name, "rows": total})  # fmt: skip
    return job


def do_start_import(
    actor: Actor,
    job: ContactImport,
    *,
    mapping: dict[str, str],
    policy: dict[str, str],
    region: str = "",
) -> ContactImport:
    actor.require(Perm.CONTACTS_MANAGE)
    if job.status not in (ImportStatus.UPLOADED, ImportStatus.FAILED):
        raise DomainError("This import has started already.")
    unknown = {h for h in mapping if h not in job.headers}
    if unknown:
        raise DomainError(f"No such column: {', '.join(sorted(unknown))}", field="mapping")
    targets = [f for f in mapping.values() if f]
    bad = [f for f in targets if f not in FIELDS]
    if bad:
        raise DomainError(f"Unknown field(s): {', '.join(bad)}", field="mapping")
    if len(targets) != len(set(targets)):
        raise DomainError("Two columns are mapped to the same field.", field="mapping")
    if not {"email", "phone", "full_name", "first_name", "last_name"} & set(targets):
        raise DomainError("Map at least a name, an email or a phone column.", field="mapping")
    if any(p not in ConflictPolicy.values for p in policy.values()):
        raise DomainError("Unknown conflict policy.", field="policy")
    from ..tasks import import_contacts

    with transaction.atomic():
        job.mapping = {h: f for h, f in mapping.items() if f}
        job.policy = policy
        job.region = region.upper()[:2]
        job.status = ImportStatus.QUEUED
        job.save()
        record(actor, "contact.import_start", job, object_type="import",
               after={"mapping": job.mapping, "policy": job.policy})  # fmt: skip
        import_contacts.enqueue(import_id=job.pk, workspace_id=actor.workspace.pk,
                                actor_label=actor.label)  # fmt: skip
    return job
