"""The tracking and commerce screens in a real Chromium, as the demo user: the
product catalogue sorted by a column header, a customer's Shopping panel loaded
by htmx, and the quarantine with a hostile payload that stays text."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import Dialog, Page

from rapport.commerce.models import Order
from rapport.demo.loader import DEMO_EMAIL, DEMO_PASSWORD, load_demo
from rapport.tracking.models import QuarantinedEvent, Source
from tests.browser import desktop_page
from tests.web.test_browser import ConsoleErrors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page() -> Iterator[Page]:
    with desktop_page() as page:
        yield page


def test_catalogue_shopping_panel_and_quarantine(live_server: Any, page: Page) -> None:
    workspace = load_demo().workspace
    source = Source.objects.for_workspace(workspace).first()
    assert source is not None
    QuarantinedEvent.objects.create(
        workspace=workspace,
        source=source,
        inbound_id=1,
        received_at=datetime.now(UTC),
        reason="a track call needs event",
        payload='{"type":"track","name":"<img src=x onerror=alert(1)>"}',
    )
    order = Order.objects.for_workspace(workspace).order_by("id").first()
    assert order is not None
    console = ConsoleErrors(page)
    dialogs: list[str] = []

    def dialog(d: Dialog) -> None:  # an alert() from event text would land here
        dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)

    base = live_server.url
    page.goto(f"{base}/")
    page.fill("#id_username", DEMO_EMAIL)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    home = f"{base}/w/{workspace.slug}/"
    page.wait_for_url(home)

    page.goto(f"{home}contacts/products/")
    assert page.locator("h1").first.inner_text() == "Products"
    rows = page.locator("table.products tbody tr")
    assert rows.count() >= 4  # the demo shop's coffees
    page.locator("table.products thead a", has_text="Price").first.click()
    assert page.locator("th[aria-sort]").first.inner_text().lower().startswith("price")

    page.goto(f"{home}contacts/{order.contact_id}/")
    panel = page.locator("#shopping .card-head")  # swapped in by htmx
    panel.wait_for()
    assert order.order_id in page.locator("#shopping").inner_text()  # the order, listed

    page.goto(f"{home}settings/sources/")
    page.click("a:text-is('Quarantine')")
    assert page.locator("h1").first.inner_text() == "Quarantine"
    assert "a track call needs event" in page.content()
    page.click("summary:text('Payload as received')")
    assert "<img src=x onerror=alert(1)>" in page.locator("main").inner_text()
    assert page.locator("main img").count() == 0
    assert dialogs == []
    assert console.errors == []
