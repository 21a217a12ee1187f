"""The events API: processed events and the quarantine (sources.view), a contact's
activity (contacts.view); cursor pages, filters, isolation and scopes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, get_args

from django.test import Client
from django.utils import timezone

from rapport.api.events import EventType
from rapport.contacts.actions.people import do_create_contact
from rapport.contacts.models import Contact
from rapport.contacts.resolution import Claim
from rapport.core.actions.tokens import TOKEN_PREFIX, digest, do_create_token
from rapport.core.models import ApiToken, Scope
from rapport.tracking.actions import do_create_source
from rapport.tracking.models import Source
from rapport.tracking.spec import TYPES
from tests.factories import World
from tests.tracking import event_rows as rows


def token_client(world: World, scopes: list[str], role: str = "owner") -> Client:
    issued = do_create_token(world.actor(role), name=f"{role} {' '.join(scopes)}", scopes=scopes)
    return Client(HTTP_AUTHORIZATION=f"Bearer {issued.secret}")


def role_client(world: World, role: str) -> Client:
    """A token of a member of ``role`` with every scope: the role still limits it."""
    secret = f"{TOKEN_PREFIX}events-{world.workspace.pk}-{role}-0123456789abcdef"
    ApiToken.objects.create(
        workspace=world.workspace,
        name=f"{role} token",
        prefix=secret[:12],
        digest=digest(secret),
        scopes=[s.value for s in Scope],
        created_by=world.members[role],
    )
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def pages(api: Client, url: str, limit: int) -> list[list[dict[str, Any]]]:
    """Every page of a cursor-paginated list."""
    found, cursor = [], None
    while True:
        sep = "&" if "?" in url else "?"
        query = f"{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = api.get(url + query)
        assert response.status_code == 200, response.content
        body = response.json()
        found.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return found


def test_event_types_are_the_specs() -> None:
    assert set(get_args(EventType)) == set(TYPES)


def test_events_newest_first_in_cursor_pages(
    world: World, api: Client, shop: Source, ann: Contact
) -> None:
    made = [
        rows.event(shop, name=f"Step {n}", contact_id=ann.pk if n % 2 else None) for n in range(7)
    ]
    got = pages(api, "/api/v1/events", limit=3)
    assert [len(p) for p in got] == [3, 3, 1]
    items = [item for page in got for item in page]
    assert [i["id"] for i in items] == [e.pk for e in reversed(made)]
    first = items[0]
    assert first["name"] == "Step 6"
    assert first["source_id"] == shop.pk
    assert first["contact_id"] is None
    assert items[1]["contact_id"] == ann.pk
    assert first["type"] == "track"
    assert first["properties"] == made[-1].properties
    assert first["context"] == {"page": {"path": "/shop"}}
    assert first["message_id"] == made[-1].message_id
    assert {"timestamp", "received_at", "user_id", "anonymous_id", "traits"} <= set(first)


def test_event_filters(world: World, api: Client, shop: Source, ann: Contact) -> None:
    backend = do_create_source(world.actor(), name="Backend", kind="server")
    rows.event(shop, name="Home", kind="page", contact_id=ann.pk)
    rows.event(shop, name="Added", contact_id=ann.pk)
    rows.event(shop, name="Added")
    rows.event(backend, name="Invoice Paid", contact_id=ann.pk)

    def names(query: str) -> list[str]:
        response = api.get(f"/api/v1/events?{query}")
        assert response.status_code == 200, response.content
        return [i["name"] for i in response.json()["items"]]

    assert names(f"source={backend.pk}") == ["Invoice Paid"]
    assert names(f"contact={ann.pk}") == ["Invoice Paid", "Added", "Home"]
    assert names("type=page") == ["Home"]
    assert names("name=Added") == ["Added", "Added"]
    assert names(f"source={shop.pk}&contact={ann.pk}&type=track") == ["Added"]
    assert names("name=Nothing") == []
    assert api.get("/api/v1/events?type=click").status_code == 422
    assert api.get("/api/v1/events?cursor=garbage").status_code == 400
    assert api.get("/api/v1/events?source=0").status_code == 422


def test_quarantine_list(world: World, api: Client, shop: Source) -> None:
    backend = do_create_source(world.actor(), name="Backend", kind="server")
    start = timezone.now() - timedelta(minutes=10)
    made = [
        rows.quarantined(shop, reason=f"reason {n}", at=start + timedelta(seconds=n))
        for n in range(5)
    ]
    rows.quarantined(backend, reason="a group call needs groupId", payload="not json at all")
    everything = [i for p in pages(api, "/api/v1/quarantine", limit=2) for i in p]
    assert [i["reason"] for i in everything] == [
        "a group call needs groupId",
        *(f"reason {n}" for n in range(4, -1, -1)),
    ]
    assert everything[0]["payload"] == "not json at all"
    assert everything[0]["source_id"] == backend.pk
    only_shop = api.get(f"/api/v1/quarantine?source={shop.pk}").json()["items"]
    assert [i["id"] for i in only_shop] == [q.pk for q in reversed(made)]


def test_contact_activity(world: World, api: Client, shop: Source, ann: Contact) -> None:
    now = timezone.now()
    rows.activity(world.workspace.pk, ann.pk, weekly_sessions={"2026-W10": 3})
    older = rows.session(shop, ann.pk, started=now - timedelta(days=2), device="Firefox")
    newer = rows.session(shop, ann.pk, started=now - timedelta(hours=3), device="Safari",
                         campaign={"utm_source": "newsletter"})  # fmt: skip
    for n in range(4):
        rows.event(shop, name=f"Viewed {n}", contact_id=ann.pk, at=now - timedelta(minutes=10 - n),
                   kind="page" if n == 0 else "track")  # fmt: skip
    rows.event(shop, name="Not hers")

    response = api.get(f"/api/v1/contacts/{ann.pk}/activity?limit=3")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["contact_id"] == ann.pk
    summary = body["summary"]
    assert (summary["sessions"], summary["page_views"], summary["events"]) == (7, 31, 58)
    assert summary["features"] == {"export": 9, "search": 14}
    assert summary["weekly_sessions"] == {"2026-W10": 3}
    assert summary["usage_dropping"] is False
    assert [s["id"] for s in body["sessions"]] == [newer.pk, older.pk]
    assert body["sessions"][0]["campaign"] == {"utm_source": "newsletter"}
    assert body["sessions"][0]["device"] == "Safari"
    events = body["events"]
    assert [e["name"] for e in events["items"]] == ["Viewed 3", "Viewed 2", "Viewed 1"]
    rest = api.get(
        f"/api/v1/contacts/{ann.pk}/activity?limit=3&cursor={events['next_cursor']}"
    ).json()
    assert [e["name"] for e in rest["events"]["items"]] == ["Viewed 0"]
    assert rest["events"]["next_cursor"] is None
    pages_only = api.get(f"/api/v1/contacts/{ann.pk}/activity?type=page").json()
    assert [e["name"] for e in pages_only["events"]["items"]] == ["Viewed 0"]
    named = api.get(f"/api/v1/contacts/{ann.pk}/activity?name=Viewed+2").json()
    assert [e["name"] for e in named["events"]["items"]] == ["Viewed 2"]


def test_activity_of_a_contact_with_none_yet(api: Client, ann: Contact) -> None:
    body = api.get(f"/api/v1/contacts/{ann.pk}/activity").json()
    assert body["summary"] is None
    assert body["sessions"] == []
    assert body["events"] == {"items": [], "next_cursor": None}


def test_another_workspaces_rows_are_not_found(
    world: World, other_world: World, api: Client, shop: Source
) -> None:
    theirs = do_create_source(other_world.actor(), name="Their shop", kind="website")
    their_contact = do_create_contact(
        other_world.actor(), identities=[Claim("email", "them@example.com")]
    ).contact
    rows.event(theirs, name="Secret Purchase", contact_id=their_contact.pk)
    rows.quarantined(theirs, reason="their secret reason")
    rows.activity(other_world.workspace.pk, their_contact.pk)
    rows.event(shop, name="Ours")

    for url in (
        f"/api/v1/events?source={theirs.pk}",
        f"/api/v1/events?contact={their_contact.pk}",
        f"/api/v1/quarantine?source={theirs.pk}",
        f"/api/v1/contacts/{their_contact.pk}/activity",
    ):
        response = api.get(url)
        assert response.status_code == 404, url
        assert response.json()["error"]["code"] == "not_found"
        assert b"Secret" not in response.content
    assert [i["name"] for i in api.get("/api/v1/events").json()["items"]] == ["Ours"]
    assert api.get("/api/v1/quarantine").json()["items"] == []


def test_scopes_and_roles(world: World, shop: Source, ann: Contact) -> None:
    rows.event(shop, name="Added", contact_id=ann.pk)
    sources_only = token_client(world, ["sources:read"])
    assert sources_only.get("/api/v1/events").status_code == 200
    assert sources_only.get("/api/v1/quarantine").status_code == 200
    # A person's activity is contact data, and so is filtering events by a person.
    assert sources_only.get(f"/api/v1/contacts/{ann.pk}/activity").status_code == 403
    refused = sources_only.get(f"/api/v1/events?contact={ann.pk}")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"

    contacts_only = token_client(world, ["contacts:read"])
    assert contacts_only.get("/api/v1/events").status_code == 403
    assert contacts_only.get(f"/api/v1/contacts/{ann.pk}/activity").status_code == 200

    # An agent's role has no sources.view, whatever its token's scopes say; it may
    # still read a contact's activity.
    agent = role_client(world, "agent")
    assert agent.get("/api/v1/events").status_code == 403
    assert agent.get("/api/v1/quarantine").status_code == 403
    assert agent.get(f"/api/v1/contacts/{ann.pk}/activity").status_code == 200
    assert role_client(world, "marketer").get("/api/v1/events").status_code == 200
