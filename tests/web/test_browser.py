"""A real Chromium, driven by Playwright, uses the app like a person: signs in as
the demo user, opens every main and settings page with no console error (a CSP
violation is one), navigates by keyboard, loads more audit entries through htmx
and creates an API token."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, FilePayload, Page, expect

from rapport.contacts.actions.people import do_create_contact
from rapport.contacts.resolution import Claim
from rapport.core.actions.teams import do_create_team
from rapport.core.actor import Actor
from rapport.core.models import Membership
from rapport.demo.loader import DEMO_EMAIL, DEMO_PASSWORD, load_demo
from rapport.jobs.worker import Worker
from rapport.web.context import MODULES, SETTINGS_PAGES
from tests.browser import desktop_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page() -> Iterator[Page]:
    with desktop_page() as page:
        yield page


class ConsoleErrors:
    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"{message.text} at {message.location}")


def test_demo_user_walks_through_the_app(live_server: Any, page: Page) -> None:
    summary = load_demo()
    workspace = summary.workspace
    owner = Membership.objects.for_workspace(workspace).get(user__email=DEMO_EMAIL)
    for n in range(30):  # enough audit entries for a second page
        do_create_team(Actor(workspace=workspace, membership=owner), name=f"Browser team {n:02d}")
    base = live_server.url
    console = ConsoleErrors(page)

    page.goto(f"{base}/")
    page.fill("#id_username", DEMO_EMAIL)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/w/{workspace.slug}/")
    assert page.locator("h1").first.inner_text() == workspace.name

    home = f"{base}/w/{workspace.slug}/"
    for item in MODULES:
        page.goto(f"{home}{item.key}/")
        assert page.locator("main h1, main h2").first.inner_text() == item.label, item.key
    for setting in SETTINGS_PAGES:
        page.click(".nav a[data-hotkey='x']")
        page.click(f".subnav a:text-is('{setting.label}')")
        assert page.locator("h1").first.inner_text() == setting.label.replace(
            "API tokens", "API tokens"
        ), setting.label

    # Keyboard: "g" then "c" opens Contacts; "?" opens the shortcut help.
    page.goto(home)
    page.keyboard.press("g")
    page.keyboard.press("c")
    page.wait_for_url(f"{home}contacts/")
    page.keyboard.press("?")
    assert page.locator("#shortcut-help").is_visible()
    page.keyboard.press("Escape")

    # Audit log: 25 rows, then htmx appends the next page in place.
    page.goto(f"{home}settings/audit/")
    rows = page.locator("#audit-rows tr:not(#audit-more)")
    first_count = rows.count()
    assert first_count == 25
    page.click("#audit-more button")
    # (Polling with page.wait_for_function would need 'unsafe-eval', which the CSP refuses.)
    rows.nth(first_count).wait_for()
    assert rows.count() > first_count

    # A new token: the secret is shown once, then the list has it.
    page.goto(f"{home}settings/tokens/")
    page.fill("#id_name", "browser test")
    page.check("input[name=scopes][value='audit:read']")
    page.click("form[action$='/tokens/create/'] button[type=submit]")
    secret = page.locator("#token-secret").inner_text()
    assert secret.startswith("rpt_")
    page.goto(f"{home}settings/tokens/")
    assert "browser test" in page.content()
    assert secret not in page.content()

    # Contacts: search as you type (htmx), open one, merge a duplicate, undo it.
    actor = Actor(workspace=workspace, membership=owner)
    do_create_contact(actor, full_name="Zofia Nowak", identities=[Claim("email", "zofia@ex.com")])
    do_create_contact(actor, full_name="Zosia N.", identities=[Claim("x", "zosia_n")])
    page.goto(f"{home}contacts/")
    page.fill("#contact-search", "zofia@")
    page.locator("#contact-rows", has_text="Zosia N.").wait_for(state="detached")
    assert page.locator("#contact-rows tr").count() == 1
    page.click("#contact-rows a:has-text('Zofia Nowak')")
    page.wait_for_url("**/contacts/*/")
    page.fill("#id_other", "zosia_n")
    page.click("button:has-text('Review merge')")
    page.wait_for_selector("text=Merge two contacts?")  # the dialog: both sides, the outcome
    assert "zosia_n" in page.locator(".merge-preview").inner_text()
    page.click("form[action$='/merge/'] button[type=submit]")
    page.wait_for_selector("text=Merged #")
    assert "zosia_n" in page.locator(".identities").first.inner_text()
    page.click(".merges button:has-text('Undo')")
    page.wait_for_selector("text=Merge undone")
    assert page.locator("h1").first.inner_text() == "Zosia N."

    # Import a CSV (Windows-1250, semicolons), find an imported person, merge the two
    # that look alike from the duplicates review, and undo it.
    csv = (
        "Imię i nazwisko;E-mail;Miasto\n"
        "Anneliese Brückner;anneliese.b@example.de;Łódź\n"
        "Anneliese Brückner;anneliese.b@example.org;Łódź\n"
        "Bartosz Żak;not-an-email;Gdańsk\n"
    ).encode("cp1250")
    page.goto(f"{home}contacts/import/")
    upload: FilePayload = {"name": "leads.csv", "mimeType": "text/csv", "buffer": csv}
    page.set_input_files("#import-file", files=[upload])
    page.click("form[action$='/import/upload/'] button[type=submit]")
    page.wait_for_selector("text=Anneliese Brückner")  # the preview, decoded right
    page.click("button:has-text('Import 3 rows')")
    worker = Worker(run_scheduler=False)
    while worker.run_one() is not None:  # the import, then the duplicate search it asks for
        pass
    page.wait_for_selector("text=Done", timeout=10_000)  # the progress bar polls until done
    page.goto(f"{home}contacts/")
    page.fill("#contact-search", "anneliese")
    expect(page.locator("#contact-rows tr")).to_have_count(2)  # htmx swapped the results in
    assert page.locator("#contact-rows tr", has_text="Anneliese Brückner").count() == 2
    page.click("#contact-rows a:has-text('Anneliese Brückner') >> nth=0")
    page.wait_for_url("**/contacts/*/")
    assert "Łódź" in page.content()
    page.goto(f"{home}contacts/duplicates/")
    pair = page.locator(".card", has_text="anneliese.b@example.org")
    pair.locator("button:has-text('Merge')").click()
    page.wait_for_selector("text=Merged. You can undo it")
    identities = page.locator(".identities").first.inner_text()
    assert "anneliese.b@example.de" in identities
    assert "anneliese.b@example.org" in identities
    page.click(".merges button:has-text('Undo')")
    page.wait_for_selector("text=Merge undone")
    # back on the restored contact: it holds its own address again, and only that one
    restored = page.locator(".identities").first.inner_text()
    assert "anneliese.b@example.org" in restored
    assert "anneliese.b@example.de" not in restored

    # Companies: reached from the contacts tabs; the demo's companies are listed.
    page.goto(f"{home}contacts/")
    page.click("nav.tabs a:has-text('Companies')")
    page.wait_for_url("**/contacts/companies/")
    assert page.locator("h1").first.inner_text() == "Companies"
    assert "Fjord Office Supplies" in page.content()

    assert console.errors == []
