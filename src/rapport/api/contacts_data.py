"""Contact data in and out: CSV imports (upload, review the suggested mapping,
start, follow the progress, download the report of bad rows), CSV export of the
filtered list, consent with its evidence, and a person's rights of access and
erasure.

An import works in two steps, as in the UI: the upload reads the file (encoding,
delimiter, header row, a suggested mapping and a preview) and waits; ``start``
queues it with the mapping the caller confirms. Passing ``mapping`` or
``start=true`` with the upload does both at once.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from itertools import islice
from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import ValidationError

from rapport.contacts import queries
from rapport.contacts.actions import imports as import_actions
from rapport.contacts.actions.privacy import (
    current_consents,
    do_erase_contact,
    do_export_contact,
    do_record_consent,
)
from rapport.contacts.models import (
    Channel,
    ConflictPolicy,
    Consent,
    ContactImport,
    ImportStatus,
    Purpose,
)
from rapport.contacts.transfer.export import export_rows, import_report_csv
from rapport.contacts.transfer.sniff import Sniffed, rows
from rapport.core.errors import Conflict, DomainError
from rapport.core.pagination import MAX_LIMIT, paginate
from rapport.core.permissions import Perm

from .auth import actor_of
from .contacts import ContactFilters
from .guard import guarded
from .schemas import ERRORS, CursorPage, QueryIn, StrictIn

router = Router(tags=["contact data"])

PREVIEW_ROWS = 5


class ImportField(StrEnum):
    """What a CSV column can be read as (``rapport.contacts.transfer.importer.FIELDS``)."""

    FULL_NAME = "full_name"
    FIRST_NAME = "first_name"
    LAST_NAME = "last_name"
    EMAIL = "email"
    PHONE = "phone"
    CITY = "city"
    COUNTRY = "country"
    TAGS = "tags"
    LOCALE = "locale"


class PolicyField(StrEnum):
    """The contact fields an import may find already filled in."""

    FULL_NAME = "full_name"
    CITY = "city"
    COUNTRY = "country"
    LOCALE = "locale"
    TAGS = "tags"


def _guarded_file(perm: Perm, media_type: str, description: str) -> dict[str, Any]:
    """``guarded(perm)`` for an operation whose 200 is a file, not JSON."""
    spec = guarded(perm)
    spec["openapi_extra"] = {
        **spec["openapi_extra"],
        "responses": {
            200: {
                "description": description,
                "content": {media_type: {"schema": {"type": "string"}}},
            }
        },
    }
    return spec


# -- schemas ----------------------------------------------------------------------


class ImportSettingsIn(StrictIn):
    mapping: dict[str, ImportField | Literal[""]] | None = Field(
        default=None,
        max_length=500,
        description=(
            'column header -> field ("" skips the column); leave it out to use the '
            "mapping suggested from the headers"
        ),
    )
    conflict: ConflictPolicy = Field(
        default=ConflictPolicy.FILL,
        description="what to do with a field an existing contact already has",
    )
    policy: dict[PolicyField, ConflictPolicy] = Field(
        default_factory=dict, description="per-field exceptions to `conflict`"
    )
    region: str | None = Field(
        default=None,
        pattern=r"^([A-Za-z]{2})?$",
        description="country whose local phone numbers the file holds; default: the workspace's",
    )


class UploadForm(StrictIn):
    """The fields sent with the file (multipart/form-data)."""

    mapping: str = Field(
        default="",
        max_length=100_000,
        description='JSON object, column header -> field ("" skips the column)',
    )
    policy: str = Field(
        default="", max_length=10_000, description="JSON object, field -> conflict policy"
    )
    conflict: ConflictPolicy = Field(
        default=ConflictPolicy.FILL, description="what to do with a field a contact already has"
    )
    region: str = Field(
        default="", pattern=r"^([A-Za-z]{2})?$", description="country of local phone numbers"
    )
    start: bool = Field(default=False, description="queue it now with the suggested mapping")


class PreviewRow(Schema):
    line: int
    cells: list[str]
    error: str | None = None


class ImportOut(Schema):
    id: int
    file_name: str
    status: ImportStatus
    encoding: str
    delimiter: str
    headers: list[str]
    mapping: dict[str, str]
    policy: dict[str, str]
    region: str
    total_rows: int
    processed_rows: int
    percent: int
    created_count: int
    updated_count: int
    error_count: int
    failure: str
    created_at: datetime
    finished_at: datetime | None
    preview: list[PreviewRow] | None = Field(
        default=None, description="the first rows as read, while the import waits for a start"
    )

    @staticmethod
    def of(job: ContactImport, *, with_preview: bool = False) -> ImportOut:
        preview = None
        if with_preview and job.status == ImportStatus.UPLOADED:
            preview = _preview(job)
        return ImportOut(
            id=job.pk,
            file_name=job.file_name,
            status=ImportStatus(job.status),
            encoding=job.encoding,
            delimiter=job.delimiter,
            headers=list(job.headers),
            mapping=dict(job.mapping),
            policy=dict(job.policy),
            region=job.region,
            total_rows=job.total_rows,
            processed_rows=job.processed_rows,
            percent=job.percent,
            created_count=job.created_count,
            updated_count=job.updated_count,
            error_count=job.error_count,
            failure=job.failure,
            created_at=job.created_at,
            finished_at=job.finished_at,
            preview=preview,
        )


def _preview(job: ContactImport) -> list[PreviewRow]:
    sniffed = Sniffed(job.encoding, job.delimiter, list(job.headers))
    return [
        PreviewRow(line=line, cells=cells)
        if isinstance(cells, list)
        else PreviewRow(line=line, cells=[], error=cells)
        for line, cells in islice(rows(bytes(job.raw), sniffed), PREVIEW_ROWS)
    ]


class PageQuery(QueryIn):
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=MAX_LIMIT)


class ConsentIn(StrictIn):
    channel: Channel
    purpose: Purpose
    granted: bool
    source: str = Field(
        default="api", max_length=120, description="where the decision was taken (a form, a call)"
    )
    wording: str = Field(min_length=1, max_length=2000, description="what the person was shown")


class ConsentOut(Schema):
    id: int
    channel: Channel
    purpose: Purpose
    granted: bool
    source: str
    wording: str
    recorded_at: datetime
    current: bool = Field(description="the newest decision for its channel and purpose")

    @staticmethod
    def of(consent: Consent, *, current: bool) -> ConsentOut:
        return ConsentOut(
            id=consent.pk,
            channel=Channel(consent.channel),
            purpose=Purpose(consent.purpose),
            granted=consent.granted,
            source=consent.source,
            wording=consent.wording,
            recorded_at=consent.recorded_at,
            current=current,
        )


class Confirmation(StrEnum):
    ERASE = "ERASE"


class EraseIn(StrictIn):
    confirm: Confirmation = Field(description="type ERASE: erasure cannot be undone")


class EraseOut(Schema):
    contact_id: int
    redacted_columns: dict[str, int] = Field(
        description="where copies of the person's data were redacted: table.column -> rows"
    )


# -- imports ----------------------------------------------------------------------


def _json_field(name: str, text: str) -> Any:
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise DomainError(f"'{name}' is not valid JSON: {exc}", field=name) from exc


def _form_settings(form: UploadForm) -> ImportSettingsIn:
    """The multipart fields read as the JSON body of ``start`` is."""
    data: dict[str, Any] = {"conflict": form.conflict}
    for name, value in (("mapping", _json_field("mapping", form.mapping)),
                        ("policy", _json_field("policy", form.policy))):  # fmt: skip
        if value is not None:
            data[name] = value
    if form.region:
        data["region"] = form.region
    try:
        return ImportSettingsIn.model_validate(data)
    except ValidationError as exc:
        errors = [{**e, "loc": ("form", *e.get("loc", ()))} for e in exc.errors()]
        raise NinjaValidationError(errors) from exc


def _start(request: HttpRequest, job: ContactImport, settings: ImportSettingsIn) -> ContactImport:
    actor = actor_of(request)
    if job.status not in (ImportStatus.UPLOADED, ImportStatus.FAILED):
        raise Conflict("This import has started already.", field="status")
    if settings.mapping is None:
        mapping = dict(job.mapping)
    else:
        mapping = {header: str(target) for header, target in settings.mapping.items()}
    policy = {f.value: settings.policy.get(f, settings.conflict).value for f in PolicyField}
    region = job.region if settings.region is None else settings.region
    return import_actions.do_start_import(actor, job, mapping=mapping, policy=policy, region=region)


def _clean_name(name: str) -> str:
    # PostgreSQL stores no NUL characters; a file name is only a label.
    return "".join(ch for ch in name if ch.isprintable())[:200]


@router.post(
    "/contacts/imports",
    response={201: ImportOut, 202: ImportOut, **ERRORS},
    summary="Upload a CSV; with `mapping` or `start=true` it is queued at once",
    description=(
        "The file is read as UTF-8 (with or without BOM), cp1250 or cp1251, separated by "
        "commas, semicolons or tabs, with a header row. Without `mapping` or `start` the "
        "import waits (201) with a suggested mapping and a preview for "
        "`POST /contacts/imports/{id}/start`; otherwise it is queued (202). `mapping` and "
        "`policy` are JSON objects, as in the body of `start`."
    ),
    **guarded(Perm.CONTACTS_MANAGE),
)
def upload_import(
    request: HttpRequest, file: File[UploadedFile], form: Form[UploadForm]
) -> Status[ImportOut]:
    actor = actor_of(request)
    if file.size is not None and file.size > import_actions.MAX_UPLOAD:
        raise HttpError(413, "The file is larger than 50 MB; split it.")
    settings = _form_settings(form)
    raw = file.read()
    if b"\x00" in raw:
        raise DomainError("This does not look like a CSV text file.", field="file")
    with transaction.atomic():
        job = import_actions.do_upload_import(
            actor, file_name=_clean_name(file.name or ""), raw=raw
        )
        if settings.mapping is None and not form.start:
            return Status(201, ImportOut.of(job, with_preview=True))
        job = _start(request, job, settings)
    return Status(202, ImportOut.of(job))


@router.get(
    "/contacts/imports",
    response={200: CursorPage[ImportOut], **ERRORS},
    summary="Imports, newest first",
    **guarded(Perm.CONTACTS_VIEW),
)
def list_imports(request: HttpRequest, q: Query[PageQuery]) -> CursorPage[ImportOut]:
    page = paginate(
        queries.list_imports(actor_of(request)),
        key="id",
        descending=True,
        cursor=q.cursor,
        limit=q.limit,
    )
    return CursorPage[ImportOut](
        items=[ImportOut.of(job) for job in page.items], next_cursor=page.next_cursor
    )


@router.get(
    "/contacts/imports/{import_id}",
    response={200: ImportOut, **ERRORS},
    summary="An import: its status, progress and counts (and a preview before it starts)",
    **guarded(Perm.CONTACTS_VIEW),
)
def get_import(request: HttpRequest, import_id: int) -> ImportOut:
    job = queries.access_import(actor_of(request), import_id)
    return ImportOut.of(job, with_preview=True)


@router.post(
    "/contacts/imports/{import_id}/start",
    response={202: ImportOut, **ERRORS},
    summary="Queue an uploaded (or failed) import with the mapping and conflict policy",
    **guarded(Perm.CONTACTS_MANAGE),
)
def start_import(request: HttpRequest, import_id: int, body: ImportSettingsIn) -> Status[ImportOut]:
    job = queries.access_import(actor_of(request), import_id)
    return Status(202, ImportOut.of(_start(request, job, body)))


@router.get(
    "/contacts/imports/{import_id}/report",
    summary="The rows an import could not take, as CSV: line, column, reason",
    response=ERRORS,
    **_guarded_file(Perm.CONTACTS_VIEW, "text/csv", "line,column,reason per refused value"),
)
def import_report(request: HttpRequest, import_id: int) -> HttpResponse:
    job = queries.access_import(actor_of(request), import_id)
    response = HttpResponse(import_report_csv(job.errors), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-report.csv"'
    return response


# -- export -----------------------------------------------------------------------


@router.get(
    "/contacts/export.csv",
    summary="The contacts matching the list filters, as CSV safe to open in a spreadsheet",
    response=ERRORS,
    **_guarded_file(Perm.CONTACTS_VIEW, "text/csv", "one contact per row, UTF-8 with BOM"),
)
def export_contacts(request: HttpRequest, q: Query[ContactFilters]) -> HttpResponse:
    contacts = queries.list_contacts(actor_of(request), **q.as_kwargs())
    # Built whole rather than streamed as the UI does: every API response has a body
    # the cross-workspace test (tests/test_isolation.py) can read for leaks.
    body = "".join(export_rows(contacts))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="contacts.csv"'
    return response


# -- consent ----------------------------------------------------------------------


@router.get(
    "/contacts/{contact_id}/consents",
    response={200: CursorPage[ConsentOut], **ERRORS},
    summary="Consent decisions, newest first; `current` marks the one that applies",
    **guarded(Perm.CONTACTS_VIEW),
)
def list_consents(
    request: HttpRequest, contact_id: int, q: Query[PageQuery]
) -> CursorPage[ConsentOut]:
    actor = actor_of(request)
    contact = queries.access_contact(actor, contact_id)
    current = {c.pk for c in current_consents(contact).values()}
    page = paginate(
        Consent.objects.for_workspace(actor.workspace).filter(contact=contact),
        key="recorded_at",
        descending=True,
        cursor=q.cursor,
        limit=q.limit,
    )
    return CursorPage[ConsentOut](
        items=[ConsentOut.of(c, current=c.pk in current) for c in page.items],
        next_cursor=page.next_cursor,
    )


@router.post(
    "/contacts/{contact_id}/consents",
    response={201: ConsentOut, **ERRORS},
    summary="Record a consent decision with the wording the person was shown",
    **guarded(Perm.CONTACTS_MANAGE),
)
def record_consent(request: HttpRequest, contact_id: int, body: ConsentIn) -> Status[ConsentOut]:
    actor = actor_of(request)
    contact = queries.access_contact(actor, contact_id)
    consent = do_record_consent(
        actor,
        contact,
        channel=body.channel.value,
        purpose=body.purpose.value,
        granted=body.granted,
        source=body.source,
        wording=body.wording,
    )
    return Status(201, ConsentOut.of(consent, current=True))


# -- rights of access and erasure -------------------------------------------------


@router.get(
    "/contacts/{contact_id}/export",
    response={200: dict[str, Any], **ERRORS},
    summary="Everything held about one person (right of access), as JSON",
    **guarded(Perm.CONTACTS_VIEW),
)
def export_person(request: HttpRequest, contact_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    return do_export_contact(actor, queries.access_contact(actor, contact_id))


@router.post(
    "/contacts/{contact_id}/erase",
    response={200: EraseOut, **ERRORS},
    summary="Erase a person (right to erasure); cannot be undone",
    description=(
        "Deletes the contact and everything that is theirs, redacts copies of their "
        "identities and name elsewhere and keeps keyed hashes so they are not silently "
        'created again. The body must be `{"confirm": "ERASE"}`.'
    ),
    **guarded(Perm.CONTACTS_ERASE),
)
def erase_person(request: HttpRequest, contact_id: int, body: EraseIn) -> EraseOut:
    actor = actor_of(request)
    contact = queries.access_contact(actor, contact_id)
    redacted = do_erase_contact(actor, contact)
    return EraseOut(contact_id=contact_id, redacted_columns=redacted)
