"""Listen in a real Chromium: a topic written in the query editor (its live check
points at a bad query first), mentions arriving on their own while the stream is open
(played from a recording by a replay source, run by the same Runner as ``rapport
listen``), the negative filter, a sentiment correction, the keyboard, and linking a
mention to a contact. Post text is hostile: nothing in it may run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Dialog, Page

from rapport.channels.connectors.replay.provider import dump_cursor
from rapport.contacts.actions.people import do_create_contact
from rapport.contacts.resolution import Claim
from rapport.listening.actions import do_create_listening_source
from rapport.listening.models import Post, Topic
from tests.browser import desktop_page, sign_in
from tests.factories import PASSWORD, World
from tests.web.listening_live import Listening, use_recording
from tests.web.test_browser import ConsoleErrors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The stream polls every 5 s and the recording plays over ~5 s; this leaves room for
# a slow, loaded machine.
ARRIVES_WITHIN_MS = 30_000
SPEED = 30  # the burst plays ~2 s after the source starts, the question ~3 s later


@pytest.fixture
def page() -> Iterator[Page]:
    with desktop_page() as page:
        yield page


@pytest.fixture
def recorded_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    use_recording(monkeypatch)


def test_topic_then_live_mentions_filter_correct_and_link(
    live_server: Any, page: Page, world: World, recorded_stream: None
) -> None:
    ann = do_create_contact(
        world.actor(), identities=[Claim("email", "ann@example.com")], full_name="Ann Example"
    ).contact
    source = do_create_listening_source(
        world.actor(), name="Recorded stream", network="replay",
        config={"speed": SPEED, "loop": False},
    )  # fmt: skip
    console = ConsoleErrors(page)
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    base = live_server.url
    listen = f"{base}/w/{world.workspace.slug}/listen/"
    sign_in(
        page, base, world.owner.user.email, PASSWORD, lands_on=f"{base}/w/{world.workspace.slug}/"
    )

    # The editor checks the query as it is typed and points at the problem.
    page.goto(f"{listen}topics/new/")
    page.fill("#id_name", "Acme")
    page.fill("[data-query-input]", "acme AND (")
    page.locator("[data-query-error]", has_text="parenthesis").wait_for(timeout=5_000)
    assert page.locator("mark.caret-at").count() == 1
    page.fill("[data-query-input]", "acme")
    page.locator("[data-query-ok]").wait_for(timeout=5_000)
    page.click("[data-topic-form] button[type=submit]")
    topic = Topic.objects.for_workspace(world.workspace).get(name="Acme")
    page.wait_for_url(f"{listen}topics/{topic.pk}/")

    # Mentions the replay source plays while the stream is open arrive on their own.
    page.goto(listen)
    page.locator("[data-stream-empty]").wait_for()
    listening = Listening(source)
    try:
        mentions = page.locator("article[data-mention]")
        page.locator("article[data-mention]", has_text="checkout broken again").wait_for(
            timeout=ARRIVES_WITHIN_MS
        )
        page.locator("article[data-mention]", has_text="I love acme").wait_for(
            timeout=ARRIVES_WITHIN_MS
        )
    finally:
        listening.close()  # and it stopped, with no error
    # The runner stored the whole recording, and the cursor after it.
    source.refresh_from_db()
    assert (source.state, source.cursor, source.posts_seen) == ("connected", dump_cursor(0, 3), 3)
    assert mentions.count() == 3
    assert page.locator("[data-new-marker]").count() >= 1
    hostile = page.locator("article[data-mention]", has_text="acme is awful")
    assert "<script>alert('text')</script>" in hostile.inner_text()
    assert "<svg onload=alert('name')>" in hostile.inner_text()
    assert "alert('raw')" not in hostile.inner_text()  # a script element's code is dropped
    assert hostile.locator('[data-action="open"]').count() == 0  # the javascript: link is gone
    assert page.locator("main svg[onload], main [onerror], main script:not([src])").count() == 0
    assert page.locator('main [href^="javascript:" i], main [src^="javascript:" i]').count() == 0

    # Only the negative ones.
    page.select_option("#f-sentiment", "negative")
    page.locator("article[data-mention]", has_text="I love acme").wait_for(state="detached")
    assert mentions.count() == 2

    # Correct one: the row comes back with the agent's verdict.
    dave = page.locator("article[data-mention]", has_text="checkout broken again")
    dave.locator('[data-correct="sentiment"] select').select_option("neutral")
    dave.locator('[data-sentiment="neutral"]').wait_for(timeout=5_000)
    dave_post = Post.objects.for_workspace(world.workspace).get(text__contains="checkout")
    dave_post.refresh_from_db()
    assert (dave_post.sentiment, dave_post.corrected) == ("neutral", True)

    # The keyboard: j selects the first mention, h marks it handled.
    page.locator("h1").first.click()
    page.keyboard.press("j")
    first = page.locator("article[data-mention].is-current")
    first.wait_for(timeout=2_000)
    page.keyboard.press("h")
    page.locator("article[data-mention] [data-handled]").first.wait_for(timeout=5_000)
    page.keyboard.press("?")
    help_dialog = page.locator("#shortcut-help")
    assert "Next mention" in help_dialog.inner_text()
    page.keyboard.press("Escape")

    # Link the hostile author to Ann.
    hostile = page.locator("article[data-mention]", has_text="acme is awful")
    hostile.locator("[data-link-panel] summary").click()
    hostile.locator("[data-link-search]").fill("Ann")
    hostile.locator(f'[data-link-contact="{ann.pk}"]').click()
    page.locator("article[data-mention] [data-linked]", has_text="Ann Example").wait_for(
        timeout=5_000
    )
    linked = Post.objects.for_workspace(world.workspace).get(text__contains="awful")
    assert linked.contact_id == ann.pk

    assert dialogs == []
    assert console.errors == []
