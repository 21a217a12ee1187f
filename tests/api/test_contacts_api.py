"""Contacts through the API: create and resolve, search, timeline, merge and undo."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from rapport.contacts.facade import record_timeline
from rapport.contacts.models import Contact
from tests.factories import World


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_create_then_the_same_identity_resolves_to_the_same_person(api: Client) -> None:
    body = {
        "full_name": "Zofia Nowak",
        "identities": [{"kind": "phone", "value": "600 100 200"}],
        "region": "PL",
        "tags": ["VIP"],
    }
    created = post(api, "/api/v1/contacts", body)
    assert created.status_code == 201
    contact = created.json()
    assert contact["identities"][0]["value"] == "+48600100200"
    assert contact["tags"] == ["vip"]
    assert contact["lifecycle"] == "lead"
    same_phone = {"identities": [{"kind": "phone", "value": "+48 600100200"}]}
    again = post(api, "/api/v1/contacts", same_phone)
    assert again.status_code == 200
    assert again.json()["id"] == contact["id"]


def test_invalid_identities_are_a_clear_400(api: Client) -> None:
    bad = post(api, "/api/v1/contacts", {"identities": [{"kind": "email", "value": "nope"}]})
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid_identity"
    unknown = post(api, "/api/v1/contacts", {"identities": [{"kind": "fax", "value": "1"}]})
    assert unknown.status_code == 422


def test_search_by_name_email_handle_and_filters(api: Client) -> None:
    post(api, "/api/v1/contacts", {"full_name": "Łukasz Zieliński",
                                   "identities": [{"kind": "x", "value": "@LukaszZ"}]})  # fmt: skip
    post(api, "/api/v1/contacts", {"identities": [{"kind": "email", "value": "eve@example.com"}]})
    by_handle = api.get("/api/v1/contacts?search=@lukaszz").json()["items"]
    assert [c["full_name"] for c in by_handle] == ["Łukasz Zieliński"]
    assert len(api.get("/api/v1/contacts?search=eve@").json()["items"]) == 1
    assert len(api.get("/api/v1/contacts?lifecycle=prospect").json()["items"]) == 1
    assert api.get("/api/v1/contacts?lifecycle=customer").json()["items"] == []


def test_timeline_pages_newest_first_and_filters_by_kind(api: Client, world: World) -> None:
    cid = post(api, "/api/v1/contacts", {"full_name": "Tim"}).json()["id"]
    contact = Contact.objects.for_workspace(world.workspace).get(pk=cid)
    now = timezone.now()
    for n in range(7):
        record_timeline(world.workspace, contact=contact, kind="page" if n % 2 else "order",
                        occurred_at=now - timedelta(minutes=n), summary=f"event {n}")  # fmt: skip
    first = api.get(f"/api/v1/contacts/{cid}/timeline?limit=3").json()
    assert [e["summary"] for e in first["items"]] == ["event 0", "event 1", "event 2"]
    rest = api.get(f"/api/v1/contacts/{cid}/timeline?limit=10&cursor={first['next_cursor']}")
    assert [e["summary"] for e in rest.json()["items"]][:4] == [f"event {n}" for n in range(3, 7)]
    orders = api.get(f"/api/v1/contacts/{cid}/timeline?kind=order").json()["items"]
    assert {e["kind"] for e in orders} == {"order"}


def test_merge_and_undo_through_the_api(api: Client) -> None:
    a = post(api, "/api/v1/contacts", {"identities": [{"kind": "email", "value": "a@ex.com"}]})
    b = post(api, "/api/v1/contacts", {"identities": [{"kind": "x", "value": "a_on_x"}]})
    a_id, b_id = a.json()["id"], b.json()["id"]
    merged = post(api, f"/api/v1/contacts/{b_id}/merge", {"other_id": a_id})
    assert merged.status_code == 200
    assert merged.json()["winner"] == a_id  # the older one survives
    winner = api.get(f"/api/v1/contacts/{a_id}").json()
    assert {i["kind"] for i in winner["identities"]} == {"email", "x"}
    assert api.get(f"/api/v1/contacts/{b_id}").json()["merged_into"] == a_id
    undone = api.post(f"/api/v1/merges/{merged.json()['id']}/undo")
    assert undone.status_code == 200
    assert undone.json()["id"] == b_id
    assert [i["value"] for i in undone.json()["identities"]] == ["a_on_x"]
    again = api.post(f"/api/v1/merges/{merged.json()['id']}/undo")
    assert again.status_code == 409
    assert post(api, f"/api/v1/contacts/{a_id}/merge", {"other_id": a_id}).status_code == 409


def test_adding_a_taken_identity_merges_and_notes_are_kept(api: Client) -> None:
    a = post(api, "/api/v1/contacts", {"identities": [{"kind": "email", "value": "m@ex.com"}]})
    b = post(api, "/api/v1/contacts", {"full_name": "Maja"}).json()["id"]
    assert post(api, f"/api/v1/contacts/{b}/notes", {"body": "called"}).status_code == 201
    result = post(api, f"/api/v1/contacts/{b}/identities", {"kind": "email", "value": "M@ex.com"})
    assert result.json()["id"] == a.json()["id"]
    assert result.json()["full_name"] == "Maja"


def test_phones_without_a_country_code_use_the_workspace_region(api: Client, world: World) -> None:
    world.workspace.phone_region = "PL"
    world.workspace.save(update_fields=["phone_region"])
    made = api.post(
        "/api/v1/contacts",
        {"full_name": "Pola", "identities": [{"kind": "phone", "value": "600 100 200"}]},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["identities"][0]["value"] == "+48600100200"


def test_tasks_and_notes_in_the_api(api: Client, world: World) -> None:
    made = api.post("/api/v1/contacts", {"full_name": "Tia"}, content_type="application/json")
    contact_id = made.json()["id"]
    agent = world.members["agent"].pk
    task = api.post(
        f"/api/v1/contacts/{contact_id}/tasks",
        {"title": "Call back", "due_at": "2026-12-24T09:00:00Z", "assignee_id": agent},
        content_type="application/json",
    )
    assert task.status_code == 201, task.content
    assert task.json()["assignee_id"] == agent
    stranger = api.post(
        f"/api/v1/contacts/{contact_id}/tasks", {"title": "x", "assignee_id": 999_999},
        content_type="application/json",
    )  # fmt: skip
    assert stranger.status_code == 400
    done = api.patch(f"/api/v1/tasks/{task.json()['id']}", {"done": True},
                     content_type="application/json")  # fmt: skip
    assert done.json()["done"] is True
    listed = api.get(f"/api/v1/contacts/{contact_id}/tasks").json()
    assert [(t["title"], t["done"]) for t in listed] == [("Call back", True)]
    api.post(f"/api/v1/contacts/{contact_id}/notes", {"body": "Likes oat milk"},
             content_type="application/json")  # fmt: skip
    notes = api.get(f"/api/v1/contacts/{contact_id}/notes").json()
    assert [n["body"] for n in notes] == ["Likes oat milk"]
