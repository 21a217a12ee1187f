"""RSS and Atom: real-shaped documents parsed into posts, and the feed source polling a
publisher on 127.0.0.1 with conditional GET, rate limits, garbage and broken
connections, resuming from its cursor without a gap or a duplicate."""

from __future__ import annotations

import asyncio
import email.utils
import gzip
from collections.abc import AsyncGenerator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rapport.channels.connectors.rss.parse import FeedError, parse_feed
from rapport.channels.connectors.rss.provider import FeedCursor, RssProvider, poll
from rapport.channels.egress import EgressPolicy
from rapport.channels.http import HttpClient, HttpError
from rapport.channels.registry import Fetched, provider
from tests.channels.conftest import FakeServer, Reply, Seen

FIXTURES = Path(__file__).parent / "fixtures" / "rss"
NEWS = (FIXTURES / "news.rss.xml").read_bytes()
REVIEWS = (FIXTURES / "reviews.atom.xml").read_bytes()
FEED_URL = "https://news.example/kaffee/feed/"


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def rss(*items: tuple[str, str]) -> bytes:
    """A small RSS 2.0 document with items (guid, title), newest first."""
    body = "".join(
        f"<item><title>{title}</title><guid isPermaLink='false'>{guid}</guid>"
        f"<pubDate>Tue, 01 Dec 2026 {10 + i:02d}:00:00 GMT</pubDate>"
        f"<description>{title} text</description></item>"
        for i, (guid, title) in enumerate(reversed(items))
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel>"
        f"<title>Feed</title><link>https://blog.example/</link>{body}</channel></rss>"
    ).encode()


def atom(*items: tuple[str, str]) -> bytes:
    """The same as an Atom (RFC 4287) document; bare ids, as some generators write them."""
    entries = "".join(
        f"<entry><title>{title}</title><id>{guid}</id>"
        f"<updated>2026-12-01T{10 + i:02d}:00:00Z</updated>"
        f"<summary>{title} text</summary></entry>"
        for i, (guid, title) in enumerate(reversed(items))
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        "<title>Feed</title><id>tag:blog.example,2026:feed</id>"
        f"<updated>2026-12-01T12:00:00Z</updated>{entries}</feed>"
    ).encode()


class Publisher:
    """A feed that changes when the test says, answering conditional GETs the way
    a web server does (ETag, Last-Modified, 304)."""

    def __init__(self, document: bytes, *, validators: str = "etag") -> None:
        self.version = 0
        self.validators = validators
        self.not_modified = 0
        self.publish(document)

    def publish(self, document: bytes) -> None:
        self.document = document
        self.version += 1

    @property
    def etag(self) -> str:
        return f'"v{self.version}"'

    @property
    def modified(self) -> str:
        when = datetime(2026, 12, 1, tzinfo=UTC) + timedelta(hours=self.version)
        return email.utils.format_datetime(when, usegmt=True)

    def __call__(self, seen: Seen) -> Reply:
        if self.validators == "etag":
            headers = {"etag": self.etag}
            unchanged = seen.headers.get("if-none-match") == self.etag
        else:
            headers = {"last-modified": self.modified}
            unchanged = seen.headers.get("if-modified-since") == self.modified
        if unchanged:
            self.not_modified += 1
            return Reply(304, headers=headers)
        return Reply(body=self.document, headers={**headers, "content-type": "application/rss+xml"})


class Sleeps:
    """The provider's sleep: records each wait, runs a hook, returns at once."""

    def __init__(self, hook: Callable[[int], None] | None = None) -> None:
        self.calls: list[float] = []
        self.hook = hook

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        if self.hook:
            self.hook(len(self.calls))
        await asyncio.sleep(0)


async def steps(stream: AsyncGenerator[Fetched, None], count: int) -> list[Fetched]:
    taken: list[Fetched] = []
    try:
        async with asyncio.timeout(10):
            async for step in stream:
                taken.append(step)
                if len(taken) == count:
                    break
    finally:
        await stream.aclose()
    return taken


def ids(fetched: list[Fetched]) -> list[str]:
    return [p.external_id for f in fetched for p in f.posts]


# ------------------------------------------------------------------- parsing


def test_rss_items_become_posts() -> None:
    feed = parse_feed(NEWS, FEED_URL, content_type="application/rss+xml; charset=UTF-8")
    assert feed.title == "Kaffee & Markt – Branchennews"
    first, second, third = feed.posts
    assert first.network == "rss"
    assert first.external_id == "https://news.example/kaffee/?p=48213"
    assert second.external_id == f"{FEED_URL}#48190"  # a bare guid, made unique by the feed
    assert third.external_id == "https://news.example/kaffee/2026/11/podcast-bean-barrel/"
    assert first.title == "Nordlicht Coffee eröffnet Rösterei in Hamburg"
    assert first.text.startswith("Die Marke Nordlicht Coffee setzt auf helle Röstungen & faire")
    assert first.created_at == datetime(2026, 12, 1, 7, 15, tzinfo=UTC)
    assert third.created_at.tzinfo is not None
    assert first.author.name == "Jana Krüger"
    assert first.lang == "de-DE"
    assert first.url == "https://news.example/kaffee/2026/12/nordlicht-roesterei-hamburg/"
    assert "https://nordlicht.example/blog/hamburg" in first.links
    assert "https://cdn.news.example/podcast/42.mp3" in third.links
    assert third.text == "Folge 42 – mit dem Gründer von Bean & Barrel."
    assert first.raw["tags"] == ["Röstereien", "Nordlicht Coffee"]


def test_atom_entries_become_posts() -> None:
    feed = parse_feed(REVIEWS, "https://reviews.example/feed.atom")
    review, kit = feed.posts
    assert review.external_id == "tag:reviews.example,2026:review-311"
    assert review.title == "Nordlicht Coffee subscription: worth it?"
    assert review.text.startswith("Fresh beans, fair price & slow shipping. 4/5 ☕")
    assert review.created_at == datetime(2026, 12, 1, 7, 0, tzinfo=UTC)  # published, in UTC
    assert review.author.name == "Priya Shah"
    assert review.author.url == "https://reviews.example/authors/priya"
    assert review.lang == "en"
    assert "https://nordlicht.example/subscribe" in review.links
    assert kit.created_at == datetime(2026, 11, 28, 16, 20, tzinfo=UTC)  # only updated
    assert kit.text == "Leaked twice in a week. Two stars."


def test_script_payloads_come_out_as_inert_text() -> None:
    first, second, _ = parse_feed(NEWS, FEED_URL).posts
    for post in (first, second):
        assert "<" not in post.text.replace("<script>alert(1)</script>", "")
        assert "document.cookie" not in post.text
        assert "onload" not in post.text
        assert not any(link.lower().startswith("javascript:") for link in post.links)
    assert "hier klicken Zu teuer" in second.text
    # Written as text by the author (escaped twice in the feed): it stays text.
    assert "Und: <script>alert(1)</script> ist kein Argument." in second.text
    assert "Die neue Rösterei" in first.text  # an image's alt text is words a reader sees


@pytest.mark.parametrize(
    "garbage",
    [b"", b"{not: a feed}", b"<html><body>Error 500</body></html>", b"\x00\xff" * 100],
)
def test_a_document_that_is_no_feed_is_a_feed_error(garbage: bytes) -> None:
    with pytest.raises(FeedError, match="not an RSS or Atom feed"):
        parse_feed(garbage, FEED_URL)


def test_a_body_is_never_taken_for_a_file_name() -> None:
    # feedparser opens a local file when handed a name as bytes; the parser never does.
    with pytest.raises(FeedError):
        parse_feed(b"/etc/hostname", FEED_URL)


# ------------------------------------------------------------------- the source


def config(server: FakeServer, path: str = "/feed") -> dict[str, Any]:
    return {"url": server.url + path, "interval_seconds": 60}


def test_the_provider_is_registered() -> None:
    assert provider("rss").label == "RSS / Atom feed"


@pytest.mark.parametrize("document", [rss, atom], ids=["rss", "atom"])
@pytest.mark.parametrize("validators", ["etag", "last-modified"])
def test_polls_are_conditional_and_only_new_entries_come_out(
    validators: str, document: Callable[..., bytes], loopback: EgressPolicy
) -> None:
    publisher = Publisher(document(("b", "Second"), ("a", "First")), validators=validators)

    def after_sleep(call: int) -> None:
        if call == 2:  # two polls of an unchanged feed, then an update
            publisher.publish(document(("c", "Third"), ("b", "Second"), ("a", "First")))

    async def scenario() -> None:
        async with FakeServer({"/feed": publisher}) as server:
            sleeps = Sleeps(after_sleep)
            source = RssProvider(policy=loopback, sleep=sleeps)
            taken = await steps(source.stream(config(server), ""), 2)
            # A bare RSS guid is made unique by the feed; feedparser reads a bare Atom id
            # as a reference relative to the document, as it reads every Atom IRI.
            prefix = f"{server.url}/feed#" if document is rss else f"{server.url}/"
            assert ids(taken) == [prefix + g for g in ("a", "b", "c")]
            assert [p.title for p in taken[0].posts] == ["First", "Second"]  # oldest first
            assert publisher.not_modified == 1
            assert sleeps.calls == [60, 60]
            stored = FeedCursor.load(taken[-1].cursor)
            if validators == "etag":
                assert stored.etag == '"v2"'
            else:
                assert stored.last_modified == publisher.modified

    run(scenario())


def test_resuming_from_the_cursor_has_no_gap_and_no_duplicate(loopback: EgressPolicy) -> None:
    publisher = Publisher(rss(("b", "Second"), ("a", "First")))

    async def scenario() -> None:
        async with FakeServer({"/feed": publisher}) as server:
            source = RssProvider(policy=loopback, sleep=Sleeps())
            (first,) = await steps(source.stream(config(server), ""), 1)
            # The worker stops; meanwhile the feed gains an entry and drops the oldest.
            publisher.publish(rss(("d", "Fourth"), ("c", "Third"), ("b", "Second")))
            (second,) = await steps(source.stream(config(server), first.cursor), 1)
            assert [p.title for p in second.posts] == ["Third", "Fourth"]
            assert server.seen[-1].headers["if-none-match"] == '"v1"'
            # And a poll from there with nothing new gets a 304 and hands over nothing.
            async with HttpClient(policy=loopback) as http:
                unchanged = await poll(http, f"{server.url}/feed", second.cursor)
            assert not unchanged.changed
            assert unchanged.fetched == Fetched([], second.cursor)
            assert publisher.not_modified == 1

    run(scenario())


@pytest.mark.parametrize("form", ["seconds", "date"])
def test_a_429_waits_as_long_as_the_publisher_asks(form: str, loopback: EgressPolicy) -> None:
    answers = iter(["limited"])
    later = datetime.now(UTC) + timedelta(seconds=300)
    retry_after = "120" if form == "seconds" else email.utils.format_datetime(later, usegmt=True)

    def feed(seen: Seen) -> Reply:
        if next(answers, "ok") == "limited":
            return Reply(429, b"slow down", {"retry-after": retry_after})
        return Reply(body=rss(("a", "First")))

    async def scenario() -> None:
        async with FakeServer({"/feed": feed}) as server:
            sleeps = Sleeps()
            source = RssProvider(policy=loopback, sleep=sleeps)
            (step,) = await steps(source.stream(config(server), ""), 1)
            assert [p.title for p in step.posts] == ["First"]
            if form == "seconds":
                assert sleeps.calls[0] == 120
            else:
                assert 290 <= sleeps.calls[0] <= 300

    run(scenario())


def test_garbage_is_a_clear_error_and_the_cursor_stands(loopback: EgressPolicy) -> None:
    publisher = Publisher(rss(("a", "First")))

    async def scenario() -> None:
        async with FakeServer({"/feed": publisher}) as server:
            source = RssProvider(policy=loopback, sleep=Sleeps())
            (first,) = await steps(source.stream(config(server), ""), 1)
            publisher.publish(b"<html><body>We moved! Buy our app.</body></html>")
            with pytest.raises(FeedError, match="not an RSS or Atom feed"):
                await steps(source.stream(config(server), first.cursor), 1)
            publisher.publish(rss(("b", "Second"), ("a", "First")))
            (after,) = await steps(source.stream(config(server), first.cursor), 1)
            assert [p.title for p in after.posts] == ["Second"]

    run(scenario())


def test_a_connection_cut_mid_feed_loses_nothing(loopback: EgressPolicy) -> None:
    whole = rss(("b", "Second"), ("a", "First"))
    cut = Reply(body=whole, hang_up_after=len(whole) // 2)

    async def scenario() -> None:
        async with FakeServer({"/feed": cut}) as server:
            source = RssProvider(policy=loopback, sleep=Sleeps())
            with pytest.raises(HttpError, match="connection failed"):
                await steps(source.stream(config(server), ""), 1)
            server.routes["/feed"] = Reply(body=whole)
            (step,) = await steps(source.stream(config(server), ""), 1)
            assert [p.title for p in step.posts] == ["First", "Second"]

    run(scenario())


def test_a_gzipped_feed_behind_a_redirect(loopback: EgressPolicy) -> None:
    async def scenario() -> None:
        routes = {
            "/old": Reply(301, headers={"location": "/new.atom"}),
            "/new.atom": Reply(body=gzip.compress(REVIEWS), headers={"content-encoding": "gzip"}),
        }
        async with FakeServer(routes) as server:
            source = RssProvider(policy=loopback, sleep=Sleeps())
            (step,) = await steps(source.stream(config(server, "/old"), ""), 1)
            assert step.posts[0].raw["feed_url"] == f"{server.url}/old"  # the source's address
            assert [p.title for p in step.posts] == [
                "Bean & Barrel cold brew kit",
                "Nordlicht Coffee subscription: worth it?",
            ]

    run(scenario())


@pytest.mark.parametrize(
    ("cfg", "message"),
    [
        ({}, "url: give the feed's address"),
        ({"url": "ftp://example.com/feed"}, "only http and https"),
        ({"url": "http://127.0.0.1/feed"}, "loopback"),
        ({"url": "http://user:pw@example.com/feed"}, "user name or password"),
        ({"url": "https://example.com/feed", "interval_seconds": 0}, "at least"),
        ({"url": "https://example.com/feed", "interval_seconds": "often"}, "number of seconds"),
    ],
)
def test_config_errors_say_what_to_fix(cfg: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RssProvider(policy=EgressPolicy()).validate(cfg)


def test_a_foreign_cursor_is_refused() -> None:
    with pytest.raises(ValueError, match="not an RSS source's cursor"):
        FeedCursor.load("t3_abc")


def test_the_remembered_ids_stay_bounded(loopback: EgressPolicy) -> None:
    async def scenario() -> None:
        publisher = Publisher(rss(*[(f"g{i}", f"Item {i}") for i in range(30)]))
        async with FakeServer({"/feed": publisher}) as server:
            source = RssProvider(policy=loopback, sleep=Sleeps())
            cursor = ""
            for batch in range(25):
                items = [(f"g{batch * 30 + i}", f"Item {i}") for i in range(30)]
                publisher.publish(rss(*items))
                (step,) = await steps(source.stream(config(server), cursor), 1)
                assert len(step.posts) == 30
                cursor = step.cursor
            assert len(FeedCursor.load(cursor).seen) == 500
            assert len(cursor) < 12_000

    run(scenario())


def _mangled(document: bytes) -> st.SearchStrategy[bytes]:
    """A real feed cut short, or with a stretch of it replaced by random bytes."""
    return st.tuples(
        st.integers(0, len(document)), st.integers(0, 200), st.binary(max_size=50)
    ).map(lambda t: document[: t[0]] + t[2] + document[t[0] + t[1] :])


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000) | st.sampled_from([NEWS, REVIEWS]).flatmap(_mangled))
def test_any_bytes_are_a_feed_or_a_feed_error(document: bytes) -> None:
    try:
        feed = parse_feed(document, FEED_URL)
    except FeedError:
        return
    assert all(p.created_at.tzinfo is not None for p in feed.posts)
