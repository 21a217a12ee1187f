"""rapport.js: its size budget; what it sends, when and how, against a stand-in
host (batches, retries, persistence, beacons, consent, Do-Not-Track); and the demo
shop against the real host (ingest + web app), through processing, to the contact
the visitor becomes."""

from __future__ import annotations

import gzip
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Request

import rapport.tracking
from rapport.contacts.models import Identity
from rapport.core.actions.workspaces import do_create_workspace
from rapport.core.actor import Actor
from rapport.core.models import Membership, Workspace
from rapport.demo.loader import DEMO_SLUG
from rapport.tracking.actions import do_create_source, do_update_tracking_settings
from rapport.tracking.ingest.log import open_log
from rapport.tracking.models import Source, TrackedEvent
from rapport.tracking.pipeline import process_pending
from tests.browser import chromium
from tests.factories import PASSWORD, make_user
from tests.tracking.server import serve_rapport

RAPPORT_JS = Path(rapport.tracking.__file__).parent / "static" / "rapport" / "rapport.js"
BUDGET = 5 * 1024  # bytes, gzipped

# Headless Chromium says "HeadlessChrome", which the pipeline drops as a bot; the
# visitors of these tests are people.
PERSON_UA = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
UUID4 = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
DNT_ON = "Object.defineProperty(Navigator.prototype, 'doNotTrack', {get: () => '1'});"


def test_rapport_js_fits_its_budget() -> None:
    raw = RAPPORT_JS.read_bytes()
    packed = len(gzip.compress(raw, compresslevel=9))
    assert packed <= BUDGET, f"rapport.js is {packed} bytes gzipped, over {BUDGET}"
    text = raw.decode()
    # Hand-written and self-contained: no module syntax, no imports, no eval.
    for banned in ("import ", "require(", "eval(", "new Function"):
        assert banned not in text, banned


def wait_until(page: Page, check: Callable[[], bool], seconds: float = 8.0) -> None:
    """Let the browser run until ``check``. Not page.wait_for_function: that needs
    eval, which the strict CSP of Rapport's pages refuses."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        page.wait_for_timeout(50)


def settled(page: Page) -> None:
    """Until rapport.js has applied its settings: the request reaching the fake host
    is not enough, events queued before the answer is read all go at once after it."""
    page.evaluate("new Promise((done) => rapport.ready(done))")


def storage(page: Page) -> dict[str, str]:
    """localStorage and sessionStorage of the page, together."""
    return dict(
        page.evaluate("[...Object.entries(localStorage), ...Object.entries(sessionStorage)]")
    )


def queued(page: Page) -> dict[str, str]:
    """The events rapport.js keeps in localStorage until they are delivered."""
    return {k: v for k, v in storage(page).items() if k.startswith("rapport_q_")}


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


def person(browser: Browser, init_script: str = "") -> BrowserContext:
    context = browser.new_context(user_agent=PERSON_UA)
    if init_script:
        context.add_init_script(init_script)
    return context


# ---------------------------------------------------------------------------
# The stand-in: a host on a free port of 127.0.0.1 that serves a page loading
# rapport.js, answers its settings and records every POST to /v1/. A real server
# rather than page.route, because Playwright does not see beacons.


@dataclass
class Sent:
    at: float
    url: str
    content_type: str
    body: dict[str, Any]

    @property
    def events(self) -> list[dict[str, Any]]:
        return list(self.body.get("batch", []))


@dataclass
class FakeHost:
    settings: dict[str, Any] = field(
        default_factory=lambda: {"requireConsent": False, "respectDnt": True}
    )
    # Answers for successive POSTs as (status, headers); 200 once they run out.
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    script_attrs: str = 'data-write-key="wk_web_test" data-auto-page="true"'
    sent: list[Sent] = field(default_factory=list)
    refused: list[Sent] = field(default_factory=list)
    settings_asked: int = 0
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, path: str, content_type: str, raw: bytes) -> tuple[int, dict[str, str]]:
        sent = Sent(time.monotonic(), path, content_type, json.loads(raw or b"{}"))
        with self.lock:
            status, headers = self.answers.pop(0) if self.answers else (200, {})
            (self.sent if status == 200 else self.refused).append(sent)
        return status, headers

    def events(self) -> list[dict[str, Any]]:
        with self.lock:
            return [e for s in self.sent for e in s.events]

    def names(self) -> list[str]:
        return [e.get("event") or e["type"] for e in self.events()]

    def page(self, path: str) -> bytes:
        return (
            f"<!doctype html><title>Page {path}</title>"
            f'<script src="/rapport.js" {self.script_attrs}></script>'
        ).encode()


def _handler(host: FakeHost) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test reads what it needs from ``host``."""

        def reply(
            self, status: int, body: bytes, content_type: str, headers: dict[str, str]
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/rapport.js":
                self.reply(200, RAPPORT_JS.read_bytes(), "application/javascript", {})
            elif path.startswith("/v1/projects/"):
                host.settings_asked += 1
                self.reply(200, json.dumps(host.settings).encode(), "application/json", {})
            else:
                self.reply(200, host.page(path), "text/html", {})

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status, headers = host.answer(self.path, self.headers.get("Content-Type", ""), raw)
            body = json.dumps({"success": status == 200}).encode()
            self.reply(status, body, "application/json", headers)

    return Handler


Open = Callable[..., tuple[BrowserContext, Page]]


@pytest.fixture
def shop(browser: Browser) -> Iterator[Open]:
    """``shop(host, path, init_script)``: a person's browser on a page of ``host``."""
    with ExitStack() as stack:

        def open_page(
            host: FakeHost, path: str = "/", init_script: str = ""
        ) -> tuple[BrowserContext, Page]:
            server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(host))
            threading.Thread(target=server.serve_forever, daemon=True).start()
            stack.callback(server.server_close)
            stack.callback(server.shutdown)
            host.url = f"http://127.0.0.1:{server.server_address[1]}"
            context = person(browser, init_script)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(f"{host.url}{path}")
            assert errors == []
            return context, page

        yield open_page


@pytest.mark.browser
def test_events_carry_ids_time_and_context(shop: Open) -> None:
    host = FakeHost()
    context, page = shop(host, "/p/1?utm_source=news&utm_medium=email"
                              "&utm_campaign=spring&x=1")  # fmt: skip
    page.evaluate("rapport.track('Product Viewed', {product_id: 'p1', price: 9.5})")
    wait_until(page, lambda: len(host.events()) == 2)
    assert host.names() == ["page", "Product Viewed"]
    assert host.settings_asked == 1
    first = host.sent[0]
    assert first.url == "/v1/batch"
    assert first.content_type.startswith("text/plain")  # a simple request: no preflight
    assert first.body["writeKey"] == "wk_web_test"
    assert first.body["sentAt"].endswith("Z")
    page_view, viewed = host.events()
    aid = page_view["anonymousId"]
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", aid)
    assert viewed["anonymousId"] == aid
    assert "userId" not in viewed
    assert viewed["properties"] == {"product_id": "p1", "price": 9.5}
    assert len({page_view["messageId"], viewed["messageId"]}) == 2
    ctx = viewed["context"]
    assert ctx["library"] == {"name": "rapport.js", "version": "1.0.0"}
    assert ctx["page"]["path"] == "/p/1"
    assert ctx["page"]["title"] == "Page /p/1"
    assert ctx["page"]["url"].startswith(f"{host.url}/p/1?utm_source=news")
    assert ctx["page"]["search"].startswith("?utm_source=news")
    assert ctx["campaign"] == {"source": "news", "medium": "email", "name": "spring"}
    assert ctx["userAgent"] == PERSON_UA
    assert ctx["locale"] == "en-US"
    assert page_view["properties"]["path"] == "/p/1"  # page() names its page too
    # The anonymous id lives in a first-party cookie for a year.
    cookie = next(c for c in context.cookies() if c["name"] == "rapport_aid")
    assert cookie["value"] == aid
    assert cookie["sameSite"] == "Lax"
    assert 364 * 86400 < cookie["expires"] - time.time() <= 365 * 86400
    # identify keeps the user id (cookie too); alias and reset.
    page.evaluate("rapport.identify('u-42', {email: 'ann@example.com'})")
    page.evaluate("rapport.alias('u-43')")
    page.evaluate("rapport.track('After')")
    wait_until(page, lambda: len(host.events()) == 5)
    identify, alias, after = host.events()[2:]
    assert identify["type"] == "identify"
    assert (identify["userId"], identify["anonymousId"]) == ("u-42", aid)
    assert identify["traits"] == {"email": "ann@example.com"}
    assert (alias["userId"], alias["previousId"]) == ("u-43", "u-42")
    assert after["userId"] == "u-42"
    assert {c["name"]: c["value"] for c in context.cookies()}["rapport_uid"] == "u-42"
    page.evaluate("rapport.reset()")
    page.evaluate("rapport.track('Anonymous again')")
    wait_until(page, lambda: len(host.events()) == 6)
    last = host.events()[-1]
    assert "userId" not in last
    assert last["anonymousId"] != aid
    assert "rapport_uid" not in {c["name"] for c in context.cookies()}


@pytest.mark.browser
def test_batches_of_twenty_and_a_second_later(
    shop: Open,
) -> None:
    host = FakeHost(script_attrs='data-write-key="wk_web_test"')  # no automatic page()
    _context, page = shop(host)
    settled(page)
    assert host.settings_asked == 1
    started = time.monotonic()
    page.evaluate("for (let i = 0; i < 25; i++) rapport.track('E' + i)")
    wait_until(page, lambda: len(host.events()) == 25)
    assert [len(s.events) for s in host.sent] == [20, 5]
    assert host.sent[0].at - started < 0.8  # twenty waiting: sent at once
    assert host.sent[1].at - started >= 0.9  # the rest: within about a second
    assert host.names() == [f"E{i}" for i in range(25)]


@pytest.mark.browser
def test_retries_back_off_and_honour_retry_after(
    shop: Open,
) -> None:
    host = FakeHost(answers=[(503, {}), (429, {"retry-after": "2"})])
    _context, page = shop(host)
    wait_until(page, lambda: len(host.sent) == 1, seconds=10)
    first, throttled = host.refused
    assert throttled.at - first.at < 1.5  # the first retry comes soon (0.5-1 s)
    assert host.sent[0].at - throttled.at >= 1.9  # then the server's 2 s are kept
    # The same events each time: same message ids, so the server can deduplicate.
    ids = [[e["messageId"] for e in s.events] for s in (first, throttled, host.sent[0])]
    assert ids[0] == ids[1] == ids[2]
    assert queued(page) == {}  # delivered: nothing left queued


@pytest.mark.browser
def test_a_refused_batch_is_dropped_not_retried(
    shop: Open,
) -> None:
    host = FakeHost(answers=[(400, {})])
    _context, page = shop(host)
    wait_until(page, lambda: len(host.refused) == 1)
    page.evaluate("rapport.track('Next')")
    wait_until(page, lambda: len(host.sent) == 1)
    assert host.names() == ["Next"]  # the bad batch was not sent again


@pytest.mark.browser
def test_the_queue_survives_a_reload(shop: Open) -> None:
    host = FakeHost(answers=[(500, {})] * 50)
    context, page = shop(host)
    page.evaluate("rapport.track('Kept')")
    wait_until(page, lambda: len(host.refused) >= 1)
    waiting = queued(page)
    assert len(waiting) == 1
    ((key, value),) = waiting.items()
    assert key.startswith("rapport_q_wk_web_test_")
    assert [e.get("event") or e["type"] for e in json.loads(value)] == ["page", "Kept"]
    host.answers.clear()  # the server is back
    page.reload()
    wait_until(page, lambda: len(host.events()) == 3)
    # The reloaded page's own page view, and the two that waited, each once.
    assert sorted(host.names()) == ["Kept", "page", "page"]
    wait_until(page, lambda: queued(page) == {})
    context.close()


@pytest.mark.browser
def test_the_queue_is_bounded(shop: Open) -> None:
    host = FakeHost(answers=[(503, {})] * 100)
    _context, page = shop(host)
    page.evaluate("for (let i = 0; i < 260; i++) rapport.track('E' + i)")
    wait_until(page, lambda: len(host.refused) >= 1)
    (value,) = queued(page).values()
    kept = [e["event"] for e in json.loads(value)]
    assert len(kept) == 200
    assert kept[-1] == "E259"  # the oldest go first


@pytest.mark.browser
def test_leaving_the_page_sends_by_beacon(shop: Open) -> None:
    host = FakeHost(script_attrs='data-write-key="wk_web_test"')
    _context, page = shop(host)
    settled(page)
    page.evaluate("rapport.track('Last words')")
    page.goto(f"{host.url}/elsewhere")  # before the one-second flush
    wait_until(page, lambda: "Last words" in host.names())
    assert host.sent[0].content_type.startswith("text/plain")
    assert host.sent[0].body["writeKey"] == "wk_web_test"


@pytest.mark.browser
def test_consent_gate(shop: Open) -> None:
    host = FakeHost(settings={"requireConsent": True, "respectDnt": True})
    context, page = shop(host)
    page.evaluate("rapport.track('Before consent')")
    page.wait_for_timeout(1500)
    assert host.sent == []
    assert host.refused == []
    assert storage(page) == {}
    assert context.cookies() == []  # no identifier before consent
    assert page.evaluate("new Promise(r => rapport.ready(r))") == {
        "requireConsent": True,
        "dnt": False,
        "consent": None,
        "sending": False,
    }
    page.evaluate("rapport.consent(true)")
    wait_until(page, lambda: len(host.events()) == 2)
    assert host.names() == ["page", "Before consent"]  # what waited, in order
    cookies = {c["name"]: c["value"] for c in context.cookies()}
    assert cookies["rapport_consent"] == "1"
    assert cookies["rapport_aid"] == host.events()[0]["anonymousId"]
    # Remembered: the next page sends without asking.
    page.reload()
    wait_until(page, lambda: len(host.events()) == 3)
    # Withdrawn: queue dropped, identifiers removed, nothing more sent.
    page.evaluate("rapport.track('Dropped'); rapport.consent(false); rapport.track('Ignored')")
    page.wait_for_timeout(1500)
    assert len(host.events()) == 3
    cookies = {c["name"]: c["value"] for c in context.cookies()}
    assert cookies == {"rapport_consent": "0"}
    assert storage(page) == {}


@pytest.mark.browser
def test_a_page_may_ask_for_consent_itself(shop: Open) -> None:
    host = FakeHost(script_attrs='data-write-key="wk_web_test" data-auto-page="true" '
                    'data-require-consent="true"')  # fmt: skip
    _context, page = shop(host)
    page.wait_for_timeout(1500)
    assert host.sent == []
    page.evaluate("rapport.consent(true)")
    wait_until(page, lambda: host.names() == ["page"])


@pytest.mark.browser
@pytest.mark.parametrize("respect", [True, False])
def test_do_not_track(shop: Open, respect: bool) -> None:
    host = FakeHost(settings={"requireConsent": False, "respectDnt": respect})
    context, page = shop(host, init_script=DNT_ON)
    page.evaluate("rapport.identify('u-1', {email: 'dnt@example.com'})")
    if respect:
        page.wait_for_timeout(1500)
        assert host.sent == []
        assert context.cookies() == []
        assert storage(page) == {}
        assert page.evaluate("new Promise(r => rapport.ready(r))")["dnt"] is True
    else:
        wait_until(page, lambda: host.names() == ["page", "identify"])


@pytest.mark.browser
def test_calls_queued_before_it_loads(shop: Open) -> None:
    host = FakeHost()
    _context, page = shop(
        host,
        # A page's own script may queue calls before rapport.js arrives. And without
        # crypto.randomUUID (plain-http pages lack it), ids come from getRandomValues.
        init_script="delete Crypto.prototype.randomUUID;"
        "window.rapport = [['track', 'Early', {n: 1}], ['identify', 'u-9']];",
    )
    wait_until(page, lambda: len(host.events()) == 3)
    assert host.names() == ["Early", "identify", "page"]
    assert host.events()[0]["properties"] == {"n": 1}
    assert host.events()[1]["userId"] == "u-9"
    for event in host.events():
        for key in ("messageId", "anonymousId"):
            assert re.fullmatch(UUID4, event[key]), event[key]


# ---------------------------------------------------------------------------
# The demo shop on the real host: the ingest API and the web app on one port, the
# events processed by the pipeline into a contact's activity.


@dataclass
class DemoShop:
    actor: Actor
    source: Source

    @property
    def workspace(self) -> Workspace:
        return self.actor.workspace


@pytest.fixture
def demo_shop(transactional_db: Any) -> DemoShop:
    owner = make_user(email="owner@nordlicht.example")
    workspace = do_create_workspace(name="Nordlicht Coffee", owner=owner, slug=DEMO_SLUG)
    actor = Actor(
        workspace=workspace, membership=Membership.objects.for_workspace(workspace).get(user=owner)
    )
    do_create_source(actor, name="Order backend", kind="server")
    return DemoShop(actor, do_create_source(actor, name="Nordlicht web shop", kind="website"))


class Watch:
    """What a page says on its console and which requests it makes to /v1/."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        self.posts: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("request", self._request)

    def _request(self, request: Request) -> None:
        if request.method == "POST" and "/v1/" in request.url:
            self.posts.append(request.url)


def logged_events() -> list[dict[str, Any]]:
    """Every event in the durable log, as accepted, before processing."""
    log = open_log()
    try:
        rows = log.read(0, 10_000)
    finally:
        log.close()
    return [e for _, r in rows for e in json.loads(r.body).get("batch", [])]


def stored(shop: DemoShop) -> list[TrackedEvent]:
    process_pending()
    return list(
        TrackedEvent.objects.for_workspace(shop.workspace)
        .filter(source=shop.source)
        .order_by("id")  # as received: device times a few ms apart may swap when corrected
    )


def label(event: TrackedEvent) -> str:
    return event.name if event.type == "track" else event.type


@pytest.mark.browser
def test_a_visitor_shops_signs_in_and_becomes_a_contact(
    browser: Browser, demo_shop: DemoShop
) -> None:
    context = person(browser)
    page = context.new_page()
    watch = Watch(page)
    with serve_rapport() as host:
        page.goto(f"{host.url}/shop/")
        assert page.locator("#consent-banner").is_hidden()
        page.click("h2 a:text-is('Aurora Filter')")
        page.wait_for_url("**/shop/?product=aurora-filter")
        page.click("[data-add-to-cart]")
        assert page.locator("#cart-count").inner_text() == "1"
        # Anonymous so far: page views, the product opened and added, all by one
        # anonymous id, processed before the visitor says who they are.
        wait_until(page, lambda: len(stored(demo_shop)) == 4)
        anonymous = stored(demo_shop)
        assert [label(e) for e in anonymous] == ["page", "page", "Product Viewed", "Product Added"]
        assert len({e.anonymous_id for e in anonymous}) == 1
        assert all(e.user_id == "" for e in anonymous)
        added = anonymous[-1]
        assert added.properties["product_id"] == "aurora-filter"
        assert added.properties["sku"] == "NL-FIL-250"
        assert added.properties["price"] == 12.5
        assert added.context["library"]["name"] == "rapport.js"

        page.fill("#signin-email", "Greta@Example.com")
        page.click("#signin button[type=submit]")
        assert page.locator("#signed-in-email").inner_text() == "greta@example.com"
        page.click("#checkout")
        assert "Thank you! Order NL-" in page.locator("#order-done").inner_text()
        wait_until(page, lambda: len(stored(demo_shop)) == 7)

    events = stored(demo_shop)
    names = [label(e) for e in events]
    assert names[4:] == ["identify", "Checkout Started", "Order Completed"]
    identify = events[4]
    assert identify.user_id == "greta@example.com"
    assert identify.traits == {"email": "greta@example.com"}
    order = events[-1].properties
    assert order["order_id"].startswith("NL-")
    assert (order["revenue"], order["shipping"], order["total"]) == (12.5, 4.9, 17.4)
    assert order["currency"] == "EUR"
    assert order["products"] == [
        {
            "product_id": "aurora-filter",
            "sku": "NL-FIL-250",
            "name": "Aurora Filter",
            "category": "Filter",
            "price": 12.5,
            "quantity": 1,
        }
    ]
    # The person found by that email has every event, the anonymous ones included.
    email = Identity.objects.for_workspace(demo_shop.workspace).get(
        kind="email", value="greta@example.com"
    )
    mine = TrackedEvent.objects.for_workspace(demo_shop.workspace).filter(contact=email.contact_id)
    assert sorted(label(e) for e in mine) == sorted(names)
    assert watch.errors == []

    # And the contact page shows them, to someone signed in to Rapport.
    staff = person(browser).new_page()
    staff_watch = Watch(staff)
    with serve_rapport() as host:
        staff.goto(f"{host.url}/login/")
        staff.fill("#id_username", "owner@nordlicht.example")
        staff.fill("#id_password", PASSWORD)
        staff.click("button[type=submit]")
        staff.wait_for_url(f"{host.url}/w/{DEMO_SLUG}/")
        staff.goto(f"{host.url}/w/{DEMO_SLUG}/contacts/{email.contact_id}/")
        # The panel arrives by htmx after the page.
        staff.locator("#activity-events", has_text="Order Completed").wait_for()
        activity = staff.locator("#activity").inner_text()
    for name in ("Product Added", "Product Viewed", "Order Completed"):
        assert name in activity, name
    assert staff_watch.errors == []


@pytest.mark.browser
def test_nothing_is_sent_before_consent(browser: Browser, demo_shop: DemoShop) -> None:
    do_update_tracking_settings(demo_shop.actor, require_consent=True)
    context = person(browser)
    page = context.new_page()
    watch = Watch(page)
    with serve_rapport() as host:
        page.goto(f"{host.url}/shop/")
        banner = page.locator("#consent-banner")
        banner.wait_for(state="visible")  # once rapport.js knows consent is needed
        page.click("[data-product-id='polar-espresso'] [data-add-to-cart]")
        page.fill("#signin-email", "waiting@example.com")
        page.click("#signin button[type=submit]")
        page.wait_for_timeout(2000)  # twice the flush interval
        assert watch.posts == []
        assert logged_events() == []
        assert not [c for c in context.cookies() if c["name"].startswith("rapport_")]
        assert not [k for k in storage(page) if k.startswith("rapport_")]  # the shop's own only

        page.click("#consent-accept")
        assert banner.is_hidden()
        wait_until(page, lambda: len(logged_events()) == 3)
        assert [e.get("event") or e["type"] for e in logged_events()] == [
            "page", "Product Added", "identify"
        ]  # fmt: skip
        assert watch.posts
        cookies = {c["name"]: c["value"] for c in context.cookies()}
        assert cookies["rapport_consent"] == "1"
        # Remembered: no banner on the next page, and its page view goes straight out.
        page.goto(f"{host.url}/shop/?product=midnight-decaf")
        page.wait_for_timeout(300)
        assert banner.is_hidden()
        wait_until(page, lambda: len(logged_events()) == 5)  # page, Product Viewed
    assert watch.errors == []


@pytest.mark.browser
def test_declining_sends_nothing_and_the_page_may_ask_itself(
    browser: Browser, demo_shop: DemoShop
) -> None:
    context = person(browser)
    page = context.new_page()
    watch = Watch(page)
    with serve_rapport() as host:
        # The workspace does not ask; ?consent=required makes the page ask anyway.
        page.goto(f"{host.url}/shop/?consent=required")
        page.locator("#consent-banner").wait_for(state="visible")
        page.click("#consent-decline")
        page.click("[data-add-to-cart] >> nth=0")
        page.reload()
        page.wait_for_timeout(1500)
        assert page.locator("#consent-banner").is_hidden()  # asked once
        assert watch.posts == []
        assert logged_events() == []
        cookies = {c["name"]: c["value"] for c in context.cookies()}
        assert cookies == {"rapport_consent": "0"}
    assert watch.errors == []


@pytest.mark.browser
@pytest.mark.parametrize("respect", [True, False])
def test_do_not_track_on_the_shop(browser: Browser, demo_shop: DemoShop, respect: bool) -> None:
    if not respect:
        do_update_tracking_settings(demo_shop.actor, respect_dnt=False)
    context = person(browser, DNT_ON)
    page = context.new_page()
    watch = Watch(page)
    with serve_rapport() as host:
        page.goto(f"{host.url}/shop/")
        page.click("[data-add-to-cart] >> nth=0")
        if respect:
            page.wait_for_timeout(2000)
            assert watch.posts == []
            assert logged_events() == []
            assert [c["name"] for c in context.cookies()] == []
            assert not [k for k in storage(page) if k.startswith("rapport_")]
            assert "nordlicht_cart" in storage(page)  # the shop's own storage works
        else:
            wait_until(page, lambda: len(logged_events()) == 2)
    assert page.locator("#consent-banner").is_hidden()
    assert watch.errors == []
