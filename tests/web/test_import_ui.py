"""The import wizard end to end through the UI: upload, map, run, progress, report;
and the export button."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rapport.contacts.models import Contact, ContactImport
from rapport.jobs.worker import Worker
from tests.factories import World

CSV = (
    "Name;E-mail;Telefon\r\n"
    "Jürgen Köhler;juergen@example.de;0151 23456789\r\n"
    "Broken Row;not-an-email;\r\n"
    "=cmd|' /C calc'!A0;evil@example.com;\r\n"
).encode("cp1250")


def test_upload_map_run_and_download_the_report(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    client.force_login(world.members["marketer"].user)
    base = f"/w/{world.workspace.slug}/contacts/import/"
    response = client.post(f"{base}upload/", {"file": SimpleUploadedFile("leads.csv", CSV)})
    job = ContactImport.objects.for_workspace(world.workspace).get()
    assert response["Location"] == f"{base}{job.pk}/"
    preview = client.get(f"{base}{job.pk}/").content.decode()
    assert "Jürgen Köhler" in preview  # cp1250 read correctly
    assert "semicolon" in preview
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"{base}{job.pk}/start/",
            {"map:0": "full_name", "map:1": "email", "map:2": "phone", "region": "DE",
             "policy:city": "fill"},
        )  # fmt: skip
    progress = client.get(f"{base}{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "Queued" in progress
    assert 'hx-trigger="every 1s"' in progress  # keeps polling while it runs
    Worker(run_scheduler=False).run_one()
    done = client.get(f"{base}{job.pk}/").content.decode()
    assert "Done" in done
    assert "every 1s" not in done
    report = client.get(f"{base}{job.pk}/report.csv")
    assert report["Content-Type"].startswith("text/csv")
    assert "3,E-mail" in report.content.decode()
    juergen = Contact.objects.for_workspace(world.workspace).get(full_name="Jürgen Köhler")
    assert juergen.lifecycle == "lead"

    export = client.get(f"/w/{world.workspace.slug}/contacts/export.csv")
    text = b"".join(export.streaming_content).decode()  # type: ignore[attr-defined]
    assert "juergen@example.de" in text
    assert "\"'=cmd" in text or ",'=cmd" in text  # neutralised formula


def test_uploading_nothing_or_binary_shows_an_error(world: World) -> None:
    client = Client()
    client.force_login(world.members["agent"].user)
    base = f"/w/{world.workspace.slug}/contacts/import/"
    response = client.post(f"{base}upload/", {}, follow=True)
    assert "Choose a CSV file" in response.content.decode()
    response = client.post(
        f"{base}upload/", {"file": SimpleUploadedFile("x.png", b"\x89PNG\x00\x00")}, follow=True
    )
    assert "does not look like a CSV" in response.content.decode()
