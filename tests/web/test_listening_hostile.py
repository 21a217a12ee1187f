"""Post text is untrusted: nothing in it runs in an agent's browser. For every network
Rapport ships a connector for, a hostile payload in that network's own shape (script
elements, ``<img onerror>``, ``javascript:`` links, ``<svg onload>``, iframes, in
texts, names, handles, URLs, avatars, tags) goes through that connector's real parser,
is stored as the listen process stores it, and is then shown in Chromium: the mention
stream, the topic dashboard, the sources page, the alerts page, the link-to-contact
page and the contact an agent makes of a hostile author. No dialog opens, the console
stays clean (a blocked inline handler would show there as a CSP error), no element in
the page carries an event handler or a ``javascript:`` URL, and what the stranger
wrote is there to read, as text."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncGenerator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import orjson
import pytest
from django.utils import timezone
from playwright.sync_api import Dialog, Locator, Page

from rapport.channels import registry
from rapport.channels.connectors.bluesky.parse import parse_message
from rapport.channels.connectors.bluesky.profiles import APPVIEW, Profiles
from rapport.channels.connectors.jsonl.provider import JsonlProvider
from rapport.channels.connectors.mastodon.parse import parse_statuses
from rapport.channels.connectors.reddit.parse import parse_listing
from rapport.channels.connectors.replay.provider import ReplayProvider
from rapport.channels.connectors.rss.parse import parse_feed
from rapport.channels.connectors.rss.provider import FeedCursor, id_digest
from rapport.channels.connectors.webhook.parse import parse_webhook
from rapport.channels.connectors.x.parse import XPayloadError, parse_search_page
from rapport.channels.http import HttpClient
from rapport.channels.posts import RawPost
from rapport.channels.registry import Fetched
from rapport.listening import runner as runner_module
from rapport.listening.actions import do_create_topic
from rapport.listening.actions.sources import FIREHOSES
from rapport.listening.models import Alert, ListeningSource, Post, SourceState, Topic
from rapport.listening.runner import redact
from rapport.listening.store import store
from rapport.listening.topics_index import TopicIndex
from tests.browser import desktop_page, sign_in
from tests.factories import PASSWORD, World
from tests.listening.conftest import RuleNlp
from tests.web.test_browser import ConsoleErrors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURES = Path(__file__).parent / "fixtures" / "hostile"
T = TypeVar("T")


def _read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


async def _all(stream: AsyncGenerator[Fetched, None]) -> Fetched:
    """Every step of a finite stream as one: all posts, the last cursor, all problems."""
    posts: list[RawPost] = []
    problems: list[str] = []
    cursor = ""
    async with asyncio.timeout(30):
        async for step in stream:
            posts += step.posts
            cursor = step.cursor
            problems += step.problems
    return Fetched(posts, cursor, tuple(problems))


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` in a thread of its own: Playwright's loop holds this one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result(timeout=60)


async def _instantly(_seconds: float) -> None:
    await asyncio.sleep(0)


def bluesky() -> Fetched:
    """A Jetstream event, its author named by the AppView's getProfiles answer."""
    events = [parse_message(line) for line in _read("bluesky_events.jsonl").splitlines()]
    posts = [e.post for e in events if e.post is not None]
    profiles = _read("bluesky_profiles.json")

    def appview(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/xrpc/app.bsky.actor.getProfiles"
        return httpx.Response(200, content=profiles, headers={"content-type": "application/json"})

    async def named() -> list[RawPost]:
        async with HttpClient(transport=httpx.MockTransport(appview)) as http:
            return await Profiles(http, APPVIEW).with_authors(posts)

    return Fetched(_run(named()), str(events[-1].time_us))


def mastodon() -> Fetched:
    posts = parse_statuses(orjson.loads(_read("mastodon_statuses.json")), "mastodon.example")
    return Fetched(posts, orjson.dumps({"since_id": "113590000000000099"}).decode())


def reddit() -> Fetched:
    listing = parse_listing(orjson.loads(_read("reddit_new.json")))
    return Fetched(
        listing.posts, listing.things[0].name, tuple(t.problem for t in listing.things if t.problem)
    )


def x() -> Fetched:
    page = parse_search_page(orjson.loads(_read("x_search_recent.json")))
    return Fetched(page.posts, page.newest_id, tuple(page.problems))


def rss() -> Fetched:
    feed = parse_feed(_read("feed.rss.xml"), "https://news.example/evil/feed/")
    # The publisher's validators go into the cursor as they came: an ETag is theirs too.
    cursor = FeedCursor(
        etag="\"<script>alert('rss-etag')</script>\"",
        seen=[id_digest(p.external_id) for p in feed.posts],
    )
    return Fetched(feed.posts, cursor.dump())


def webhook() -> Fetched:
    return Fetched(parse_webhook(_read("webhook_body.json")), "")


def jsonl() -> Fetched:
    provider = JsonlProvider(import_dir=FIXTURES, sleep=_instantly)
    return _run(_all(provider.stream({"path": "import.jsonl"}, "")))


def replay() -> Fetched:
    provider = ReplayProvider(recording=FIXTURES / "replay.jsonl", sleep=_instantly)
    return _run(_all(provider.stream({"speed": 1000, "loop": False}, "")))


PARSE: dict[str, Callable[[], Fetched]] = {
    "bluesky": bluesky,
    "mastodon": mastodon,
    "reddit": reddit,
    "x": x,
    "rss": rss,
    "webhook": webhook,
    "jsonl": jsonl,
    "replay": replay,
}

# What reads like markup once each parser is done, and must be on the page as text.
SHOWN: dict[str, tuple[str, ...]] = {
    "bluesky": ("<script>alert('bsky-text')</script>", "<svg onload=alert('bsky-name')>"),
    "mastodon": (
        "<script>alert('masto-text')</script>",
        "<img src=x onerror=alert('masto-name')>",
        "<iframe src=javascript:alert('masto-cw')>",
    ),
    "reddit": (
        "<script>alert('reddit-title')</script>",
        "<img src=x onerror=alert('reddit-img')>",
        "u/<svg onload=alert('reddit-author')>",
    ),
    "x": ("<script>alert('x-text')</script>", "<img src=x onerror=alert('x-name')>"),
    "rss": (
        "<script>alert('rss-text')</script>",
        "<script>alert('rss-title')</script>",
        "<svg onload=alert('rss-author')>",
    ),
    "webhook": (
        "<script>alert('hook-text')</script>",
        "<svg onload=alert('hook-name')>",
        "@<img src=x onerror=alert('hook-handle')>",
        "<iframe src=javascript:alert('hook-title')>",
    ),
    "jsonl": (
        "<script>alert('jsonl-text')</script>",
        "<iframe src=javascript:alert('jsonl-name')></iframe>",
    ),
    "replay": (
        "<script>alert('replay-text')</script>",
        "<img src=x onerror=alert('replay-name')>",
        "@<svg onload=alert('replay-handle')>",
    ),
}
# Hashtags as networks send them; the dashboard lists them.
TAGS = (
    "#<img src=x onerror=alert('bsky-tag')>",
    "#<img src=x onerror=alert('masto-tag')>",
    "#<iframe src=javascript:alert('x-tag')>",
    "#<script>alert('hook-tag')</script>",
    "#<svg onload=alert('replay-tag')>",
)
# The code inside script elements of HTML payloads is dropped, not shown.
DROPPED = ("masto-raw", "rss-raw", "jsonl-raw", "replay-raw", "document.cookie")
X_ERROR = {"errors": [{"title": "<script>alert('x-error')</script>",
                       "detail": "<img src=x onerror=alert('x-error')>"}]}  # fmt: skip

# Every element inside ``root``: an attribute naming an event handler, a URL attribute
# that runs code, a script written into the page, or a frame or plugin is a finding.
UNSAFE_MARKUP = """(root) => {
  const found = [];
  const urlAttrs = ["href", "src", "action", "formaction", "xlink:href", "data", "poster",
                    "background", "srcset"];
  for (const el of [root, ...root.querySelectorAll("*")]) {
    const tag = el.tagName.toLowerCase();
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\\s\\u0000-\\u001f]+/g, "").toLowerCase();
      if (name.startsWith("on")) found.push(`<${tag} ${name}>`);
      if (name === "srcdoc") found.push(`<${tag} srcdoc>`);
      if (urlAttrs.includes(name) && /^(javascript|vbscript|data):/.test(value)) {
        found.push(`<${tag} ${name}=${attr.value}>`);
      }
    }
    if (tag === "script" && !el.src.startsWith(location.origin + "/static/")) {
      found.push(`<script> ${el.src || el.textContent.slice(0, 60)}`);
    }
    if (["iframe", "frame", "object", "embed", "base"].includes(tag)) found.push(`<${tag}>`);
  }
  return found;
}"""


@pytest.fixture
def page() -> Iterator[Page]:
    with desktop_page() as page:
        yield page


def _parsed() -> dict[str, Fetched]:
    """Every network's hostile payload through its parser, stamped with the recent past
    (as a live source would hear them) so the dashboard's week holds them."""
    now = datetime.now(UTC)
    out = {}
    for n, (network, parse) in enumerate(PARSE.items()):
        fetched = parse()
        assert fetched.posts, f"{network}: the parser kept no post"
        for post in fetched.posts:  # an original link is http(s) or nothing
            assert post.url == "" or post.url.startswith("https://"), (network, post.url)
        posts = [
            dataclasses.replace(p, created_at=now - timedelta(minutes=10 + n))
            for p in fetched.posts
        ]
        out[network] = dataclasses.replace(fetched, posts=posts)
    return out


def _store_everything(
    world: World, topic: Topic, parsed: dict[str, Fetched]
) -> dict[str, ListeningSource]:
    """Each network's posts stored by a source of that network, as the listen process
    stores a step; an X source whose last step failed; two alerts naming the posts."""
    index = TopicIndex()
    index.refresh()
    sources = {}
    for network, fetched in parsed.items():
        source = ListeningSource.objects.create(
            workspace=world.workspace, name=f"Hostile {network}", network=network,
            keep_unmatched=network not in FIREHOSES,
        )  # fmt: skip
        report = store(source, fetched, index, RuleNlp())
        assert (report.stored, report.mentions) == (1, 1), network
        sources[network] = source
    # An X answer that is an error, echoing what the attacker sent: the runner shows
    # the message on the source's status.
    with pytest.raises(XPayloadError) as refused:
        parse_search_page(X_ERROR)
    error = redact(f"{refused.type.__name__}: {refused.value}", sources["x"].config)
    runner_module._mark(sources["x"].pk, SourceState.ERROR, error)
    posts = list(
        Post.objects.for_workspace(world.workspace).order_by("pk").values_list("pk", flat=True)
    )
    now = timezone.now()
    for kind, ids in (("volume", posts[:4]), ("negative", posts[4:])):
        Alert.objects.create(workspace=world.workspace, topic=topic, kind=kind,
                             started_at=now - timedelta(hours=1), ended_at=now, observed=8,
                             expected=1, score=5, post_ids=ids)  # fmt: skip
    return sources


class Watch:
    """What must never happen on any page: a dialog, a console error (a blocked inline
    handler or script is reported there by the CSP)."""

    def __init__(self, page: Page) -> None:
        self.console = ConsoleErrors(page)
        self.dialogs: list[str] = []
        page.on("dialog", self._dialog)

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def check(self, page: Page, where: str) -> Locator:
        """The page as it is now (the whole body, main included); main, to read."""
        assert page.locator("body").evaluate(UNSAFE_MARKUP) == [], where
        assert self.dialogs == [], where
        assert self.console.errors == [], where
        main = page.locator("main")
        text = main.inner_text()
        for dropped in DROPPED:
            assert dropped not in text, (where, dropped)
        return main


def _shows(main: Locator, literals: tuple[str, ...], where: str) -> None:
    text = main.inner_text()
    missing = [s for s in literals if s not in text]
    assert missing == [], where


def test_hostile_posts_from_every_network_stay_text_on_every_listen_page(
    live_server: Any, page: Page, world: World
) -> None:
    assert set(PARSE) == set(registry.NETWORKS)  # a new network needs a payload here
    topic = do_create_topic(world.actor(), name="Acme", query="acme", kind="brand")
    parsed = _parsed()
    sources = _store_everything(world, topic, parsed)
    watch = Watch(page)
    base = live_server.url
    listen = f"{base}/w/{world.workspace.slug}/listen/"
    sign_in(
        page, base, world.owner.user.email, PASSWORD, lands_on=f"{base}/w/{world.workspace.slug}/"
    )

    # The mention stream: every post, its author, its title.
    page.goto(listen)
    page.locator("article[data-mention]").first.wait_for()
    main = watch.check(page, "stream")
    assert page.locator("article[data-mention]").count() == len(PARSE)
    for network, literals in SHOWN.items():
        _shows(main, literals, f"stream, {network}")
    # Only http(s) originals are offered; the hostile ones had none.
    for href in page.locator('[data-action="open"]').evaluate_all("els => els.map(e => e.href)"):
        assert href.startswith("https://"), href

    # An agent makes a contact of the webhook's author: the name travels into the CRM.
    hooked = page.locator("article[data-mention]", has_text="acme webhook form")
    hooked.locator("[data-link-panel] summary").click()
    hooked.locator('[data-action="create-contact"]').click()
    linked = page.locator("article[data-mention] [data-linked]")
    linked.wait_for(timeout=10_000)
    assert linked.inner_text() == "<svg onload=alert('hook-name')>"
    watch.check(page, "stream, linked")
    contact_url = linked.get_attribute("href")
    post = Post.objects.for_workspace(world.workspace).get(network="webhook")
    page.goto(f"{listen}posts/{post.pk}/link/?q=%3Cscript%3Ealert('q')%3C%2Fscript%3E")
    main = watch.check(page, "link page")
    _shows(main, (*SHOWN["webhook"][1:3], "<script>alert('q')</script>"), "link page")
    page.goto(f"{base}{contact_url}")
    main = watch.check(page, "contact")
    _shows(main, ("<svg onload=alert('hook-name')>",), "contact")

    # The topic dashboard: top authors and hashtags come from the posts.
    page.goto(f"{listen}topics/{topic.pk}/")
    page.locator("svg.chart-volume").wait_for()
    main = watch.check(page, "dashboard")
    names = tuple(p.author.name or p.author.handle for f in parsed.values() for p in f.posts)
    _shows(main, names + TAGS, "dashboard")

    # The sources page: each source's status and cursor, the X source's last error.
    page.goto(f"{listen}sources/")
    page.locator(f'tr[data-source="{sources["x"].pk}"]').wait_for()
    main = watch.check(page, "sources")
    for network, source in sources.items():
        row = page.locator(f'tr[data-source="{source.pk}"]')
        expected = "Error" if network == "x" else "Connected"
        assert expected in row.inner_text(), network
    x_row = page.locator(f'tr[data-source="{sources["x"].pk}"]')
    _shows(
        x_row,
        ("<script>alert('x-error')</script>", "<img src=x onerror=alert('x-error')>"),
        "sources",
    )
    rss_cursor = page.locator(f'tr[data-source="{sources["rss"].pk}"] code').first
    assert "<script>alert('rss-etag')</script>" in (rss_cursor.get_attribute("title") or "")
    assert "<script>a" in rss_cursor.inner_text()  # the first 20 characters

    # The alerts page: the posts behind each spike, opened.
    page.goto(f"{listen}alerts/")
    for summary in page.locator("tr[data-alert] details summary").all():
        summary.click()
    main = watch.check(page, "alerts")
    texts = tuple(s for literals in SHOWN.values() for s in literals if "-text'" in s)
    handles = ("@<img src=x onerror=alert('hook-handle')>", "@<svg onload=alert('replay-handle')>")
    _shows(main, texts + handles, "alerts")
