"""Companies through the API: create (domains read from URLs), list with contact
counts, read, edit, and a contact's company set with PATCH /contacts/{id}."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from rapport.contacts.actions.companies import do_create_company
from rapport.contacts.actions.people import do_create_contact
from tests.factories import World


def send(client: Client, method: str, url: str, body: Any) -> Any:
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_create_read_edit_and_list_companies(api: Client) -> None:
    body = {"name": "  Nordlicht   Coffee ", "domain": "https://www.Nordlicht.example/shop"}
    created = send(api, "post", "/api/v1/companies", body)
    assert created.status_code == 201
    company = created.json()
    assert (company["name"], company["domain"], company["contact_count"]) == (
        "Nordlicht Coffee", "nordlicht.example", 0,
    )  # fmt: skip
    url = f"/api/v1/companies/{company['id']}"
    assert api.get(url).json()["name"] == "Nordlicht Coffee"
    edited = send(api, "patch", url, {"domain": "beans.example"})
    assert edited.status_code == 200
    assert edited.json()["domain"] == "beans.example"
    assert edited.json()["name"] == "Nordlicht Coffee"
    send(api, "post", "/api/v1/companies", {"name": "Aurora Roasters"})
    names = [c["name"] for c in api.get("/api/v1/companies").json()["items"]]
    assert names == ["Nordlicht Coffee", "Aurora Roasters"]
    found = api.get("/api/v1/companies?search=auro").json()["items"]
    assert [c["name"] for c in found] == ["Aurora Roasters"]


def test_bad_and_duplicate_companies_are_refused(api: Client) -> None:
    send(api, "post", "/api/v1/companies", {"name": "Aurora"})
    duplicate = send(api, "post", "/api/v1/companies", {"name": "AURORA"})
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["details"][0]["field"] == "name"
    bad_domain = send(api, "post", "/api/v1/companies", {"name": "B", "domain": "not a domain"})
    assert bad_domain.status_code == 400
    assert bad_domain.json()["error"]["details"][0]["field"] == "domain"
    assert send(api, "post", "/api/v1/companies", {"name": ""}).status_code == 422


def test_a_contacts_company_is_set_counted_and_cleared(
    world: World, other_world: World, api: Client
) -> None:
    company = do_create_company(world.actor(), name="Aurora")
    foreign = do_create_company(other_world.actor(), name="Globex Inc")
    contact = do_create_contact(world.actor(), full_name="Ada").contact
    url = f"/api/v1/contacts/{contact.pk}"
    assigned = send(api, "patch", url, {"company_id": company.pk})
    assert assigned.status_code == 200
    assert assigned.json()["company_id"] == company.pk
    assert api.get(f"/api/v1/companies/{company.pk}").json()["contact_count"] == 1
    listed = api.get(f"/api/v1/contacts?company_id={company.pk}").json()["items"]
    assert [c["id"] for c in listed] == [contact.pk]
    refused = send(api, "patch", url, {"company_id": foreign.pk})
    assert refused.status_code == 400
    assert refused.json()["error"]["details"][0]["field"] == "company_id"
    assert api.get(url).json()["company_id"] == company.pk
    cleared = send(api, "patch", url, {"company_id": None})
    assert cleared.json()["company_id"] is None
    assert api.get(f"/api/v1/companies/{company.pk}").json()["contact_count"] == 0
    assert api.get(f"/api/v1/companies/{foreign.pk}").status_code == 404
