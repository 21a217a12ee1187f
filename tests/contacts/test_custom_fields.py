"""Custom contact fields: definitions, the one validation of values (every type),
the same errors through the API (422 naming the field) and the contact page (a
visible error, never a 500), the list filter, and deleting a field."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from rapport.contacts.actions.fields import do_create_field, do_delete_field, do_update_field
from rapport.contacts.actions.people import do_create_contact, do_update_contact
from rapport.contacts.custom_fields import CustomValuesInvalid, clean_values
from rapport.contacts.models import Contact, CustomField
from rapport.core.errors import Conflict, DomainError
from rapport.core.models import AuditEntry
from rapport.core.permissions import Forbidden
from tests.factories import World
from tests.web.helpers import client_for


def define_all(world: World) -> dict[str, CustomField]:
    actor = world.actor()
    return {
        "roast": do_create_field(
            actor, key="roast", label="Favourite roast", type="choice",
            choices=["Espresso", "Filter", "Cold brew"],
        ),
        "cups": do_create_field(actor, key="cups", label="Cups a day", type="number"),
        "birthday": do_create_field(actor, key="birthday", label="Birthday", type="date"),
        "card": do_create_field(actor, key="loyalty_card", label="Loyalty card", type="boolean"),
        "note": do_create_field(
            actor, key="nickname", label="Nickname", type="text", required=True
        ),
    }  # fmt: skip


def contact_in(world: World, name: str = "Ida") -> Contact:
    return do_create_contact(world.actor(), full_name=name).contact


def errors_of(world: World, values: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(CustomValuesInvalid) as caught:
        clean_values(world.workspace, values)
    return caught.value.errors


@pytest.mark.parametrize(
    ("key", "raw", "stored"),
    [
        ("roast", "Espresso", "Espresso"),
        ("roast", "  cold BREW ", "Cold brew"),
        ("cups", "3", 3),
        ("cups", 2.5, 2.5),
        ("cups", "2,5", 2.5),
        ("cups", "-1e2", -100),
        ("cups", 7, 7),
        ("birthday", "1990-02-28", "1990-02-28"),
        ("loyalty_card", True, True),
        ("loyalty_card", "no", False),
        ("loyalty_card", "true", True),
        ("nickname", "  Iggy ", "Iggy"),
        ("roast", "", None),
        ("cups", None, None),
    ],
)
def test_values_are_coerced_by_type(world: World, key: str, raw: Any, stored: Any) -> None:
    define_all(world)
    assert clean_values(world.workspace, {key: raw}) == {key: stored}


@pytest.mark.parametrize(
    ("key", "raw", "words"),
    [
        ("roast", "Decaf", "must be one of: Espresso, Filter, Cold brew"),
        ("roast", 3, "must be one of"),
        ("cups", "many", "must be a number"),
        ("cups", True, "not true/false"),
        ("cups", "NaN", "finite"),
        ("cups", 1e300, "too large"),
        ("cups", [1], "must be a number"),
        ("birthday", "28/02/1990", "YYYY-MM-DD"),
        ("birthday", "1990-02-30", "not a real date"),
        ("birthday", 19900228, "YYYY-MM-DD"),
        ("loyalty_card", "maybe", "yes or no"),
        ("loyalty_card", 1, "yes or no"),
        ("nickname", "x" * 501, "too long (at most 500"),
        ("nickname", {"a": 1}, "must be text"),
        ("nickname", "nul\x00here", "NUL"),
        ("nickname", "   ", "is required"),
        ("nickname", None, "is required"),
    ],
)
def test_bad_values_get_a_message_naming_the_field(
    world: World, key: str, raw: Any, words: str
) -> None:
    fields = define_all(world)
    label = next(f.label for f in fields.values() if f.key == key)
    message = errors_of(world, {key: raw})[key]
    assert message.startswith(label)
    assert words in message


def test_unknown_keys_are_refused_and_every_bad_field_is_reported(world: World) -> None:
    define_all(world)
    errors = errors_of(world, {"shoe_size": 42, "cups": "lots", "roast": "Filter"})
    assert set(errors) == {"shoe_size", "cups"}
    assert "not a contact field" in errors["shoe_size"]


def test_update_merges_values_clears_with_none_and_audits(world: World) -> None:
    define_all(world)
    actor = world.actor("agent")
    contact = contact_in(world)
    do_update_contact(actor, contact, custom={"cups": "2", "roast": "filter"})
    do_update_contact(actor, contact, custom={"birthday": "2001-01-01"})
    contact.refresh_from_db()
    assert contact.custom == {"cups": 2, "roast": "Filter", "birthday": "2001-01-01"}
    do_update_contact(actor, contact, custom={"cups": None, "roast": ""})
    contact.refresh_from_db()
    assert contact.custom == {"birthday": "2001-01-01"}
    with pytest.raises(CustomValuesInvalid):
        do_update_contact(actor, contact, full_name="Changed", custom={"cups": "x"})
    contact.refresh_from_db()
    assert contact.full_name == "Ida"  # nothing was saved
    entry = AuditEntry.objects.for_workspace(world.workspace).filter(action="contact.update")[0]
    assert entry.before is not None
    assert "custom" in entry.before


def test_definitions_are_checked_and_only_admins_define_them(world: World) -> None:
    admin = world.actor("admin")
    with pytest.raises(DomainError, match="lowercase"):
        do_create_field(admin, key="Bad Key!", label="Bad", type="text")
    with pytest.raises(DomainError, match="at least one choice"):
        do_create_field(admin, key="size", label="Size", type="choice", choices=[" "])
    with pytest.raises(DomainError, match="type"):
        do_create_field(admin, key="size", label="Size", type="colour")
    field = do_create_field(admin, key="size", label="Size", type="choice", choices=["S", "S"])
    assert field.choices == ["S"]
    with pytest.raises(Conflict):
        do_create_field(admin, key="size", label="Again", type="text")
    with pytest.raises(Forbidden):
        do_create_field(world.actor("manager"), key="other", label="Other", type="text")
    do_update_field(admin, field, label="T-shirt size", choices=["S", "M"], required=True)
    field.refresh_from_db()
    assert (field.label, field.choices, field.required) == ("T-shirt size", ["S", "M"], True)


def test_deleting_a_field_removes_its_values(world: World) -> None:
    fields = define_all(world)
    contact = contact_in(world)
    do_update_contact(world.actor(), contact, custom={"cups": 3, "roast": "Filter"})
    assert do_delete_field(world.actor(), fields["cups"]) == 1
    contact.refresh_from_db()
    assert contact.custom == {"roast": "Filter"}


# ---- API --------------------------------------------------------------------------


def patch(api: Client, url: str, body: Any) -> Any:
    return api.patch(url, data=json.dumps(body), content_type="application/json")


def test_api_patch_422_names_each_bad_field(world: World, api: Client) -> None:
    define_all(world)
    contact = contact_in(world)
    url = f"/api/v1/contacts/{contact.pk}"
    bad = patch(api, url, {"custom": {"birthday": "tomorrow", "cups": "x", "roast": "Filter"}})
    assert bad.status_code == 422
    error = bad.json()["error"]
    assert error["code"] == "validation_error"
    assert {d["field"] for d in error["details"]} == {"custom.birthday", "custom.cups"}
    assert "Birthday must be a date" in error["message"]
    unknown = patch(api, url, {"custom": {"favourite_colour": "red"}})
    assert unknown.status_code == 422
    assert unknown.json()["error"]["details"][0]["field"] == "custom.favourite_colour"
    good = patch(api, url, {"custom": {"birthday": "1990-05-01", "loyalty_card": True}})
    assert good.status_code == 200
    assert good.json()["custom"] == {"birthday": "1990-05-01", "loyalty_card": True}
    assert api.get(url).json()["custom"]["loyalty_card"] is True


def test_api_defines_fields(world: World, api: Client) -> None:
    body = {"key": "roast", "label": "Roast", "type": "choice", "choices": ["Dark", "Light"]}
    created = api.post("/api/v1/contact-fields", data=json.dumps(body),
                       content_type="application/json")  # fmt: skip
    assert created.status_code == 201
    field = created.json()
    assert field["type"] == "choice"
    again = api.post("/api/v1/contact-fields", data=json.dumps(body),
                     content_type="application/json")  # fmt: skip
    assert again.status_code == 409
    assert again.json()["error"]["details"][0]["field"] == "key"
    no_choices = {**body, "key": "other", "choices": []}
    refused = api.post("/api/v1/contact-fields", data=json.dumps(no_choices),
                       content_type="application/json")  # fmt: skip
    assert refused.status_code == 400
    renamed = patch(api, f"/api/v1/contact-fields/{field['id']}", {"label": "Roast level"})
    assert renamed.json()["label"] == "Roast level"
    assert patch(api, f"/api/v1/contact-fields/{field['id']}", {"key": "x"}).status_code == 422
    listed = api.get("/api/v1/contact-fields").json()["items"]
    assert [f["key"] for f in listed] == ["roast"]
    assert api.delete(f"/api/v1/contact-fields/{field['id']}").status_code == 204
    assert api.get("/api/v1/contact-fields").json()["items"] == []


def test_api_list_filters_by_a_custom_field(world: World, api: Client) -> None:
    define_all(world)
    actor = world.actor()
    a, b, c = contact_in(world, "Ada"), contact_in(world, "Bo"), contact_in(world, "Cy")
    everything = {"roast": "Espresso", "cups": 3, "loyalty_card": True,
                  "birthday": "1990-01-02", "nickname": "Speedy"}  # fmt: skip
    do_update_contact(actor, a, custom=everything)
    do_update_contact(actor, b, custom={"roast": "Filter", "cups": 1.5, "loyalty_card": False})

    def names(query: str) -> set[str]:
        response = api.get(f"/api/v1/contacts?{query}")
        assert response.status_code == 200, response.content
        return {item["full_name"] for item in response.json()["items"]}

    assert names("field=roast&value=espresso") == {"Ada"}
    assert names("field=cups&value=3") == {"Ada"}
    assert names("field=cups&value=1.5") == {"Bo"}
    assert names("field=loyalty_card&value=no") == {"Bo"}
    assert names("field=loyalty_card&value=yes") == {"Ada"}
    assert names("field=birthday&value=1990-01-02") == {"Ada"}
    assert names("field=nickname&value=speed") == {"Ada"}
    assert names("field=roast") == {"Ada", "Bo"}
    assert c.full_name not in names("field=cups")
    unknown = api.get("/api/v1/contacts?field=shoe_size&value=1")
    assert unknown.status_code == 400
    assert unknown.json()["error"]["details"][0]["field"] == "field"
    assert api.get("/api/v1/contacts?field=cups&value=lots").status_code == 422


# ---- UI ---------------------------------------------------------------------------


def test_contact_page_shows_typed_inputs_and_saves_values(world: World) -> None:
    define_all(world)
    contact = contact_in(world)
    client = client_for(world.members["agent"])
    url = f"/w/{world.workspace.slug}/contacts/{contact.pk}/"
    page = client.get(url).content.decode()
    assert 'type="date" name="cf_birthday"' in page
    assert 'type="number" step="any" inputmode="decimal" name="cf_cups"' in page
    assert '<option value="Cold brew">Cold brew</option>' in page
    assert 'name="cf_loyalty_card"' in page
    saved = client.post(f"{url}custom/", {"cf_roast": "Filter", "cf_cups": "2",
                                          "cf_birthday": "", "cf_nickname": "Idy",
                                          "cf_loyalty_card": "true"})  # fmt: skip
    assert saved.status_code == 302
    contact.refresh_from_db()
    assert contact.custom == {"roast": "Filter", "cups": 2, "nickname": "Idy", "loyalty_card": True}
    assert '<option value="Filter" selected>' in client.get(url).content.decode()


def test_contact_page_shows_each_error_next_to_its_field(world: World) -> None:
    define_all(world)
    contact = contact_in(world)
    client = client_for(world.members["agent"])
    url = f"/w/{world.workspace.slug}/contacts/{contact.pk}/"
    bad = client.post(f"{url}custom/", {"cf_cups": "a lot", "cf_birthday": "31.12.1999",
                                        "cf_nickname": ""})  # fmt: skip
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Some fields need another value." in html
    assert 'id="cf-cups-error"' in html
    assert "Cups a day must be a number" in html
    assert "Birthday must be a date written as YYYY-MM-DD" in html
    assert "Nickname is required" in html
    assert 'value="a lot"' in html  # what was typed stays in the form
    contact.refresh_from_db()
    assert contact.custom == {}


def test_readers_see_values_without_a_form(world: World) -> None:
    define_all(world)
    contact = contact_in(world)
    do_update_contact(world.actor(), contact, custom={"loyalty_card": True})
    html = (
        client_for(world.members["analyst"])
        .get(f"/w/{world.workspace.slug}/contacts/{contact.pk}/")
        .content.decode()
    )
    assert "<dt>Loyalty card</dt><dd>Yes</dd>" in html
    assert 'name="cf_loyalty_card"' not in html


def test_contact_list_filters_by_field_and_reports_bad_values(world: World) -> None:
    define_all(world)
    a, b = contact_in(world, "Ada Filter"), contact_in(world, "Bo Espresso")
    do_update_contact(world.actor(), a, custom={"roast": "Filter"})
    do_update_contact(world.actor(), b, custom={"roast": "Espresso"})
    client = client_for(world.members["agent"])
    base = f"/w/{world.workspace.slug}/contacts/"
    html = client.get(f"{base}?field=roast&value=Filter").content.decode()
    assert "Ada Filter" in html
    assert "Bo Espresso" not in html
    assert '<option value="roast" selected>' in html
    bad = client.get(f"{base}?field=cups&value=lots")
    assert bad.status_code == 200
    assert "Cups a day must be a number" in bad.content.decode()


def test_settings_page_defines_fields(world: World) -> None:
    admin = client_for(world.members["admin"])
    base = f"/w/{world.workspace.slug}/settings/contact-fields/"
    assert "Contact fields" in admin.get(base).content.decode()
    bad = admin.post(f"{base}create/", {"label": "Roast", "key": "Roast Level", "type": "text"})
    assert bad.status_code == 400
    assert "lowercase letters" in bad.content.decode()
    made = admin.post(f"{base}create/", {"label": "Roast", "key": "roast", "type": "choice",
                                         "choices": "Dark\nLight\n"})  # fmt: skip
    assert made.status_code == 302
    field = CustomField.objects.for_workspace(world.workspace).get(key="roast")
    assert field.choices == ["Dark", "Light"]
    edit = admin.get(f"{base}{field.pk}/").content.decode()
    assert "Dark\nLight" in edit
    changes = {"label": "Roast level", "choices": "Dark\nMedium", "position": "5"}
    saved = admin.post(f"{base}{field.pk}/edit/", changes)
    assert saved.status_code == 302
    field.refresh_from_db()
    assert (field.label, field.choices, field.position) == ("Roast level", ["Dark", "Medium"], 5)
    agent_view = client_for(world.members["agent"]).get(base).content.decode()
    assert "Roast level" in agent_view
    assert "Add field" not in agent_view
    assert admin.post(f"{base}{field.pk}/delete/").status_code == 302
    assert not CustomField.objects.for_workspace(world.workspace).exists()


def test_a_key_named_like_a_lookup_is_still_a_key(world: World, api: Client) -> None:
    do_create_field(world.actor(), key="contains", label="Contains", type="text")
    do_create_field(world.actor(), key="exact", label="Exact", type="number")
    a, b = contact_in(world, "Ada"), contact_in(world, "Bo")
    do_update_contact(world.actor(), a, custom={"contains": "oat milk", "exact": 1})
    do_update_contact(world.actor(), b, custom={"exact": 2})
    found = api.get("/api/v1/contacts?field=contains&value=OAT").json()["items"]
    assert [c["full_name"] for c in found] == ["Ada"]
    found = api.get("/api/v1/contacts?field=exact&value=2").json()["items"]
    assert [c["full_name"] for c in found] == ["Bo"]


def test_demo_defines_fields_with_valid_values_and_companies(db: Any) -> None:
    from rapport.contacts.models import Company
    from rapport.demo.loader import load_demo

    workspace = load_demo().workspace
    fields = list(CustomField.objects.for_workspace(workspace))
    assert {f.key for f in fields} == {"favourite_roast", "loyalty_card", "birthday"}
    holders = Contact.objects.for_workspace(workspace).exclude(custom={})
    assert holders.count() >= 10
    for contact in holders:
        assert clean_values(workspace, contact.custom, fields) == contact.custom
    companies = Company.objects.for_workspace(workspace)
    assert companies.count() == 3
    assert Contact.objects.for_workspace(workspace).filter(company__isnull=False).exists()
