"""The listening API: topics (query errors with their position), mentions with the
stream's filters and a cursor, what agents do to a mention, sources with credentials
masked, alerts."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from rapport.contacts.actions.people import do_create_contact
from rapport.contacts.resolution import Claim
from rapport.listening.models import Correction, ListeningSource, Post
from tests.factories import World
from tests.factories_listening import make_listening_ids


def send(client: Client, method: str, url: str, body: Any = None) -> Any:
    data = json.dumps(body) if body is not None else None
    return getattr(client, method)(url, data=data, content_type="application/json")


def test_topics_crud_and_query_errors_with_position(api: Client, world: World) -> None:
    bad = send(api, "post", "/api/v1/listening/topics", {"name": "Acme", "query": "acme AND ("})
    assert bad.status_code == 400
    error = bad.json()["error"]
    assert error["code"] == "invalid"
    assert error["details"][0]["field"] == "query"
    assert isinstance(error["details"][0]["position"], int)

    body = {"name": "Acme", "query": 'acme OR "acme shoes"', "kind": "brand"}
    created = send(api, "post", "/api/v1/listening/topics", body)
    assert created.status_code == 201, created.content
    topic = created.json()
    assert topic["kind"] == "brand"
    url = f"/api/v1/listening/topics/{topic['id']}"
    assert api.get(url).json()["name"] == "Acme"
    assert [t["name"] for t in api.get("/api/v1/listening/topics").json()] == ["Acme"]

    patched = send(api, "patch", url, {"kind": "competitor", "active": False})
    assert patched.status_code == 200
    assert patched.json()["kind"] == "competitor"
    assert patched.json()["active"] is False
    wrong = send(api, "patch", url, {"query": "NOT"})
    assert wrong.status_code == 400
    assert "position" in wrong.json()["error"]["details"][0]

    dup = send(api, "post", "/api/v1/listening/topics", {"name": "Acme", "query": "x"})
    assert dup.status_code == 409
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404


def test_mentions_filter_paginate_and_act(api: Client, world: World) -> None:
    ids = make_listening_ids(world)
    post = Post.objects.for_workspace(world.workspace).get(pk=ids["post_id"])
    listed = api.get("/api/v1/listening/mentions").json()
    assert [m["id"] for m in listed["items"]] == [post.pk]
    item = listed["items"][0]
    assert item["author"]["verified"] is True
    assert item["topic_ids"] == [int(ids["topic_id"])]
    assert api.get("/api/v1/listening/mentions?sentiment=positive").json()["items"] == []
    assert api.get("/api/v1/listening/mentions?min_reach=5000").json()["items"] == []
    assert len(api.get(f"/api/v1/listening/mentions?topic={ids['topic_id']}").json()["items"]) == 1
    assert api.get("/api/v1/listening/mentions?sentiment=angry").status_code == 422
    assert api.get("/api/v1/listening/mentions?cursor=nonsense").status_code == 400

    # A second mention: pages of one, newest first.
    second = Post.objects.for_workspace(world.workspace).get(pk=post.pk)
    second.pk = None
    second.external_id = "at://second"
    second.save()
    page = api.get("/api/v1/listening/mentions?limit=1").json()
    assert [m["id"] for m in page["items"]] == [second.pk]
    rest = api.get(f"/api/v1/listening/mentions?limit=1&cursor={page['next_cursor']}").json()
    assert [m["id"] for m in rest["items"]] == [post.pk]
    assert rest["next_cursor"] is None
    newer = api.get(f"/api/v1/listening/mentions?after_id={post.pk}").json()
    assert [m["id"] for m in newer["items"]] == [second.pk]

    base = f"/api/v1/listening/mentions/{post.pk}"
    fixed = send(api, "post", f"{base}/correct", {"field": "sentiment", "value": "positive"})
    assert fixed.status_code == 200
    assert fixed.json()["sentiment"] == "positive"
    assert fixed.json()["corrected"] is True
    assert Correction.objects.for_workspace(world.workspace).get().after == "positive"
    refused = send(api, "post", f"{base}/correct", {"field": "intent", "value": "angry"})
    assert refused.status_code == 400
    assert send(api, "put", f"{base}/tags", {"tags": ["vip", " vip ", "bug"]}).json()["tags"] == [
        "vip",
        "bug",
    ]
    assert send(api, "post", f"{base}/handled", {"handled": True}).json()["handled"] is True

    contact = do_create_contact(
        world.actor(), identities=[Claim("email", "fan@example.com")], full_name="Fan"
    ).contact
    linked = send(api, "post", f"{base}/link", {"contact_id": contact.pk})
    assert linked.status_code == 200
    assert linked.json()["contact_id"] == contact.pk
    assert linked.json()["author"]["contact_id"] == contact.pk


def test_sources_mask_credentials_and_pause(api: Client, world: World) -> None:
    ids = make_listening_ids(world)
    listed = api.get("/api/v1/listening/sources").json()
    assert listed[0]["config"]["api_token"] == "••••••"
    assert f"secret-{world.workspace.slug}" not in json.dumps(listed)
    assert listed[0]["config"]["url"] == "https://example.com/feed.xml"
    url = f"/api/v1/listening/sources/{ids['listening_source_id']}"
    paused = send(api, "patch", url, {"enabled": False})
    assert paused.status_code == 200
    assert paused.json()["state"] == "paused"
    unknown = send(api, "post", "/api/v1/listening/sources",
                   {"name": "Nope", "network": "myspace", "config": {}})  # fmt: skip
    assert unknown.status_code == 400
    assert unknown.json()["error"]["details"][0]["field"] == "network"
    bad = send(api, "post", "/api/v1/listening/sources",
               {"name": "Feed", "network": "rss", "config": {"url": "ftp://x"}})  # fmt: skip
    assert bad.status_code == 400
    assert ListeningSource.objects.for_workspace(world.workspace).count() == 1


def test_alerts_list(api: Client, world: World) -> None:
    ids = make_listening_ids(world)
    page = api.get("/api/v1/listening/alerts").json()
    assert len(page["items"]) == 1
    assert page["items"][0]["post_ids"] == [int(ids["post_id"])]
    assert page["items"][0]["kind"] == "volume"
    assert api.get("/api/v1/listening/alerts?topic=999999").json()["items"] == []


def test_a_read_only_token_cannot_act(world: World) -> None:
    from rapport.core.actions.tokens import do_create_token

    ids = make_listening_ids(world)
    secret = do_create_token(world.actor(), name="ro", scopes=["listening:read"]).secret
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/listening/mentions").status_code == 200
    handled = send(client, "post", f"/api/v1/listening/mentions/{ids['post_id']}/handled", {})
    assert handled.status_code == 403
