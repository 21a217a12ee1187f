"""Contact data through the API: CSV import (two steps and one), export of the
filtered list, consent, and a person's rights of access and erasure."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rapport.api.contacts_data import ImportField
from rapport.contacts.actions.imports import do_upload_import
from rapport.contacts.actions.people import do_add_note, do_create_contact
from rapport.contacts.models import Contact, ContactImport, Identity, ImportStatus
from rapport.contacts.resolution import Claim
from rapport.contacts.transfer.importer import FIELDS
from rapport.core.actions.tokens import do_create_token
from rapport.jobs.worker import Worker
from tests.factories import World
from tests.test_role_matrix import _token_for

BASE = "/api/v1/contacts"

POLISH = (
    "Imię i nazwisko;E-mail;Telefon;Miasto;Kraj;Tagi\r\n"
    "Małgorzata Wiśniewska;MALGOSIA@example.pl;600 100 200;Łódź;PL;vip, newsletter\r\n"
    "Paweł Żółkiewski;pawel@example;601 200 300;Kraków;PL;\r\n"
    "Zbigniew Łęcki;zbyszek@example.pl;12;Gdańsk;Polska;\r\n"
    ";;;;;\r\n"
    "Anna Nowak;anna@example.pl;;Warszawa;PL;klientka\r\n"
    "MAŁGORZATA W.;malgosia@example.pl;;;;\r\n"
).encode("cp1250")


def post_json(client: Client, url: str, body: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def upload(client: Client, raw: bytes, name: str = "klienci.csv", **fields: str) -> Any:
    return client.post(f"{BASE}/imports", {"file": SimpleUploadedFile(name, raw), **fields})


def error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:400]
    body: dict[str, Any] = response.json()["error"]
    assert body["message"]
    return body


def csv_table(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # so Excel reads UTF-8
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def run_worker() -> None:
    assert Worker(run_scheduler=False).run_one() is not None


# -- imports ----------------------------------------------------------------------


def test_cp1250_semicolon_import_in_two_steps(
    api: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    uploaded = upload(api, POLISH)
    assert uploaded.status_code == 201, uploaded.content
    job = uploaded.json()
    assert (job["status"], job["encoding"], job["delimiter"]) == ("uploaded", "cp1250", ";")
    assert job["headers"][0] == "Imię i nazwisko"
    assert job["total_rows"] == 5  # the blank line is not a row
    assert job["mapping"] == {
        "Imię i nazwisko": "full_name",
        "E-mail": "email",
        "Telefon": "phone",
        "Miasto": "city",
        "Kraj": "country",
        "Tagi": "tags",
    }
    assert job["preview"][0] == {
        "line": 2,
        "cells": ["Małgorzata Wiśniewska", "MALGOSIA@example.pl", "600 100 200", "Łódź", "PL",
                  "vip, newsletter"],
        "error": None,
    }  # fmt: skip
    assert len(job["preview"]) == 5
    listed = api.get(f"{BASE}/imports").json()
    assert [j["id"] for j in listed["items"]] == [job["id"]]
    assert listed["items"][0]["preview"] is None
    assert Contact.objects.for_workspace(world.workspace).count() == 0  # waits for a start

    with django_capture_on_commit_callbacks(execute=True):
        started = post_json(api, f"{BASE}/imports/{job['id']}/start", {"region": "PL"})
    assert started.status_code == 202, started.content
    assert started.json()["status"] == "queued"
    assert started.json()["region"] == "PL"
    assert started.json()["policy"] == dict.fromkeys(
        ("full_name", "city", "country", "locale", "tags"), "fill"
    )
    run_worker()

    done = api.get(f"{BASE}/imports/{job['id']}").json()
    assert done["status"] == "done"
    assert (done["processed_rows"], done["percent"]) == (5, 100)
    assert (done["created_count"], done["updated_count"], done["error_count"]) == (2, 1, 3)
    assert done["finished_at"] is not None
    assert done["preview"] is None
    ws = world.workspace
    malgosia = Contact.objects.for_workspace(ws).get(full_name="Małgorzata Wiśniewska")
    assert (malgosia.city, malgosia.tags) == ("Łódź", ["vip", "newsletter"])
    phones = Identity.objects.for_workspace(ws).filter(contact=malgosia, kind="phone")
    assert [p.value for p in phones] == ["+48600100200"]  # read with the PL region
    # The last row repeats her email in capitals: the same person, not a new one.
    assert Contact.objects.for_workspace(ws).count() == 2

    table = csv_table(api.get(f"{BASE}/imports/{job['id']}/report"))
    assert table[0] == ["line", "column", "reason"]
    reasons = {(int(line), column): reason for line, column, reason in table[1:]}
    assert set(reasons) == {(3, "E-mail"), (4, "Telefon"), (4, "Kraj")}
    assert "not an email" in reasons[(3, "E-mail")]

    again = post_json(api, f"{BASE}/imports/{job['id']}/start", {})
    assert error(again, 409)["code"] == "conflict"


@pytest.mark.parametrize(
    ("fields", "expected_city"),
    [
        ({"conflict": "overwrite"}, "Kraków"),
        ({"conflict": "overwrite", "policy": '{"city": "keep"}'}, "Poznań"),
        ({}, "Poznań"),  # fill: only empty fields
    ],
)
def test_one_step_import_with_mapping_and_conflict_policy(
    api: Client,
    world: World,
    django_capture_on_commit_callbacks: Any,
    fields: dict[str, str],
    expected_city: str,
) -> None:
    do_create_contact(world.actor(), identities=[Claim("email", "ola@example.pl")],
                      full_name="Ola", city="Poznań")  # fmt: skip
    raw = b"who,mail,town,notes\nOla Nowak,OLA@example.pl,Krak\xc3\xb3w,skip me\n"
    mapping = json.dumps({"who": "full_name", "mail": "email", "town": "city", "notes": ""})
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(api, raw, name="ola.csv", mapping=mapping, **fields)
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    assert response.json()["mapping"] == {"who": "full_name", "mail": "email", "town": "city"}
    run_worker()
    ola = Contact.objects.for_workspace(world.workspace).get()
    assert ola.city == expected_city
    job = api.get(f"{BASE}/imports/{response.json()['id']}").json()
    assert (job["status"], job["created_count"], job["updated_count"]) == ("done", 0, 1)


def test_start_true_queues_with_the_suggested_mapping(
    api: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    raw = "Имя\tТелефон\tГород\nИван Петров\t+7 916 123-45-67\tМосква\n".encode("cp1251")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(api, raw, name="ru.csv", start="true")
    assert response.status_code == 202, response.content
    assert response.json()["encoding"] == "cp1251"
    run_worker()
    ivan = Contact.objects.for_workspace(world.workspace).get()
    assert (ivan.full_name, ivan.city) == ("Иван Петров", "Москва")


def test_bad_uploads_are_4xx_and_leave_nothing_behind(
    api: Client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = b"name,email\nAnn,ann@example.com\n"
    error(api.post(f"{BASE}/imports", {}), 422)  # no file
    assert error(upload(api, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), 400)["code"] == "invalid"
    late_nul = b"name\n" + b"a\n" * 5000 + b"\x00\n"
    assert "CSV" in error(upload(api, late_nul), 400)["message"]
    error(upload(api, b"  \n "), 400)
    body = error(upload(api, good, mapping="{not json"), 400)
    assert body["details"][0]["field"] == "mapping"
    body = error(upload(api, good, mapping='{"name": "shoe_size"}'), 422)
    assert "mapping" in body["details"][0]["field"]
    error(upload(api, good, mapping='["name"]'), 422)
    error(upload(api, good, conflict="sometimes"), 422)
    error(upload(api, good, policy='{"email": "keep"}'), 422)
    error(upload(api, good, region="POL"), 422)
    # A mapping the action refuses: the upload is rolled back with it.
    body = error(upload(api, good, mapping='{"nope": "email"}'), 400)
    assert "No such column" in body["message"]
    body = error(upload(api, good, mapping='{"name": "email", "email": "email"}'), 400)
    assert "same field" in body["message"]
    monkeypatch.setattr("rapport.contacts.actions.imports.MAX_UPLOAD", 1024)
    assert error(upload(api, good * 100), 413)["code"] == "payload_too_large"
    assert not ContactImport.objects.for_workspace(world.workspace).exists()


def test_bad_start_bodies_are_4xx(api: Client, world: World) -> None:
    job = do_upload_import(world.actor(), file_name="a.csv", raw=b"name,email\nA,a@example.com\n")
    url = f"{BASE}/imports/{job.pk}/start"
    error(post_json(api, url, {"mapping": {"name": "fax"}}), 422)
    error(post_json(api, url, {"conflict": "maybe"}), 422)
    error(post_json(api, url, {"policy": {"city": "nah"}}), 422)
    error(post_json(api, url, {"region": "Poland"}), 422)
    error(post_json(api, url, {"mapping": {"name": "city"}}), 400)  # no name/email/phone
    assert api.post(url, data="{oops", content_type="application/json").status_code == 400
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED
    error(post_json(api, f"{BASE}/imports/{job.pk + 1000}/start", {}), 404)
    error(api.get(f"{BASE}/imports/abc/report"), 422)


def test_another_workspaces_import_is_not_found(
    api: Client, world: World, other_world: World
) -> None:
    theirs = do_upload_import(
        other_world.actor(), file_name="secret.csv", raw=b"email\nsecret@globex.example\n"
    )
    for url in (f"{BASE}/imports/{theirs.pk}", f"{BASE}/imports/{theirs.pk}/report"):
        assert error(api.get(url), 404)["code"] == "not_found"
    error(post_json(api, f"{BASE}/imports/{theirs.pk}/start", {}), 404)
    assert api.get(f"{BASE}/imports").json()["items"] == []


def test_the_mapping_enum_is_the_importers_fields() -> None:
    assert [f.value for f in ImportField] == list(FIELDS)


# -- export -----------------------------------------------------------------------


def test_export_has_the_filtered_contacts_with_formulas_neutralised(
    api: Client, world: World, other_world: World
) -> None:
    actor = world.actor()
    do_create_contact(actor, full_name='=HYPERLINK("http://evil","x")', tags=["vip"],
                      identities=[Claim("email", "evil@example.com")], city="@SUM(A1)")  # fmt: skip
    do_create_contact(actor, full_name="Vera Vip", tags=["vip"],
                      identities=[Claim("phone", "+48600100200")])  # fmt: skip
    do_create_contact(actor, full_name="Plain Pete", identities=[Claim("email", "pete@x.com")])
    do_create_contact(other_world.actor(), full_name="Globex Vip", tags=["vip"])

    table = csv_table(api.get(f"{BASE}/export.csv?tag=vip"))
    header, rows = table[0], table[1:]
    assert header[:4] == ["id", "full_name", "lifecycle", "emails"]
    names = sorted(r[1] for r in rows)
    assert names == ['\'=HYPERLINK("http://evil","x")', "Vera Vip"]
    evil = next(r for r in rows if r[3] == "evil@example.com")
    assert evil[header.index("city")] == "'@SUM(A1)"
    vera = next(r for r in rows if r[1] == "Vera Vip")
    assert vera[header.index("phones")] == "'+48600100200"

    searched = csv_table(api.get(f"{BASE}/export.csv?search=pete@"))
    assert [r[1] for r in searched[1:]] == ["Plain Pete"]
    everyone = csv_table(api.get(f"{BASE}/export.csv"))
    assert len(everyone) == 4  # header + this workspace's three
    assert csv_table(api.get(f"{BASE}/export.csv?lifecycle=customer"))[1:] == []
    error(api.get(f"{BASE}/export.csv?lifecycle=royalty"), 422)
    error(api.get(f"{BASE}/export.csv?tag=" + "x" * 41), 422)


# -- consent ----------------------------------------------------------------------


def test_consent_round_trip_newest_decision_is_current(api: Client, world: World) -> None:
    contact = do_create_contact(world.actor(), full_name="Cora").contact
    url = f"{BASE}/{contact.pk}/consents"
    given = post_json(api, url, {
        "channel": "email", "purpose": "newsletter", "granted": True,
        "source": "footer form", "wording": "Send me the newsletter",
    })  # fmt: skip
    assert given.status_code == 201, given.content
    assert given.json()["current"] is True
    withdrawn = post_json(api, url, {"channel": "email", "purpose": "newsletter",
                                     "granted": False, "wording": "Unsubscribe"})  # fmt: skip
    assert withdrawn.json()["source"] == "api"
    post_json(api, url, {"channel": "sms", "purpose": "marketing", "granted": True,
                         "wording": "Texts about offers"})  # fmt: skip

    items = api.get(url).json()["items"]
    assert [(c["channel"], c["granted"], c["current"]) for c in items] == [
        ("sms", True, True),
        ("email", False, True),
        ("email", True, False),
    ]
    assert items[2]["wording"] == "Send me the newsletter"
    first = api.get(f"{url}?limit=2").json()
    assert len(first["items"]) == 2
    rest = api.get(f"{url}?limit=2&cursor={first['next_cursor']}").json()
    assert [c["id"] for c in rest["items"]] == [items[2]["id"]]

    base = {"channel": "email", "purpose": "newsletter", "granted": True, "wording": "x"}
    error(post_json(api, url, {**base, "channel": "pigeon"}), 422)
    error(post_json(api, url, {**base, "purpose": "spam"}), 422)
    error(post_json(api, url, {**base, "wording": ""}), 422)
    assert error(post_json(api, url, {**base, "wording": "   "}), 400)["code"] == "invalid"
    error(post_json(api, url, {**base, "granted": "perhaps"}), 422)
    assert len(api.get(url).json()["items"]) == 3


def test_a_read_only_token_cannot_record_consent(api: Client, world: World) -> None:
    contact = do_create_contact(world.actor(), full_name="Rita").contact
    read_only = do_create_token(world.actor(), name="ro", scopes=["contacts:read"]).secret
    client = Client(HTTP_AUTHORIZATION=f"Bearer {read_only}")
    url = f"{BASE}/{contact.pk}/consents"
    assert client.get(url).status_code == 200
    body = {"channel": "email", "purpose": "marketing", "granted": True, "wording": "Yes"}
    assert error(post_json(client, url, body), 403)["code"] == "forbidden"


# -- access and erasure -----------------------------------------------------------


def test_export_of_one_person_has_everything_about_them(api: Client, world: World) -> None:
    actor = world.actor()
    petra = [Claim("email", "petra@example.com")]
    person = do_create_contact(actor, full_name="Petra Privat", identities=petra).contact
    do_add_note(actor, person, body="Prefers calls after 5")
    consent = {"channel": "email", "purpose": "service", "granted": True, "wording": "OK"}
    assert post_json(api, f"{BASE}/{person.pk}/consents", consent).status_code == 201
    response = api.get(f"{BASE}/{person.pk}/export")
    assert response.status_code == 200
    data = response.json()
    assert data["contact"]["full_name"] == "Petra Privat"
    assert [i["value"] for i in data["identities"]] == ["petra@example.com"]
    notes = data["contacts.note"]
    assert [n["body"] for n in notes] == ["Prefers calls after 5"]
    assert data["contacts.consent"][0]["purpose"] == "service"
    audit = api.get("/api/v1/audit").json()["items"]
    assert any(e["action"] == "contact.export" for e in audit)


def test_erase_needs_confirmation_and_the_permission_then_the_person_is_gone(
    api: Client, world: World
) -> None:
    person = do_create_contact(world.actor(), full_name="Erin Erase",
                               identities=[Claim("email", "erin@example.com")]).contact  # fmt: skip
    url = f"{BASE}/{person.pk}/erase"
    error(post_json(api, url, {}), 422)
    error(post_json(api, url, {"confirm": "erase"}), 422)
    error(post_json(api, url, {"confirm": "ERASE", "also": 1}), 422)
    agent = Client(HTTP_AUTHORIZATION=f"Bearer {_token_for(world, 'agent')}")
    assert error(post_json(agent, url, {"confirm": "ERASE"}), 403)["code"] == "forbidden"
    assert Contact.objects.for_workspace(world.workspace).filter(pk=person.pk).exists()

    erased = post_json(api, url, {"confirm": "ERASE"})
    assert erased.status_code == 200, erased.content
    assert erased.json()["contact_id"] == person.pk
    assert not Contact.objects.for_workspace(world.workspace).filter(pk=person.pk).exists()
    assert not Identity.objects.for_workspace(world.workspace).filter(value="erin@example.com")
    # The same token still works: erasure scrubs the person, not the workspace's words.
    error(api.get(f"{BASE}/{person.pk}"), 404)
    assert error(post_json(api, url, {"confirm": "ERASE"}), 404)["code"] == "not_found"


def test_erasing_one_person_leaves_everyone_elses_data_alone(api: Client, world: World) -> None:
    actor = world.actor()
    other = do_create_contact(actor, full_name="Otto Other",
                              identities=[Claim("email", "otto@example.com")]).contact  # fmt: skip
    person = do_create_contact(actor, full_name="Erin Erase",
                               identities=[Claim("email", "erin@example.com")]).contact  # fmt: skip
    assert post_json(api, f"{BASE}/{person.pk}/erase", {"confirm": "ERASE"}).status_code == 200
    assert api.get(f"{BASE}/{other.pk}").status_code == 200
    summaries = [e["summary"] for e in api.get(f"{BASE}/{other.pk}/timeline").json()["items"]]
    assert all("[erased]" not in s for s in summaries), summaries


def test_another_workspaces_contact_is_not_found(
    api: Client, world: World, other_world: World
) -> None:
    theirs = do_create_contact(other_world.actor(), full_name="Gloria Globex").contact
    for url in (f"{BASE}/{theirs.pk}/consents", f"{BASE}/{theirs.pk}/export"):
        assert error(api.get(url), 404)["code"] == "not_found"
    consent = {"channel": "email", "purpose": "marketing", "granted": True, "wording": "Yes"}
    error(post_json(api, f"{BASE}/{theirs.pk}/consents", consent), 404)
    error(post_json(api, f"{BASE}/{theirs.pk}/erase", {"confirm": "ERASE"}), 404)
    assert Contact.objects.for_workspace(other_world.workspace).filter(pk=theirs.pk).exists()
