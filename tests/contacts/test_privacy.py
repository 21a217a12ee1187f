"""Consent, export, erasure that leaves no trace, tombstones, retention."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, models
from django.utils import timezone

from rapport.contacts.actions.imports import do_start_import, do_upload_import
from rapport.contacts.actions.merges import do_merge_contacts
from rapport.contacts.actions.people import (
    do_add_note,
    do_add_task,
    do_create_contact,
    do_update_contact,
)
from rapport.contacts.actions.privacy import (
    current_consents,
    do_erase_contact,
    do_export_contact,
    do_record_consent,
    do_set_retention,
)
from rapport.contacts.facade import observe, record_timeline
from rapport.contacts.models import Contact, ContactImport, ErasedIdentity
from rapport.contacts.resolution import Claim
from rapport.contacts.tasks import apply_retention
from rapport.contacts.tombstones import ErasedPerson
from rapport.contacts.transfer.importer import run_import
from rapport.core.permissions import Forbidden
from rapport.jobs.models import Job
from tests.factories import World

MARKER = "zyxmarker"
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.BinaryField)


def tables_containing(text: str) -> list[str]:
    """Every text-like column of every table in the database, searched with SQL."""
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if not isinstance(field, TEXT_FIELDS):
                    continue
                column = quote(str(field.column))
                expr = f"CAST({column} AS TEXT)"
                if isinstance(field, models.BinaryField) and connection.vendor == "postgresql":
                    expr = f"encode({column}, 'escape')"
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(model._meta.db_table)} "  # noqa: S608
                    f"WHERE LOWER({expr}) LIKE %s",
                    [f"%{text}%"],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{model._meta.db_table}.{field.column}")
    return found


def test_erasure_leaves_no_trace_of_the_person_anywhere(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    actor = world.actor("admin")
    email = f"{MARKER}@example.com"
    person = do_create_contact(
        actor,
        full_name=f"Anna {MARKER.title()}",
        identities=[Claim("email", email), Claim("x", f"{MARKER}_x")],
        city="Łódź",
    ).contact
    twin = do_create_contact(actor, identities=[Claim("phone", "+48600100200")]).contact
    do_merge_contacts(actor, person, twin)  # the merged-away contact goes too
    do_add_note(actor, person, body=f"Called {MARKER}, wants oat milk")
    do_add_task(actor, person, title=f"Send {MARKER} a sample")
    do_update_contact(actor, person, tags=["vip"])
    do_record_consent(
        actor, person, channel="email", purpose="newsletter", granted=True,
        source="footer form", wording="Send me the newsletter",
    )  # fmt: skip
    record_timeline(
        world.workspace, contact=person, kind="mention", occurred_at=timezone.now(),
        summary=f"@{MARKER}_x wrote about us", data={"author": f"{MARKER}_x"},
    )  # fmt: skip
    upload = do_upload_import(
        actor, file_name="list.csv", raw=f"name;email\nAnna;{email}\n".encode("cp1250")
    )
    with django_capture_on_commit_callbacks(execute=True):
        do_start_import(actor, upload, mapping={"name": "full_name", "email": "email"}, policy={})
    job = ContactImport.objects.for_workspace(world.workspace).get(pk=upload.pk)
    run_import(job, actor_label="test")
    assert Job.objects.filter(workspace=world.workspace).exists()
    assert len(tables_containing(MARKER)) >= 5

    redacted = do_erase_contact(actor, person)
    assert tables_containing(MARKER) == []
    assert tables_containing("+48600100200") == []
    assert any(label.startswith("core.auditentry") for label in redacted)
    remaining = Contact.objects.for_workspace(world.workspace).filter(pk__in=[person.pk, twin.pk])
    assert not remaining.exists()
    assert ErasedIdentity.objects.for_workspace(world.workspace).count() == 3


def test_an_erased_person_is_not_recreated_without_new_consent(world: World) -> None:
    actor = world.actor("admin")
    ws = world.workspace
    person = do_create_contact(actor, identities=[Claim("email", "gone@example.com")]).contact
    do_erase_contact(actor, person)
    with pytest.raises(ErasedPerson):
        observe(ws, [Claim("email", "Gone@example.com")], trusted=True, source="shop")
    # Mixed with a new identity: the new one is kept, the erased one is not stored.
    kept = observe(
        ws, [Claim("email", "gone@example.com"), Claim("x", "new_handle")], trusted=True,
        source="shop",
    ).contact  # fmt: skip
    assert Contact.objects.for_workspace(ws).filter(pk=kept.pk).exists()
    upload = do_upload_import(actor, file_name="again.csv", raw=b"email\ngone@example.com\n")
    do_start_import(actor, upload, mapping={"email": "email"}, policy={})
    done = run_import(upload, actor_label="test")
    assert done.created_count == 0
    assert done.errors == [[2, "", "erased on request: not re-created"]]
    # They sign up again and tick the consent box: now they may be stored.
    back = observe(
        ws, [Claim("email", "gone@example.com")], trusted=True, source="signup", consented=True
    )
    assert back.created


def test_export_has_everything_about_the_person(world: World) -> None:
    actor = world.actor("agent")
    person = do_create_contact(
        actor, full_name="Ola", identities=[Claim("email", "o@ex.com")]
    ).contact
    do_add_note(actor, person, body="likes decaf")
    do_record_consent(
        actor, person, channel="sms", purpose="marketing", granted=False, source="call",
        wording="May we text you offers?",
    )  # fmt: skip
    data = do_export_contact(actor, person)
    text = json.dumps(data)
    assert data["contact"]["full_name"] == "Ola"
    assert [i["value"] for i in data["identities"]] == ["o@ex.com"]
    assert "likes decaf" in text
    assert "May we text you offers?" in text
    assert current_consents(person)[("sms", "marketing")].granted is False


def test_only_admins_erase(world: World) -> None:
    person = do_create_contact(world.actor("agent"), full_name="Keep Me").contact
    with pytest.raises(Forbidden):
        do_erase_contact(world.actor("agent"), person)


def test_retention_erases_contacts_inactive_for_too_long(world: World) -> None:
    actor = world.actor("admin")
    old = do_create_contact(actor, identities=[Claim("email", "old@ex.com")]).contact
    fresh = do_create_contact(actor, identities=[Claim("email", "fresh@ex.com")]).contact
    Contact.objects.for_workspace(world.workspace).filter(pk=old.pk).update(
        last_activity_at=timezone.now() - timedelta(days=800)
    )
    do_set_retention(actor, inactive_months=24)
    assert apply_retention.call() == 1
    remaining = set(Contact.objects.for_workspace(world.workspace).values_list("pk", flat=True))
    assert old.pk not in remaining
    assert fresh.pk in remaining
