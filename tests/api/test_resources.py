"""The first API resources end to end: workspace, members, teams, tokens, audit."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from rapport.core.models import ApiToken, AuditEntry
from tests.factories import World


def send(client: Client, method: str, url: str, body: Any = None) -> Any:
    data = json.dumps(body) if body is not None else None
    return getattr(client, method)(url, data=data, content_type="application/json")


def test_workspace_read_and_patch_is_audited(api: Client, world: World) -> None:
    assert api.get("/api/v1/workspace").json()["slug"] == world.workspace.slug
    response = send(api, "patch", "/api/v1/workspace", {"name": "Acme Renamed"})
    assert response.status_code == 200
    assert response.json()["name"] == "Acme Renamed"
    entry = AuditEntry.objects.for_workspace(world.workspace).first()
    assert entry is not None
    assert entry.action == "workspace.update"
    assert "via token" in entry.actor_label


def test_members_add_page_change_and_remove(api: Client, world: World) -> None:
    created = send(api, "post", "/api/v1/members", {"email": "New@Example.com", "role": "agent"})
    assert created.status_code == 201
    member = created.json()
    assert member["email"] == "new@example.com"

    first = api.get("/api/v1/members?limit=3").json()
    assert len(first["items"]) == 3
    rest = api.get(f"/api/v1/members?limit=200&cursor={first['next_cursor']}").json()
    ids = [m["id"] for m in first["items"] + rest["items"]]
    assert len(ids) == len(set(ids)) == 7
    assert member["id"] in ids
    assert {m["role"] for m in api.get("/api/v1/members?role=agent").json()["items"]} == {"agent"}

    changed = send(api, "patch", f"/api/v1/members/{member['id']}", {"role": "marketer"})
    assert changed.json()["role"] == "marketer"
    assert api.delete(f"/api/v1/members/{member['id']}").status_code == 204
    assert api.get(f"/api/v1/members/{member['id']}").status_code == 404


def test_last_owner_cannot_be_demoted(api: Client, world: World) -> None:
    response = send(api, "patch", f"/api/v1/members/{world.owner.pk}", {"role": "agent"})
    assert response.status_code == 409
    assert "owner" in response.json()["error"]["message"]


def test_teams_lifecycle_and_membership(api: Client, world: World) -> None:
    team = send(api, "post", "/api/v1/teams", {"name": "Social", "description": "DMs"}).json()
    agent = world.members["agent"].pk
    added = api.put(f"/api/v1/teams/{team['id']}/members/{agent}")
    assert added.json()["member_ids"] == [agent]
    again = api.put(f"/api/v1/teams/{team['id']}/members/{agent}")
    assert again.json()["member_ids"] == [agent]  # idempotent
    renamed = send(api, "patch", f"/api/v1/teams/{team['id']}", {"name": "Social Care"})
    assert renamed.json()["name"] == "Social Care"
    dup = send(api, "post", "/api/v1/teams", {"name": "Social Care"})
    assert dup.status_code == 409
    removed = api.delete(f"/api/v1/teams/{team['id']}/members/{agent}")
    assert removed.json()["member_ids"] == []
    assert api.delete(f"/api/v1/teams/{team['id']}").status_code == 204
    names = [t["name"] for t in api.get("/api/v1/teams").json()["items"]]
    assert names == [world.team.name]


def test_token_secret_is_shown_once_and_stored_hashed(api: Client, world: World) -> None:
    created = send(api, "post", "/api/v1/tokens", {"name": "zapier", "scopes": ["audit:read"]})
    assert created.status_code == 201
    secret = created.json()["secret"]
    token_id = created.json()["id"]
    assert secret.startswith("rpt_")
    assert "secret" not in api.get(f"/api/v1/tokens/{token_id}").json()
    stored = ApiToken.objects.for_workspace(world.workspace).get(pk=token_id)
    assert secret not in (stored.digest, stored.prefix)

    narrow = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert narrow.get("/api/v1/audit").status_code == 200
    refused = narrow.get("/api/v1/members")
    assert refused.status_code == 403
    assert "scope" in refused.json()["error"]["message"]

    revoked = api.delete(f"/api/v1/tokens/{token_id}").json()
    assert revoked["revoked_at"] is not None
    assert narrow.get("/api/v1/audit").status_code == 401
    active = api.get("/api/v1/tokens?active=true").json()["items"]
    assert token_id not in [t["id"] for t in active]


def test_a_token_cannot_mint_a_broader_token(api: Client) -> None:
    body = {"name": "minter", "scopes": ["tokens:write", "tokens:read"]}
    minter = send(api, "post", "/api/v1/tokens", body).json()["secret"]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {minter}")
    broader = send(client, "post", "/api/v1/tokens", {"name": "x", "scopes": ["members:write"]})
    assert broader.status_code == 403
    same = send(client, "post", "/api/v1/tokens", {"name": "y", "scopes": ["tokens:read"]})
    assert same.status_code == 201


def test_audit_filters_and_pages_without_overlap(api: Client, world: World) -> None:
    for n in range(5):
        send(api, "post", "/api/v1/teams", {"name": f"T{n}"})
    teams_only = api.get("/api/v1/audit?action=team.create&limit=2").json()
    assert [e["action"] for e in teams_only["items"]] == ["team.create"] * 2
    seen = [e["id"] for e in teams_only["items"]]
    cursor = teams_only["next_cursor"]
    while cursor:
        page = api.get(f"/api/v1/audit?action=team.create&limit=2&cursor={cursor}").json()
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
    # five here plus the factory's team
    assert len(seen) == len(set(seen)) == 6
    newest = api.get("/api/v1/audit?limit=1").json()["items"][0]
    assert newest["after"] == {"name": "T4", "description": ""}
    assert api.get("/api/v1/audit?actor=nobody-at-all").json()["items"] == []
