"""A topic's dashboard and the sources page in a real Chromium, after the listen
Runner has run two sources: a replay source that played its whole recording, and a
JSON Lines import whose file is shorter than its cursor (replaced under it), whose
every step fails. The dashboard draws its charts as SVG and shows the brand's share
of voice against a competitor; the sources page shows where each source stopped and
the failing one's error."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from rapport.channels.connectors.jsonl.provider import JsonlProvider
from rapport.channels.connectors.jsonl.provider import dump_cursor as jsonl_cursor
from rapport.channels.connectors.replay.provider import dump_cursor as replay_cursor
from rapport.listening.actions import do_create_listening_source, do_create_topic
from rapport.listening.models import ListeningSource
from tests.browser import desktop_page, sign_in
from tests.factories import PASSWORD, World
from tests.web.listening_live import Listening, use_recording
from tests.web.test_browser import ConsoleErrors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RAN_WITHIN_SECONDS = 60.0  # the recording plays in about a second; a loaded machine


@pytest.fixture
def page() -> Iterator[Page]:
    with desktop_page() as page:
        yield page


@pytest.fixture
def import_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    use_recording(monkeypatch, jsonl=JsonlProvider(import_dir=tmp_path))
    return tmp_path


def _ran(replayed: ListeningSource, failing: ListeningSource) -> bool:
    replayed.refresh_from_db()
    failing.refresh_from_db()
    return replayed.cursor == replay_cursor(0, 3) and failing.state == "error"


def test_dashboard_charts_and_source_status_after_a_run(
    live_server: Any, page: Page, world: World, import_dir: Path
) -> None:
    actor = world.actor()
    # "acme" is in all three recorded posts (two negative, one positive); "coffee" in
    # the positive one: the brand has 3 of the 4 brand and competitor mentions.
    brand = do_create_topic(actor, name="Acme", query="acme", kind="brand")
    do_create_topic(actor, name="Coffee rivals", query="coffee", kind="competitor")
    replayed = do_create_listening_source(
        actor, name="Recorded stream", network="replay", config={"speed": 1000, "loop": False}
    )
    (import_dir / "mentions.jsonl").write_text(
        '{"id": "m-1", "text": "acme", "created_at": "2026-12-01T09:00:00Z",'
        ' "author": {"handle": "@ann"}}\n'
    )
    failing = do_create_listening_source(
        actor, name="Mentions import", network="jsonl", config={"path": "mentions.jsonl"}
    )
    stopped_at = jsonl_cursor(5000, 40)
    ListeningSource.objects.for_workspace(world.workspace).filter(pk=failing.pk).update(
        cursor=stopped_at
    )

    listening = Listening(replayed, failing)
    try:
        deadline = time.monotonic() + RAN_WITHIN_SECONDS
        while not _ran(replayed, failing) and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        listening.close()
    assert replayed.cursor == replay_cursor(0, 3)
    assert failing.state == "error"
    assert failing.cursor == stopped_at  # a failed step never moves the cursor

    console = ConsoleErrors(page)
    base = live_server.url
    listen = f"{base}/w/{world.workspace.slug}/listen/"
    sign_in(
        page, base, world.owner.user.email, PASSWORD, lands_on=f"{base}/w/{world.workspace.slug}/"
    )

    # The dashboard: volume stacked by sentiment, a sparkline, share of voice.
    page.goto(f"{listen}topics/{brand.pk}/")
    volume = page.locator("svg.chart-volume")
    volume.wait_for()
    assert volume.locator("rect.s-negative").count() >= 1
    assert volume.locator("rect.s-positive").count() >= 1
    titles = volume.locator("title").all_text_contents()  # one bucket holds the three
    assert any(t.endswith(": 3 mentions (2 negative, 0 neutral, 1 positive)") for t in titles)
    assert page.locator(".stat svg.sparkline polyline").count() == 1
    share = page.locator("svg.chart-share")
    assert share.locator("text.label").all_text_contents() == ["Acme", "Coffee rivals"]
    assert share.locator("rect.sov-brand").count() == 1
    assert share.locator("rect.sov-competitor").count() == 1
    rows = page.locator("section", has_text="Share of voice").locator("table tr")
    assert [" ".join(r.split()) for r in rows.all_inner_texts()] == [
        "Acme 3 75 % 67 % negative",
        "Coffee rivals 1 25 % 0 % negative",
    ]

    # The sources page: where each source stopped; the failing one's error.
    page.goto(f"{listen}sources/")
    ok = page.locator(f'tr[data-source="{replayed.pk}"]')
    ok.wait_for()
    assert "Connected" in ok.inner_text()
    assert ok.locator("code").first.inner_text() == replay_cursor(0, 3)
    assert ok.locator("td").nth(3).inner_text() == "3"  # posts seen
    bad = page.locator(f'tr[data-source="{failing.pk}"]')
    assert "Error" in bad.inner_text()
    error = bad.locator(".error-text").inner_text()
    assert error.startswith("ValueError: mentions.jsonl is shorter")
    assert "than where the import stopped (5,000)" in error
    assert bad.locator("code").first.get_attribute("title") == stopped_at
    assert console.errors == []
