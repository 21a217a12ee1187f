"""CSV export of a filtered contact list, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet

from ..models import Contact, Identity

COLUMNS = ("id", "full_name", "lifecycle", "emails", "phones", "handles", "city", "country",
           "tags", "created_at")  # fmt: skip
# A cell starting with one of these is a formula to Excel, LibreOffice and Sheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "|", "%")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def import_report_csv(errors: Iterable[list[object]]) -> str:
    """An import's refused values as CSV (line, column, reason), with a BOM so
    spreadsheets read the accents right, and every cell formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["line", "column", "reason"])
    for line, column, reason in errors:
        writer.writerow([line, safe_cell(column), safe_cell(reason)])
    return "\ufeff" + out.getvalue()


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_rows(contacts: QuerySet[Contact], batch: int = 2_000) -> Iterator[str]:
    """CSV lines, streamed: a big list never sits in memory at once."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(COLUMNS)  # BOM, so Excel reads UTF-8
    last = 0
    base = contacts.order_by("pk")
    while True:
        page = list(base.filter(pk__gt=last)[:batch])
        if not page:
            return
        idents: dict[int, list[Identity]] = {}
        for identity in Identity.objects.for_workspace(page[0].workspace_id).filter(
            contact_id__in=[c.pk for c in page]
        ):
            idents.setdefault(identity.contact_id, []).append(identity)
        for contact in page:
            cells = _line(contact, idents.get(contact.pk, []))
            yield writer.writerow([safe_cell(v) for v in cells])
        last = page[-1].pk


def _line(contact: Contact, identities: Iterable[Identity]) -> list[object]:
    ids = list(identities)
    return [
        contact.pk,
        contact.full_name,
        contact.lifecycle,
        " ".join(i.value for i in ids if i.kind == "email"),
        " ".join(i.value for i in ids if i.kind == "phone"),
        " ".join(f"{i.kind}:{i.value}" for i in ids if i.kind not in {"email", "phone"}),
        contact.city,
        contact.country,
        ",".join(contact.tags),
        contact.created_at.isoformat(),
    ]
