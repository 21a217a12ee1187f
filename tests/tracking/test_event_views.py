"""Looking at events in the UI: the live debugger of a source (new rows as they
arrive, quarantined ones with their reason), the quarantine browser, and the
Activity panel of the contact page. Event text is hostile and must stay inert;
another workspace's sources and contacts are not found."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from rapport.contacts.actions.people import do_create_contact
from rapport.contacts.models import Contact
from rapport.contacts.resolution import Claim
from rapport.tracking.actions import do_create_source
from rapport.tracking.models import Source
from tests.factories import World
from tests.tracking import event_rows as rows
from tests.web.helpers import client_for
from tests.web.test_pages import inline_code

HX = {"HX-Request": "true"}


@pytest.fixture
def owner(world: World) -> Client:
    return client_for(world.owner)


def debugger_url(world: World, source: Source) -> str:
    return f"/w/{world.workspace.slug}/settings/sources/{source.pk}/events/"


def quarantine_url(world: World) -> str:
    return f"/w/{world.workspace.slug}/settings/sources/quarantine/"


def activity_url(world: World, contact: Contact) -> str:
    return f"/w/{world.workspace.slug}/contacts/{contact.pk}/activity/"


def poll_url(html: str) -> str:
    found = re.search(r'id="live-poller"[^>]*hx-get="([^"]+)"', html)
    assert found, "the debugger has no poller"
    return found.group(1).replace("&amp;", "&")


def reasons(html: str) -> list[str]:
    return re.findall(r'<strong class="reason">([^<]*)</strong>', html)


class Markup(HTMLParser):
    """What a browser would build from the page: elements and their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def assert_inert(html: str) -> None:
    """No script, handler, or javascript: link came from event text."""
    assert inline_code(html) == []
    markup = Markup()
    markup.feed(html)
    for tag, attrs in markup.tags:
        assert tag not in ("img", "iframe", "object", "embed"), (tag, attrs)
        if tag == "script":
            assert (attrs.get("src") or "").startswith("/static/"), attrs
        for name in ("href", "src", "action", "hx-get", "hx-post"):
            assert not (attrs.get(name) or "").strip().lower().startswith("javascript:"), attrs
    # The svg elements of the page are the icon sprite and its uses, never one with
    # a handler (inline_code has checked every on* attribute above).
    assert "<script>alert" not in html
    assert "<svg onload" not in html


def test_debugger_shows_events_with_their_contact_and_quarantined_reasons(
    world: World, shop: Source, ann: Contact, owner: Client
) -> None:
    earlier = timezone.now() - timedelta(minutes=5)
    rows.event(shop, name="Product Viewed", at=earlier, anonymous_id="anon-77")
    rows.event(shop, name="Order Completed", contact_id=ann.pk, user_id="user-42",
               properties={"total": 49.5, "currency": "EUR"})  # fmt: skip
    rows.quarantined(shop, reason="a track call needs event")

    response = owner.get(debugger_url(world, shop))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert inline_code(html) == []
    assert "Live events" in html
    # Newest first: the quarantined event arrived last, the page view first.
    assert html.index("a track call needs event") < html.index("Order Completed")
    assert html.index("Order Completed") < html.index("Product Viewed")
    assert re.search(r'<strong class="reason">a track call needs event</strong>', html)
    assert f'href="/w/{world.workspace.slug}/contacts/{ann.pk}/"' in html
    assert "Ann Example" in html
    assert "user-42" in html
    assert "anon-77" in html
    assert "not resolved" in html  # the page view reached no contact
    # Properties and context are pretty-printed, folded in a <details>.
    assert "&quot;currency&quot;: &quot;EUR&quot;" in html
    assert re.search(r"<details[^>]*><summary>Properties and context</summary>", html)
    # htmx polls every 2 seconds, asking only for what came after these rows.
    assert 'hx-trigger="every 2s, livepoll"' in html
    assert 'data-live-limit="50"' in html


def test_debugger_poll_returns_only_rows_that_arrived_since(
    world: World, shop: Source, owner: Client
) -> None:
    first = rows.event(shop, name="Signed Up")
    first_q = rows.quarantined(shop, reason="type must be one of track, page")
    html = owner.get(debugger_url(world, shop)).content.decode()
    url = poll_url(html)
    query = parse_qs(urlsplit(url).query)
    assert query == {"after": [str(first.pk)], "qafter": [str(first_q.pk)]}

    # Nothing new: 204, which htmx leaves alone (the poller keeps asking).
    quiet = owner.get(url, headers=HX)
    assert quiet.status_code == 204
    assert "no-store" in quiet["Cache-Control"]

    second = rows.event(shop, name="Checkout Started")
    second_q = rows.quarantined(shop, reason="every call needs a userId or an anonymousId")
    fragment = owner.get(url, headers=HX)
    assert fragment.status_code == 200
    assert "no-store" in fragment["Cache-Control"]
    body = fragment.content.decode()
    assert "Checkout Started" in body
    assert "every call needs a userId or an anonymousId" in body
    assert "Signed Up" not in body
    assert "type must be one of" not in body
    assert "<html" not in body  # a fragment, not a page
    # The poller comes back asking after the new rows.
    next_query = parse_qs(urlsplit(poll_url(body)).query)
    assert next_query == {"after": [str(second.pk)], "qafter": [str(second_q.pk)]}
    # Another source's events never show in this one's debugger.
    other = do_create_source(world.actor(), name="Backend", kind="server")
    rows.event(other, name="Invoice Paid")
    assert owner.get(poll_url(body), headers=HX).status_code == 204


def test_debugger_keeps_the_newest_fifty(world: World, shop: Source, owner: Client) -> None:
    start = timezone.now() - timedelta(hours=1)
    for n in range(60):
        rows.event(shop, name=f"Step {n:02d}", at=start + timedelta(seconds=n))
    html = owner.get(debugger_url(world, shop)).content.decode()
    assert html.count("data-live-row") == 50
    assert "Step 59" in html
    assert "Step 10" in html
    assert "Step 09" not in html


def test_hostile_event_text_renders_inert(
    world: World, shop: Source, ann: Contact, owner: Client
) -> None:
    rows.event(
        shop,
        name=rows.HOSTILE_NAME,
        contact_id=ann.pk,
        user_id=rows.HOSTILE_ID,
        anonymous_id=rows.HOSTILE_ID,
        properties=rows.HOSTILE_PROPERTIES,
        context={"page": {"url": "javascript:alert('ctx')", "title": "<svg onload=alert(1)>"}},
    )
    rows.quarantined(
        shop,
        reason="name is not an ISO-8601 date and time: '<script>alert(\"r\")</script>'",
        payload='{"event": "<svg onload=alert(\'payload\')>", "x": "</pre><script>x()</script>"}',
    )
    rows.quarantined(shop, reason="an event must be a JSON object", payload="<svg onload=alert(2)>")
    rows.session(shop, ann.pk, started=timezone.now() - timedelta(hours=1),
                 landing="javascript:alert('landing')", referrer="<svg onload=alert('ref')>",
                 campaign={"utm_source": "<script>alert('utm')</script>"},
                 device="<img src=x onerror=alert('device')>")  # fmt: skip
    rows.activity(world.workspace.pk, ann.pk, features={"<svg onload=alert('f')>": 3})

    pages = {
        "debugger": owner.get(debugger_url(world, shop)),
        "quarantine": owner.get(quarantine_url(world)),
        "activity panel": owner.get(activity_url(world, ann), headers=HX),
        "activity page": owner.get(activity_url(world, ann)),
    }
    for what, response in pages.items():
        assert response.status_code == 200, what
        html = response.content.decode()
        assert_inert(html)
        # Shown, as text: a person debugging needs to see what was sent.
        assert "&lt;svg onload=alert(" in html, what
    debugger = pages["debugger"].content.decode()
    assert "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;" in debugger
    assert "javascript:alert(&#x27;url&#x27;)" in debugger
    assert "&lt;/pre&gt;&lt;script&gt;alert(&#x27;nested&#x27;)" in debugger
    activity = pages["activity panel"].content.decode()
    assert "javascript:alert(&#x27;landing&#x27;)" in activity
    assert "&lt;img src=x onerror=alert(&#x27;device&#x27;)&gt;" in activity


def test_another_workspaces_source_and_contact_are_not_found(
    world: World, other_world: World, owner: Client
) -> None:
    theirs = do_create_source(other_world.actor(), name="Their shop", kind="website")
    rows.event(theirs, name="Secret Purchase")
    rows.quarantined(theirs, reason="their secret reason")
    their_contact = do_create_contact(
        other_world.actor(), identities=[Claim("email", "them@example.com")]
    ).contact

    for url in (debugger_url(world, theirs), f"/w/{other_world.workspace.slug}/settings/sources/"
                f"{theirs.pk}/events/"):  # fmt: skip
        for headers in ({}, HX):
            response = owner.get(url, headers=headers)
            assert response.status_code == 404
            assert b"Secret Purchase" not in response.content
    assert owner.get(f"{quarantine_url(world)}?source={theirs.pk}").status_code == 404
    everything = owner.get(quarantine_url(world)).content.decode()
    assert "their secret reason" not in everything
    assert "Their shop" not in everything
    assert owner.get(activity_url(world, their_contact)).status_code == 404
    assert owner.get(activity_url(world, their_contact), headers=HX).status_code == 404


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("owner", True), ("admin", True), ("manager", True), ("marketer", True),
     ("agent", False), ("analyst", False)],
)  # fmt: skip
def test_event_pages_need_sources_view_and_the_panel_contacts_view(
    world: World, shop: Source, ann: Contact, role: str, allowed: bool
) -> None:
    rows.event(shop, name="Product Viewed", contact_id=ann.pk)
    client = client_for(world.members[role])
    expected = 200 if allowed else 403
    assert client.get(debugger_url(world, shop)).status_code == expected
    assert client.get(debugger_url(world, shop), headers=HX).status_code == expected
    assert client.get(quarantine_url(world)).status_code == expected
    # Every role may read a contact, and so the contact's activity.
    panel = client.get(activity_url(world, ann), headers=HX)
    assert panel.status_code == 200
    assert "Product Viewed" in panel.content.decode()


def test_quarantine_pages_with_load_more_and_filters(
    world: World, shop: Source, owner: Client
) -> None:
    backend = do_create_source(world.actor(), name="Backend", kind="server")
    start = timezone.now() - timedelta(hours=1)
    for n in range(30):
        rows.quarantined(shop, reason=f"type must be one of track ({n:02d})",
                         at=start + timedelta(seconds=n))  # fmt: skip
    rows.quarantined(backend, reason="userId is longer than 200 characters",
                     payload='{"userId": "xxx", "type": "identify"}')  # fmt: skip

    response = owner.get(quarantine_url(world))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert inline_code(html) == []
    shown = reasons(html)
    assert len(shown) == 25
    assert shown[0] == "userId is longer than 200 characters"  # newest first
    assert shown[1] == "type must be one of track (29)"
    assert shown[-1] == "type must be one of track (06)"
    # The payload, pretty-printed.
    assert "&quot;type&quot;: &quot;identify&quot;" in html
    # The reasons seen lately are offered as suggestions for the filter.
    assert '<option value="userId is longer than 200 characters">' in html
    more = re.search(r'hx-get="([^"]+cursor=[^"]+)"', html)
    assert more, "no Load more"
    second = owner.get(more.group(1).replace("&amp;", "&"), headers=HX)
    assert second.status_code == 200
    body = second.content.decode()
    assert "<html" not in body
    assert reasons(body) == [f"type must be one of track ({n:02d})" for n in range(5, -1, -1)]
    assert "cursor=" not in body  # the last page

    only_backend = owner.get(f"{quarantine_url(world)}?source={backend.pk}").content.decode()
    assert reasons(only_backend) == ["userId is longer than 200 characters"]
    by_reason = owner.get(f"{quarantine_url(world)}?reason=(07)").content.decode()
    assert reasons(by_reason) == ["type must be one of track (07)"]
    nothing = owner.get(f"{quarantine_url(world)}?reason=no+such+reason").content.decode()
    assert reasons(nothing) == []
    assert "Nothing in quarantine" in nothing
    bad = owner.get(f"{quarantine_url(world)}?cursor=garbage")
    assert bad.status_code == 400
    assert "cursor is not valid" in bad.content.decode()
    assert owner.get(f"{quarantine_url(world)}?source=abc").status_code == 400


def test_activity_panel_sums_up_sessions_and_events(
    world: World, shop: Source, ann: Contact, owner: Client
) -> None:
    now = timezone.now()
    rows.activity(world.workspace.pk, ann.pk, usage_dropping=True,
                  first_login_at=now - timedelta(days=20))  # fmt: skip
    rows.session(shop, ann.pk, started=now - timedelta(days=3), minutes=75, page_views=9,
                 landing="https://shop.example/sale", referrer="https://news.example/",
                 campaign={"utm_source": "newsletter", "utm_campaign": "spring"},
                 device="Safari on iPhone")  # fmt: skip
    rows.session(shop, ann.pk, started=now - timedelta(days=1), minutes=4, page_views=2,
                 referrer="")  # fmt: skip
    for n in range(25):
        rows.event(shop, name=f"Viewed {n:02d}", kind="page" if n % 5 == 0 else "track",
                   contact_id=ann.pk, at=now - timedelta(minutes=100 - n))  # fmt: skip
    stranger = rows.event(shop, name="Someone Else")  # no contact

    panel = owner.get(activity_url(world, ann), headers=HX)
    assert panel.status_code == 200
    html = panel.content.decode()
    assert inline_code(html) == []
    assert "<html" not in html
    assert 'id="activity"' in html
    facts = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)", html))
    assert facts["Sessions"] == "7"
    assert facts["Page views"] == "31"
    assert facts["Events"] == "58"
    labels = re.findall(r"<dt>([^<]+)</dt>", html)
    assert labels == ["First seen", "Last seen", "Sessions", "Page views", "Events", "First login"]
    first_seen = (now - timedelta(days=30)).strftime("%Y-%m-%d")
    assert re.search(rf'<dt>First seen</dt><dd><time datetime="{first_seen}T', html)
    assert "usage dropping" in html
    # Features, the most used first.
    assert html.index("search") < html.index("export")
    assert "× 14" in html
    # Sessions, newest first, with length, landing page, referrer, campaign, device.
    assert html.index("Safari on iPhone") > html.index("4 min")
    assert "1 h 15 min" in html
    assert "https://shop.example/sale" in html
    assert "newsletter / spring" in html
    assert "direct" in html  # the session with no referrer
    # Events, newest first, 20 to a page.
    assert html.count('class="event"') == 20
    assert html.index("Viewed 24") < html.index("Viewed 23")
    assert "Viewed 04" not in html
    assert stranger.name not in html

    more = re.search(r'hx-get="([^"]+cursor=[^"]+)"', html)
    assert more, "no Load more"
    rest = owner.get(more.group(1).replace("&amp;", "&"), headers=HX).content.decode()
    assert rest.count('class="event"') == 5
    assert "Viewed 04" in rest
    assert "Viewed 05" not in rest
    assert "Sessions" not in rest  # only the list
    assert "cursor=" not in rest

    base = activity_url(world, ann)
    pages = owner.get(f"{base}?part=events&type=page", headers=HX).content.decode()
    assert pages.count('class="event"') == 5
    assert "Viewed 01" not in pages
    named = owner.get(f"{base}?part=events&name=Viewed+07", headers=HX).content.decode()
    assert named.count('class="event"') == 1
    none = owner.get(f"{base}?part=events&name=Nope", headers=HX).content.decode()
    assert "No events match these filters" in none

    # Opened directly, the panel is a page of its own.
    page = owner.get(base)
    assert page.status_code == 200
    assert "<html" in page.content.decode()
    assert "Activity of Ann Example" in page.content.decode()


def test_activity_panel_before_any_event(world: World, ann: Contact, owner: Client) -> None:
    html = owner.get(activity_url(world, ann), headers=HX).content.decode()
    assert "No tracked activity yet" in html
    assert "No events yet" in html
    assert "Recent sessions" not in html


def test_contact_page_lazy_loads_the_activity_panel(
    world: World, ann: Contact, owner: Client
) -> None:
    html = owner.get(f"/w/{world.workspace.slug}/contacts/{ann.pk}/").content.decode()
    assert re.search(
        rf'id="activity" hx-get="{re.escape(activity_url(world, ann))}" hx-trigger="load"', html
    )
