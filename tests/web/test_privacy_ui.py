"""Consent, export and erasure from the contact page; retention from the list."""

from __future__ import annotations

import json

from django.test import Client

from rapport.contacts.actions.people import do_create_contact
from rapport.contacts.models import Consent, Contact, RetentionPolicy
from rapport.contacts.resolution import Claim
from tests.factories import World


def login(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.members[role].user)
    return client


def test_consent_export_and_erase(world: World) -> None:
    person = do_create_contact(
        world.actor("agent"), full_name="Ewa Zielińska", identities=[Claim("email", "ewa@ex.pl")]
    ).contact
    base = f"/w/{world.workspace.slug}/contacts/{person.pk}/"
    agent = login(world, "agent")
    consent = {"channel": "email", "purpose": "newsletter", "granted": "yes",
               "source": "shop checkout", "wording": "Newsletter, yes"}  # fmt: skip
    agent.post(f"{base}consent/", consent)
    assert Consent.objects.for_workspace(world.workspace).get().granted
    page = agent.get(base).content.decode()
    assert "Newsletter, yes" in page
    assert "Erase permanently" not in page  # agents cannot erase
    exported = json.loads(agent.get(f"{base}export.json").content)
    assert exported["contact"]["full_name"] == "Ewa Zielińska"
    assert agent.post(f"{base}erase/", {"confirm": "ERASE"}).status_code == 403

    admin = login(world, "admin")
    unconfirmed = admin.post(f"{base}erase/", {"confirm": "yes"}, follow=True)
    assert "Type ERASE" in unconfirmed.content.decode()
    assert Contact.objects.for_workspace(world.workspace).filter(pk=person.pk).exists()
    admin.post(f"{base}erase/", {"confirm": "ERASE"})
    assert not Contact.objects.for_workspace(world.workspace).filter(pk=person.pk).exists()


def test_retention_policy_form(world: World) -> None:
    admin = login(world, "admin")
    url = f"/w/{world.workspace.slug}/contacts/retention/"
    admin.post(url, {"months": "36"})
    assert RetentionPolicy.objects.for_workspace(world.workspace).get().inactive_months == 36
    bad = admin.post(url, {"months": "lots"}, follow=True)
    assert "whole number" in bad.content.decode()


def test_contacts_title_is_plain_text(world: World) -> None:
    client = Client()
    client.force_login(world.owner.user)
    page = client.get(f"/w/{world.workspace.slug}/contacts/").content.decode()
    title = page[page.index("<title>") : page.index("</title>")]
    assert "<form" not in title
    assert page.count(f'action="/w/{world.workspace.slug}/contacts/retention/"') == 1
