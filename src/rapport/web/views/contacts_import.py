"""The import wizard (upload → map columns with a preview → progress → report)
and the CSV export of the filtered list."""

from __future__ import annotations

from itertools import islice

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from rapport.contacts import queries
from rapport.contacts.actions.imports import do_start_import, do_upload_import
from rapport.contacts.models import ConflictPolicy, ContactImport, ImportStatus
from rapport.contacts.transfer.export import export_rows, import_report_csv
from rapport.contacts.transfer.importer import FIELDS
from rapport.contacts.transfer.sniff import Sniffed, rows
from rapport.core.actor import Actor
from rapport.core.errors import DomainError
from rapport.core.permissions import Perm
from rapport.web.decorators import workspace_view
from rapport.web.views.contacts_list import list_filters

FIELD_LABELS = {
    "full_name": "Name",
    "first_name": "First name",
    "last_name": "Last name",
    "email": "Email",
    "phone": "Phone",
    "city": "City",
    "country": "Country (ISO code)",
    "tags": "Tags",
    "locale": "Language",
}
POLICY_FIELDS = ("full_name", "city", "country", "locale", "tags")


@workspace_view(Perm.CONTACTS_VIEW)
def imports(request: HttpRequest, actor: Actor) -> HttpResponse:
    return render(
        request,
        "web/contacts/imports.html",
        {
            "section": "contacts",
            "imports": queries.list_imports(actor)[:20],
            "can_manage": actor.can(Perm.CONTACTS_MANAGE),
        },
    )


@require_POST
@workspace_view(Perm.CONTACTS_MANAGE)
def import_upload(request: HttpRequest, actor: Actor) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Choose a CSV file to upload.")
        return redirect("contact_imports", slug=actor.workspace.slug)
    try:
        job = do_upload_import(actor, file_name=upload.name or "", raw=upload.read())
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("contact_imports", slug=actor.workspace.slug)
    return redirect("contact_import", slug=actor.workspace.slug, import_id=job.pk)


def _preview(job: ContactImport) -> list[list[str]]:
    sniffed = Sniffed(job.encoding, job.delimiter, list(job.headers))
    return [
        cells if isinstance(cells, list) else [f"line {line}: {cells}"]
        for line, cells in islice(rows(bytes(job.raw), sniffed), 5)
    ]


@workspace_view(Perm.CONTACTS_VIEW)
def import_detail(request: HttpRequest, actor: Actor, import_id: int) -> HttpResponse:
    job = queries.access_import(actor, import_id)
    context = {
        "section": "contacts",
        "job": job,
        "running": job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING),
        "can_manage": actor.can(Perm.CONTACTS_MANAGE),
    }
    if request.headers.get("HX-Request"):
        return render(request, "web/contacts/_import_progress.html", context)
    if job.status == ImportStatus.UPLOADED:
        context.update(
            preview=_preview(job),
            columns=[(h, job.mapping.get(h, "")) for h in job.headers],
            fields=[(f, FIELD_LABELS[f]) for f in FIELDS],
            policy_fields=[(f, FIELD_LABELS[f]) for f in POLICY_FIELDS],
            policies=ConflictPolicy.choices,
            delimiter_name={",": "comma", ";": "semicolon", "\t": "tab"}.get(job.delimiter),
        )
    return render(request, "web/contacts/import.html", context)


@require_POST
@workspace_view(Perm.CONTACTS_MANAGE)
def import_start(request: HttpRequest, actor: Actor, import_id: int) -> HttpResponse:
    job = queries.access_import(actor, import_id)
    mapping = {h: request.POST.get(f"map:{n}", "") for n, h in enumerate(job.headers)}
    policy = {f: request.POST.get(f"policy:{f}", ConflictPolicy.FILL) for f in POLICY_FIELDS}
    try:
        do_start_import(
            actor, job, mapping=mapping, policy=policy, region=request.POST.get("region", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("contact_import", slug=actor.workspace.slug, import_id=job.pk)


@workspace_view(Perm.CONTACTS_VIEW)
def import_report(request: HttpRequest, actor: Actor, import_id: int) -> HttpResponse:
    job = queries.access_import(actor, import_id)
    response = HttpResponse(import_report_csv(job.errors), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-report.csv"'
    return response


@workspace_view(Perm.CONTACTS_VIEW)
def export(request: HttpRequest, actor: Actor) -> HttpResponseBase:
    try:
        contacts = queries.list_contacts(actor, **list_filters(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("contacts", slug=actor.workspace.slug)
    response = StreamingHttpResponse(export_rows(contacts), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="contacts.csv"'
    return response
