"""The live event debugger in a real Chromium: an event stored while the page is
open shows within seconds, Pause (button or "p") holds new ones back, and hostile
event text runs nothing (no dialog, no console error, CSP included)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Dialog, Page

from rapport.tracking.actions import do_create_source
from tests.browser import desktop_page, sign_in
from tests.factories import PASSWORD, World
from tests.tracking import event_rows as rows
from tests.web.test_browser import ConsoleErrors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Polling is every 2 s; this leaves room for a slow machine.
ARRIVES_WITHIN_MS = 6_000


@pytest.fixture
def page() -> Iterator[Page]:
    with desktop_page() as page:
        yield page


def test_debugger_shows_new_events_live_and_runs_no_hostile_script(
    live_server: Any, page: Page, world: World
) -> None:
    shop = do_create_source(world.actor(), name="Web shop", kind="website")
    rows.event(shop, name="Already There")
    console = ConsoleErrors(page)
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)

    base = live_server.url
    sign_in(
        page, base, world.owner.user.email, PASSWORD, lands_on=f"{base}/w/{world.workspace.slug}/"
    )
    page.goto(f"{base}/w/{world.workspace.slug}/settings/sources/{shop.pk}/events/")
    assert page.locator("h1").first.inner_text() == "Live events"
    assert page.locator("[data-live-status]").inner_text() == "Live"
    live_rows = page.locator("tr[data-live-row]")
    assert live_rows.count() == 1

    # Stored while the page is open: htmx's next poll brings it in at the top.
    rows.event(shop, name="Checkout Started", properties={"step": 2})
    page.locator("tr[data-live-row]", has_text="Checkout Started").wait_for(
        timeout=ARRIVES_WITHIN_MS
    )
    assert "Checkout Started" in live_rows.first.inner_text()

    # Hostile text, in an event and in the quarantine: shown as text, never run.
    rows.event(shop, name=rows.HOSTILE_NAME, user_id=rows.HOSTILE_ID,
               properties=rows.HOSTILE_PROPERTIES)  # fmt: skip
    rows.quarantined(shop, reason="<img src=x onerror=alert('reason')>",
                     payload="<svg onload=alert('payload')>")  # fmt: skip
    hostile = page.locator("tr[data-live-row]", has_text='<script>alert("name")</script>')
    hostile.wait_for(timeout=ARRIVES_WITHIN_MS)
    reason = page.locator("tr.quarantined .reason", has_text="<img src=x onerror=")
    reason.wait_for(timeout=ARRIVES_WITHIN_MS)
    hostile.locator("summary").click()  # unfold the properties: still text
    assert "<svg onload=alert('key')>" in hostile.locator("pre").first.inner_text()
    assert page.locator("main img, main iframe").count() == 0
    assert page.locator("main svg[onload], main [onerror]").count() == 0

    # Paused (with "p"), new events wait; resumed, they come in.
    page.keyboard.press("p")
    assert page.locator("[data-live-status]").inner_text() == "Paused"
    assert page.locator("[data-live-toggle]").get_attribute("aria-pressed") == "true"
    rows.event(shop, name="While Paused")
    page.wait_for_timeout(4_500)  # two poll intervals: both cancelled
    assert page.locator("tr[data-live-row]", has_text="While Paused").count() == 0
    page.click("[data-live-toggle]")
    assert page.locator("[data-live-status]").inner_text() == "Live"
    page.locator("tr[data-live-row]", has_text="While Paused").wait_for(timeout=ARRIVES_WITHIN_MS)

    assert dialogs == []
    assert console.errors == []
