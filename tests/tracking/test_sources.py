"""Sources and write keys: create, look up by key, rotate with a grace period,
switch off; in Settings and the API; keys never reach the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from rapport.core.errors import Conflict, DomainError
from rapport.core.models import AuditEntry
from rapport.core.permissions import Forbidden
from rapport.tracking.actions import do_create_source, do_rotate_write_key, do_set_source_enabled
from rapport.tracking.facade import source_for_key
from rapport.tracking.models import Source
from tests.factories import World


def test_write_keys_name_their_source_and_workspace(world: World, other_world: World) -> None:
    shop = do_create_source(world.actor(), name="Shop", kind="website")
    api = do_create_source(other_world.actor(), name="Backend", kind="server")
    assert shop.write_key.startswith("wk_web_")
    assert api.write_key.startswith("wk_srv_")
    assert len({shop.write_key, api.write_key}) == 2
    found = source_for_key(shop.write_key)
    assert found is not None
    assert found.workspace_id == world.workspace.pk
    assert not found.trusted  # a browser's key is public
    backend = source_for_key(api.write_key)
    assert backend is not None
    assert backend.trusted
    for bad in ("", "wk_web_nope", "x" * 500, f" {shop.write_key}x"):
        assert source_for_key(bad) is None


def test_rotation_keeps_the_old_key_for_a_grace_period(world: World) -> None:
    source = do_create_source(world.actor(), name="Shop", kind="website")
    old = source.write_key
    do_rotate_write_key(world.actor(), source)
    assert source.write_key != old
    assert source_for_key(old) == source  # still accepted for a while
    assert source_for_key(source.write_key) == source
    Source.objects.for_workspace(world.workspace).filter(pk=source.pk).update(
        previous_valid_until=timezone.now() - timedelta(seconds=1)
    )
    assert source_for_key(old) is None
    do_set_source_enabled(world.actor(), source, enabled=False)
    assert source_for_key(source.write_key) is None  # switched off: refused


def test_names_kinds_and_permissions(world: World) -> None:
    do_create_source(world.actor(), name="Shop", kind="website")
    with pytest.raises(Conflict):
        do_create_source(world.actor(), name="Shop", kind="app")
    with pytest.raises(DomainError):
        do_create_source(world.actor(), name="  ", kind="app")
    with pytest.raises(DomainError):
        do_create_source(world.actor(), name="Fax", kind="fax")
    with pytest.raises(Forbidden):
        do_create_source(world.actor("marketer"), name="Mine", kind="app")


def test_keys_never_reach_the_audit_log(world: World) -> None:
    source = do_create_source(world.actor(), name="Backend", kind="server")
    do_rotate_write_key(world.actor(), source)
    trail = " ".join(
        f"{e.before} {e.after}" for e in AuditEntry.objects.for_workspace(world.workspace)
    )
    assert "source.rotate" in {e.action for e in AuditEntry.objects.for_workspace(world.workspace)}
    assert source.write_key not in trail
    assert str(source.previous_write_key) not in trail


def test_settings_page_creates_rotates_and_switches_off(world: World) -> None:
    client = Client()
    client.force_login(world.owner.user)
    base = f"/w/{world.workspace.slug}/settings/sources/"
    made = client.post(f"{base}create/", {"name": "Web shop", "kind": "website"}, follow=True)
    page = made.content.decode()
    source = Source.objects.for_workspace(world.workspace).get(name="Web shop")
    assert "Source “Web shop” created." in page
    assert source.write_key in page
    listing = client.get(base)
    assert "no-store" in listing["Cache-Control"]  # a page with keys is not cached
    rotated = client.post(f"{base}{source.pk}/rotate/", follow=True).content.decode()
    source.refresh_from_db()
    assert source.write_key in rotated
    assert "keeps working for 24 hours" in rotated
    client.post(f"{base}{source.pk}/toggle/")
    source.refresh_from_db()
    assert not source.enabled
    bad = client.post(f"{base}create/", {"name": "Web shop", "kind": "website"})
    assert bad.status_code == 400
    assert "exists already" in bad.content.decode()
    marketer = Client()
    marketer.force_login(world.members["marketer"].user)
    assert marketer.get(base).status_code == 200  # may see the sources
    assert marketer.post(f"{base}{source.pk}/rotate/").status_code == 403


def test_sources_api(world: World, api: Client) -> None:
    made = api.post("/api/v1/sources", {"name": "App", "kind": "app"},
                    content_type="application/json")  # fmt: skip
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["write_key"].startswith("wk_app_")
    rotated = api.post(f"/api/v1/sources/{body['id']}/rotate").json()
    assert rotated["write_key"] != body["write_key"]
    assert rotated["previous_valid_until"] is not None
    off = api.patch(f"/api/v1/sources/{body['id']}", {"enabled": False},
                    content_type="application/json")  # fmt: skip
    assert off.json()["enabled"] is False
    assert [s["name"] for s in api.get("/api/v1/sources").json()] == ["App"]
    assert api.post("/api/v1/sources", {"name": "App", "kind": "app"},
                    content_type="application/json").status_code == 409  # fmt: skip
    assert api.post("/api/v1/sources", {"name": "X", "kind": "fax"},
                    content_type="application/json").status_code == 422  # fmt: skip
