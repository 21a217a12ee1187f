"""The workspace's tracking settings (action, Settings → Sources form, API) and the
installation snippets each source shows."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from rapport.core.errors import DomainError
from rapport.core.models import AuditEntry
from rapport.core.permissions import Forbidden
from rapport.tracking.actions import do_create_source, do_update_tracking_settings
from rapport.tracking.facade import tracking_settings
from rapport.tracking.models import TrackingSettings
from rapport.web.views.settings_sources import snippets
from tests.factories import World
from tests.web.test_pages import inline_code


def test_defaults_until_changed_then_one_row_audited(world: World, other_world: World) -> None:
    prefs = tracking_settings(world.actor())
    assert prefs.pk is None  # nothing stored until someone changes something
    assert (prefs.require_consent, prefs.respect_dnt, prefs.store_ip) == (False, True, False)
    assert (prefs.cart_abandoned_after_minutes, prefs.long_absence_days) == (60, 60)

    do_update_tracking_settings(world.actor(), require_consent=True, long_absence_days=90)
    do_update_tracking_settings(world.actor(), cart_abandoned_after_minutes=30)
    saved = TrackingSettings.objects.for_workspace(world.workspace).get()
    assert (saved.require_consent, saved.respect_dnt, saved.store_ip) == (True, True, False)
    assert (saved.cart_abandoned_after_minutes, saved.long_absence_days) == (30, 90)
    assert not TrackingSettings.objects.for_workspace(other_world.workspace).exists()

    entries = AuditEntry.objects.for_workspace(world.workspace).filter(
        action="tracking_settings.update"
    )
    assert entries.count() == 2
    first = entries.order_by("id").first()
    assert first is not None
    assert first.before is not None
    assert first.after is not None
    assert (first.before["require_consent"], first.after["require_consent"]) == (False, True)
    # Saving what is already there changes nothing and leaves no entry.
    do_update_tracking_settings(world.actor(), cart_abandoned_after_minutes=30)
    assert entries.count() == 2


@pytest.mark.parametrize(
    "fields",
    [
        {"cart_abandoned_after_minutes": 0},
        {"cart_abandoned_after_minutes": 43_201},
        {"long_absence_days": True},
        {"require_consent": 1},
        {"colour": "red"},
    ],
)
def test_values_out_of_range_or_unknown_are_refused(
    world: World, fields: dict[str, object]
) -> None:
    with pytest.raises(DomainError):
        do_update_tracking_settings(world.actor(), **fields)  # type: ignore[arg-type]
    assert not TrackingSettings.objects.for_workspace(world.workspace).exists()


def test_only_source_managers_change_settings(world: World) -> None:
    for role in ("manager", "marketer", "agent", "analyst"):
        with pytest.raises(Forbidden):
            do_update_tracking_settings(world.actor(role), require_consent=True)
    assert tracking_settings(world.actor("marketer")).require_consent is False  # may read
    do_update_tracking_settings(world.actor("admin"), require_consent=True)


def test_settings_form_saves_and_reports_errors(world: World) -> None:
    client = Client()
    client.force_login(world.owner.user)
    base = f"/w/{world.workspace.slug}/settings/sources/"
    page = client.get(base).content.decode()
    assert re.search(r'<input type="checkbox" name="respect_dnt"[^>]* checked>', page)
    assert not re.search(r'<input type="checkbox" name="require_consent"[^>]* checked>', page)
    assert inline_code(page) == []

    saved = client.post(
        f"{base}settings/",
        {
            "require_consent": "on",
            "store_ip": "on",
            "cart_abandoned_after_minutes": "45",
            "long_absence_days": "120",
        },
        follow=True,
    )
    assert "Tracking settings saved." in saved.content.decode()
    prefs = TrackingSettings.objects.for_workspace(world.workspace).get()
    # An unticked box is not sent at all: it means off.
    assert (prefs.require_consent, prefs.respect_dnt, prefs.store_ip) == (True, False, True)
    assert (prefs.cart_abandoned_after_minutes, prefs.long_absence_days) == (45, 120)

    bad = client.post(
        f"{base}settings/", {"cart_abandoned_after_minutes": "0", "long_absence_days": "x"}
    )
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "greater than or equal to 1" in text
    assert "Enter a whole number." in text
    prefs.refresh_from_db()
    assert prefs.cart_abandoned_after_minutes == 45

    marketer = Client()
    marketer.force_login(world.members["marketer"].user)
    shown = marketer.get(base).content.decode()
    assert "Long absence after (days)" in shown
    assert "Save tracking settings" not in shown  # sees them, cannot change them
    assert marketer.post(f"{base}settings/", {"long_absence_days": "5"}).status_code == 403


def test_tracking_settings_api(world: World, api: Client) -> None:
    assert api.get("/api/v1/tracking-settings").json() == {
        "require_consent": False,
        "respect_dnt": True,
        "store_ip": False,
        "cart_abandoned_after_minutes": 60,
        "long_absence_days": 60,
    }
    new = {
        "require_consent": True,
        "respect_dnt": False,
        "store_ip": True,
        "cart_abandoned_after_minutes": 15,
        "long_absence_days": 30,
    }
    put = api.put("/api/v1/tracking-settings", new, content_type="application/json")
    assert put.status_code == 200, put.content
    assert put.json() == new
    assert api.get("/api/v1/tracking-settings").json() == new
    # PUT replaces the whole object: every field is needed, and ranges hold.
    partial = api.put(
        "/api/v1/tracking-settings", {"require_consent": False}, content_type="application/json"
    )
    assert partial.status_code == 422
    too_long = api.put(
        "/api/v1/tracking-settings",
        {**new, "long_absence_days": 10_000},
        content_type="application/json",
    )
    assert too_long.status_code == 422
    assert api.get("/api/v1/tracking-settings").json() == new
    doc = api.get("/api/v1/openapi.json").json()["paths"]["/api/v1/tracking-settings"]
    assert doc["get"]["x-permission"] == "sources.view"
    assert doc["put"]["x-permission"] == "sources.manage"


def test_each_source_shows_how_to_install_it(world: World) -> None:
    web = do_create_source(world.actor(), name="Shop", kind="website")
    backend = do_create_source(world.actor(), name="Backend", kind="server")
    client = Client()
    client.force_login(world.owner.user)
    page = client.get(f"/w/{world.workspace.slug}/settings/sources/").content.decode()
    text = html.unescape(page)
    script = (
        '<script src="http://testserver/static/rapport/rapport.js" '
        f'data-write-key="{web.write_key}" data-host="http://testserver" '
        'data-auto-page="true" defer></script>'
    )
    assert script in text
    assert f"curl http://testserver/v1/track \\\n  -u '{backend.write_key}:'" in text
    assert f"analytics.write_key = '{backend.write_key}'" in text
    assert "analytics.host = 'http://testserver'" in text
    assert (
        f"new Analytics({{ writeKey: '{backend.write_key}', host: 'http://testserver' }})" in text
    )
    # Every snippet has a copy button pointing at it, and each source links to its
    # live events.
    for source in (web, backend):
        ids = re.findall(rf'id="(snippet-{source.pk}-\w+)"', page)
        assert ids
        for element_id in ids:
            assert f'data-copy="#{element_id}"' in page
        assert f'href="/w/{world.workspace.slug}/settings/sources/{source.pk}/events/"' in page
    assert f'href="/w/{world.workspace.slug}/settings/sources/quarantine/"' in page
    assert inline_code(page) == []


def test_snippets_follow_the_host_they_are_shown_on(world: World) -> None:
    source = do_create_source(world.actor(), name="App", kind="app")
    found = snippets(source, "https://crm.example.com")
    assert [s.key for s in found] == ["curl", "python", "node"]
    assert all("https://crm.example.com" in s.text for s in found)
    assert all(source.write_key in s.text for s in found)
    assert "-u '" in found[0].text  # Basic auth: the key is the user
