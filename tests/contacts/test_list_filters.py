"""Filtering the contact list by consent, the same in the UI, its CSV export and
the API."""

from __future__ import annotations

import pytest
from django.test import Client

from rapport.contacts import queries
from rapport.contacts.actions.people import do_create_contact
from rapport.contacts.actions.privacy import do_record_consent
from rapport.contacts.models import Contact
from rapport.contacts.resolution import Claim
from rapport.core.errors import DomainError
from tests.factories import World


def _people(world: World) -> dict[str, Contact]:
    actor = world.actor()
    people = {
        name: do_create_contact(
            actor, full_name=name, identities=[Claim("email", f"{name.lower()}@example.com")]
        ).contact
        for name in ("Yes", "Withdrew", "Never")
    }
    consent = {"channel": "email", "purpose": "marketing", "source": "signup form",
               "wording": "Send me offers"}  # fmt: skip
    do_record_consent(actor, people["Yes"], granted=True, **consent)
    do_record_consent(actor, people["Withdrew"], granted=True, **consent)
    do_record_consent(actor, people["Withdrew"], granted=False, **consent)  # newest wins
    return people


def test_consent_filter_takes_the_newest_decision(world: World) -> None:
    _people(world)

    def names(spec: str) -> set[str]:
        return {c.full_name for c in queries.list_contacts(world.actor(), consent=spec)}

    assert names("email:marketing") == {"Yes"}
    assert names("!email:marketing") == {"Withdrew", "Never"}
    assert names("sms:marketing") == set()
    with pytest.raises(DomainError):
        queries.list_contacts(world.actor(), consent="pigeon:marketing")


def test_ui_list_export_and_api_agree(world: World, api: Client) -> None:
    _people(world)
    client = Client()
    client.force_login(world.owner.user)
    base = f"/w/{world.workspace.slug}/contacts/"
    rows = client.get(f"{base}?consent=email:marketing", HTTP_HX_REQUEST="true").content.decode()
    assert "Yes" in rows
    assert "Withdrew" not in rows
    export = client.get(f"{base}export.csv?consent=email:marketing")
    text = b"".join(export.streaming_content).decode()  # type: ignore[attr-defined]
    assert "yes@example.com" in text
    assert "withdrew@example.com" not in text
    bad = client.get(f"{base}export.csv?consent=nope", follow=True)
    assert "Consent filters are channel:purpose" in bad.content.decode()
    listed = api.get("/api/v1/contacts?consent=!email:marketing").json()["items"]
    assert {c["full_name"] for c in listed} == {"Withdrew", "Never"}
    exported = api.get("/api/v1/contacts/export.csv?consent=email:marketing").content.decode()
    assert "yes@example.com" in exported
    assert "never@example.com" not in exported
    refused = api.get("/api/v1/contacts?consent=email")
    assert refused.status_code == 400
    assert "channel:purpose" in refused.content.decode()


@pytest.mark.parametrize("typed", ["+48 600 100 200", "600-100-200", "0600 100 200", "48600100200"])
def test_search_finds_a_phone_however_it_is_typed(world: World, typed: str) -> None:
    do_create_contact(world.actor(), full_name="Piotr", region="PL",
                      identities=[Claim("phone", "600 100 200")])  # fmt: skip
    found = queries.list_contacts(world.actor(), search=typed)
    assert [c.full_name for c in found] == ["Piotr"]


def test_search_by_handle_and_email_part(world: World) -> None:
    do_create_contact(world.actor(), full_name="Hana",
                      identities=[Claim("bluesky", "hana.bsky.social"),
                                  Claim("email", "hana.k@example.org")])  # fmt: skip
    for typed in ("@hana.bsky", "HANA.K@", "example.org"):
        assert [c.full_name for c in queries.list_contacts(world.actor(), search=typed)] == ["Hana"]
