"""Companies in the UI: a page of the contacts module (a tab beside People), the
list with contact counts, create, a company's page with its contacts, and setting
a contact's company on the contact's page."""

from __future__ import annotations

from django.test import Client

from rapport.contacts.actions.companies import do_create_company
from rapport.contacts.actions.people import do_create_contact, do_update_contact
from rapport.contacts.models import Company, Contact
from tests.factories import World
from tests.web.helpers import client_for


def base(world: World) -> str:
    return f"/w/{world.workspace.slug}/contacts/"


def test_companies_is_a_tab_of_contacts(world: World, owner: Client) -> None:
    html = owner.get(base(world)).content.decode()
    assert f'href="{base(world)}companies/"' in html
    companies = owner.get(f"{base(world)}companies/").content.decode()
    assert 'aria-current="page">Companies</a>' in companies
    assert "No companies yet" in companies


def test_create_list_and_open_a_company(world: World) -> None:
    agent = client_for(world.members["agent"])
    made = agent.post(
        f"{base(world)}companies/new/", {"name": "Aurora", "domain": "www.aurora.example"}
    )
    assert made.status_code == 302
    company = Company.objects.for_workspace(world.workspace).get(name="Aurora")
    assert made["Location"] == f"{base(world)}companies/{company.pk}/"
    ada = do_create_contact(world.actor(), full_name="Ada Aurora").contact
    do_create_contact(world.actor(), full_name="Nobody There")
    do_update_contact(world.actor(), ada, company_id=company.pk)
    listing = agent.get(f"{base(world)}companies/").content.decode()
    assert "aurora.example" in listing
    assert "<td>1</td>" in listing
    page = agent.get(f"{base(world)}companies/{company.pk}/").content.decode()
    assert "Ada Aurora" in page
    assert "Nobody There" not in page
    assert "1 contact" in page
    duplicate = agent.post(f"{base(world)}companies/new/", {"name": "aurora"})
    assert duplicate.status_code == 400
    assert "exists" in duplicate.content.decode()
    renamed = agent.post(
        f"{base(world)}companies/{company.pk}/edit/", {"name": "Aurora Ltd", "domain": ""}
    )
    assert renamed.status_code == 302
    company.refresh_from_db()
    assert (company.name, company.domain) == ("Aurora Ltd", "")


def test_readers_cannot_create(world: World) -> None:
    analyst = client_for(world.members["analyst"])
    assert "New company" not in analyst.get(f"{base(world)}companies/").content.decode()
    assert analyst.post(f"{base(world)}companies/new/", {"name": "X"}).status_code == 403


def test_set_and_clear_a_contacts_company_on_its_page(world: World, other_world: World) -> None:
    company = do_create_company(world.actor(), name="Aurora")
    foreign = do_create_company(other_world.actor(), name="Globex Inc")
    contact = do_create_contact(world.actor(), full_name="Ada").contact
    agent = client_for(world.members["agent"])
    url = f"{base(world)}{contact.pk}/"
    page = agent.get(url).content.decode()
    assert f'<option value="{company.pk}">Aurora</option>' in page
    assert agent.post(f"{url}company/", {"company": str(company.pk)}).status_code == 302
    contact.refresh_from_db()
    assert contact.company_id == company.pk
    shown = agent.get(url).content.decode()
    assert f'href="{base(world)}companies/{company.pk}/">Aurora</a>' in shown
    refused = agent.post(f"{url}company/", {"company": str(foreign.pk)})
    assert refused.status_code == 400
    assert "no such company" in refused.content.decode().lower()
    assert "Globex Inc" not in refused.content.decode()
    garbage = agent.post(f"{url}company/", {"company": "abc"})
    assert garbage.status_code == 400
    assert agent.post(f"{url}company/", {"company": ""}).status_code == 302
    assert Contact.objects.for_workspace(world.workspace).get(pk=contact.pk).company_id is None
