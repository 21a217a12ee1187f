"""CSV import (encodings, delimiters, validation report, conflict policy, dedupe
through identity resolution) and export (safe against spreadsheet formulas)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from rapport.contacts.actions.imports import do_start_import, do_upload_import
from rapport.contacts.actions.people import do_create_contact
from rapport.contacts.models import Contact, ContactImport, Identity, ImportStatus
from rapport.contacts.resolution import Claim
from rapport.contacts.transfer.export import export_rows, safe_cell
from rapport.contacts.transfer.importer import run_import
from rapport.contacts.transfer.sniff import detect_encoding, sniff, suggest_mapping
from rapport.core.errors import DomainError
from rapport.jobs.worker import Worker
from tests.factories import World

POLISH = (
    "Imię i nazwisko;E-mail;Telefon;Miasto;Kraj;Tagi\r\n"
    "Małgorzata Wiśniewska;MALGOSIA@example.pl;600 100 200;Łódź;PL;vip, newsletter\r\n"
    "Paweł Żółkiewski;pawel@example;601 200 300;Kraków;PL;\r\n"
    "Zbigniew Łęcki;zbyszek@example.pl;12;Gdańsk;Polska;\r\n"
    ";;;;;\r\n"
    '"Grzegorz ""Grześ"" Brzęczyszczykiewicz";grzes@example.pl;602 300 400;'
    "Chrząszczyżewoszyce;PL;\r\n"
    "Anna Nowak;anna@example.pl;;Warszawa;PL;klientka\r\n"
    "MAŁGORZATA W.;malgosia@example.pl;;;;\r\n"
)


def upload(world: World, text: str, encoding: str = "cp1250") -> ContactImport:
    return do_upload_import(
        world.actor("agent"), file_name="klienci.csv", raw=text.encode(encoding)
    )


def test_sniffing_encodings_and_delimiters() -> None:
    assert detect_encoding("a,b\n".encode("utf-8-sig")) == "utf-8-sig"
    assert detect_encoding("Zażółć gęślą jaźń;x".encode()) == "utf-8"
    assert detect_encoding("Zażółć gęślą jaźń;Łódź;Kraków".encode("cp1250")) == "cp1250"
    assert detect_encoding("Иван Петров;Москва;Санкт-Петербург".encode("cp1251")) == "cp1251"
    assert sniff(b"name\temail\nA\ta@x.com\n").delimiter == "\t"
    assert sniff(b"name,email\nA,a@x.com\n").delimiter == ","
    sniffed = sniff(POLISH.encode("cp1250"))
    assert (sniffed.encoding, sniffed.delimiter) == ("cp1250", ";")
    assert suggest_mapping(sniffed.headers) == {
        "Imię i nazwisko": "full_name",
        "E-mail": "email",
        "Telefon": "phone",
        "Miasto": "city",
        "Kraj": "country",
        "Tagi": "tags",
    }
    assert suggest_mapping(["Имя", "Телефон", "Voornaam", "Nachname"]) == {
        "Имя": "full_name",
        "Телефон": "phone",
        "Voornaam": "first_name",
        "Nachname": "last_name",
    }


def test_cp1250_with_broken_rows_imports_the_good_ones_and_reports_the_rest(
    world: World,
) -> None:
    job = upload(world, POLISH)
    assert job.total_rows == 6  # the blank line is not a row
    do_start_import(
        world.actor("agent"), job, mapping=job.mapping, policy={}, region="PL"
    )  # queued: run it as the worker would
    done = run_import(ContactImport.objects.for_workspace(world.workspace).get(pk=job.pk),
                      actor_label="test")  # fmt: skip
    assert done.status == ImportStatus.DONE
    reasons = {(line, column): reason for line, column, reason in done.errors}
    assert set(reasons) == {(3, "E-mail"), (4, "Telefon"), (4, "Kraj")}
    assert "not an email" in reasons[(3, "E-mail")]
    assert "two-letter" in reasons[(4, "Kraj")]
    ws = world.workspace
    malgosia = Contact.objects.for_workspace(ws).get(full_name="Małgorzata Wiśniewska")
    assert malgosia.city == "Łódź"
    assert malgosia.tags == ["vip", "newsletter"]
    phones = Identity.objects.for_workspace(ws).filter(contact=malgosia, kind="phone")
    assert [p.value for p in phones] == ["+48600100200"]
    # The last row repeats her email in capitals: the same person, not a new one.
    assert Contact.objects.for_workspace(ws).count() == 3
    assert done.created_count == 3
    assert done.updated_count == 1
    grzes = Contact.objects.for_workspace(ws).get(city="Chrząszczyżewoszyce")
    assert grzes.full_name == 'Grzegorz "Grześ" Brzęczyszczykiewicz'
    assert grzes.lifecycle == "lead"


@pytest.mark.parametrize(
    ("policy", "expected_city"), [("keep", "Poznań"), ("overwrite", "Łódź"), ("fill", "Poznań")]
)
def test_conflict_policy_per_field(world: World, policy: str, expected_city: str) -> None:
    existing = do_create_contact(
        world.actor("agent"), identities=[Claim("email", "malgosia@example.pl")], city="Poznań"
    ).contact
    job = upload(world, POLISH)
    do_start_import(world.actor("agent"), job, mapping=job.mapping, policy={"city": policy},
                    region="PL")  # fmt: skip
    run_import(job, actor_label="test")
    existing.refresh_from_db()
    assert existing.city == expected_city
    assert existing.full_name == "Małgorzata Wiśniewska"  # name was empty: filled


def test_running_an_import_twice_creates_nobody_new(world: World) -> None:
    job = upload(world, POLISH)
    do_start_import(world.actor("agent"), job, mapping=job.mapping, policy={}, region="PL")
    run_import(job, actor_label="test")
    count = Contact.objects.for_workspace(world.workspace).count()
    again = run_import(job, actor_label="test")
    assert Contact.objects.for_workspace(world.workspace).count() == count
    assert again.created_count == 0


def test_the_worker_runs_a_queued_import_with_russian_tab_separated_rows(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    text = "Имя\tТелефон\tГород\nИван Петров\t+7 916 123-45-67\tМосква\n"
    job = upload(world, text, encoding="cp1251")
    assert (job.encoding, job.delimiter) == ("cp1251", "\t")
    with django_capture_on_commit_callbacks(execute=True):
        do_start_import(world.actor("agent"), job, mapping=job.mapping, policy={})
    assert Worker(run_scheduler=False).run_one() is not None
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    ivan = Contact.objects.for_workspace(world.workspace).get()
    assert (ivan.full_name, ivan.city) == ("Иван Петров", "Москва")


def test_bad_uploads_and_mappings_are_refused(world: World) -> None:
    actor = world.actor("agent")
    with pytest.raises(DomainError):
        do_upload_import(actor, file_name="x.csv", raw=b"   ")
    with pytest.raises(DomainError):
        do_upload_import(actor, file_name="x.png", raw=b"\x89PNG\x00\x00\x00")
    job = upload(world, POLISH)
    with pytest.raises(DomainError, match="same field"):
        do_start_import(actor, job, mapping={"E-mail": "email", "Tagi": "email"}, policy={})
    with pytest.raises(DomainError, match="No such column"):
        do_start_import(actor, job, mapping={"Nope": "email"}, policy={})
    with pytest.raises(DomainError, match="at least"):
        do_start_import(actor, job, mapping={"Miasto": "city"}, policy={})


def test_export_is_safe_against_spreadsheet_formulas(world: World) -> None:
    actor = world.actor("agent")
    do_create_contact(actor, full_name="=HYPERLINK(\"http://evil\",\"x\")",
                      identities=[Claim("email", "evil@example.com")], city="@SUM(A1)")  # fmt: skip
    do_create_contact(actor, full_name="Ann", tags=["-vip"])
    text = "".join(export_rows(Contact.objects.for_workspace(world.workspace)))
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert table[0][:3] == ["id", "full_name", "lifecycle"]
    evil = next(r for r in table[1:] if "evil@example.com" in r[3])
    assert evil[1].startswith("'=")
    assert evil[6] == "'@SUM(A1)"
    assert safe_cell("+1 600") == "'+1 600"
    assert safe_cell("Anna") == "Anna"


def _big_csv(rows: int) -> str:
    lines = ["Name;Email;Phone"]
    for n in range(rows):
        if n % 500 == 7:
            lines.append(f"Broken {n};not-an-email-{n};")
        else:
            lines.append(f"Person {n};person{n}@example.com;+48 600 {n:06d}")
    return "\n".join(lines) + "\n"


def test_big_files_parse_in_a_second_process_with_the_same_result(
    world: World, other_world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rapport.contacts.transfer import importer

    rows = 6_000
    assert rows >= importer.PARALLEL_FROM  # this file takes the two-process path
    results = []
    for ws_world in (world, other_world):
        if ws_world is other_world:  # the same file, parsed in this process only
            monkeypatch.setattr(importer, "PARALLEL_FROM", 10**9)
        job = upload(ws_world, _big_csv(rows))
        do_start_import(ws_world.actor("agent"), job, mapping=job.mapping, policy={},
                        region="PL")  # fmt: skip
        done = run_import(job, actor_label="test")
        emails = set(
            Identity.objects.for_workspace(ws_world.workspace)
            .filter(kind="email")
            .values_list("value", flat=True)
        )
        results.append((done.processed_rows, done.created_count, done.errors, emails))
    assert results[0] == results[1]
    processed, created, errors, emails = results[0]
    assert processed == rows
    assert created == rows - 12
    assert [e[0] for e in errors] == [n + 2 for n in range(rows) if n % 500 == 7]
    assert "person5999@example.com" in emails


def test_bulk_insert_keeps_awkward_text_exactly(world: World) -> None:
    """The fast insert path (COPY text format on PostgreSQL, executemany on SQLite)
    must not mangle tabs, newlines, backslashes or quotes."""
    from django.utils import timezone

    from rapport.contacts.transfer.fast import insert_rows, reserve_ids

    awkward = 'Tab\there\nnew "line" \\N back\\slash \r end'
    now = timezone.now()
    (pk,) = reserve_ids(Contact, 1)
    insert_rows(
        Contact,
        ("id", "workspace", "full_name", "locale", "timezone", "city", "country",
         "avatar_url", "tags", "custom", "lifecycle", "order_count", "status",
         "created_at", "updated_at"),
        [[pk, world.workspace.pk, awkward, "", "", "", "", "", [awkward], {"k": awkward},
          "prospect", 0, "active", now, now]],
    )  # fmt: skip
    stored = Contact.objects.for_workspace(world.workspace).get(pk=pk)
    assert stored.full_name == awkward
    assert stored.tags == [awkward]
    assert stored.custom == {"k": awkward}
    assert abs((stored.created_at - now).total_seconds()) < 0.001
